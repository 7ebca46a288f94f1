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

// Lock the page at va, not a region's, if it is there (mapping it
// again in its place, with PTE_LOCK).
static void
lock_page(uintptr_t va)
{
	pte_t pte;
	int r;

	if (!(uvpd[PDX(va)] & PTE_P) || !((pte = uvpt[PGNUM(va)]) & PTE_P))
		return;
	if ((r = sys_page_map(0, (void *) va, 0, (void *) va,
			      (pte & PTE_SYSCALL) | PTE_LOCK)) < 0)
		panic("lock_self: lock page %08x: %e", va, r);
}

// The program's text, data and bss, the stack from two pages below the
// caller's frame up, and the exception stack (fork gives a child one).
void
lock_self(void)
{
	static int global;

	lock_region(UTEXT);
	lock_region((uintptr_t) &global);
	lock_region((uintptr_t) end - 1);
	lock_region(read_esp() - 2 * PGSIZE);
	lock_page(UXSTACKTOP - PGSIZE);
}
