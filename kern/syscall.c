/*
 * System calls.  Every argument comes from user space and is checked
 * before use; a bad one gets a negative error code back, never a panic.
 * Calls that act on another env accept only the caller itself or its
 * immediate children (envid2env's checkperm), except IPC sends.
 */
#include <inc/x86.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/trap.h>
#include <kern/syscall.h>
#include <kern/console.h>
#include <kern/sched.h>
#include <kern/region.h>
#include <kern/region_syscall.h>
#include <kern/demand.h>
#include <kern/swap.h>
#include <kern/uexcept.h>
#include <kern/swapslot.h>
#include <kern/rmap.h>
#include <kern/checkpoint.h>
#include <kern/ipc.h>
#include <kern/trace.h>

/*
 * Long system calls work in steps, one per entry to the kernel, so that
 * none keeps the kernel lock for long.  After a step the call restarts
 * itself: the env's eip goes back onto its int $0x30 or sysenter
 * (always two bytes, cd 30 or 0f 34, whatever prefixes come before;
 * for sysenter, eip is the caller's esi, which the ABI makes the address
 * just past the instruction), and the trap path puts the call's number
 * back in eax.  In between, the lock is released and
 * pending interrupts are taken (a timer tick preempts the env before it
 * re-enters), so every other env makes progress.  The user's registers
 * stay as they were; how far the call got is kept here, per env slot,
 * with the env's birth number so that no later env in the slot can pick
 * it up.
 */
struct Resume {
	uint64_t birth;			// whose: 0 for no call in progress
	uint32_t num, a1, a2, a3;	// the call
	uint32_t checked, done;		// how far it got (each call says)
};
static struct Resume resumes[NENV];

// The progress of the current env's call num(a1, a2, a3): where it
// left off if it is being restarted, else all zero.
static struct Resume *
resume_of(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3)
{
	struct Resume *r = &resumes[ENVX(curenv->env_id)];
	uint64_t birth = env_birth(curenv);

	if (r->birth != birth || r->num != num || r->a1 != a1 || r->a2 != a2
	    || r->a3 != a3)
		*r = (struct Resume) { birth, num, a1, a2, a3, 0, 0 };
	return r;
}

// The call r keeps is over; returns ret, its result.
static int32_t
resume_done(struct Resume *r, int32_t ret)
{
	r->birth = 0;
	return ret;
}

// Restart the call r keeps when the env resumes (see struct Resume).
static int32_t
resume_later(struct Resume *r)
{
	curenv->env_tf.tf_eip -= 2;
	return r->num;
}

/*
 * dst takes over src's call in progress, if any (a checkpoint of src:
 * kern/checkpoint.c), so that it resumes the call where src would.
 */
void
syscall_copy_progress(struct Env *dst, struct Env *src)
{
	struct Resume *d = &resumes[ENVX(dst->env_id)];

	*d = resumes[ENVX(src->env_id)];
	d->birth = d->birth == env_birth(src) ? env_birth(dst) : 0;
}

// What one step of sys_cputs may do: check this many bytes of the
// buffer (32768 pages: about a quarter of the time of a chunk), or
// print this many (about 4 ms of serial output under emulation, when
// the reader of the output keeps up).
#define CPUTS_CHECK_STEP	(32768 * PGSIZE)
#define CPUTS_CHUNK		1024

// user_mem_assert for sys_cputs, which may hold the kernel lock shared:
// then a bad buffer is the exclusive lock's to destroy the env for.
static void
cputs_check(const char *s, size_t n)
{
	if (kernel_alone())
		user_mem_assert(curenv, s, n, PTE_U);
	else if (user_mem_check(curenv, s, n, PTE_U) < 0)
		syscall_restart_exclusive();
}

/*
 * Print len bytes at s, which the env must be able to read: all of them
 * are checked first, so a bad buffer prints nothing, then they are
 * printed, CPUTS_CHUNK at a time; each chunk is checked again, as its
 * pages may have been unmapped meanwhile.  A long call takes many steps.
 * The bytes are read through demand_copyin: an untouched region page
 * prints as what a touch would bring, and stays untouched.
 *
 * Each step may run holding the kernel lock shared (SHARED_SELF): it
 * reads only the caller's memory and prints under cons_lock, so CPUs
 * print while others run the kernel.  A step that meets more than that
 * (a bad buffer, a page in swap, an image page not touched yet) starts
 * over under the exclusive lock, having only checked.
 */
static int32_t
sys_cputs(const char *s, size_t len)
{
	struct Resume *r = resume_of(SYS_cputs, (uint32_t) s, len, 0);
	char buf[CPUTS_CHUNK];
	size_t n;
	int err;

	if (r->checked < len) {
		n = MIN(len - r->checked, CPUTS_CHECK_STEP
			- PGOFF(s + r->checked));
		cputs_check(s + r->checked, n);
		r->checked += n;
		if (r->checked < len)
			return resume_later(r);
	}
	n = MIN(len - r->done, CPUTS_CHUNK);
	cputs_check(s + r->done, n);
	err = demand_copyin(curenv, buf, (uintptr_t) s + r->done, n);
	if (err == DEMAND_EXCLUSIVE)
		syscall_restart_exclusive();
	if (err < 0)
		return resume_done(r, err);	// a page lost to a disk error
	cons_write(buf, n);
	r->done += n;
	return r->done < len ? resume_later(r) : resume_done(r, 0);
}

// A character from the console, or 0 if none is waiting.
static int
sys_cgetc(void)
{
	return cons_getc();
}

static envid_t
sys_getenvid(void)
{
	return curenv->env_id;
}

static int
sys_env_destroy(envid_t envid)
{
	struct Env *e;
	int r;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	// SHARED_SELF: only an exit, and only if its free is a shared one.
	if (!kernel_alone() && (e != curenv || !env_exit_shared_ok(e)))
		syscall_restart_exclusive();
	if (e == curenv)
		cprintf("[%08x] exiting gracefully\n", curenv->env_id);
	else
		cprintf("[%08x] destroying %08x\n", curenv->env_id, e->env_id);
	if (!kernel_alone())
		env_exit_shared();
	env_destroy(e);
	return 0;
}

// The child e, made, starts as a copy of the caller's registers,
// returning 0 from sys_exofork.
static envid_t
exofork_child(struct Env *e)
{
	e->env_tf = curenv->env_tf;
	e->env_tf.tf_regs.reg_eax = 0;
	return e->env_id;
}

/*
 * sys_exofork holding the kernel lock shared: sched_lock for the env
 * table and mem_lock for the frames and region descriptors, both held
 * from the look at what is there to the last take, so that the call has
 * all it needs or starts over exclusive (which may evict) having changed
 * nothing.  A caller with swap entries or shared objects to copy always
 * starts over: those are the exclusive lock's.  The child is announced
 * once both locks are let go, so that no CPU waits for them on a print.
 */
static envid_t
exofork_shared(void)
{
	struct CpuInfo *c = thiscpu;
	struct Env *e;
	bool room;
	int r = 0;

	if (swap_tables_to_copy(curenv))
		syscall_restart_exclusive();
	sched_lock_take(c);
	spin_lock(&mem_lock);
	// A page directory and the regions' array.
	room = swap_room(NULL, 2) && regions_copy_ok(env_regions(curenv));
	if (room && (r = env_take(&e, curenv)) == 0) {
		r = regions_copy(env_regions(e), env_regions(curenv));
		assert(r == 0);
		r = swap_exofork(curenv, e);	// no entry to copy
		assert(r == 0);
	}
	spin_unlock(&mem_lock);
	sched_lock_give(c);
	if (!room)
		syscall_restart_exclusive();
	if (r < 0)
		return r;
	env_announce(e, curenv);
	return exofork_child(e);
}

// A new child, not runnable, with an empty address space but for the
// caller's regions (env_alloc, exofork_child).
static envid_t
sys_exofork(void)
{
	struct Env *e;
	int r;

	if (!kernel_alone())
		return exofork_shared();
	// A page directory, the regions' array, and page tables for a
	// copy of the caller's swap entries.
	swap_make_room(NULL, 0, 2 + swap_tables_to_copy(curenv));
	if ((r = env_alloc(&e, curenv)) < 0)
		return r;
	if ((r = regions_copy(env_regions(e), env_regions(curenv))) < 0
	    || (r = swap_exofork(curenv, e)) < 0) {
		env_free(e);
		return r;
	}
	return exofork_child(e);
}

static int
sys_env_set_status(envid_t envid, int status)
{
	struct Env *e;
	int r;

	if (status != ENV_RUNNABLE && status != ENV_NOT_RUNNABLE)
		return -E_INVAL;
	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	// Holding the kernel lock shared (SHARED_SCHED), a child: its
	// status, queue and IPC are sched_lock's, and a running one leaves
	// its CPU at its next entry to the kernel, as under the exclusive
	// lock.  The caller's own stop is the exclusive lock's, which may
	// have to destroy it (env_destroy_if_stranded).
	if (!kernel_alone() && e == curenv)
		syscall_restart_exclusive();
	// Waking an env blocked in sys_ipc_recv or sys_ipc_send cancels
	// the call.
	if (status == ENV_RUNNABLE) {
		ipc_cancel(e);
		swap_env_built(e);
	}
	env_set_status(e, status);
	env_destroy_if_stranded(e);
	return 0;
}

// Run envid (itself or a child) at priority prio, in [0, NPRIO).
// Returns 0, -E_INVAL or -E_BAD_ENV.
static int
sys_env_set_priority(envid_t envid, int prio)
{
	struct Env *e;
	int r;

	if (prio < 0 || prio >= NPRIO)
		return -E_INVAL;
	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	sched_set_priority(e, prio);
	return 0;
}

static int
sys_env_set_pgfault_upcall(envid_t envid, void *func)
{
	struct Env *e;
	int r;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	if (!kernel_alone() && !space_shared_ok(e))	// SHARED_SELF
		syscall_restart_exclusive();
	e->env_pgfault_upcall = func;
	return 0;
}

// Give the CPU to another env, if one waits; does not return here.
static void __attribute__((noreturn))
sys_yield(void)
{
	sched_yield();
}

// Is va a page-aligned address where user pages may be mapped, and
// perm what a user may ask for?  The one check behind every call that
// maps pages.
static inline int
check_va_perm(uintptr_t va, int perm)
{
	if (va < UMINADDR || va >= UTOP || PGOFF(va))
		return -E_INVAL;
	if ((perm & (PTE_U | PTE_P)) != (PTE_U | PTE_P) || (perm & ~PTE_SYSCALL))
		return -E_INVAL;
	return 0;
}

// space_shared_ok and entry_shared_ok (kern/syscall.h) for e's entry at
// va.
static bool
space_entry_shared_ok(struct Env *e, void *va)
{
	pte_t *pte;

	if (!space_shared_ok(e))
		return false;
	pte = pte_lookup(e->env_pgdir, (uintptr_t) va);
	return !pte || entry_shared_ok(*pte);
}

/*
 * sys_page_alloc and sys_page_copy holding the kernel lock shared: a new
 * page at va in e, the caller or a child it is building, with perm,
 * filled with a copy of the caller's present page at srcva if copy, else
 * with zeros.  That is a fault handler's common case, a copy-on-write
 * fault's copy above all, and fork's exception stack for its child.
 * mem_lock covers taking the page (and the page table, if va has none
 * yet, so that the mapping cannot fail) and then the mapping, not the
 * filling in between: every CPU's copies and first touches share that
 * lock.  The source cannot go meanwhile: only this CPU's own mapping,
 * below, may drop its last reference (srcva may be va).  A call that
 * needs more (a frame limit, eviction, memory, a swap slot let go, a
 * TLB elsewhere, a page brought in) starts over exclusive, having
 * changed nothing but maybe an empty page table.
 */
static int
map_new_page_shared(struct Env *e, void *va, int perm, bool copy, void *srcva)
{
	struct PageInfo *src = NULL, *pp = NULL;
	int r;

	if (!space_entry_shared_ok(e, va) || (copy
	    && !(src = page_lookup(curenv->env_pgdir, srcva, NULL))))
		syscall_restart_exclusive();
	spin_lock(&mem_lock);
	if (swap_room(e, 2) && pgdir_walk(e->env_pgdir, va, 1))
		pp = page_alloc(0);	// a frame was left for it
	spin_unlock(&mem_lock);
	if (!pp)
		syscall_restart_exclusive();
	if (src)
		memcpy(page2kva(pp), page2kva(src), PGSIZE);
	else
		page_clear(pp);
	spin_lock(&mem_lock);
	r = page_insert(e->env_pgdir, pp, va, perm);
	spin_unlock(&mem_lock);
	assert(r == 0);		// its table is there, pp_ref was 0
	return 0;
}

// Map a new zeroed page at va in envid's address space.
static int
sys_page_alloc(envid_t envid, void *va, int perm)
{
	struct Env *e;
	struct PageInfo *pp;
	int r;

	if ((r = check_va_perm((uintptr_t) va, perm)) < 0
	    || (r = envid2env(envid, &e, 1)) < 0)
		return r;
	if (!kernel_alone())
		return map_new_page_shared(e, va, perm, false, NULL);
	if ((r = swap_make_room(e, 1, 2)) < 0)
		return r;
	if (!(pp = page_alloc(ALLOC_ZERO)))
		return -E_NO_MEM;
	if ((r = page_insert(e->env_pgdir, pp, va, perm)) < 0)
		page_free(pp);
	return r;
}

// The page mapped at srcva in src, if it may be mapped with perm:
// a writable mapping needs a writable source.
int
lookup_for_map(struct Env *src, void *srcva, int perm, struct PageInfo **pp)
{
	pte_t *pte;
	int r;

	if ((r = check_va_perm((uintptr_t) srcva, perm)) < 0)
		return r;
	// An untouched region page comes in as a touch would bring it.
	if (demand_fault(src, (uintptr_t) srcva, perm & PTE_W) == -E_NO_MEM)
		return -E_NO_MEM;
	if (!(*pp = page_lookup(src->env_pgdir, srcva, &pte)))
		return -E_INVAL;
	if ((perm & PTE_W) && !(*pte & PTE_W))
		return -E_INVAL;
	return 0;
}

// May src's page at srcva be mapped with perm, as lookup_for_map would
// find it, once in (from swap, or at its first touch)?  Brings nothing
// in: 0 or -E_INVAL.
int
map_source_ok(struct Env *src, void *srcva, int perm)
{
	int r;

	if ((r = check_va_perm((uintptr_t) srcva, perm)) < 0)
		return r;
	return demand_page_ok(src, (uintptr_t) srcva, PTE_U | (perm & PTE_W))
		? 0 : -E_INVAL;
}

/*
 * Map pp, a page of another env's found by lookup_for_map, in dst at va.
 * The page table it may need can send pages out: pp is held meanwhile.
 */
int
insert_held(struct Env *dst, struct PageInfo *pp, void *va, int perm)
{
	int r;

	swap_hold(pp);
	swap_make_room(NULL, 0, 1);
	r = page_insert(dst->env_pgdir, pp, va, perm);
	swap_hold(NULL);
	return r;
}

static int
sys_page_map(envid_t srcenvid, void *srcva,
	     envid_t dstenvid, void *dstva, int perm)
{
	struct Env *src, *dst;
	struct PageInfo *pp;
	int r;

	if ((r = envid2env(srcenvid, &src, 1)) < 0
	    || (r = envid2env(dstenvid, &dst, 1)) < 0
	    || (r = check_va_perm((uintptr_t) dstva, perm)) < 0
	    || (r = lookup_for_map(src, srcva, perm, &pp)) < 0)
		return r;
	return insert_held(dst, pp, dstva, perm);
}

static int
sys_page_unmap(envid_t envid, void *va)
{
	struct Env *e;
	int r;

	if ((uintptr_t) va >= UTOP || PGOFF(va))
		return -E_INVAL;
	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	// Holding the kernel lock shared (SHARED_SELF): see
	// map_new_page_shared.
	if (!kernel_alone() && !space_entry_shared_ok(e, va))
		syscall_restart_exclusive();
	page_remove(e->env_pgdir, va);
	return 0;
}

/*
 * Map at dstva in envid a new page holding a copy of the caller's page
 * at srcva: alloc, copy and map in one call, with no zero-fill of a page
 * about to be overwritten.  srcva == dstva in the caller replaces a
 * shared page by a private copy, as a copy-on-write fault needs.
 */
static int
sys_page_copy(envid_t envid, void *srcva, void *dstva, int perm)
{
	struct Env *e;
	struct PageInfo *src, *pp;
	int r;

	if ((r = check_va_perm((uintptr_t) dstva, perm)) < 0
	    || (r = envid2env(envid, &e, 1)) < 0)
		return r;
	if ((uintptr_t) srcva >= UTOP || PGOFF(srcva))
		return -E_INVAL;
	if (!kernel_alone())
		return map_new_page_shared(e, dstva, perm, true, srcva);
	if (demand_fault(curenv, (uintptr_t) srcva, false) == -E_NO_MEM)
		return -E_NO_MEM;
	if (!(src = page_lookup(curenv->env_pgdir, srcva, NULL)))
		return -E_INVAL;
	swap_hold(src);
	r = swap_make_room(e, 1, 2);
	swap_hold(NULL);
	if (r < 0 || !(pp = page_alloc(0)))
		return -E_NO_MEM;
	memcpy(page2kva(pp), page2kva(src), PGSIZE);
	if ((r = page_insert(e->env_pgdir, pp, dstva, perm)) < 0)
		page_free(pp);
	return r;
}

/*
 * The entry a child gets for the page pte maps (the address and the
 * PTE_SYSCALL bits), the caller's own entry made to match but for PTE_D.
 * cow (fork): writable pages become copy-on-write in both.
 * Otherwise (sfork) the page is shared as it is, writable ones included.
 * Either way PTE_SHARE pages are shared and copy-on-write and read-only
 * ones stay so.  Which pages get which is the user library's choice.
 */
static inline pte_t __attribute__((always_inline))
child_entry(pte_t pte, bool cow)
{
	pte &= ~0xFFF | PTE_SYSCALL;
	if (cow && !(pte & PTE_SHARE) && (pte & (PTE_W | PTE_COW)))
		pte = (pte & ~PTE_W) | PTE_COW;
	return pte;
}

/*
 * A range call holding the kernel lock shared meets, at va, what it
 * leaves to the exclusive lock (a swap slot, a page to bring in): the
 * pages before va are shared, so the call goes on from va, made again
 * exclusive.  The caller's translations of pages made
 * copy-on-write so far go first.
 */
static void __attribute__((noreturn))
share_go_exclusive(uintptr_t va)
{
	resumes[ENVX(curenv->env_id)].done = va;
	spin_unlock(&mem_lock);
	tlbflush();
	syscall_restart_exclusive();
}

/*
 * Give a child's empty entry *cpte the page the caller's *pte maps, as
 * child_entry says, and make the caller's entry match; false (nothing
 * done) if the page's pp_ref is full.  No walk, no old mapping to let go
 * of, nothing cached in any TLB, and no reverse map record (the caller
 * holds the page too, which only stops counting toward a limit:
 * kern/rmap.h).  The caller marks *cpte's group in its table's summary.
 */
static inline bool __attribute__((always_inline))
share_fresh(pte_t *pte, pte_t *cpte, bool cow)
{
	pte_t entry = *pte, shared = child_entry(entry, cow);
	struct PageInfo *pp = pa2page(PTE_ADDR(entry));

	if (pp->pp_ref == (uint16_t) ~0)
		return false;
	pp->pp_ref++;
	rmap_shared(pp);
	*cpte = shared;
	// PTE_D stays: it says whether the page's clean slot is still good
	// (kern/rmap.h).  No other CPU's MMU writes our own entries now.
	*pte = shared | (entry & PTE_D);
	return true;
}

/*
 * Share the page *pte maps at va with child as share_fresh does, where
 * *cpte, the child's entry there, may hold something already: then
 * through page_insert.  The caller marks *cpte's group in its table's
 * summary (pt_used).
 */
static int
share_one(struct Env *child, pte_t *pte, pte_t *cpte, uintptr_t va,
	  bool cow)
{
	pte_t entry = *pte, shared = child_entry(entry, cow);
	int r;

	if (!*cpte)
		return share_fresh(pte, cpte, cow) ? 0 : -E_NO_MEM;
	if (!kernel_alone() && !entry_shared_ok(*cpte))
		share_go_exclusive(va);		// the slot it holds
	if ((r = page_insert(child->env_pgdir, pa2page(PTE_ADDR(entry)),
			     (void *) va, shared & PTE_SYSCALL)) < 0)
		return r;
	*pte = shared | (entry & PTE_D);
	return 0;
}

// share_one for other files (kern/checkpoint.c).
int
share_page(struct Env *child, pte_t *pte, pte_t *cpte, uintptr_t va,
	   bool cow)
{
	*pt_used_of(cpte) |= pt_group_bit(cpte);
	return share_one(child, pte, cpte, va, cow);
}

/*
 * The child's page table for the caller's table pt, at table_va, made if
 * it has none; NULL if memory is out.  Its summary gains pt's: each entry
 * share_table fills in is at the place of one of pt's in use.
 */
static pte_t *
child_table(struct Env *child, pte_t *pt, uintptr_t table_va)
{
	pte_t *cpt = pgdir_walk(child->env_pgdir, (void *) table_va, 1);

	if (cpt)
		*pt_used_of(cpt) |= *pt_used_of(pt);
	return cpt;
}

// From pte on, up to last, the run of present pages whose child entries
// (from cpte on) are empty, shared as share_fresh does: the bulk of a
// fork, one tight loop.  Returns where the run stopped.
static pte_t * __attribute__((noinline))
share_run(pte_t *pte, pte_t *last, pte_t *cpte, bool cow)
{
	for (; pte <= last && (*pte & PTE_P) && !*cpte; pte++, cpte++)
		if (!share_fresh(pte, cpte, cow))
			break;
	return pte;
}

/*
 * share_range's work in the caller's page table pt, which maps the 4 MiB
 * at table_va: the entries from pte to last, both included.  A swapped-
 * out page is the child's already, copy-on-write by nature (exofork gave
 * it the swap entry: kern/swap.c); to share one, the caller's must come
 * back first.
 */
static int
share_table(struct Env *child, pte_t *pt, pte_t *pte, pte_t *last,
	    uintptr_t table_va, bool cow)
{
	pte_t visit = cow ? PTE_P : PTE_P | PTE_SWAP;	// the entries to look at
	pte_t *cpt = NULL, *run_end;
	uintptr_t va;
	int r;

	while ((pte = pte_next_marked(pte, last + 1)) <= last) {
		if (!(*pte & visit)) {
			pte++;
			continue;
		}
		va = table_va + (pte - pt) * PGSIZE;
		if (!(*pte & PTE_P) && !kernel_alone())
			share_go_exclusive(va);
		if (!(*pte & PTE_P)
		    && (r = demand_fault(curenv, va, false)) < 0)
			return r;
		if (!(*pte & PTE_P)) {
			pte++;
			continue;
		}
		if (!cpt && !(cpt = child_table(child, pt, table_va)))
			return -E_NO_MEM;
		run_end = share_run(pte, last, &cpt[pte - pt], cow);
		if (run_end == pte
		    && (r = share_one(child, pte, &cpt[pte - pt], va,
				      cow)) < 0)
			return r;
		pte = MAX(run_end, pte + 1);
	}
	return 0;
}

// The first address from va on, below end, that pgdir has a page table
// for (below UTOP a directory entry is a table or zero), or end.
static uintptr_t
next_table(pde_t *pgdir, uintptr_t va, uintptr_t end)
{
	pde_t *pde;

	if (va >= end)
		return end;
	pde = pte_next_marked(&pgdir[PDX(va)], &pgdir[PDX(end - 1) + 1]);
	if (pde == &pgdir[PDX(va)])
		return va;
	return MIN((uintptr_t) PGADDR(pde - pgdir, 0, 0), end);
}

// How many page table entries a step of a range call may start on: it
// finishes the table it is in, so it examines fewer than RANGE_STEP +
// NPTENTRIES, in at most five tables.
#define RANGE_STEP	(4 * NPTENTRIES)
// The frames one step may take: the child's five page tables, and the
// copy of the caller's stack page (share_around).
#define RANGE_ROOM	(RANGE_STEP / NPTENTRIES + 2)

/*
 * The caller's entry for the page its stack pointer is in, if fork is to
 * copy it rather than share it (share_around): a private writable page
 * in [start, end).  Shared, it would take a copy-on-write fault at once
 * on each side, as both go on with calls and returns.
 */
static pte_t *
stack_entry(uintptr_t start, uintptr_t end)
{
	uintptr_t va = ROUNDDOWN(curenv->env_tf.tf_esp, PGSIZE);
	pte_t *pte;

	if (va < start || va >= end
	    || !(pte = pte_lookup(curenv->env_pgdir, va)))
		return NULL;
	return (*pte & (PTE_P | PTE_W | PTE_SHARE)) == (PTE_P | PTE_W)
		? pte : NULL;
}

/*
 * share_table for the entries from pte to last, but for *stack, one of
 * them, if the caller has it: its page is copied for the child instead
 * (two faults saved for one copy), or shared if memory is short (the
 * frames are for page tables first) or the child has a frame limit to
 * keep.
 */
static int
share_around(struct Env *child, pte_t *pt, pte_t *pte, pte_t *last,
	     uintptr_t table_va, bool cow, pte_t *stack)
{
	uintptr_t va = table_va + (stack - pt) * PGSIZE;
	struct PageInfo *copy;
	int r;

	if (stack < pte || stack > last)
		return share_table(child, pt, pte, last, table_va, cow);
	if ((r = share_table(child, pt, pte, stack - 1, table_va, cow)) < 0)
		return r;
	if (!kernel_alone() && !space_entry_shared_ok(child, (void *) va))
		share_go_exclusive(va);
	if (!swap_room(child, RANGE_ROOM) || !(copy = page_alloc(0)))
		r = share_table(child, pt, stack, stack, table_va, cow);
	else {
		memcpy(page2kva(copy), KADDR(PTE_ADDR(*stack)), PGSIZE);
		if ((r = page_insert(child->env_pgdir, copy, (void *) va,
				     *stack & PTE_SYSCALL)) < 0)
			page_free(copy);
	}
	if (r < 0)
		return r;
	return share_table(child, pt, stack + 1, last, table_va, cow);
}

/*
 * Map every present page of the caller in [start, end) into its child
 * at the same address, as child_entry says.  One call instead of two per
 * page.  The scan reads only the table entries the summaries mark
 * (pt_used), so it costs a few instructions per page mapped; a range
 * with more than RANGE_STEP entries of present tables takes several
 * steps.  On -E_NO_MEM the child is half-built (the caller destroys
 * it); the caller's pages all still work.
 *
 * Holding the kernel lock shared (SHARED_SELF), a step on a child the
 * caller is building, while no other CPU has the caller's page
 * directory loaded and frames are to spare: both spaces are this CPU's
 * (space_shared_ok), and mem_lock covers the whole step's pages and
 * tables (at most five tables' entries).  What it meets that needs more
 * (share_go_exclusive) the call goes on with exclusive.
 */
static int
share_range(uint32_t num, envid_t envid, uintptr_t start, uintptr_t end,
	    bool cow)
{
	struct Resume *resume = resume_of(num, envid, start, end);
	struct Env *child;
	pde_t *pgdir = curenv->env_pgdir;
	pte_t *pt, *last, *stack;
	uintptr_t va, table_va;
	int r = 0, budget = RANGE_STEP;

	if ((r = envid2env(envid, &child, 1)) < 0)
		return resume_done(resume, r);
	if (child == curenv || PGOFF(start) || PGOFF(end) || start > end
	    || end > UTOP)
		return resume_done(resume, -E_INVAL);
	// Page tables for the child and the copy of the stack page, made
	// before any entry is looked at: the stack page may go out here.
	if (kernel_alone())
		swap_make_room(NULL, 0, RANGE_ROOM);
	else if (!space_shared_ok(curenv) || !space_shared_ok(child))
		syscall_restart_exclusive();
	else {
		spin_lock(&mem_lock);
		if (!swap_room(NULL, RANGE_ROOM)) {	// theirs to make
			spin_unlock(&mem_lock);
			syscall_restart_exclusive();
		}
	}
	stack = cow ? stack_entry(start, end) : NULL;
	va = MAX(start, resume->done);
	for (; (va = next_table(pgdir, va, end)) < end;
	     va = table_va + PTSIZE) {
		if (budget <= 0)
			break;
		table_va = ROUNDDOWN(va, PTSIZE);
		pt = KADDR(PTE_ADDR(pgdir[PDX(va)]));
		last = (end - table_va >= PTSIZE)
			? &pt[NPTENTRIES - 1] : &pt[PTX(end - 1)];
		budget -= last - &pt[PTX(va)] + 1;
		if ((r = share_around(child, pt, &pt[PTX(va)], last, table_va,
				      cow, stack)) < 0)
			break;
	}
	if (!kernel_alone())
		spin_unlock(&mem_lock);
	// The caller may hold writable translations of pages now shared.
	if (cow)
		tlbflush();
	if (r == 0 && va < end) {
		resume->done = va;
		return resume_later(resume);
	}
	return resume_done(resume, r);
}

// The fifth argument of the call tf makes: esi, after int $0x30; after
// sysenter, the word on top of the caller's stack (kern/trapentry.S).
// That word was just pushed, so it is normally in a page mapped for the
// env (the page directory loaded now is its own); any other case, the
// slow way, which may find it gone to swap or not there at all.
static int
syscall_arg5(struct Trapframe *tf, uint32_t *a5)
{
	uintptr_t esp = tf->tf_esp;
	int err;

	*a5 = tf->tf_regs.reg_esi;
	if (tf->tf_err != TF_ERR_SYSENTER)
		return 0;
	if (PGOFF(esp) <= PGSIZE - sizeof(*a5)
	    && user_page_ok(curenv->env_pgdir, esp, PTE_U)) {
		*a5 = *(const uint32_t *) esp;
		return 0;
	}
	if (user_mem_check(curenv, (void *) esp, sizeof(*a5), PTE_U) < 0)
		return -E_FAULT;
	if ((err = demand_copyin(curenv, a5, esp, sizeof(*a5)))
	    == DEMAND_EXCLUSIVE)
		syscall_restart_exclusive();	// a shared call's
	return err;
}

// How each call may run holding the kernel lock shared (kern/syscall.h).
const uint8_t syscall_sharing[NSYSCALLS] = {
	[SYS_getenvid] = SHARED_SELF,	// by sysenter, none: sysenter_unlocked
	[SYS_env_destroy] = SHARED_SELF,
	[SYS_cputs] = SHARED_SELF,
	[SYS_page_alloc] = SHARED_SELF,
	[SYS_page_unmap] = SHARED_SELF,
	[SYS_page_copy] = SHARED_SELF,
	[SYS_region_map] = SHARED_SELF,
	[SYS_region_unmap] = SHARED_SELF,
	[SYS_env_set_pgfault_upcall] = SHARED_SELF,
	[SYS_page_cow_range] = SHARED_SELF,
	[SYS_page_share_range] = SHARED_SELF,
	[SYS_exofork] = SHARED_SELF,
	[SYS_env_set_status] = SHARED_SCHED,
	[SYS_yield] = SHARED_SCHED,
	[SYS_ipc_recv] = SHARED_SCHED,
	[SYS_ipc_try_send] = SHARED_SEND,
	[SYS_ipc_send] = SHARED_SEND,
	[SYS_ipc_call] = SHARED_SEND,
};

/*
 * Do the system call curenv's frame tf asks for: its number in eax, its
 * first four arguments in edx, ecx, ebx and edi (the fifth: see
 * syscall_arg5).  Returns the result for eax, if it returns.
 */
static inline int32_t __attribute__((always_inline))
dispatch(struct Trapframe *tf)
{
	struct PushRegs *r = &tf->tf_regs;
	uint32_t a1 = r->reg_edx, a2 = r->reg_ecx, a3 = r->reg_ebx;
	uint32_t a4 = r->reg_edi, a5;
	int err;

	switch (r->reg_eax) {
	case SYS_cputs:
		return sys_cputs((const char *) a1, a2);
	case SYS_cgetc:
		return sys_cgetc();
	case SYS_getenvid:
		return sys_getenvid();
	case SYS_env_destroy:
		return sys_env_destroy(a1);
	case SYS_page_alloc:
		return sys_page_alloc(a1, (void *) a2, a3);
	case SYS_page_map:
		if ((err = syscall_arg5(tf, &a5)) < 0)
			return err;
		return sys_page_map(a1, (void *) a2, a3, (void *) a4, a5);
	case SYS_page_unmap:
		return sys_page_unmap(a1, (void *) a2);
	case SYS_exofork:
		return sys_exofork();
	case SYS_env_set_status:
		return sys_env_set_status(a1, a2);
	case SYS_env_set_pgfault_upcall:
		return sys_env_set_pgfault_upcall(a1, (void *) a2);
	case SYS_yield:
		sys_yield();
	case SYS_ipc_try_send:
		return sys_ipc_try_send(a1, a2, (void *) a3, a4);
	case SYS_ipc_recv:
		return sys_ipc_recv((void *) a1);
	case SYS_ipc_send:
		return sys_ipc_send(a1, a2, (void *) a3, a4);
	case SYS_ipc_call:
		return sys_ipc_call(a1, a2, (void *) a3, PGOFF(a4),
				    (void *) ROUNDDOWN(a4, PGSIZE));
	case SYS_page_copy:
		return sys_page_copy(a1, (void *) a2, (void *) a3, a4);
	case SYS_page_cow_range:
		return share_range(SYS_page_cow_range, a1, a2, a3, true);
	case SYS_page_share_range:
		return share_range(SYS_page_share_range, a1, a2, a3, false);
	case SYS_region_map:
		if ((err = syscall_arg5(tf, &a5)) < 0)
			return err;
		return sys_region_map(a1, a2, a3, a4, a5);
	case SYS_region_unmap:
		return sys_region_unmap(a1, a2, a3);
	case SYS_region_protect:
		return sys_region_protect(a1, a2, a3, a4);
	case SYS_region_query:
		return sys_region_query(a1, a2, a3);
	case SYS_env_set_frame_limit:
		return sys_env_set_frame_limit(a1, a2);
	case SYS_env_set_swap_policy:
		return sys_env_set_swap_policy(a1, a2);
	case SYS_vm_stat:
		return sys_vm_stat(a1, a2);
	case SYS_env_set_exception_upcall:
		return sys_env_set_exception_upcall(a1, (void *) a2, a3);
	case SYS_env_set_priority:
		return sys_env_set_priority(a1, a2);
	case SYS_env_snapshot:
		return sys_env_snapshot(a1);
	case SYS_env_restore:
		return sys_env_restore(a1, a2);
	default:
		return -E_INVAL;
	}
}

// dispatch, between the trace's records of the call and its result (a
// call that switches away records no result).
static int32_t __attribute__((noinline))
syscall_traced(struct Trapframe *tf)
{
	uint32_t num = tf->tf_regs.reg_eax;
	int32_t r;

	trace_record(curenv->env_id, num, 0, TR_SYSCALL);
	r = dispatch(tf);
	trace_record(curenv->env_id, num, r, TR_SYSRET);
	return r;
}

int32_t
syscall(struct Trapframe *tf)
{
	if (__builtin_expect(trace_on, 0))
		return syscall_traced(tf);
	return dispatch(tf);
}
