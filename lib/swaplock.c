/*
 * Keep a test program's own pages out of page replacement: locked
 * (PTE_LOCK), they never go to swap and count toward no frame limit,
 * so that only the pages a test makes compete for frames.
 */
#include <inc/lib.h>
#include <inc/x86.h>

#define RW	(PTE_P | PTE_U | PTE_W)

/*
 * Lock the region holding va and bring in its pages from va on (a
 * private copy of each, if the region is writable), so that none of
 * them faults or counts later.
 */
static void
lock_region(uintptr_t va)
{
	struct RegionInfo ri;
	volatile char *p;
	int r, perm;

	if ((r = sys_region_query(0, (void *) va, &ri)) < 0)
		panic("lock_self: query %08x: %e", va, r);
	perm = (ri.perm & RW) | PTE_LOCK;
	if ((r = sys_region_protect(0, (void *) ri.start, ri.end - ri.start,
				    perm)) < 0)
		panic("lock_self: lock %08x: %e", ri.start, r);
	for (p = (char *) MAX(ri.start, ROUNDDOWN(va, PGSIZE));
	     p < (char *) ri.end; p += PGSIZE)
		if (perm & PTE_W)
			*p = *p;
		else
			(void) *p;
}

// The program's text, data and bss, and the stack from two pages below
// the caller's frame up.
void
lock_self(void)
{
	static int global;

	lock_region(UTEXT);
	lock_region((uintptr_t) &global);
	lock_region((uintptr_t) end - 1);
	lock_region(read_esp() - 2 * PGSIZE);
}
