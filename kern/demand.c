/*
 * Demand paging: the pages of an env's regions (kern/region.c) are
 * mapped at their first touch, from the page-fault handler, or when the
 * kernel reaches user memory on the env's behalf.
 *
 * What a first touch brings:
 *   - an anonymous or stack page read before it is written maps the
 *     zero page, one page of zeros shared read-only by every such
 *     mapping; the first write puts a zeroed page of the env's own in
 *     its place (as does a first touch that writes);
 *   - a program image page is filled from the ELF, read or write;
 *   - a PTE_SHARE region's page comes from its shared object
 *     (kern/shm.c), so that every sharer maps the same page.
 * Every other fault (outside every region, an access the region does
 * not allow, a write to a present read-only or copy-on-write page)
 * is not the kernel's: trap.c sends it on as the course does.
 *
 * The kernel reads user memory through demand_copyin, which treats an
 * untouched page as what a touch would bring, without mapping it: a
 * sys_cputs of a huge untouched region costs no memory.
 *
 * Concurrency: everything here runs under the kernel lock.
 */
#include <inc/assert.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/memlayout.h>

#include <kern/demand.h>
#include <kern/region.h>
#include <kern/shm.h>
#include <kern/pmap.h>
#include <kern/env.h>
#include <kern/rmap.h>
#include <kern/swap.h>
#include <kern/swapslot.h>

static struct PageInfo *zero_page;

void
demand_init(void)
{
	if (!(zero_page = page_alloc(ALLOC_ZERO)))
		panic("demand_init: no zero page");
	zero_page->pp_ref++;
}

physaddr_t
demand_zero_page(void)
{
	return page2pa(zero_page);
}

// Copy into kva the bytes of image region r's page at va: the file's,
// zeros past them.
static void
fill_from_image(void *kva, struct Region *r, uintptr_t va)
{
	uintptr_t from = MAX(va, r->image.va);
	uintptr_t to = MIN(va + PGSIZE, r->image.va + r->image.len);

	memset(kva, 0, PGSIZE);
	if (from < to)
		memcpy((char *) kva + (from - va),
		       r->image.bytes + (from - r->image.va), to - from);
}

// Map pp with perm|PTE_P at pte, a user entry that maps nothing: what
// page_insert does, for a caller that has the entry already.  Returns
// 0, or -E_NO_MEM if pp_ref is full.
static inline int
map_at_entry(pde_t *pgdir, pte_t *pte, struct PageInfo *pp, uintptr_t va,
	       int perm)
{
	if (pp->pp_ref == (uint16_t) ~0)
		return -E_NO_MEM;
	pp->pp_ref++;
	*pte = page2pa(pp) | perm | PTE_P;
	rmap_add(pp, pgdir, va, perm);
	return 0;
}

// The page a first touch of va in r brings (the zero page for a read of
// an anonymous page), with no reference taken for the mapping; NULL if
// memory ran out.
static struct PageInfo *
first_page(struct Region *r, uintptr_t va, bool write)
{
	struct PageInfo *pp;

	if (r->perm & PTE_SHARE)
		return shm_page(r->shared.obj, va - r->shared.base);
	if (r->kind == REGION_IMAGE) {
		if ((pp = page_alloc(0)))
			fill_from_image(page2kva(pp), r, va);
		return pp;
	}
	// A full count moves on to pages of the env's own.
	if (!write && zero_page->pp_ref < (uint16_t) ~0 - 1)
		return zero_page;
	return page_alloc(ALLOC_ZERO);
}

// Map in e at va the page region r brings there for this access.  pte
// is e's entry for va if it has a page table there and the entry maps
// nothing, else NULL.
static int
map_first_page(struct Env *e, struct Region *r, uintptr_t va, bool write,
	       pte_t *pte)
{
	struct PageInfo *pp = first_page(r, va, write);
	int perm = pp == zero_page ? PTE_P | PTE_U : r->perm;
	int err;

	if (!pp)
		return -E_NO_MEM;
	if (pte)
		err = map_at_entry(e->env_pgdir, pte, pp, va, perm);
	else
		err = page_insert(e->env_pgdir, pp, (void *) va, perm);
	if (err < 0 && pp->pp_ref == 0)
		page_free(pp);
	return err;
}

// Does a first touch in r give the env a page that counts toward its
// frame limit (not the zero page, not a shared object's page)?
static bool
brings_own_page(struct Region *r, bool write)
{
	return !(r->perm & PTE_SHARE) && (write || r->kind == REGION_IMAGE);
}

/*
 * Make the page of e at va ready for a read (or a write): bring it in
 * from swap, or if a region of e allows the access and it is not there
 * yet, or give e a page of its own in place of the zero page.  Any user
 * page but this one may be swapped out meanwhile (swap_make_room).
 * Returns 0 (the page is there now, or already was), -E_FAULT if it is
 * not the kernel's to bring, or -E_NO_MEM.
 */
int
demand_fault(struct Env *e, uintptr_t va, bool write)
{
	pte_t *pte;
	struct Region *r;

	if (va >= UTOP)
		return -E_FAULT;
	// A present page needs nothing, or is not ours to change but for
	// the zero page (copy-on-write faults, the hot case, end here).
	pte = pte_lookup(e->env_pgdir, va);
	if (pte && (*pte & PTE_P)
	    && (!write || (*pte & PTE_W) || PTE_ADDR(*pte) != page2pa(zero_page)))
		return !write || (*pte & PTE_W) ? 0 : -E_FAULT;
	// Evictions cannot touch *pte: it maps no page of the env's own.
	if (pte && pte_is_swap(*pte)) {
		if (swap_make_room(e, 1, 1) < 0)
			return -E_NO_MEM;
		return swap_in(e, ROUNDDOWN(va, PGSIZE), pte, write);
	}
	r = region_find(env_regions(e), va);
	if (!r || (write && !(r->perm & PTE_W)))
		return -E_FAULT;
	if (swap_make_room(e, brings_own_page(r, write), 2) < 0)
		return -E_NO_MEM;
	// The zero page's entry is replaced, through page_insert.
	if (pte && (*pte & PTE_P))
		pte = NULL;
	return map_first_page(e, r, ROUNDDOWN(va, PGSIZE), write, pte);
}

/*
 * May user code in e access the page at va with perm (PTE_U, maybe
 * PTE_W), now, once back from swap, or at its first touch?  Nothing is
 * mapped.
 */
bool
demand_page_ok(struct Env *e, uintptr_t va, int perm)
{
	struct Region *r;
	pte_t *pte;

	if (user_page_ok(e->env_pgdir, va, perm))
		return true;
	pte = va < UTOP ? pte_lookup(e->env_pgdir, va) : NULL;
	if (pte && pte_is_swap(*pte))
		return (*pte & perm & ~PTE_P) == (perm & ~PTE_P);
	if (va >= UTOP || !(r = region_find(env_regions(e), va))
	    || ((perm & PTE_W) && !(r->perm & PTE_W)))
		return false;
	// Absent, or the zero page, which a write replaces.
	pte = pgdir_walk(e->env_pgdir, (void *) va, 0);
	return !pte || !(*pte & PTE_P) || PTE_ADDR(*pte) == page2pa(zero_page);
}

// The kernel address of e's byte at va as a read would see it, or NULL
// for a page a touch would fill with zeros.  buf takes the bytes of an
// image page not touched yet.
static const uint8_t *
readable(struct Env *e, uintptr_t va, uint8_t *buf)
{
	uintptr_t page = ROUNDDOWN(va, PGSIZE);
	struct PageInfo *pp = page_lookup(e->env_pgdir, (void *) page, NULL);
	struct Region *r;

	if (pp)
		return (uint8_t *) page2kva(pp) + PGOFF(va);
	r = region_find(env_regions(e), va);
	assert(r);	// the caller checked with user_mem_check
	if (r->kind == REGION_IMAGE) {
		fill_from_image(buf, r, page);
		return buf + PGOFF(va);
	}
	return NULL;
}

/*
 * Copy n bytes of e's memory at src into dst, which the caller checked
 * e may read (user_mem_check): untouched pages give what a touch would,
 * without being mapped; swapped-out pages come back.  (Under the kernel
 * lock, so one static page of scratch for image pages will do.)
 * Returns 0, or -E_NO_MEM if a page could not come back.
 */
int
demand_copyin(struct Env *e, void *dst, uintptr_t src, size_t n)
{
	static uint8_t image_page[PGSIZE];
	const uint8_t *from;
	pte_t *pte;
	size_t k;
	int err;

	for (; n > 0; n -= k, src += k, dst = (char *) dst + k) {
		k = MIN(n, PGSIZE - PGOFF(src));
		pte = pte_lookup(e->env_pgdir, src);
		if (pte && pte_is_swap(*pte)
		    && (err = demand_fault(e, src, false)) < 0)
			return err;
		if ((from = readable(e, src, image_page)))
			memcpy(dst, from, k);
		else
			memset(dst, 0, k);
	}
	return 0;
}

/*
 * Copy n bytes from src to dst in the current env's memory, which the
 * caller checked it may write (user_mem_check): a page at a time, each
 * brought in (from swap, or at its first touch) just before it is
 * written, so that bringing in the next cannot send it out first.
 * Returns 0, -E_FAULT (a copy-on-write page: the env's to copy) or
 * -E_NO_MEM.
 */
int
demand_copyout(uintptr_t dst, const void *src, size_t n)
{
	size_t k;
	int err;

	for (; n > 0; n -= k, dst += k, src = (const char *) src + k) {
		k = MIN(n, PGSIZE - PGOFF(dst));
		if ((err = demand_fault(curenv, dst, true)) < 0)
			return err;
		memcpy((void *) dst, src, k);
	}
	return 0;
}
