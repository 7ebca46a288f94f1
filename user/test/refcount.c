/*
 * Map one page at more addresses than its 16-bit reference count can
 * count.  The kernel must refuse the mapping that would wrap the count
 * (-E_NO_MEM) rather than let it reach 0 with the page still mapped,
 * when the page would be freed and handed out again while in use.
 */
#include <inc/lib.h>

#define PERM		(PTE_P | PTE_U)
#define PAGE		((volatile uint32_t *) 0x00400000)
#define ALIASES		0x10000000	// 64 page tables from here
#define FRESH		((volatile uint32_t *) 0x00401000)

void
umain(int argc, char **argv)
{
	uint32_t n, i;
	int r;

	if ((r = sys_page_alloc(0, (void *) PAGE, PERM | PTE_W)) < 0)
		panic("refcount: page_alloc: %e", r);
	*PAGE = 0x600d;
	for (n = 0; n < 0x10000; n++) {
		r = sys_page_map(0, (void *) PAGE, 0,
				 (void *) (ALIASES + n * PGSIZE), PERM);
		if (r < 0)
			break;
	}
	if (r == -E_NO_MEM)
		cprintf("refcount: mapping %d refused: %e\n", n + 1, r);
	else
		cprintf("refcount: FAIL: %d mappings, last: %e\n", n + 1, r);

	// One unmapped, the page still held by all the rest.
	sys_page_unmap(0, (void *) ALIASES);
	if ((r = sys_page_alloc(0, (void *) FRESH, PERM | PTE_W)) < 0)
		panic("refcount: page_alloc: %e", r);
	if (PTE_ADDR(uvpt[PGNUM(FRESH)]) == PTE_ADDR(uvpt[PGNUM(PAGE)])
	    || *PAGE != 0x600d)
		cprintf("refcount: FAIL: a page in use was handed out again\n");
	for (i = 1; i < n; i++)
		sys_page_unmap(0, (void *) (ALIASES + i * PGSIZE));
	cprintf("refcount: page kept, %d references\n",
		pages[PGNUM(uvpt[PGNUM(PAGE)])].pp_ref);
}
