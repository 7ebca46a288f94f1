/*
 * Destroying a child while another CPU runs it, in the orders that once
 * freed it under that CPU or brought it back: destroy it twice; stop it
 * (sys_env_set_status NOT_RUNNABLE), then destroy it; destroy it, then
 * make it runnable.  Each time the parent at once takes pages (the
 * freed page directory would be first among them) and the child must
 * stop for good: its counter, in a shared page, stops moving.  Half the
 * children call sys_getenvid after each count, which sysenter serves
 * holding no lock (kern/trap.c's sysenter_unlocked): a stop or a
 * destroy must still end such a child at its next call, so it counts at
 * most once more after the parent's call returns.  Also:
 * making a child that waits in ipc_recv runnable cancels the receive.
 * With one CPU the child is never running when destroyed; the checks
 * hold all the same.
 */
#include <inc/lib.h>

#define ROUNDS		12
#define PERM		(PTE_P | PTE_U | PTE_W)
#define SHARED		((volatile int *) 0x00300000)
#define RECLAIM		0x10000000
#define RECVVA		((void *) 0x20000000)

static int nfail;

static void
fail(const char *what, int round, int got, const char *want, int bound)
{
	cprintf("killrunning: FAIL: round %d: %s: got %d, want %s%d\n", round,
		what, got, want, bound);
	nfail++;
}

static void
check(const char *what, int round, int got, int want)
{
	if (got != want)
		fail(what, round, got, "", want);
}

static void
check_at_most(const char *what, int round, int got, int most)
{
	if (got > most)
		fail(what, round, got, "at most ", most);
}

// A child counting in the shared page, running on another CPU (if
// there is one) by the time this returns, past the copy-on-write
// faults of its start (whose system calls would stop a stopped child
// all by themselves).  With one CPU, each yield gives it a whole time
// slice: stop once it has counted.
static envid_t
spinner(bool calls)
{
	envid_t kid;
	int i, count = SHARED[0];

	if ((kid = fork()) < 0)
		panic("killrunning: fork: %e", kid);
	if (kid == 0)
		for (;;) {
			SHARED[0]++;
			if (calls)
				sys_getenvid();
		}
	// Once it has counted a while it spins on some CPU: another one,
	// if any.
	for (i = 0; i < 1000 && SHARED[0] - count < 100; i++)
		sys_yield();
	return kid;
}

// The child must be gone for good: freed, its counter still.  Returns
// the count it left.
static int
check_stopped(int round, envid_t kid)
{
	int i, count;

	for (i = 0; i < 8; i++)
		sys_page_alloc(0, (void *) (RECLAIM + i * PGSIZE), PERM);
	wait_env_gone(kid);
	count = SHARED[0];
	for (i = 0; i < 20; i++)
		sys_yield();
	check("the destroyed child's counter moved", round, SHARED[0], count);
	for (i = 0; i < 8; i++)
		sys_page_unmap(0, (void *) (RECLAIM + i * PGSIZE));
	return count;
}

// A stopped child that calls sys_getenvid as it counts must be parked
// at its next call: while the parent yields a while, before it
// destroys the child, the count moves at most once more.
static void
check_parked(int round, int count)
{
	int i;

	for (i = 0; i < 20; i++)
		sys_yield();
	check_at_most("counts by a calling child after its stop", round,
		      SHARED[0] - count, 1);
}

static void
kill_running(int round)
{
	bool calls = round / 3 % 2;
	envid_t kid = spinner(calls);
	int count, left;

	switch (round % 3) {
	case 0:
		check("destroy", round, sys_env_destroy(kid), 0);
		count = SHARED[0];
		check("destroy again", round, sys_env_destroy(kid), -E_BAD_ENV);
		break;
	case 1:
		check("stop", round, sys_env_set_status(kid, ENV_NOT_RUNNABLE),
		      0);
		count = SHARED[0];
		if (calls)
			check_parked(round, count);
		check("destroy after stop", round, sys_env_destroy(kid), 0);
		break;
	default:
		check("destroy", round, sys_env_destroy(kid), 0);
		count = SHARED[0];
		check("make runnable after destroy", round,
		      sys_env_set_status(kid, ENV_RUNNABLE), -E_BAD_ENV);
		break;
	}
	left = check_stopped(round, kid);
	if (calls)
		check_at_most("counts by a calling child after its stop or "
			      "destroy", round, left - count, 1);
}

// A child made runnable while it waits in ipc_recv returns
// -E_IPC_NOT_RECV from it, and no longer takes messages.
static void
cancel_receive(void)
{
	envid_t kid;

	SHARED[1] = SHARED[2] = 0;
	if ((kid = fork()) == 0) {
		SHARED[1] = sys_ipc_recv(RECVVA);
		// Stay until the parent has tried its send (another CPU may
		// run us at once).
		while (!SHARED[2])
			sys_yield();
		exit();
	}
	while (!envs[ENVX(kid)].env_ipc_recving)
		sys_yield();
	check("wake a receiving child", 0,
	      sys_env_set_status(kid, ENV_RUNNABLE), 0);
	check("send to it", 0, sys_ipc_try_send(kid, 1, (void *) UTOP, 0),
	      -E_IPC_NOT_RECV);
	SHARED[2] = 1;
	wait_env_gone(kid);
	check("what its ipc_recv returned", 0, SHARED[1], -E_IPC_NOT_RECV);
}

void
umain(int argc, char **argv)
{
	int round, r;

	if ((r = sys_page_alloc(0, (void *) SHARED, PERM | PTE_SHARE)) < 0)
		panic("killrunning: shared page: %e", r);
	for (round = 0; round < ROUNDS; round++)
		kill_running(round);
	cancel_receive();
	if (nfail == 0)
		cprintf("killrunning: %d running children destroyed, none "
			"ran on\n", ROUNDS);
	else
		cprintf("killrunning: %d FAILED\n", nfail);
}
