/*
 * Fixed priorities (sys_env_set_priority).
 *
 * Built as `priority`, for 1 CPU:
 *  - order: three children at priorities 6, 4 and 2 each print two
 *    lines, the highest first; 6 and 4 then block, and 2, the lowest,
 *    runs; when 2 wakes them, each runs at once, before 2 goes on.
 *  - aging: the parent, at the top priority, spins without entering the
 *    kernel; a child at priority 0 must still get to run.
 * Built as `prioritysmp` (-DSMP), for 4 CPUs: four children at priority 1
 * keep every CPU busy while the parent, at 7, waits for a message; each
 * message a child sends must have the parent running (on the sender's
 * CPU) before the sender's next instruction.  Then the sender outranks
 * the others, and the parent takes another CPU, by IPI.
 */
#include <inc/lib.h>
#include <inc/x86.h>

#define SHARED		((volatile uint32_t *) 0x00300000)
#define PERM		(PTE_P | PTE_U | PTE_W)
#define TOP		(NPRIO - 1)

enum { STOP, ROUND, COUNTER, SPINNERS_UP, LOWERED };	// SHARED[] slots

static envid_t
fork_at(int prio)
{
	envid_t id;
	int r;

	if ((id = fork()) < 0)
		panic("priority: fork: %e", id);
	if (id && (r = sys_env_set_priority(id, prio)) < 0)
		panic("priority: set %d: %e", prio, r);
	return id;
}

static void
check_arguments(void)
{
	int bad[] = { -1, NPRIO, 1 << 30 }, i, r;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if ((r = sys_env_set_priority(0, bad[i])) != -E_INVAL)
			cprintf("priority: FAIL: priority %d gave %e\n",
				bad[i], r);
	if ((r = sys_env_set_priority(0x7fff1000, 1)) != -E_BAD_ENV)
		cprintf("priority: FAIL: a bad env gave %e\n", r);
	cprintf("priority: bad arguments refused\n");
}

#ifndef SMP

// Print two lines, block if told to, and say so when woken.  The child
// sets its priority itself too, first thing: before the parent's call,
// a timer tick may have run it at the parent's.
static void
orderly(int prio, bool block)
{
	sys_env_set_priority(0, prio);
	cprintf("priority: %d runs\n", prio);
	sys_yield();		// alone at its priority: it goes on
	cprintf("priority: %d runs again\n", prio);
	if (block) {
		ipc_recv(NULL, NULL, NULL);
		cprintf("priority: %d woken\n", prio);
	}
}

static void
order(void)
{
	envid_t six, four, two, parent = thisenv->env_id;

	// At the top ourselves, the children we fork wait until we block.
	sys_env_set_priority(0, TOP);
	if ((six = fork_at(6)) == 0) {
		orderly(6, true);
		exit();
	}
	if ((four = fork_at(4)) == 0) {
		orderly(4, true);
		exit();
	}
	if ((two = fork_at(2)) == 0) {
		orderly(2, false);
		ipc_send(six, 0, NULL, 0);
		ipc_send(four, 0, NULL, 0);
		cprintf("priority: 2 done\n");
		ipc_send(parent, 0, NULL, 0);
		exit();
	}
	ipc_recv(NULL, NULL, NULL);
	// Waiting at the top, we would keep 2 from its exit.
	sys_env_set_priority(0, 0);
	wait_env_gone(six);
	wait_env_gone(four);
	wait_env_gone(two);
}

// Spin at the top priority, never entering the kernel, until a child at
// priority 0 has run (or, failing, for about two seconds of the TSC).
static void
aging(void)
{
	uint64_t start, limit = 2000000000ull;
	envid_t low;

	sys_env_set_priority(0, TOP);
	SHARED[COUNTER] = SHARED[LOWERED] = 0;
	if ((low = fork_at(0)) == 0) {
		// A timer tick may run us at the parent's priority before it
		// lowers ours: wait for its word that it has, so that what we
		// do next we do at 0 (and so that we are still there).
		while (!SHARED[LOWERED])
			sys_yield();
		SHARED[COUNTER] = 1;
		exit();
	}
	SHARED[LOWERED] = 1;
	start = read_tsc();
	while (SHARED[COUNTER] == 0 && read_tsc() - start < limit)
		asm volatile("pause");
	if (SHARED[COUNTER])
		cprintf("priority: a priority-0 env ran while the top one "
			"spun\n");
	else
		cprintf("priority: FAIL: a priority-0 env never ran\n");
	wait_env_gone(low);
}

void
umain(int argc, char **argv)
{
	if (sys_page_alloc(0, (void *) SHARED, PERM | PTE_SHARE) < 0)
		panic("priority: no shared page");
	check_arguments();
	order();
	aging();
}

#else

#define NSPIN		4
#define ROUNDS		10

// Keep a CPU busy without entering the kernel.  The first spinner also
// sends the parent ROUNDS messages, and checks after each that the
// parent is not left waiting: it has taken the message, or runs now
// (once it took this CPU, this env may go on on another one).  Then it
// raises itself to priority 3 and sends ROUNDS more: now the CPU the
// parent must take is another's, running a priority-1 spinner (the
// monitor's cpus counts those preemptions by IPI).
static void
spin(int k, envid_t parent)
{
	const volatile struct Env *p = &envs[ENVX(parent)];
	uint32_t i, late = 0;
	volatile int busy;

	__sync_fetch_and_add(&SHARED[SPINNERS_UP], 1);
	while (SHARED[SPINNERS_UP] < NSPIN && !SHARED[STOP])
		asm volatile("pause");
	for (i = 1; k == 0 && i <= 2 * ROUNDS; i++) {
		if (i == ROUNDS + 1)
			sys_env_set_priority(0, 3);
		for (busy = 0; busy < 100000; busy++)
			;
		ipc_send(parent, i, NULL, 0);
		late += i <= ROUNDS && SHARED[ROUND] != i
			&& p->env_status == ENV_RUNNABLE;
	}
	if (k == 0) {
		cprintf("priority: %u of %u messages left the parent waiting\n",
			late, ROUNDS);
		SHARED[STOP] = 1;
	}
	while (!SHARED[STOP])
		asm volatile("pause");
}

void
umain(int argc, char **argv)
{
	envid_t parent = thisenv->env_id, kids[NSPIN];
	int k;

	if (sys_page_alloc(0, (void *) SHARED, PERM | PTE_SHARE) < 0)
		panic("priority: no shared page");
	check_arguments();
	sys_env_set_priority(0, TOP);
	for (k = 0; k < NSPIN; k++)
		if ((kids[k] = fork_at(1)) == 0) {
			spin(k, parent);
			exit();
		}
	for (k = 0; k < 2 * ROUNDS; k++)
		SHARED[ROUND] = ipc_recv(NULL, NULL, NULL);
	for (k = 0; k < NSPIN; k++)
		wait_env_gone(kids[k]);
	cprintf("priority: %d rounds, four CPUs busy at priority 1 (or 3)\n",
		2 * ROUNDS);
}

#endif
