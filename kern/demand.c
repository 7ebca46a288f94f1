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
 * Concurrency: everything here runs under the kernel lock, exclusive,
 * but demand_fault_shared and what a shared sys_cputs step, or a
 * shared call's fifth argument (syscall_arg5), reads through
 * (demand_page_ok, demand_copyin, for the env the CPU runs): those
 * hold it shared, and leave what they cannot do alone to the exclusive
 * lock.
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
	pte_store(pte, page2pa(pp) | perm | PTE_P);
	rmap_add(pp, pgdir, va, perm);
	return 0;
}

// May one more mapping take the zero page?  A full count moves on to
// pages of the env's own.
static inline bool __attribute__((always_inline))
zero_page_spare(void)
{
	return zero_page->pp_ref < (uint16_t) ~0 - 1;
}

// Does a first touch in r give the env a page that counts toward its
// frame limit (not the zero page, not a shared object's page)?
static inline bool __attribute__((always_inline))
brings_own_page(struct Region *r, bool write)
{
	return !(r->perm & PTE_SHARE) && (write || r->kind == REGION_IMAGE);
}

// Fill pp, a page of the env's own, as a first touch of va in r finds
// it: the image's bytes, or zeros.
static inline void __attribute__((always_inline))
fill_own_page(struct PageInfo *pp, struct Region *r, uintptr_t va)
{
	if (r->kind == REGION_IMAGE)
		fill_from_image(page2kva(pp), r, va);
	else
		page_clear(pp);
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
	if (!brings_own_page(r, write) && zero_page_spare())
		return zero_page;
	if ((pp = page_alloc(0)))
		fill_own_page(pp, r, va);
	return pp;
}

// The permissions a mapping of pp, a first touch's page in r, has.
static inline int __attribute__((always_inline))
first_perm(struct PageInfo *pp, struct Region *r)
{
	return pp == zero_page ? PTE_P | PTE_U : r->perm;
}

// May r's pages be accessed so (written, or read)?
static inline bool __attribute__((always_inline))
region_allows(struct Region *r, bool write)
{
	return !write || (r->perm & PTE_W);
}

// Map in e at va the page region r brings there for this access.  pte
// is e's entry for va if it has a page table there and the entry maps
// nothing, else NULL.
static int
map_first_page(struct Env *e, struct Region *r, uintptr_t va, bool write,
	       pte_t *pte)
{
	struct PageInfo *pp = first_page(r, va, write);
	int perm = first_perm(pp, r);
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

// What a touch of e's page at va needs from the kernel (touch_of).
enum touch {
	TOUCH_NOTHING,		// the page is there and allows it
	TOUCH_NOT_OURS,		// the env's fault: no region brings the page
				// or allows the access, or the page is
				// there read-only (copy-on-write faults)
	TOUCH_SWAPPED,		// the page is out in swap
	TOUCH_FIRST,		// a region page not touched yet, or the zero
				// page written
};

// What the touch needs, with e's entry for va in *pte (NULL if it has
// no page table there) and, for TOUCH_FIRST, the region in *r.
static inline enum touch __attribute__((always_inline))
touch_of(struct Env *e, uintptr_t va, bool write, pte_t **pte,
	 struct Region **r)
{
	if (va >= UTOP)
		return TOUCH_NOT_OURS;
	*pte = pte_lookup(e->env_pgdir, va);
	if (*pte && (**pte & PTE_P)) {
		if (!write || (**pte & PTE_W))
			return TOUCH_NOTHING;
		if (PTE_ADDR(**pte) != page2pa(zero_page))
			return TOUCH_NOT_OURS;
	} else if (*pte && pte_is_swap(**pte))
		return TOUCH_SWAPPED;
	*r = region_find(env_regions(e), va);
	return *r && region_allows(*r, write) ? TOUCH_FIRST : TOUCH_NOT_OURS;
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
	struct PageInfo *pp;
	pte_t *pte;
	struct Region *r;

	switch (touch_of(e, va, write, &pte, &r)) {
	case TOUCH_NOTHING:
		return 0;
	case TOUCH_NOT_OURS:
		return -E_FAULT;
	case TOUCH_SWAPPED:
		// Evictions cannot touch *pte: it maps no page of the env's.
		if (swap_make_room(e, 1, 1) < 0 || !(pp = page_alloc(0)))
			return -E_NO_MEM;
		return swap_in(e, ROUNDDOWN(va, PGSIZE), pte, pp, write);
	case TOUCH_FIRST:
		break;
	}
	if (swap_make_room(e, brings_own_page(r, write), 2) < 0)
		return -E_NO_MEM;
	// The zero page's entry is replaced, through page_insert.
	if (pte && (*pte & PTE_P))
		pte = NULL;
	return map_first_page(e, r, ROUNDDOWN(va, PGSIZE), write, pte);
}

// demand_fault_shared's swap-in, with a frame to spare and no frame
// limit to mind.  A disk error (reported) is for the exclusive lock as
// well, which tries once more before the env fails.
static int
swap_in_shared(struct Env *e, uintptr_t va, pte_t *pte, bool write)
{
	struct PageInfo *pp = NULL;
	int err;

	if (swap_room(e, 1)) {
		spin_lock(&mem_lock);
		pp = page_alloc(0);
		spin_unlock(&mem_lock);
	}
	if (!pp)
		return DEMAND_EXCLUSIVE;
	err = swap_in(e, ROUNDDOWN(va, PGSIZE), pte, pp, write);
	return err == -E_NO_MEM ? DEMAND_EXCLUSIVE : err;
}

/*
 * demand_fault beside other CPUs: this CPU holds the kernel lock
 * shared, and e is its env.  It serves the common cases with frames to
 * spare and no frame limit to mind: the first touch of a page of one
 * of e's private regions, holding mem_lock for the free list and the
 * mapping but not while the page is filled; and a page back from swap
 * (swap_in).  Returns 0 (the page is there now, or already was),
 * -E_FAULT (the env's fault, as demand_fault would say, maybe with the
 * page back from swap), or DEMAND_EXCLUSIVE if the fault needs more
 * (the zero page replaced, a shared object, room made, memory): then
 * nothing has changed, and demand_fault is to decide under the
 * exclusive lock.
 */
int
demand_fault_shared(struct Env *e, uintptr_t va, bool write)
{
	struct PageInfo *pp = zero_page;
	struct Region *r;
	pte_t *pte;
	enum touch touch = touch_of(e, va, write, &pte, &r);
	int err = -E_NO_MEM;
	bool own;

	if (touch == TOUCH_SWAPPED)
		return swap_in_shared(e, va, pte, write);
	if (touch != TOUCH_FIRST)
		return touch == TOUCH_NOTHING ? 0 : -E_FAULT;
	if ((pte && *pte) || (r->perm & PTE_SHARE) || !swap_room(e, 2))
		return DEMAND_EXCLUSIVE;
	va = ROUNDDOWN(va, PGSIZE);
	own = brings_own_page(r, write);
	spin_lock(&mem_lock);
	if ((own ? (pp = page_alloc(0)) != NULL : zero_page_spare())
	    && (pte || (pte = pgdir_walk(e->env_pgdir, (void *) va, 1))))
		err = map_at_entry(e->env_pgdir, pte, pp, va, first_perm(pp, r));
	if (err < 0 && pp && pp->pp_ref == 0)
		page_free(pp);
	spin_unlock(&mem_lock);
	if (err < 0)
		return DEMAND_EXCLUSIVE;
	// Filled once mapped, out of the lock: no one else can look at the
	// page before this CPU lets go of the kernel lock.
	if (own)
		fill_own_page(pp, r, va);
	return 0;
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
// image page not touched yet.  An untouched page of a PTE_SHARE region
// reads as its shared object's page, if another sharer brought it in.
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
	if ((r->perm & PTE_SHARE)
	    && (pp = shm_lookup(r->shared.obj, page - r->shared.base)))
		return (uint8_t *) page2kva(pp) + PGOFF(va);
	if (r->kind == REGION_IMAGE) {
		fill_from_image(buf, r, page);
		return buf + PGOFF(va);
	}
	return NULL;
}

// Does reading e's page at va, whose entry is *pte (if any), need the
// exclusive lock: is it in swap, or an image page not touched yet?
static bool
copyin_exclusive(struct Env *e, const pte_t *pte, uintptr_t va)
{
	struct Region *r;

	if (pte && (*pte & PTE_P))
		return false;
	if (pte && pte_is_swap(*pte))
		return true;
	r = region_find(env_regions(e), va);
	return r && r->kind == REGION_IMAGE;
}

/*
 * Copy n bytes of e's memory at src into dst, which the caller checked
 * e may read (user_mem_check): untouched pages give what a touch would,
 * without being mapped; swapped-out pages come back.  Image pages are
 * filled into one static page of scratch, so those and swap are for
 * the exclusive lock: holding the kernel lock shared, for e's own CPU,
 * it copies resident and zero-fill pages only.  Returns 0, -E_NO_MEM if
 * a page could not come back, or (shared) DEMAND_EXCLUSIVE, with
 * nothing changed but part of dst.
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
		if (!kernel_alone() && copyin_exclusive(e, pte, src))
			return DEMAND_EXCLUSIVE;
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
