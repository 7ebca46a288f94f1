/*
 * The region system calls (see inc/region.h and the README): map a
 * demand-zero region, unmap or protect a range, ask about the region
 * holding an address.  Each acts on the caller or one of its children,
 * and checks every argument, and that the descriptors and memory it
 * needs are there, before it changes anything: a call that fails has
 * changed nothing.
 */
#include <inc/error.h>
#include <inc/string.h>
#include <inc/memlayout.h>
#include <inc/region.h>

#include <kern/region_syscall.h>
#include <kern/region.h>
#include <kern/demand.h>
#include <kern/shm.h>
#include <kern/pmap.h>
#include <kern/env.h>
#include <kern/swap.h>
#include <kern/swapslot.h>
#include <kern/syscall.h>

// Is [va, va + len) page-aligned, not empty, and where regions may be?
static bool
range_ok(uintptr_t va, size_t len)
{
	return PGOFF(va) == 0 && PGOFF(len) == 0 && len > 0
		&& va >= UMINADDR && va < UTOP && len <= UTOP - va;
}

// Is perm PTE_U | PTE_P with nothing more than the bits in optional?
static bool
perm_ok(int perm, int optional)
{
	return (perm & (PTE_U | PTE_P)) == (PTE_U | PTE_P)
		&& !(perm & ~(PTE_U | PTE_P | optional));
}

static bool
stop_at_page(pte_t *pte, uintptr_t va, void *arg)
{
	return false;
}

// Is [va, va + len) free in e: no region, no page mapped?
static bool
range_free(struct Env *e, uintptr_t va, size_t len)
{
	return !regions_touch(env_regions(e), va, va + len)
		&& pgdir_each(e->env_pgdir, va, va + len, stop_at_page, NULL)
		   == va + len;
}

// The lowest address where len bytes are free in e, or 0.
static uintptr_t
lowest_free(struct Env *e, size_t len)
{
	uintptr_t va = UMINADDR, page;

	while ((va = regions_gap(env_regions(e), va, len)) != 0) {
		page = pgdir_each(e->env_pgdir, va, va + len, stop_at_page, NULL);
		if (page == va + len)
			return va;
		va = page + PGSIZE;
	}
	return 0;
}

/*
 * Map in envid a demand-zero region of len bytes with perm (PTE_U |
 * PTE_P, maybe PTE_W and PTE_SHARE), at want if that range is free, or
 * else (unless flags has REGION_FIXED) at the lowest free range that
 * fits.  Returns the region's page number, its address >> PGSHIFT,
 * which no address makes negative; or -E_INVAL, -E_BAD_ENV or
 * -E_NO_MEM.
 */
int32_t
sys_region_map(envid_t envid, uintptr_t want, size_t len, int perm,
	       int flags)
{
	struct Region r = { .perm = perm, .kind = REGION_ANON };
	struct Shm *obj = NULL;
	struct Env *e;
	bool taken;
	int err;

	if (!perm_ok(perm, PTE_W | PTE_SHARE | PTE_LOCK)
	    || (flags & ~REGION_FIXED)
	    || PGOFF(want) || PGOFF(len) || len == 0 || len >= UTOP)
		return -E_INVAL;
	if ((err = envid2env(envid, &e, 1)) < 0)
		return err;
	// Holding the kernel lock shared (kern/syscall.h), a map in the
	// caller's space or its building child's with no shared object
	// (the objects are the exclusive lock's); it takes mem_lock for
	// the descriptor.
	if (kernel_alone())
		swap_make_room(NULL, 0, 1);	// the array of e's regions
	else if (!space_shared_ok(e) || (perm & PTE_SHARE))
		syscall_restart_exclusive();
	if (range_ok(want, len) && range_free(e, want, len))
		r.start = want;
	else if (flags & REGION_FIXED)
		return -E_INVAL;
	else if (!(r.start = lowest_free(e, len)))
		return -E_NO_MEM;
	r.end = r.start + len;
	if ((perm & PTE_SHARE) && !(obj = shm_new()))
		return -E_NO_MEM;
	r.shared.obj = obj;
	r.shared.base = r.start;
	taken = mem_lock_if_shared();
	err = region_add(env_regions(e), &r);
	mem_unlock_taken(taken);
	if (taken && err == -E_NO_MEM)
		syscall_restart_exclusive();	// which may make room
	if (obj)
		shm_drop(obj);		// the region holds its own
	return err < 0 ? err : (int32_t) (r.start >> PGSHIFT);
}

// page_remove takes mem_lock a page at a time, if shared, so that CPUs
// take it in turns.
static bool
unmap_page(pte_t *pte, uintptr_t va, void *arg)
{
	page_remove(arg, (void *) va);
	return true;
}

static bool
entry_may_go(pte_t *pte, uintptr_t va, void *arg)
{
	return entry_shared_ok(*pte);
}

// May an unmap of [start, end) in e run holding the kernel lock shared:
// a space this CPU may change (space_shared_ok), no shared object's
// region there (the objects are the exclusive lock's), no entry with a
// swap slot?
static bool
unmap_shared_ok(struct Env *e, uintptr_t start, uintptr_t end)
{
	return space_shared_ok(e)
		&& !regions_share(env_regions(e), start, end)
		&& pgdir_each(e->env_pgdir, start, end, entry_may_go, NULL)
		   == end;
}

/*
 * Unmap [va, va + len) in envid: regions shrink, split or go, and every
 * page mapped there is unmapped.  Returns 0, -E_INVAL, -E_BAD_ENV or
 * -E_NO_MEM (no descriptor left for a split).  Holding the kernel lock
 * shared (SHARED_SELF), only what unmap_shared_ok allows, with mem_lock
 * for the descriptors and each page.
 */
int
sys_region_unmap(envid_t envid, uintptr_t va, size_t len)
{
	struct Env *e;
	bool taken;
	int err;

	if (!range_ok(va, len))
		return -E_INVAL;
	if ((err = envid2env(envid, &e, 1)) < 0)
		return err;
	if (!kernel_alone() && !unmap_shared_ok(e, va, va + len))
		syscall_restart_exclusive();
	taken = mem_lock_if_shared();
	err = regions_cut(env_regions(e), va, va + len);
	mem_unlock_taken(taken);
	if (err < 0)
		return err;
	pgdir_each(e->env_pgdir, va, va + len, unmap_page, e->env_pgdir);
	return 0;
}

// How protect treats the pages of one region.
struct Reprotect {
	struct Env *e;
	bool writable;		// write access given, or taken away
	bool lock;		// PTE_LOCK given, or taken away
	struct Region *r;	// the region holding the pages
};

// Is pp the page r's shared object holds at va?  Writing it is what
// sharing it means.
static bool
object_page(struct Region *r, uintptr_t va, struct PageInfo *pp)
{
	return (r->perm & PTE_SHARE)
		&& shm_lookup(r->shared.obj, va - r->shared.base) == pp;
}

/*
 * With write access gone, a present page loses it at once, and its
 * copy-on-write mark with it: lib's fault handler would copy such a
 * page and let the write go on.  With write access given, a page gets
 * it if only this mapping holds it, or if it is its PTE_SHARE region's
 * own; any other shared page becomes copy-on-write, for lib's fault
 * handler to copy at the first write, but for the zero page (a write to
 * it is the kernel's to serve).  A swap entry is a page of the env's
 * own once back, so it simply takes the new access.  The entry's bits
 * change atomically: another CPU's MMU may be setting PTE_D in it.
 */
static bool
reprotect_page(pte_t *pte, uintptr_t va, void *arg)
{
	struct Reprotect *rp = arg;
	// A swap entry holds a slot number where a page's address would be.
	struct PageInfo *pp = pte_is_swap(*pte) ? NULL
			      : pa2page(PTE_ADDR(*pte));

	if (!rp->writable)
		__sync_fetch_and_and(pte, ~(PTE_W | PTE_COW));
	else if (!pp || pp->pp_ref == 1 || object_page(rp->r, va, pp)) {
		__sync_fetch_and_or(pte, PTE_W);
		__sync_fetch_and_and(pte, ~PTE_COW);
	} else if (PTE_ADDR(*pte) != demand_zero_page())
		__sync_fetch_and_or(pte, PTE_COW);
	swap_lock_entry(rp->e, pte, va, rp->lock);
	return true;
}

// Give [start, end) of e, which regions cover, the access perm allows,
// a region at a time.
static void
reprotect_range(struct Env *e, uintptr_t start, uintptr_t end, int perm)
{
	struct Reprotect rp = {
		.e = e, .writable = perm & PTE_W, .lock = perm & PTE_LOCK,
	};
	uintptr_t va;

	for (va = start; va < end; va = rp.r->end) {
		rp.r = region_find(env_regions(e), va);
		pgdir_each(e->env_pgdir, va, MIN(rp.r->end, end),
			   reprotect_page, &rp);
	}
	pgdir_flush(e->env_pgdir);
}

/*
 * Give [va, va + len) of envid, which regions must cover, the
 * permissions perm (PTE_U | PTE_P, maybe PTE_W and PTE_LOCK: resident
 * for good once in, outside any frame limit).  Pages unlocked count
 * toward the limit again: what is over it goes out at once, as far as
 * it can, as when the limit is set (sys_env_set_frame_limit).  Returns
 * 0, -E_INVAL, -E_BAD_ENV or -E_NO_MEM.
 */
int
sys_region_protect(envid_t envid, uintptr_t va, size_t len, int perm)
{
	struct Env *e;
	int err;

	if (!range_ok(va, len) || !perm_ok(perm, PTE_W | PTE_LOCK))
		return -E_INVAL;
	if ((err = envid2env(envid, &e, 1)) < 0)
		return err;
	if (!regions_cover(env_regions(e), va, va + len))
		return -E_INVAL;
	if ((err = regions_protect(env_regions(e), va, va + len, perm)) < 0)
		return err;
	reprotect_range(e, va, va + len, perm);
	if (!(perm & PTE_LOCK))
		swap_make_room(e, 0, 0);
	return 0;
}

static bool
count_page(pte_t *pte, uintptr_t va, void *arg)
{
	(*(unsigned *) arg)++;
	return true;
}

/*
 * Describe in *info (the caller's memory) the region of envid holding
 * va.  Returns 0, -E_INVAL if no region holds it, -E_BAD_ENV, -E_FAULT
 * if the caller may not write *info (or it is in a copy-on-write page,
 * the caller's to copy), or -E_NO_MEM if its page cannot be brought in.
 */
int
sys_region_query(envid_t envid, uintptr_t va, uintptr_t info)
{
	struct RegionInfo ri = { 0 };
	struct Region *r;
	struct Env *e;
	int err;

	if ((err = envid2env(envid, &e, 1)) < 0)
		return err;
	if (!(r = region_find(env_regions(e), va)))
		return -E_INVAL;
	ri.start = r->start;
	ri.end = r->end;
	ri.perm = r->perm;
	ri.kind = r->kind;
	ri.exec = r->exec;
	pgdir_each(e->env_pgdir, r->start, r->end, count_page, &ri.resident);

	if (user_mem_check(curenv, (void *) info, sizeof(ri), PTE_U | PTE_W) < 0)
		return -E_FAULT;
	return demand_copyout(info, &ri, sizeof(ri));
}
