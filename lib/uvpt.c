/*
 * Looking at our own memory as a test sees it: page table entries read
 * through uvpd and uvpt (the page tables mapped read-only at UVPT:
 * inc/memlayout.h), and bytes read one at a time.
 */
#include <inc/lib.h>

// Our entry for va; 0 if va's page table does not exist.
pte_t
pte_of(uintptr_t va)
{
	return (uvpd[PDX(va)] & PTE_P) ? uvpt[PGNUM(va)] : 0;
}

// How many of the n pages from va are out on swap.
int
pages_swapped(uintptr_t va, int n)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		k += pte_is_swap(pte_of(va + i * PGSIZE));
	return k;
}

// Does the memory at va hold the string s, its NUL included?  Read byte
// by byte, so that the compiler cannot answer from an initializer.
bool
holds_string(uintptr_t va, const char *s)
{
	const volatile char *p = (const volatile char *) va;

	for (; *s; s++, p++)
		if (*p != *s)
			return false;
	return *p == 0;
}
