/*
 * Shared page objects: the pages of a PTE_SHARE region, which every env
 * sharing it maps (fork's children get copies of the region that name
 * the same object).  An object records its pages by offset in a
 * two-level table shaped like a page directory, so pgdir_walk finds
 * them; a page not there yet is allocated, zeroed, at the first touch
 * by any sharer.  An object lives while a region names it, and holds
 * one reference to each of its pages and table pages.
 *
 * Concurrency: everything here runs under the kernel lock.
 */
#include <inc/assert.h>
#include <inc/memlayout.h>
#include <kern/shm.h>
#include <kern/pmap.h>

#define NSHM	256	// objects for every env together

struct Shm {
	pde_t *dir;		// the table's directory page, or NULL
	uint32_t refs;		// regions naming it; 0: the object is free
};

static struct Shm shms[NSHM];

struct Shm *
shm_new(void)
{
	struct Shm *o;

	for (o = shms; o < shms + NSHM; o++)
		if (o->refs == 0) {
			o->refs = 1;
			o->dir = NULL;
			return o;
		}
	return NULL;
}

void
shm_hold(struct Shm *o)
{
	assert(o->refs > 0);
	o->refs++;
}

// Free o's pages, its tables and its directory.
static void
shm_free(struct Shm *o)
{
	pte_t *pt;
	int pdx, ptx;

	if (!o->dir)
		return;
	for (pdx = 0; pdx < NPDENTRIES; pdx++) {
		if (!(o->dir[pdx] & PTE_P))
			continue;
		pt = KADDR(PTE_ADDR(o->dir[pdx]));
		for (ptx = 0; ptx < NPTENTRIES; ptx++)
			if (pt[ptx] & PTE_P)
				page_decref(pa2page(PTE_ADDR(pt[ptx])));
		page_decref(pa2page(PTE_ADDR(o->dir[pdx])));
	}
	page_decref(pa2page(PADDR(o->dir)));
	o->dir = NULL;
}

void
shm_drop(struct Shm *o)
{
	assert(o->refs > 0);
	if (--o->refs == 0)
		shm_free(o);
}

// The page at offset off of o, or NULL if it has none there yet.
struct PageInfo *
shm_lookup(struct Shm *o, uintptr_t off)
{
	pte_t *pte;

	if (!o->dir || !(pte = pgdir_walk(o->dir, (void *) off, 0))
	    || !(*pte & PTE_P))
		return NULL;
	return pa2page(PTE_ADDR(*pte));
}

// The page at offset off of o, allocated (zeroed) if it has none yet,
// or NULL if memory ran out.
struct PageInfo *
shm_page(struct Shm *o, uintptr_t off)
{
	struct PageInfo *pp;
	pte_t *pte;

	if (!o->dir) {
		if (!(pp = page_alloc(ALLOC_ZERO)))
			return NULL;
		pp->pp_ref++;
		o->dir = page2kva(pp);
	}
	if (!(pte = pgdir_walk(o->dir, (void *) off, 1)))
		return NULL;
	if (*pte & PTE_P)
		return pa2page(PTE_ADDR(*pte));
	if (!(pp = page_alloc(ALLOC_ZERO)))
		return NULL;
	pp->pp_ref++;
	pte_store(pte, page2pa(pp) | PTE_P);
	return pp;
}

// The page audit's question: hold every page the objects hold.
int
shm_audit(void (*hold)(physaddr_t pa))
{
	struct Shm *o;
	pte_t *pt;
	int pdx, ptx;

	for (o = shms; o < shms + NSHM; o++) {
		if (o->refs == 0 || !o->dir)
			continue;
		hold(PADDR(o->dir));
		for (pdx = 0; pdx < NPDENTRIES; pdx++) {
			if (!(o->dir[pdx] & PTE_P))
				continue;
			hold(PTE_ADDR(o->dir[pdx]));
			pt = KADDR(PTE_ADDR(o->dir[pdx]));
			for (ptx = 0; ptx < NPTENTRIES; ptx++)
				if (pt[ptx] & PTE_P)
					hold(PTE_ADDR(pt[ptx]));
		}
	}
	return 0;
}
