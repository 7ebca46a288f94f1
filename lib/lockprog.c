/*
 * Keep a program's own pages in memory, out of any frame limit: a swap
 * test locks them (PTE_LOCK) so that only the pages it means to page
 * compete for frames, and its counts come out exact.
 */
#include <inc/lib.h>

static int data_word = 1;	// in .data, whatever the layout puts after

// Lock the region holding va, keeping its access.
static int
lock_region_at(const void *va)
{
	struct RegionInfo ri;
	int r;

	if ((r = sys_region_query(0, (void *) va, &ri)) < 0)
		return r;
	return sys_region_protect(0, (void *) ri.start, ri.end - ri.start,
				  (ri.perm & (PTE_P | PTE_U | PTE_W))
				  | PTE_LOCK);
}

// Lock the regions of the program's text, data, bss and stack.
// Returns 0 or a negative error code.
int
lock_program(void)
{
	const void *at[] = { lock_program, &data_word, end - 1, &at };
	int i, r;

	for (i = 0; i < (int) ARRAY_SIZE(at); i++)
		if ((r = lock_region_at(at[i])) < 0)
			return r;
	return 0;
}
