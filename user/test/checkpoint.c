/*
 * Checkpoint and restore (sys_env_snapshot, sys_env_restore).
 *
 * A child counts 0, 1, 2, ..., printing each number, with its count in
 * places that must agree: a global, a local on its stack, and NPRIV
 * pages of its own.  Its frame limit is below what it uses, so some of
 * them are out on swap when a snapshot is taken: the snapshot has swap
 * entries as well as pages.  Its FPU control word and %gs change with
 * the count too, so a restore that left them alone would show.  A gate
 * in a page shared with the parent says how far it may count.  The
 * parent snapshots it after 3, lets it run to 6, restores it, and it
 * counts 4, 5, 6 again; a second restore shows the snapshot survives the
 * first.  Then calls that must fail, and the parent destroys
 * everything.  The grader checks the child's lines.
 */
#include <inc/lib.h>

#define SHARED	((volatile struct gate *) 0x00300000)
#define PRIV	((volatile int *) 0x00400000)
#define NPRIV	8
#define LIMIT	6		// the child's frame limit
#define PERM	(PTE_P | PTE_U | PTE_W)

struct gate {
	int limit;	// the child may print numbers up to this one
	int last;	// the last number it printed
};

static volatile int gcount;
static envid_t snap_taken;	// the parent's snapshot, once taken

// Page i of the child's own.
static volatile int *
priv(int i)
{
	return PRIV + i * PGSIZE / sizeof(int);
}

// Does every private page hold n?  If not, the first that does not.
static int
priv_check(int n)
{
	int i;

	for (i = 0; i < NPRIV; i++)
		if (*priv(i) != n)
			return i;
	return -1;
}

// The FPU control word (its rounding bits) and %gs for count n.
static uint16_t
fpu_cw(int n)
{
	return 0x037F | (n & 3) << 10;
}

static uint16_t
gs_sel(int n)
{
	return n & 1 ? 0 : GD_UD | 3;
}

static void
regs_set(int n)
{
	uint16_t cw = fpu_cw(n), gs = gs_sel(n);

	asm volatile("fldcw %0" : : "m" (cw));
	asm volatile("movw %0, %%gs" : : "r" (gs));
}

static bool
regs_ok(int n)
{
	uint16_t cw, gs;

	asm volatile("fnstcw %0" : "=m" (cw));
	asm volatile("movw %%gs, %0" : "=r" (gs));
	return cw == fpu_cw(n) && gs == gs_sel(n);
}

static void __attribute__((noreturn))
count(void)
{
	volatile int n = 0;
	int i, bad;

	regs_set(0);
	for (;;) {
		while (SHARED->limit < n)
			sys_yield();
		bad = priv_check(n);
		if (!regs_ok(n))
			cprintf("checkpoint: child %d: registers wrong\n", n);
		else if (gcount == n && bad < 0)
			cprintf("checkpoint: child %d\n", n);
		else
			cprintf("checkpoint: child %d: global %d, page %d %d\n",
				n, gcount, bad, *priv(bad < 0 ? 0 : bad));
		SHARED->last = n;
		n++;
		gcount = n;
		for (i = 0; i < NPRIV; i++)
			*priv(i) = n;
		regs_set(n);
		sys_yield();
	}
}

// Let child run until it has printed upto, then stop it for good.  A
// child that dies first is broken (one that only stops making progress
// leaves the grader to time out: no wait here depends on the host's
// speed).
static void
run_to(envid_t child, int upto)
{
	int r;

	SHARED->last = -1;
	SHARED->limit = upto;
	if ((r = sys_env_set_status(child, ENV_RUNNABLE)) < 0)
		panic("set_status: %e", r);
	while (SHARED->last != upto) {
		if (env_gone(child)) {
			cprintf("checkpoint: child died before %d\n", upto);
			if (snap_taken)
				sys_env_destroy(snap_taken);
			exit();
		}
		sys_yield();
	}
	if ((r = sys_env_set_status(child, ENV_NOT_RUNNABLE)) < 0)
		panic("set_status: %e", r);
}

// Snapshot child, stopped, once it has left its CPU.
static envid_t
snapshot(envid_t child)
{
	envid_t s;

	while ((s = sys_env_snapshot(child)) == -E_INVAL)
		sys_yield();
	if (s < 0)
		panic("snapshot: %e", s);
	return s;
}

// Restore child from snap, retrying while child is still on its CPU.
static void
restore(envid_t child, envid_t snap)
{
	int r;

	while ((r = sys_env_restore(child, snap)) == -E_INVAL)
		sys_yield();
	if (r < 0)
		panic("restore: %e", r);
}

static void
expect(const char *what, int got, int want)
{
	if (got != want)
		panic("%s: got %e, not %e", what, got, want);
}

/*
 * A child with a child of its own, which is thus foreign to us; sends
 * us its id, and destroys it when we send anything back.
 */
static envid_t
foreign_env(envid_t *middle)
{
	envid_t g, me = thisenv->env_id;

	if ((*middle = fork()) < 0)
		panic("fork: %e", *middle);
	if (*middle == 0) {
		if ((g = fork()) < 0)
			panic("fork: %e", g);
		if (g == 0)
			for (;;)
				ipc_recv(NULL, NULL, NULL);
		ipc_send(me, g, NULL, 0);
		ipc_recv(NULL, NULL, NULL);
		sys_env_destroy(g);
		exit();
	}
	return ipc_recv(NULL, NULL, NULL);
}

static void
bad_calls(envid_t child, envid_t snap)
{
	envid_t middle, foreign = foreign_env(&middle), dead;

	expect("snapshot of self", sys_env_snapshot(0), -E_INVAL);
	expect("snapshot of self by id", sys_env_snapshot(thisenv->env_id),
	       -E_INVAL);
	SHARED->limit = -1;		// it runs, but prints nothing
	sys_env_set_status(child, ENV_RUNNABLE);
	expect("snapshot of a running child", sys_env_snapshot(child),
	       -E_INVAL);
	expect("restore into a running child", sys_env_restore(child, snap),
	       -E_INVAL);
	sys_env_set_status(child, ENV_NOT_RUNNABLE);
	expect("snapshot of a foreign env", sys_env_snapshot(foreign),
	       -E_BAD_ENV);
	expect("restore into a foreign env", sys_env_restore(foreign, snap),
	       -E_BAD_ENV);
	expect("restore from a non-child", sys_env_restore(child, foreign),
	       -E_BAD_ENV);
	expect("restore from itself", sys_env_restore(child, child),
	       -E_INVAL);
	expect("restore from self", sys_env_restore(child, 0), -E_INVAL);
	expect("restore into self", sys_env_restore(0, snap), -E_INVAL);

	dead = snapshot(child);
	sys_env_destroy(dead);
	expect("snapshot of a destroyed env", sys_env_snapshot(dead),
	       -E_BAD_ENV);
	expect("restore into a destroyed env", sys_env_restore(dead, snap),
	       -E_BAD_ENV);
	expect("restore from a destroyed env", sys_env_restore(child, dead),
	       -E_BAD_ENV);
	ipc_send(middle, 0, NULL, 0);
	cprintf("checkpoint: bad calls refused\n");
}

void
umain(int argc, char **argv)
{
	envid_t child, snap;
	struct VmStat st;
	int r, i;

	if ((r = sys_page_alloc(0, (void *) SHARED, PERM | PTE_SHARE)) < 0)
		panic("page_alloc: %e", r);
	for (i = 0; i < NPRIV; i++)
		if ((r = sys_page_alloc(0, (void *) priv(i), PERM)) < 0)
			panic("page_alloc: %e", r);
	SHARED->limit = -1;
	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0)
		count();
	// fork left it runnable: stop it until run_to says go.
	sys_env_set_status(child, ENV_NOT_RUNNABLE);
	if ((r = sys_env_set_frame_limit(child, LIMIT)) < 0)
		panic("set_frame_limit: %e", r);

	run_to(child, 3);
	snap_taken = snap = snapshot(child);
	if ((r = sys_vm_stat(snap, &st)) < 0)
		panic("vm_stat: %e", r);
	cprintf("checkpoint: snapshot taken after 3, %s swap entries\n",
		st.swapped ? "with" : "without");
	run_to(child, 6);
	restore(child, snap);
	cprintf("checkpoint: restored\n");
	run_to(child, 6);
	restore(child, snap);
	cprintf("checkpoint: restored again\n");
	run_to(child, 6);

	bad_calls(child, snap);
	sys_env_destroy(child);
	sys_env_destroy(snap);
	// One more, left behind: a snapshot dies with its parent, or the
	// page audit, which runs once every env is gone, never would.
	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0)
		for (;;)
			sys_yield();
	sys_env_set_status(child, ENV_NOT_RUNNABLE);
	snapshot(child);
	sys_env_destroy(child);
	cprintf("checkpoint: done, a snapshot left to die with us\n");
}
