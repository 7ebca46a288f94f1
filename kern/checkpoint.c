/*
 * Checkpoint and restore.  A parent stops one of its children, takes a
 * snapshot of it (a new child of its own that holds the stopped one's
 * state and never runs unless the parent says so), and later puts that
 * state back into the child, as many times as it likes.
 *
 * The state is the env's registers (with FPU, %fs and %gs), its upcalls,
 * priority, regions and memory.  Memory is shared copy-on-write exactly
 * as fork shares it (share_page): both sides keep working pages, and a
 * snapshot costs page tables, not copies.  Swap entries are copied with
 * a reference to their slots.  The pages copied outright are the
 * exception stack, which the kernel itself writes and cannot take a
 * copy-on-write fault there, and the page a queued sender sends
 * writable (kern/ipc.c), which must stay so for the send to go through.
 *
 * A snapshot dies with its parent (nothing else could ever free it).
 *
 * Both envs must be stopped, not runnable and on no CPU, so nothing
 * changes their state under us.  Their entries change, though, and a
 * CPU that last ran one may still have its page directory loaded: its
 * cached translations are dropped (pgdir_flush) before anything runs.
 */
#include <inc/error.h>
#include <inc/string.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/syscall.h>
#include <kern/sched.h>
#include <kern/region.h>
#include <kern/swap.h>
#include <kern/fpu.h>
#include <kern/uexcept.h>
#include <kern/checkpoint.h>
#include <kern/ipc.h>

#define XSTACK	(UXSTACKTOP - PGSIZE)

// Beside envs[] (struct Env's layout is the user ABI), used with the
// kernel lock held: whether slot i holds a snapshot, and how many
// snapshots the env in slot i has made that are still alive.
static bool is_snapshot[NENV];
static uint16_t snapshots_of[NENV];

// Is e, one of the caller's children (envid2env said so), stopped: not
// the caller, not runnable, and on no CPU?
static bool
stopped(struct Env *e)
{
	return e != curenv && e->env_status == ENV_NOT_RUNNABLE
		&& !env_on_cpu(e);
}

// Give dst a private copy of the page *pte maps at va.
static int
copy_page(struct Env *dst, pte_t *pte, uintptr_t va)
{
	struct PageInfo *pp;
	int r;

	if (!(pp = page_alloc(0)))
		return -E_NO_MEM;
	memcpy(page2kva(pp), KADDR(PTE_ADDR(*pte)), PGSIZE);
	if ((r = page_insert(dst->env_pgdir, pp, (void *) va,
			     *pte & PTE_SYSCALL)) < 0)
		page_free(pp);
	return r;
}

// Share every present page of src with dst, whose entries are all
// empty, copy-on-write as fork does.
static int
share_pages(struct Env *dst, struct Env *src)
{
	pde_t *pgdir = src->env_pgdir;
	pte_t *pt, *dpt;
	uintptr_t va, sending = ipc_send_page(src);
	int pdx, i, r;

	for (pdx = 0; pdx < PDX(UTOP); pdx++) {
		if (!(pgdir[pdx] & PTE_P))
			continue;
		pt = KADDR(PTE_ADDR(pgdir[pdx]));
		dpt = NULL;
		for (i = 0; i < NPTENTRIES; i++) {
			if (!(pt[i] & PTE_P))
				continue;
			va = (uintptr_t) PGADDR(pdx, i, 0);
			if (!dpt && !(dpt = pgdir_walk(dst->env_pgdir,
					(void *) PGADDR(pdx, 0, 0), 1)))
				return -E_NO_MEM;
			if (va == XSTACK || va == sending)
				r = copy_page(dst, &pt[i], va);
			else
				r = share_page(dst, &pt[i], &dpt[i], va, true);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/*
 * Give dst, whose address space is empty, a copy-on-write copy of
 * src's: regions, swap entries and pages.  On -E_NO_MEM dst holds part
 * of it (its freeing lets that go); src's pages all still work.
 */
static int
copy_space(struct Env *dst, struct Env *src)
{
	int r;

	if ((r = regions_copy(env_regions(dst), env_regions(src))) == 0
	    && (r = swap_copy_entries(src, dst)) == 0)
		r = share_pages(dst, src);
	// Pages of src's that were writable are copy-on-write now.
	pgdir_flush(src->env_pgdir);
	return r;
}

// dst will run as src would: registers (and any long system call they
// are in the middle of), upcalls, priority.
static void
copy_state(struct Env *dst, struct Env *src)
{
	dst->env_tf = src->env_tf;
	// Blocked in sys_ipc_recv or sys_ipc_send, src has the call's
	// number for a result until the other side writes one; the copy is
	// in no one's queue, and sees the call cancelled, as a
	// sys_env_set_status wake-up shows it (ipc_send then sends again).
	if (ipc_blocked(src))
		dst->env_tf.tf_regs.reg_eax = -E_IPC_NOT_RECV;
	syscall_copy_progress(dst, src);
	dst->env_pgfault_upcall = src->env_pgfault_upcall;
	fpu_env_copy(dst, src);
	env_copy_segs(dst, src);
	uexcept_env_copy(dst, src);
	sched_set_priority(dst, sched_priority(src));
}

// Let go of all of e's user memory (as env_free does), keeping its page
// directory.  e is stopped.
static void
empty_space(struct Env *e)
{
	pgdir_free_user(e->env_pgdir);
	regions_free(env_regions(e));
	// A child its parent was building is built: the parent's evictions
	// are no longer to be given to it.  Nor are e's to the children it
	// was building itself: its restored state knows nothing of them.
	swap_env_built(e);
	swap_end_builds(e);
	pgdir_flush(e->env_pgdir);
}

/*
 * Make a snapshot of child, the caller's stopped child: a new child of
 * the caller's, not runnable, with child's state (see above).  Returns
 * its id, -E_BAD_ENV, -E_INVAL (also when the caller is a snapshot
 * itself), -E_NO_MEM or -E_NO_FREE_ENV.
 */
envid_t
sys_env_snapshot(envid_t childid)
{
	struct Env *c, *s;
	int r;

	if ((r = envid2env(childid, &c, 1)) < 0)
		return r;
	// A snapshot makes none: snapshots die with their parent, and a
	// chain of them would be freed a level of kernel stack at a time.
	if (!stopped(c) || is_snapshot[ENVX(curenv->env_id)])
		return -E_INVAL;
	// A page directory, the regions' array, page tables, and the
	// exception stack's copy.
	swap_make_room(NULL, 0, 3 + pgdir_user_tables(c->env_pgdir));
	if ((r = env_alloc(&s, curenv)) < 0)
		return r;
	if ((r = copy_space(s, c)) < 0) {
		env_free(s);
		return r;
	}
	copy_state(s, c);
	is_snapshot[ENVX(s->env_id)] = true;
	snapshots_of[ENVX(curenv->env_id)]++;
	return s->env_id;
}

// Does slot i hold a live env whose id is id?
static bool
alive(envid_t id)
{
	struct Env *e = &envs[ENVX(id)];

	return e->env_id == id && e->env_status != ENV_FREE;
}

// Is e a snapshot, or has it made one that lives?  (Then its free is
// checkpoint_env_free's to complete, under the exclusive lock.)
bool
checkpoint_involved(struct Env *e)
{
	int i = ENVX(e->env_id);

	return is_snapshot[i] || snapshots_of[i];
}

/*
 * e is being freed: if it is a snapshot, its parent has one fewer; if it
 * made snapshots, they go too.  (A snapshot another CPU runs, made
 * runnable by its parent, is only marked dying here, and counts no
 * more.  This CPU's env is not one: e is freed by its own exit, by its
 * parent, or with a parent that went, none of which a snapshot of e
 * can be.)
 */
void
checkpoint_env_free(struct Env *e)
{
	int i = ENVX(e->env_id);
	struct Env *s;

	if (is_snapshot[i]) {
		is_snapshot[i] = false;
		if (alive(e->env_parent_id))
			snapshots_of[ENVX(e->env_parent_id)]--;
	}
	for (s = envs; snapshots_of[i] && s < envs + NENV; s++)
		if (is_snapshot[s - envs] && s->env_parent_id == e->env_id
		    && s->env_status != ENV_FREE && s->env_status != ENV_DYING) {
			assert(s != curenv);
			env_destroy(s);
		}
	snapshots_of[i] = 0;
}

/*
 * Put snapshot's state into child, both the caller's stopped children,
 * not the same: child keeps its id and stays not runnable, snapshot is
 * left as it was.  Returns 0, -E_BAD_ENV, -E_INVAL or -E_NO_MEM (child
 * then has an empty address space).
 */
int
sys_env_restore(envid_t childid, envid_t snapid)
{
	struct Env *c, *s;
	int r;

	if ((r = envid2env(childid, &c, 1)) < 0
	    || (r = envid2env(snapid, &s, 1)) < 0)
		return r;
	if (c == s || !stopped(c) || !stopped(s))
		return -E_INVAL;
	// A receive or send it was blocked in is gone with its old memory
	// and registers, whether or not the copy succeeds (senders queued
	// for it still wait: it keeps its id).
	ipc_forget(c);
	empty_space(c);
	swap_make_room(c, 1, 2 + pgdir_user_tables(s->env_pgdir));
	if ((r = copy_space(c, s)) < 0) {
		empty_space(c);
		return r;
	}
	copy_state(c, s);
	return 0;
}
