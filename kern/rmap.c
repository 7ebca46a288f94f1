/*
 * The reverse map (see kern/rmap.h): the recorded mapping of each page
 * that may be swapped out, and the list of recorded pages, oldest
 * first, which replacement goes round (kern/swap.c).  pmap.c keeps it
 * up to date where user mappings are made and removed.
 *
 * Each env's number of recorded pages that nothing else holds is kept
 * only while some env has a frame limit (struct SwapEnv's resident):
 * counting costs a lookup of the env on every first touch, which no
 * other env needs to pay.
 *
 * Concurrency: everything here runs holding the kernel lock exclusive,
 * or mem_lock (kern/pmap.h): rmap_record asserts it.
 */
#include <inc/assert.h>
#include <inc/env.h>
#include <kern/rmap.h>
#include <kern/pmap.h>
#include <kern/swap.h>
#include <kern/swapslot.h>

struct Rmap *rmaps;
uint32_t rmap_head = RMAP_NONE, rmap_tail = RMAP_NONE;
uint32_t rmap_recorded;

// Set up the map, rmaps pointing at npages entries (mem_init's).
void
rmap_init(void *array)
{
	size_t i;

	rmaps = array;
	for (i = 0; i < npages; i++) {
		rmaps[i].prev = rmaps[i].next = RMAP_NONE;
		rmaps[i].envx = RMAP_NOENV;
	}
}

// pgdir belongs to envs[envx].
void
rmap_set_owner(pde_t *pgdir, int envx)
{
	rmaps[PGNUM(PADDR(pgdir))].envx = envx;
}

// The index of the env pgdir belongs to, or RMAP_NOENV (kern_pgdir).
int
rmap_owner(pde_t *pgdir)
{
	return rmaps[PGNUM(PADDR(pgdir))].envx;
}

// pgdir's env has delta more recorded pages: count them if it has a
// limit.  A rise the caller could not make room for first (a page whose
// other holder went) may take it past the limit: the excess goes out,
// as far as it can, on the exclusive holder's way out of the kernel
// (swap_trim).  Shared calls make no such rise (entry_shared_ok), but a
// fall may leave an env still over a limit no eviction could meet (no
// swap disk, or swap full).
void
rmap_count(pde_t *pgdir, int delta)
{
	int x = rmap_owner(pgdir);
	struct SwapEnv *se;

	if (x == RMAP_NOENV || !(se = &swap_envs[x])->limit)
		return;
	se->resident += delta;
	if (delta > 0 && se->resident > se->limit) {
		assert(kernel_alone());
		swap_trim_due = true;
	}
}

static void
list_remove(uint32_t i)
{
	struct Rmap *r = &rmaps[i];

	if (r->prev != RMAP_NONE)
		rmaps[r->prev].next = r->next;
	else
		rmap_head = r->next;
	if (r->next != RMAP_NONE)
		rmaps[r->next].prev = r->prev;
	else
		rmap_tail = r->prev;
	r->prev = r->next = RMAP_NONE;
}

// The recorded mapping is going.
void
rmap_unrecord(struct Rmap *r)
{
	list_remove(rmap_page(r));
	rmap_recorded--;
	if (swap_nlimited && pages[rmap_page(r)].pp_ref == 1)
		rmap_count(r->pgdir, -1);
	r->pgdir = NULL;
	r->va = 0;
}

// Move r's page to the end of the list: the clock hand passes it.
void
rmap_rotate(struct Rmap *r)
{
	pde_t *pgdir = r->pgdir;
	uintptr_t va = r->va;

	rmap_unrecord(r);
	rmap_record(r, pgdir, va);
}

/*
 * pgdir's entry for pp at va, which was old, now has perm: the mapping
 * is recorded, or stops being, as perm (PTE_SHARE, PTE_LOCK) and pp_ref
 * now say.
 */
void
rmap_reperm(struct PageInfo *pp, pde_t *pgdir, uintptr_t va, pte_t old,
	    int perm)
{
	struct Rmap *r = page_rmap(pp);
	bool may = !(perm & (PTE_SHARE | PTE_LOCK));

	if (r->clean_slot && (old & PTE_D))
		rmap_forget_slot(r);
	if (!may && r->pgdir == pgdir && r->va == va)
		rmap_unrecord(r);
	else if (may && !r->pgdir && pp->pp_ref == 1)
		rmap_record(r, pgdir, va);
}

// The page's bytes may change: its swap slot no longer has them.
void
rmap_forget_slot(struct Rmap *r)
{
	swapslot_drop(r->clean_slot);
	r->clean_slot = 0;
}

// pp has just been freed (page_free): it is no one's page directory,
// and its slot, if it had one, is no longer its copy.
void
rmap_page_freed(struct PageInfo *pp)
{
	struct Rmap *r = page_rmap(pp);

	assert(!r->pgdir);
	r->envx = RMAP_NOENV;
	if (r->clean_slot)
		rmap_forget_slot(r);
}
