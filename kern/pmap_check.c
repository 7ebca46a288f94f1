/*
 * Self-checks that mem_init runs at boot.  Each either prints its
 * "succeeded!" line or panics (naming the file and line that failed).
 * They leave the allocator and kern_pgdir exactly as they found them.
 */
#include <inc/string.h>
#include <inc/error.h>
#include <inc/assert.h>
#include <kern/pmap.h>
#include <kern/pmap_check.h>
#include <kern/cpu.h>

// What kern_pgdir maps va to, or ~0 if nothing.
static physaddr_t
va2pa(pde_t *pgdir, uintptr_t va)
{
	pte_t *pte = pgdir_walk(pgdir, (void *) va, 0);

	if (!pte || !(*pte & PTE_P))
		return ~0;
	return PTE_ADDR(*pte) | PGOFF(va);
}

// Does pgdir map [va, va + size) to [pa, pa + size), page by page?
// Read a page table at a time: the map of physical memory alone is
// tens of thousands of entries, which va2pa would walk one by one.
static bool
maps_linearly(pde_t *pgdir, uintptr_t va, size_t size, physaddr_t pa)
{
	const pte_t *pte = NULL;
	size_t off;

	for (off = 0; off < size; off += PGSIZE, pte++) {
		if (!pte || PTX(va + off) == 0) {
			if (!(pgdir[PDX(va + off)] & PTE_P))
				return false;
			pte = (const pte_t *) KADDR(PTE_ADDR(pgdir[PDX(va + off)]))
				+ PTX(va + off);
		}
		if (!(*pte & PTE_P) || PTE_ADDR(*pte) != pa + off)
			return false;
	}
	return true;
}

void
check_page_free_list(bool only_low_memory)
{
	extern char end[];
	struct PageInfo *pp;
	size_t count = 0, nlow = 0, nhigh = 0;
	physaddr_t pa, kernel_end = PADDR(ROUNDUP((char *) end, PGSIZE));

	for (pp = pages_free_head(); pp; pp = pp->pp_link) {
		assert(pp >= pages && pp < pages + npages);
		assert(pp->pp_ref == 0);
		assert(++count <= npages);		// no cycle
		pa = page2pa(pp);
		assert(pa != 0);
		assert(pa != MPENTRY_PADDR);
		assert(pa < IOPHYSMEM || pa >= EXTPHYSMEM);
		assert(pa < EXTPHYSMEM || pa >= kernel_end);
		if (only_low_memory)
			assert(pa < ENTRY_MAPPED);
		if (pa < EXTPHYSMEM)
			nlow++;
		else
			nhigh++;
		if (only_low_memory && count >= ENTRY_MAPPED / PGSIZE / 2)
			break;				// enough: the rest is high
	}
	assert(nlow > 0 && nhigh > 0);
	if (!only_low_memory)
		assert(count == page_free_count());
	cprintf("check_page_free_list() succeeded!\n");
}

void
check_page_alloc(void)
{
	struct PageInfo *a, *b, *c, *saved;
	size_t nfree = page_free_count();

	assert((a = page_alloc(0)) && (b = page_alloc(0)) && (c = page_alloc(0)));
	assert(a != b && b != c && a != c);
	assert(page2pa(a) < npages * PGSIZE && page2pa(c) < npages * PGSIZE);
	assert(page_free_count() == nfree - 3);

	// An empty free list makes page_alloc fail, not crash.
	saved = pages_free_take();
	assert(page_alloc(0) == NULL);

	page_free(a);
	page_free(b);
	page_free(c);
	assert((a = page_alloc(0)) && (b = page_alloc(0)) && (c = page_alloc(0)));
	assert(page_alloc(0) == NULL);

	// ALLOC_ZERO really zeroes.
	memset(page2kva(a), 0x5a, PGSIZE);
	page_free(a);
	assert(page_alloc(ALLOC_ZERO) == a);
	assert(memfind(page2kva(a), 0x5a, PGSIZE) == (char *) page2kva(a) + PGSIZE);

	page_free(a);
	page_free(b);
	page_free(c);
	pages_free_give(saved);
	assert(page_free_count() == nfree);
	cprintf("check_page_alloc() succeeded!\n");
}

void
check_page(void)
{
	struct PageInfo *a, *b, *c, *pt, *saved;
	size_t nfree = page_free_count();
	pte_t *pte;
	void *va = (void *) PGSIZE;

	assert((a = page_alloc(0)) && (b = page_alloc(0)) && (c = page_alloc(0)));
	saved = pages_free_take();

	// No page for a page table: the insert fails and changes nothing.
	assert(page_insert(kern_pgdir, a, 0x0, PTE_W) == -E_NO_MEM);
	assert(a->pp_ref == 0 && !(kern_pgdir[0] & PTE_P));

	// With c available as the page table, it works.
	page_free(c);
	assert(page_insert(kern_pgdir, a, 0x0, PTE_W) == 0);
	pt = pa2page(PTE_ADDR(kern_pgdir[0]));
	assert(pt == c && pt->pp_ref == 1);
	assert(va2pa(kern_pgdir, 0x0) == page2pa(a) && a->pp_ref == 1);

	// A second page in the same table needs no new table.
	assert(page_insert(kern_pgdir, b, va, PTE_W) == 0);
	assert(va2pa(kern_pgdir, (uintptr_t) va) == page2pa(b) && b->pp_ref == 1);
	assert(page_alloc(0) == NULL);

	// Re-inserting the same page at the same place changes only perm.
	assert(page_insert(kern_pgdir, b, va, PTE_W | PTE_U) == 0);
	assert(b->pp_ref == 1);
	assert(page_lookup(kern_pgdir, va, &pte) == b);
	assert(*pte == (page2pa(b) | PTE_W | PTE_U | PTE_P));
	assert(pgdir_walk(kern_pgdir, va, 0) == pte);
	assert(page_alloc(0) == NULL);

	// Mapping a over b drops b's last reference: b is free again.
	assert(page_insert(kern_pgdir, a, va, PTE_W) == 0);
	assert(a->pp_ref == 2 && b->pp_ref == 0);
	assert(page_alloc(0) == b);

	// Removing both mappings frees a.
	page_remove(kern_pgdir, 0x0);
	assert(va2pa(kern_pgdir, 0x0) == ~0 && a->pp_ref == 1);
	page_remove(kern_pgdir, va);
	page_remove(kern_pgdir, va);		// removing nothing is fine
	assert(a->pp_ref == 0 && page_alloc(0) == a);
	assert(page_lookup(kern_pgdir, va, NULL) == NULL);

	// No page table where nothing was ever mapped, and walk won't make one.
	assert(pgdir_walk(kern_pgdir, (void *) PTSIZE, 0) == NULL);

	// Undo: free the page table and the pages, restore the free list.
	kern_pgdir[0] = 0;
	pt->pp_ref = 0;
	page_free(pt);
	page_free(a);
	page_free(b);
	pages_free_give(saved);
	assert(page_free_count() == nfree);
	cprintf("check_page() succeeded!\n");
}

void
check_kern_pgdir(void)
{
	extern char end[];
	pde_t *pgdir = kern_pgdir;
	uintptr_t off, va;
	int i;

	assert(maps_linearly(pgdir, UPAGES, npages * sizeof(struct PageInfo),
			     PADDR(pages)));
	assert(maps_linearly(pgdir, KERNBASE, npages * PGSIZE, 0));

	for (i = 0; i < NCPU; i++) {
		va = KSTACKTOP_CPU(i) - KSTKSIZE;
		assert(maps_linearly(pgdir, va, KSTKSIZE,
				     PADDR(percpu_kstacks[i])));
		for (off = PGSIZE; off <= KSTKGAP; off += PGSIZE)
			assert(va2pa(pgdir, va - off) == ~0);	// guard gap
	}

	// Directory entries: only the regions above UTOP are mapped, and
	// user programs may read only the views meant for them.  envs[]'s
	// at UENVS comes later, from env_init, which checks it.
	for (i = 0; i < NPDENTRIES; i++) {
		va = (uintptr_t) PGADDR(i, 0, 0);
		if (va == UENVS) {
			continue;
		} else if (va == UVPT) {
			assert(pgdir[i] == (PADDR(pgdir) | PTE_U | PTE_P));
		} else if (va == UPAGES) {
			assert(pgdir[i] & PTE_P);
		} else if (va >= KSTACKTOP - PTSIZE) {
			assert(pgdir[i] & PTE_P);
		} else {
			assert(pgdir[i] == 0);
		}
	}
	assert(!(*pgdir_walk(pgdir, (void *) KERNBASE, 0) & PTE_U));
	assert(!(*pgdir_walk(pgdir, (void *) UPAGES, 0) & PTE_W));
	assert(va2pa(pgdir, (uintptr_t) end) == PADDR(end));
	cprintf("check_kern_pgdir() succeeded!\n");
}

void
check_page_installed_pgdir(void)
{
	struct PageInfo *a, *b, *pt;
	size_t nfree = page_free_count();
	volatile uint32_t *va = (uint32_t *) PGSIZE;

	assert((a = page_alloc(ALLOC_ZERO)) && (b = page_alloc(ALLOC_ZERO)));
	memset(page2kva(b), 0x02, PGSIZE);

	// Writes through the new mapping land in the page.
	assert(page_insert(kern_pgdir, a, (void *) va, PTE_W) == 0);
	*va = 0x01010101;
	assert(*(uint32_t *) page2kva(a) == 0x01010101);

	// Remapping the address shows the other page at once.
	assert(page_insert(kern_pgdir, b, (void *) va, PTE_W) == 0);
	assert(*va == 0x02020202 && a->pp_ref == 0);

	// The self-map at UVPT shows the same entry pgdir_walk sees.
	assert(((pte_t *) UVPT)[PGNUM(va)] == *pgdir_walk(kern_pgdir, (void *) va, 0));

	page_remove(kern_pgdir, (void *) va);
	assert(b->pp_ref == 0);
	pt = pa2page(PTE_ADDR(kern_pgdir[0]));
	kern_pgdir[0] = 0;
	tlbflush();
	pt->pp_ref = 0;
	page_free(pt);
	assert(page_free_count() == nfree);
	cprintf("check_page_installed_pgdir() succeeded!\n");
}
