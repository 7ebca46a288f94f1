/*
 * Children that can never run again go with their parent, wherever they
 * are.  The root forks a middle env, which forks NKIDS children that
 * keep yielding, stops each one (on several CPUs, some are running on
 * another CPU at that moment, and are only marked dying there) and
 * exits.  Nobody may start or destroy them now: each must be freed,
 * once, by the middle env's exit or by its own CPU soon after, and then
 * the page audit must find every page.
 *
 * A snapshot goes with its parent too (kern/checkpoint.c), and so must
 * what that leaves stranded.  The middle env also snapshots its first
 * stopped child and sets the snapshot running; the snapshot, which
 * knows itself by its new id, forks a grandchild that stops itself,
 * tells the middle env (which tells the root), and waits for messages
 * for good.  When the middle env exits, the snapshot goes, and then the
 * grandchild must go as well.
 *
 * Last, the root, which the kernel made, stops itself: nobody could
 * start it again, so that is its end.
 */
#include <inc/lib.h>

#define NKIDS		6
#define PATIENCE	100000	// yields to wait for a child to go

static envid_t root;

// A snapshot of a spinning child: leave a grandchild that stops itself
// (and tell our parent, the middle env, which), then wait for good.
static void __attribute__((noreturn))
snapshot_env(void)
{
	envid_t kid;

	thisenv = &envs[ENVX(sys_getenvid())];
	if ((kid = fork()) < 0)
		panic("stranded: fork in the snapshot: %e", kid);
	if (kid == 0) {
		sys_env_set_status(0, ENV_NOT_RUNNABLE);
		cprintf("stranded: FAIL: a stopped grandchild ran on\n");
		exit();
	}
	while (envs[ENVX(kid)].env_status != ENV_NOT_RUNNABLE)
		sys_yield();
	ipc_send(thisenv->env_parent_id, kid, NULL, 0);
	for (;;)
		ipc_recv(NULL, NULL, NULL);
}

// A child of the middle env: yield until stopped for good, or, woken as
// a snapshot of itself, under a new id, be that.  The one to be
// snapshotted says when it has its id, so that the snapshot has it too.
static void __attribute__((noreturn))
spin(bool report)
{
	envid_t me = sys_getenvid();

	if (report)
		ipc_send(thisenv->env_parent_id, 0, NULL, 0);
	while (sys_getenvid() == me)
		sys_yield();
	snapshot_env();
}

// Stop child kid, snapshot it, and start the snapshot.
static void
start_snapshot(envid_t kid)
{
	envid_t snap;
	int r;

	while ((snap = sys_env_snapshot(kid)) == -E_INVAL)
		sys_yield();		// until it is on no CPU
	if (snap < 0 || (r = sys_env_set_status(snap, ENV_RUNNABLE)) < 0)
		panic("stranded: snapshot: %e", snap < 0 ? snap : r);
}

static void
middle_env(void)
{
	envid_t kid;
	int i, r;

	for (i = 0; i < NKIDS; i++) {
		if ((kid = fork()) < 0)
			panic("stranded: fork: %e", kid);
		if (kid == 0)
			spin(i == 0);
		if (i == 0)
			ipc_recv(NULL, NULL, NULL);
		if ((r = sys_env_set_status(kid, ENV_NOT_RUNNABLE)) < 0)
			panic("stranded: stopping a child: %e", r);
		ipc_send(root, kid, NULL, 0);
		if (i == 0)
			start_snapshot(kid);
	}
	ipc_send(root, ipc_recv(NULL, NULL, NULL), NULL, 0);
}

// Has id gone, within PATIENCE yields?
static bool
gone_soon(envid_t id)
{
	const volatile struct Env *e = &envs[ENVX(id)];
	int n;

	for (n = 0; n < PATIENCE; n++) {
		if (e->env_id != id || e->env_status == ENV_FREE)
			return true;
		sys_yield();
	}
	return false;
}

void
umain(int argc, char **argv)
{
	envid_t middle, kids[NKIDS + 1];	// the snapshot's child last
	int i, left = 0;

	root = sys_getenvid();
	if ((middle = fork()) < 0)
		panic("stranded: fork: %e", middle);
	if (middle == 0) {
		middle_env();
		return;
	}
	for (i = 0; i < NKIDS + 1; i++)
		kids[i] = ipc_recv(NULL, NULL, NULL);
	wait_env_gone(middle);
	for (i = 0; i < NKIDS + 1; i++)
		if (!gone_soon(kids[i])) {
			cprintf("stranded: FAIL: stopped %s %08x left alive\n",
				i < NKIDS ? "child" : "grandchild", kids[i]);
			left++;
		}
	cprintf("stranded: %d stopped children and a snapshot's went with "
		"their parents, %d left\n", NKIDS + 1 - left, left);
	// The kernel made us: with no parent to start us again, a stop is
	// the end.
	sys_env_set_status(0, ENV_NOT_RUNNABLE);
	cprintf("stranded: FAIL: the root stopped itself and ran on\n");
}
