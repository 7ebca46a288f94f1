/*
 * Page replacement and swap.
 *
 * When a user page is wanted and no frame is free, or an env would pass
 * its frame limit, a victim goes out to the swap disk (kern/ide.c): its
 * page table entry becomes a swap entry naming the slot that holds its
 * bytes (kern/swapslot.h), and a later touch reads it back (swap_in,
 * from demand_fault).  Victims are recorded pages (kern/rmap.h): the
 * list of them, oldest first, is the clock's circle, and its head the
 * hand.  Going round from the hand, each page is taken or passed over
 * (to the end of the list) by the policy of the env it belongs to:
 *
 *   FIFO     takes it: the victim is the page recorded longest ago.
 *   clock    takes it unless it was used since the hand last passed
 *            (PTE_A), in which case it loses the bit.
 *   eclock   the clock on (PTE_A, PTE_D) classes: one round looks for a
 *            page neither used nor written, changing nothing; the next
 *            for one not used, clearing PTE_A as it passes; and again.
 *
 * A victim must have nothing else holding it (pp_ref 1), so neither a
 * shared page nor one a system call holds goes out.  A page that comes
 * back from swap keeps its slot until written (struct Rmap's clean_slot):
 * if it goes out again unwritten, nothing is written (a "drop").
 *
 * Eviction happens only in swap_make_room, which callers reach before
 * they take any pointer to a user page or entry (see kern/swap.h): so a
 * page a system call is working on cannot vanish under it.
 *
 * Global replacement (no frame free) goes round every env's pages; a
 * frame limit takes victims from the env's alone, in the same order.
 * With no swap disk, nothing goes out: out of memory is -E_NO_MEM as
 * ever, and a frame limit is a hard cap.
 *
 * Forks: exofork gives the child the parent's swap entries (a child the
 * course's fork builds copies only present pages, and must still see
 * those).  Until the child first runs, each page its parent loses to
 * swap is given to it as well, where it has nothing at that address.
 *
 * Concurrency: everything here runs under the kernel lock, exclusive
 * but for swap_in, which may hold it shared for a fault of its own env
 * (the transfer then under ide_lock, the mapping and the slot under
 * mem_lock).  Other CPUs may be running an env in user mode while its
 * page goes out, so the entry is swapped atomically and the TLBs flushed
 * before its bytes are read, and the dirty bit read is the one the swap
 * took.
 */
#include <inc/assert.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/x86.h>

#include <kern/swap.h>
#include <kern/swapslot.h>
#include <kern/rmap.h>
#include <kern/ide.h>
#include <kern/env.h>
#include <kern/fwcfg.h>
#include <kern/trace.h>

#define SECTORS_PER_PAGE	(PGSIZE / IDE_SECTSIZE)
#define CLUSTER			8	// most pages one eviction sends out

struct SwapEnv swap_envs[NENV];
struct VmCounts vm_totals;
uint32_t vm_evictions[NSWAPPOLICY];
uint64_t vm_io_cycles;
uint32_t swap_nlimited;
bool swap_trim_due;

static int boot_policy = SWAP_FIFO;
static struct PageInfo *held;	// a page a system call needs to stay
static const char *policy_names[NSWAPPOLICY] = {
	[SWAP_FIFO] "fifo", [SWAP_CLOCK] "clock", [SWAP_ECLOCK] "eclock",
};

const char *
swap_policy_name(int policy)
{
	return policy > 0 && policy < NSWAPPOLICY ? policy_names[policy] : "?";
}

static int
policy_named(const char *name)
{
	int p;

	for (p = 1; p < NSWAPPOLICY; p++)
		if (strcmp(name, policy_names[p]) == 0)
			return p;
	return 0;
}

/*
 * Find the swap disk and take the boot's policy from fw_cfg's
 * opt/jos/swap (make SWAP=...), FIFO if there is none.
 */
void
swap_init(void)
{
	char name[16];
	uint32_t sectors = ide_init();

	if (fwcfg_read_string("opt/jos/swap", name, sizeof(name)) >= 0) {
		if (!(boot_policy = policy_named(name))) {
			cprintf("swap: no policy \"%s\"; using fifo\n", name);
			boot_policy = SWAP_FIFO;
		}
	}
	swapslot_init(sectors / SECTORS_PER_PAGE);
	if (!sectors)
		cprintf("swap: no swap disk\n");
	else
		cprintf("swap: %u KiB on ide1 by %s, %u slots, policy %s\n",
			sectors / 2, ide_method(), swapslot_total(),
			policy_names[boot_policy]);
}

bool
swap_enabled(void)
{
	return swapslot_total() > 0;
}

// e is new; parent (NULL for the kernel) made it.
void
swap_env_init(struct Env *e, struct Env *parent)
{
	struct SwapEnv *se = env_swap(e);

	memset(se, 0, sizeof(*se));
	se->policy = parent ? env_swap(parent)->policy : boot_policy;
}

// The env e's slot names, if it is still that env.
static struct Env *
live_env(envid_t id)
{
	struct Env *e = &envs[ENVX(id)];

	return e->env_id == id && e->env_status != ENV_FREE ? e : NULL;
}

// e will run (or is gone): its parent need not share evictions with it.
void
swap_env_built(struct Env *e)
{
	struct SwapEnv *se = env_swap(e);
	struct Env *parent;

	if (!se->builder)
		return;
	if ((parent = live_env(se->builder))) {
		assert(env_swap(parent)->building > 0);
		env_swap(parent)->building--;
	}
	se->builder = 0;
}

// e's address space is gone (its builds ended first: env_free).
void
swap_env_free(struct Env *e)
{
	struct SwapEnv *se = env_swap(e);

	assert(se->swapped == 0 && (!se->limit || se->resident == 0));
	assert(se->building == 0);
	swap_set_limit(e, 0);
	swap_env_built(e);
}

/*
 * Give dst a copy of each of src's swap entries, at the same address,
 * each taking a reference to its slot.  Returns 0 or -E_NO_MEM (for a
 * page table; dst may then hold some of them, which its freeing lets go).
 */
int
swap_copy_entries(struct Env *src, struct Env *dst)
{
	struct SwapEnv *ss = env_swap(src), *ds = env_swap(dst);
	pde_t *pgdir = src->env_pgdir;
	uintptr_t va;
	pte_t *pt, *dpte;
	int i;

	for (va = 0; va < UTOP && ss->swapped > ds->swapped; va += PTSIZE) {
		if (!(pgdir[PDX(va)] & PTE_P))
			continue;
		pt = KADDR(PTE_ADDR(pgdir[PDX(va)]));
		for (i = 0; i < NPTENTRIES; i++) {
			if (!pte_is_swap(pt[i]))
				continue;
			dpte = pgdir_walk(dst->env_pgdir,
					  (void *) (va + i * PGSIZE), 1);
			if (!dpte)
				return -E_NO_MEM;
			pte_store(dpte, pt[i]);
			swapslot_ref(pte_slot(pt[i]));
			ds->swapped++;
		}
	}
	return 0;
}

/*
 * Give child, made by exofork, parent's swap entries, and mark it as
 * one whose parent's evictions it must share.  Returns 0 or -E_NO_MEM
 * (for a page table; the caller frees the child).
 */
int
swap_exofork(struct Env *parent, struct Env *child)
{
	env_swap(child)->builder = parent->env_id;
	env_swap(parent)->building++;
	return swap_copy_entries(parent, child);
}

// How many page tables a copy of e's swap entries needs at most: as
// many as e has below UTOP, if it has swap entries at all.
int
swap_tables_to_copy(struct Env *e)
{
	return env_swap(e)->swapped ? pgdir_user_tables(e->env_pgdir) : 0;
}

/*
 * The children parent is building, one at a time: fn(child, arg) for
 * each, stopping (and returning false) when fn does.
 */
bool
swap_each_building_child(struct Env *parent,
			 bool (*fn)(struct Env *, void *), void *arg)
{
	struct Env *c;

	if (!env_swap(parent)->building)
		return true;
	for (c = envs; c < envs + NENV; c++)
		if (c->env_status != ENV_FREE
		    && swap_envs[c - envs].builder == parent->env_id
		    && !fn(c, arg))
			return false;
	return true;
}

static bool
end_build(struct Env *c, void *arg)
{
	swap_env_built(c);
	return true;
}

// e's address space is replaced (a restore) or gone: the children it
// was building are built, as far as e knows; its evictions are theirs
// no more.
void
swap_end_builds(struct Env *e)
{
	swap_each_building_child(e, end_build, NULL);
}

// A swap entry of the parent's, at va.
struct Given {
	uintptr_t va;
	pte_t entry;
};

// Could c take an entry at g->va without a page table being made?
static bool
has_page_table(struct Env *c, void *g)
{
	return pte_lookup(c->env_pgdir, ((struct Given *) g)->va) != NULL;
}

// Where c has nothing at g->va, it gets the entry.
static bool
give_entry(struct Env *c, void *arg)
{
	struct Given *g = arg;
	pte_t *cpte = pte_lookup(c->env_pgdir, g->va);

	if (*cpte == 0) {
		pte_store(cpte, g->entry);
		swapslot_ref(pte_slot(g->entry));
		env_swap(c)->swapped++;
	}
	return true;
}

// May r's page, e's, go out now?  Not if anything but its recorded
// mapping holds it, or a child being built could not be given its
// entry; with swap full, only if its clean slot still has its bytes.
static bool
evictable(struct Env *e, struct Rmap *r, bool full, pte_t **pte_store)
{
	struct PageInfo *pp = &pages[rmap_page(r)];
	struct Given g = { .va = r->va };
	pte_t *pte = pte_lookup(r->pgdir, r->va);

	assert(pte && (*pte & PTE_P) && PTE_ADDR(*pte) == page2pa(pp));
	if (pp->pp_ref != 1 || pp == held
	    || (full && (!r->clean_slot || (*pte & PTE_D)))
	    || !swap_each_building_child(e, has_page_table, &g))
		return false;
	*pte_store = pte;
	return true;
}

// Clear the accessed bit of *pte, e's mapping at va, atomically (another
// CPU may be setting PTE_D).  Only this CPU's TLB is flushed: a stale
// entry elsewhere only makes the page look unused, and it is not worth
// an interrupt to every CPU running e.
static void
clear_accessed(struct Env *e, pte_t *pte, uintptr_t va)
{
	__sync_fetch_and_and(pte, ~PTE_A);
	if (thiscpu->cpu_pgdir == e->env_pgdir)
		invlpg((void *) va);
}

// Does policy take the page *pte maps, in round `round` of the search
// (a round passes every page once)?  It may clear PTE_A as it passes.
static bool
policy_takes(int policy, struct Env *e, pte_t *pte, uintptr_t va, int round)
{
	pte_t bits = *pte & (PTE_A | PTE_D);

	if (policy == SWAP_FIFO)
		return true;
	if (policy == SWAP_ECLOCK && round % 2 == 0)
		return bits == 0;
	if (bits & PTE_A) {
		clear_accessed(e, pte, va);
		return false;
	}
	return true;
}

/*
 * The next page to go out: going round the list from its head (the
 * clock hand), the first that its env's policy takes; only one of
 * only's, if only is not NULL; a clean one, if swap is full.  Pages
 * passed over go to the end of the list, the hand moving past them.
 * Returns the page, with its env in *env_store and its entry in
 * *pte_store; NULL if none can go (all are held elsewhere).
 */
static struct Rmap *
choose_victim(struct Env *only, bool full, struct Env **env_store,
	      pte_t **pte_store)
{
	uint32_t n = only ? env_swap(only)->resident : rmap_recorded;
	uint32_t i = rmap_head, passed = 0, visits;
	struct Rmap *r;
	struct Env *e;

	for (visits = 0; n > 0 && visits < 4 * rmap_recorded; visits++) {
		if (i == RMAP_NONE)
			i = rmap_head;
		r = &rmaps[i];
		i = r->next;
		e = &envs[rmap_owner(r->pgdir)];
		if (only && e != only)
			continue;
		if (evictable(e, r, full, pte_store)
		    && policy_takes(env_swap(e)->policy, e, *pte_store, r->va,
				    passed / n)) {
			*env_store = e;
			return r;
		}
		rmap_rotate(r);
		passed++;
	}
	return NULL;
}

// Move the n pages' bytes to the slots from slot on (or, if !write,
// from them), timing the transfer.  Returns 0, or -E_NO_MEM on a disk
// error (reported).
static int
transfer(uint32_t slot, void *const pages[], int n, bool write)
{
	struct CpuInfo *c = thiscpu;
	bool shared = !kernel_alone();
	uint64_t t;
	int err;

	if (shared) {
		kernel_io_begin(c);
		spin_lock(&ide_lock);
	}
	t = read_tsc();
	err = ide_transfer(slot * SECTORS_PER_PAGE, pages, n, write);
	vm_io_cycles += read_tsc() - t;
	if (shared) {
		spin_unlock(&ide_lock);
		kernel_io_end(c);
	}
	TRACE(TR_SWAPIO, curenv ? curenv->env_id : 0, slot, write);
	if (err < 0) {
		cprintf("swap: cannot %s slots %u-%u: disk error\n",
			write ? "write" : "read", slot, slot + n - 1);
		return -E_NO_MEM;
	}
	return 0;
}

// A victim on its way out: its entry is taken, and its slot chosen.
struct Outgoing {
	struct Env *e;
	pte_t *pte;
	uintptr_t va;
	pte_t old;		// the entry taken
	uint32_t slot;
	bool write;		// the slot must be written (not a drop)
};

/*
 * Take a victim (one of only's, if only is not NULL) out of its page
 * table, with a slot for it: its clean slot if it was not written
 * since it came back, else a new one.  Returns false if there is none.
 */
static bool
take_victim(struct Env *only, struct Outgoing *o)
{
	struct Rmap *r;

	if (!(r = choose_victim(only, swapslot_used() == swapslot_total(),
				&o->e, &o->pte)))
		return false;
	o->va = r->va;
	// No CPU may write the page once the entry is gone and the TLBs
	// are flushed, and the entry taken has the last word on PTE_D.
	o->old = xchg(o->pte, 0);
	tlb_invalidate(o->e->env_pgdir, (void *) o->va);
	o->write = (o->old & PTE_D) || !r->clean_slot;
	if (!o->write) {
		o->slot = r->clean_slot;
		swapslot_ref(o->slot);
	} else if (!(o->slot = swapslot_alloc())) {
		pte_store(o->pte, o->old);
		return false;
	}
	rmap_unrecord(r);
	return true;
}

// A victim whose slot was not written after all: it stays.
static void
put_back(struct Outgoing *o)
{
	struct PageInfo *pp = pa2page(PTE_ADDR(o->old));

	swapslot_drop(o->slot);
	pte_store(o->pte, o->old);
	rmap_record(page_rmap(pp), o->e->env_pgdir, o->va);
}

// A victim whose slot has its bytes: its entry names the slot, and its
// page is let go.
static void
send_out(struct Outgoing *o)
{
	struct SwapEnv *se = env_swap(o->e);
	struct Given g = { .va = o->va };

	if (o->write) {
		se->counts.swapouts++;
		vm_totals.swapouts++;
	} else {
		se->counts.dropped++;
		vm_totals.dropped++;
	}
	g.entry = swap_pte(o->slot, o->old);
	pte_store(o->pte, g.entry);
	se->swapped++;
	swap_each_building_child(o->e, give_entry, &g);
	vm_evictions[se->policy]++;
	page_decref(pa2page(PTE_ADDR(o->old)));
}

// Write the n victims from o on, whose slots follow one another, with
// one transfer; all go out, or all stay.  Returns 0 or -E_NO_MEM.
static int
write_run(struct Outgoing *o, int n)
{
	void *pages[CLUSTER];
	int i, err;

	for (i = 0; i < n; i++)
		pages[i] = KADDR(PTE_ADDR(o[i].old));
	err = transfer(o[0].slot, pages, n, true);
	for (i = 0; i < n; i++)
		if (err < 0)
			put_back(&o[i]);
		else
			send_out(&o[i]);
	return err;
}

/*
 * Send pages out: one of only's (a frame limit's replacement goes a
 * page at a time, so that its counts are the textbook's), else up to
 * CLUSTER of anyone's, the written ones in runs of adjacent slots, each
 * run one disk command.  Returns 0 if any went out, else -E_NO_MEM.
 */
static int
evict(struct Env *only)
{
	struct Outgoing out[CLUSTER];
	int n, i, run, gone = 0;

	if (!swap_enabled())
		return -E_NO_MEM;
	for (n = 0; n < (only ? 1 : CLUSTER) && take_victim(only, &out[n]);
	     n++)
		;
	for (i = 0; i < n; i += run) {
		if (!out[i].write) {
			send_out(&out[i]);
			run = 1;
			gone++;
			continue;
		}
		for (run = 1; i + run < n && out[i + run].write
		     && out[i + run].slot == out[i].slot + run; run++)
			;
		if (write_run(&out[i], run) == 0)
			gone += run;
	}
	return gone ? 0 : -E_NO_MEM;
}

// swap_make_room's work when there is some (kern/swap.h).
int
swap_make_room_slow(struct Env *e, int own, int frames)
{
	struct SwapEnv *se = e ? env_swap(e) : NULL;

	while (se && se->limit && se->resident + own > se->limit)
		if (evict(e) < 0)
			return -E_NO_MEM;
	while (page_free_count() < (size_t) frames)
		if (evict(NULL) < 0)
			break;
	return 0;
}

/*
 * Bring back into pp, a frame just allocated, the page whose swap entry
 * is *pte, e's at va, for a read (or a write).  The slot stays the
 * page's clean copy unless the page is to be written.  Holding the
 * kernel lock shared (e is this CPU's env: no other CPU changes its
 * entries), the read takes ide_lock and the mapping mem_lock, which
 * covers the slots then.  Returns 0, -E_FAULT for a write the entry
 * does not allow (the page is in, read-only), or -E_NO_MEM on a disk
 * error (pp is freed).
 */
int
swap_in(struct Env *e, uintptr_t va, pte_t *pte, struct PageInfo *pp,
	bool write)
{
	struct SwapEnv *se = env_swap(e);
	pte_t entry = *pte, perm = entry & PTE_SYSCALL;
	uint32_t slot = pte_slot(entry);
	void *kva = page2kva(pp);
	bool taken, ok = transfer(slot, &kva, 1, false) == 0;
	struct Rmap *r;

	taken = mem_lock_if_shared();
	if (ok) {
		pp->pp_ref++;
		*pte = page2pa(pp) | perm | PTE_P;
		rmap_add(pp, e->env_pgdir, va, perm);
		r = page_rmap(pp);
		if (!write && r->pgdir == e->env_pgdir)
			r->clean_slot = slot;	// the entry's reference
		else
			swapslot_drop(slot);
	} else
		page_free(pp);
	mem_unlock_taken(taken);
	if (!ok)
		return -E_NO_MEM;
	se->swapped--;
	se->counts.swapins++;
	__sync_fetch_and_add(&vm_totals.swapins, 1);
	return write && !(perm & PTE_W) ? -E_FAULT : 0;
}

// How many of e's recorded pages nothing else holds, those its limit
// is for: counted as they come and go while e has a limit, else
// counted now, going down the whole list.
uint32_t
swap_resident(struct Env *e)
{
	uint32_t i, n = 0;

	if (env_swap(e)->limit)
		return env_swap(e)->resident;
	for (i = rmap_head; i != RMAP_NONE; i = rmaps[i].next)
		n += rmaps[i].pgdir == e->env_pgdir && pages[i].pp_ref == 1;
	return n;
}

/*
 * Send out what each env holds over its frame limit: pages that came
 * back to it when their other holder went, where the kernel could not
 * evict (the caller may hold pointers to user pages).  The exclusive
 * holder does it on its way out of the kernel (leave_kernel).
 */
void
swap_trim(void)
{
	struct Env *e;

	assert(kernel_alone());
	swap_trim_due = false;
	for (e = envs; e < envs + NENV; e++)
		if (env_live(e) && env_swap(e)->limit)
			swap_make_room(e, 0, 0);
}

// Keep pp (NULL: no page) from going out, for a system call that found
// it and must make room before it maps or copies it.
void
swap_hold(struct PageInfo *pp)
{
	held = pp;
}

// Make e's limit limit pages (0: none), sending out what is over it.
int
swap_set_limit(struct Env *e, uint32_t limit)
{
	struct SwapEnv *se = env_swap(e);

	if (limit && !se->limit)
		se->resident = swap_resident(e);
	swap_nlimited += (limit != 0) - (se->limit != 0);
	se->limit = limit;
	return swap_make_room(e, 0, 0);
}

/*
 * Give e's entry *pte at va PTE_LOCK (or take it away): a locked page
 * is not recorded, so it never goes out and counts toward no limit.
 */
void
swap_lock_entry(struct Env *e, pte_t *pte, uintptr_t va, bool lock)
{
	pte_t old = *pte;

	if (!!(old & PTE_LOCK) == lock)
		return;
	if (lock)
		__sync_fetch_and_or(pte, PTE_LOCK);
	else
		__sync_fetch_and_and(pte, ~PTE_LOCK);
	if (old & PTE_P)
		rmap_reperm(pa2page(PTE_ADDR(old)), e->env_pgdir, va, 0,
			    *pte & PTE_SYSCALL);
}
