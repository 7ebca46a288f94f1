/*
 * sfork shares memory but for the stack and thisenv.  Parent and child
 * take turns through a shared counter (no IPC): each sees the other's
 * writes to globals at once, a local variable changed by one keeps its
 * value in the other, and thisenv names each one itself.  Globals on
 * pages nobody touched before the sfork, in bss and in data, are shared
 * too: the child writes them, the parent sees it.  Runs on 1 CPU and on
 * several.
 */
#include <inc/lib.h>

#define TURNS		100

static volatile int turn;	// shared: whose move (even: parent's)
static volatile int seen[2];	// shared: the turns each side made
static int nfail;
// Each alone on its page, untouched until the child writes it.
static volatile int late_bss[PGSIZE / 4] __attribute__((aligned(PGSIZE)));
static volatile int late_data[PGSIZE / 4] __attribute__((aligned(PGSIZE)))
	= { 7 };

static void
check(bool ok, const char *what)
{
	if (ok)
		return;
	cprintf("sforkshare: FAIL: [%08x] %s\n", sys_getenvid(), what);
	nfail++;
}

// Play side (0: parent, 1: child) until TURNS turns have gone by.
static void
play(int side, volatile int *local)
{
	while (turn < TURNS) {
		if (turn % 2 != side) {
			sys_yield();
			continue;
		}
		check(*local == side, "a local variable changed under it");
		check(thisenv->env_id == sys_getenvid(), "thisenv is not itself");
		seen[side]++;
		turn++;
	}
}

void
umain(int argc, char **argv)
{
	volatile int local = 0;	// on the stack: each side's own
	envid_t kid;

	if ((kid = sfork()) < 0)
		panic("sforkshare: sfork: %e", kid);
	if (kid == 0) {
		local = 1;
		late_bss[0] = 1;
		late_data[0]++;
		play(1, &local);
		exit();
	}
	play(0, &local);
	wait_env_gone(kid);
	check(seen[0] == TURNS / 2 && seen[1] == TURNS / 2,
	      "the turns do not add up");
	check(late_bss[0] == 1 && late_data[0] == 8,
	      "a page untouched before the sfork was not shared");
	// nfail is shared too: it counts the child's failures as well.
	cprintf("sforkshare: %d turns through shared memory, stacks and "
		"thisenv private, %d failures\n", seen[0] + seen[1], nfail);
}
