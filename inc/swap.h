/*
 * Page replacement and swap, as user programs see them (the system
 * calls in inc/lib.h; the README tells the whole story).  A page whose
 * entry has PTE_LOCK is never swapped out and counts toward no limit.
 */
#ifndef JOS_INC_SWAP_H
#define JOS_INC_SWAP_H

#include <inc/types.h>
#include <inc/mmu.h>
#include <inc/memlayout.h>

// A swapped-out page's entry, as uvpt shows it: PTE_P clear, PTE_SWAP
// set, the page's permission bits, and the slot in the top 20 bits.
#define PTE_SWAP	0x080

static inline bool
pte_is_swap(pte_t pte)
{
	return (pte & (PTE_P | PTE_SWAP)) == PTE_SWAP;
}

// Replacement policies: which of an env's pages goes out first.
enum {
	SWAP_FIFO = 1,		// the one brought in longest ago
	SWAP_CLOCK,		// FIFO, but a page used since (PTE_A) stays
	SWAP_ECLOCK,		// clock that prefers pages not written (PTE_D)
	NSWAPPOLICY
};

// Counts of an env's paging, or of every env's since boot.
struct VmCounts {
	uint32_t faults;	// faults the kernel served (first touch, swap-in)
	uint32_t swapins;	// pages read back from the swap disk
	uint32_t swapouts;	// pages written to it
	uint32_t dropped;	// clean pages let go: their slot had their bytes
};

// What sys_vm_stat says.
struct VmStat {
	struct VmCounts env;	// the env's
	uint32_t resident;	// its pages that may be swapped out, resident
	uint32_t swapped;	// its page table entries naming swap slots
	uint32_t limit;		// its frame limit; 0: none
	uint32_t policy;	// its replacement policy (SWAP_*)
	struct VmCounts all;	// every env's since boot
	uint32_t evictions[NSWAPPOLICY];	// by the policy that chose
	uint32_t frames;	// physical pages in all
	uint32_t frames_free;	// physical pages free
	uint32_t slots;		// swap slots on the disk; 0: no swap disk
	uint32_t slots_used;
	uint64_t io_cycles;	// time stamp cycles spent moving pages to and
				// from the swap disk (under -icount shift=0,
				// instructions), every env's since boot
};

#endif
