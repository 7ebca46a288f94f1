/*
 * Memory regions, as user programs see them: the ranges of an env's
 * address space it may use, each with permissions and a kind that says
 * where its pages come from when first touched (see the region system
 * calls in inc/lib.h, and the README).
 */
#ifndef JOS_INC_REGION_H
#define JOS_INC_REGION_H

#include <inc/types.h>

// Where a region's pages come from.
enum {
	REGION_ANON = 1,	// zero-filled at first touch
	REGION_IMAGE,		// the program's bytes, from its ELF image
	REGION_STACK,		// the user stack: zero-filled, like ANON
};

// sys_region_map's flags: take the wanted address or fail, rather than
// move to the lowest free range that fits.
#define REGION_FIXED	0x1

// What sys_region_query says of the region holding an address.
struct RegionInfo {
	uintptr_t start, end;	// [start, end), page-aligned
	int perm;		// PTE_P | PTE_U, maybe PTE_W and PTE_SHARE
	int kind;		// REGION_ANON, _IMAGE or _STACK
	int exec;		// from an executable ELF segment (not enforced)
	unsigned resident;	// pages present now
};

#endif
