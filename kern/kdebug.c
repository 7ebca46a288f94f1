/*
 * Map kernel code addresses to function names and source lines.
 *
 * The compiler's DWARF sections are not loaded with the kernel, and
 * walking them at run time would take far more code than this.  Instead
 * the build (kern/mkdebugtab.pl) condenses the linked kernel's symbol
 * table and DWARF line table into kdebugtab, a few sorted arrays in the
 * .kdebug section.  The kernel is linked twice: first with an empty
 * table, then with the table made from that first link.  .kdebug lies
 * after .text and .rodata, so no code address moves between the links
 * (the build checks this).
 */
#include <inc/memlayout.h>
#include <inc/string.h>

#include <kern/kdebug.h>

// The layouts below are the ones kern/mkdebugtab.pl writes.

// A function occupying [addr, addr + size).
struct KdebugFunc {
	uintptr_t addr;
	uint32_t size;
	const char *name;
};

// Code from addr up to the next entry's addr comes from files[file] at
// line.  Line 0 marks code with no source line (a gap between
// functions, or after the last one).
struct KdebugLine {
	uintptr_t addr;
	uint16_t file;
	uint16_t line;
};

// Both arrays are sorted by address.
struct Kdebugtab {
	const struct KdebugFunc *funcs;
	uint32_t nfuncs;
	const struct KdebugLine *lines;
	uint32_t nlines;
	const char *const *files;
	uint32_t nfiles;
};

extern const struct Kdebugtab kdebugtab;

// The index of the last entry at or below addr in a sorted array of n
// entries of the given size, each starting with its address; -1 if none.
static int
find_entry(const void *array, uint32_t n, size_t size, uintptr_t addr)
{
	int lo = 0, hi = (int) n - 1, mid, found = -1;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		if (*(const uintptr_t *) ((const char *) array + mid * size)
		    <= addr) {
			found = mid;
			lo = mid + 1;
		} else
			hi = mid - 1;
	}
	return found;
}

static int
find_func(const struct Kdebugtab *tab, uintptr_t eip,
	  struct Eipdebuginfo *info)
{
	const struct KdebugFunc *f;
	int i;

	i = find_entry(tab->funcs, tab->nfuncs, sizeof(*f), eip);
	if (i < 0 || eip - tab->funcs[i].addr >= tab->funcs[i].size)
		return -1;
	f = &tab->funcs[i];
	info->eip_fn_name = f->name;
	info->eip_fn_namelen = strlen(f->name);
	info->eip_fn_addr = f->addr;
	return 0;
}

static void
find_line(const struct Kdebugtab *tab, uintptr_t eip,
	  struct Eipdebuginfo *info)
{
	const struct KdebugLine *l;
	int i;

	i = find_entry(tab->lines, tab->nlines, sizeof(*l), eip);
	if (i < 0 || tab->lines[i].line == 0
	    || tab->lines[i].file >= tab->nfiles)
		return;
	l = &tab->lines[i];
	info->eip_file = tab->files[l->file];
	info->eip_line = l->line;
}

int
debuginfo_eip(uintptr_t eip, struct Eipdebuginfo *info)
{
	static const char unknown[] = "<unknown>";

	info->eip_file = unknown;
	info->eip_line = 0;
	info->eip_fn_name = unknown;
	info->eip_fn_namelen = sizeof(unknown) - 1;
	info->eip_fn_addr = eip;
	info->eip_fn_narg = 0;

	// Only the kernel has a table so far; a user program's would be
	// searched the same way once something loads it.
	if (eip < ULIM)
		return -1;
	if (find_func(&kdebugtab, eip, info) < 0)
		return -1;
	find_line(&kdebugtab, eip, info);
	return 0;
}
