/*
 * The reverse map (kern/rmap.c): for each physical page, the one user
 * mapping that may swap it out; and the list of such pages, in the
 * order they were recorded.
 */
#ifndef JOS_KERN_RMAP_H
#define JOS_KERN_RMAP_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <inc/mmu.h>
#include <inc/memlayout.h>
#include <kern/pmap.h>

#define RMAP_NONE	0xFFFFFFFF	// no page, in the list links
#define RMAP_NOENV	0xFFFF		// no env, in envx

/*
 * A page is recorded when an env maps it and nothing else holds it
 * (pp_ref becomes 1): that mapping is its one candidate for swapping
 * out, and the page joins the end of the list (FIFO order, and the
 * clock's circle).  It stays recorded until that mapping goes.  A
 * recorded page that gains more holders (a fork, a page map) stays on
 * the list but cannot go out while they last (pp_ref > 1), and counts
 * toward its env's frame limit only while it has no other holder: the
 * count moves where pp_ref moves between 1 and 2 (rmap_add and
 * rmap_shared, page_decref and rmap_private).  Pages mapped PTE_SHARE
 * or PTE_LOCK are never recorded.
 */
struct Rmap {
	pde_t *pgdir;		// the recorded mapping, or NULL
	uintptr_t va;
	uint32_t prev, next;	// the list, by page number
	uint16_t envx;		// of a page directory: whose it is
	uint16_t clean_slot;	// a swap slot that still has these bytes, or 0
} __attribute__((aligned(32)));	// so that rmaps[i] is a shift away

extern struct Rmap *rmaps;	// rmaps[i] is for pages[i]
extern uint32_t rmap_head, rmap_tail;	// the list's ends
extern uint32_t rmap_recorded;	// its length
extern uint32_t swap_nlimited;	// envs with a frame limit (kern/swap.c)
// Some env holds more pages than its frame limit allows: set where its
// count rises past it (rmap_count), cleared by swap_trim, which sends
// the excess out, as far as it can go, where no caller holds a user
// page: as the exclusive holder leaves the kernel (leave_kernel).
extern bool swap_trim_due;
void	swap_trim(void);

void	rmap_init(void *array);
void	rmap_set_owner(pde_t *pgdir, int envx);
int	rmap_owner(pde_t *pgdir);
void	rmap_count(pde_t *pgdir, int delta);
void	rmap_unrecord(struct Rmap *r);
void	rmap_rotate(struct Rmap *r);
void	rmap_reperm(struct PageInfo *pp, pde_t *pgdir, uintptr_t va, pte_t old,
		    int perm);
void	rmap_forget_slot(struct Rmap *r);
void	rmap_page_freed(struct PageInfo *pp);

static inline struct Rmap *
page_rmap(struct PageInfo *pp)
{
	return &rmaps[pp - pages];
}

static inline uint32_t
rmap_page(struct Rmap *r)
{
	return r - rmaps;
}

// Record pgdir's mapping of r's page at va (a user address), at the end
// of the list.  Inline: every first touch of a page comes here.
static inline void
rmap_record(struct Rmap *r, pde_t *pgdir, uintptr_t va)
{
	uint32_t i = rmap_page(r), tail = rmap_tail;

	assert(mem_owned());
	r->pgdir = pgdir;
	r->va = va;
	r->prev = tail;
	r->next = RMAP_NONE;
	if (tail != RMAP_NONE)
		rmaps[tail].next = i;
	else
		rmap_head = i;
	rmap_tail = i;
	rmap_recorded++;
	if (swap_nlimited && pages[i].pp_ref == 1)
		rmap_count(pgdir, 1);
}

// pp has just gained a holder (pp_ref is now 2): if it is recorded, it
// no longer counts toward its env's limit.
static inline void
rmap_shared(struct PageInfo *pp)
{
	if (swap_nlimited && pp->pp_ref == 2 && page_rmap(pp)->pgdir)
		rmap_count(page_rmap(pp)->pgdir, -1);
}

// pp has just lost a holder (pp_ref is now 1): if it is recorded, it
// counts again.
static inline void
rmap_private(struct PageInfo *pp)
{
	if (swap_nlimited && page_rmap(pp)->pgdir)
		rmap_count(page_rmap(pp)->pgdir, 1);
}

/*
 * pgdir now maps pp at va (a user address) with perm, and pp_ref counts
 * that mapping.  Inline: a fork makes thousands of mappings.  (A second
 * mapping leaves a clean slot be: the page cannot go out while it
 * lasts, and a write through it is seen when it goes, in rmap_del.)
 */
static inline void
rmap_add(struct PageInfo *pp, pde_t *pgdir, uintptr_t va, int perm)
{
	if (pp->pp_ref == 1 && !(perm & (PTE_SHARE | PTE_LOCK))
	    && pgdir != kern_pgdir)	// (the boot self-checks map there)
		rmap_record(page_rmap(pp), pgdir, va);
	else
		rmap_shared(pp);
}

// pgdir no longer maps at va the page old, its entry there, mapped;
// pp_ref still counts that mapping.  A write through it (PTE_D)
// outdates the page's slot.
static inline void
rmap_del(pde_t *pgdir, uintptr_t va, pte_t old)
{
	struct Rmap *r = &rmaps[PGNUM(old)];

	if (r->pgdir == pgdir && r->va == va)
		rmap_unrecord(r);
	if ((old & PTE_D) && r->clean_slot)
		rmap_forget_slot(r);
}

#endif
