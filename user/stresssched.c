/*
 * Twenty children run at once, each adding to its own copy of a counter
 * while yielding now and then.  If the kernel ever ran one environment on
 * two CPUs at the same time, both would add to the same copy and the
 * total would come out wrong.
 */
#include <inc/lib.h>

#define NCHILD	20
#define ROUNDS	10
#define ADDS	10000

volatile int counter;

// Wait until the parent has finished forking and gone, so that all the
// children compete for the CPUs at once.
static void
wait_for_parent(envid_t parent)
{
	const volatile struct Env *e = &envs[ENVX(parent)];

	while (e->env_id == parent && e->env_status != ENV_FREE)
		sys_yield();
}

void
umain(int argc, char **argv)
{
	envid_t parent = sys_getenvid(), r;
	int i, j;

	for (i = 0; i < NCHILD; i++) {
		if ((r = fork()) < 0)
			panic("fork: %e", r);
		if (r == 0)
			break;
	}
	if (i == NCHILD)
		return;

	wait_for_parent(parent);
	for (i = 0; i < ROUNDS; i++) {
		sys_yield();
		for (j = 0; j < ADDS; j++)
			counter++;
	}
	if (counter != ROUNDS * ADDS)
		panic("ran on two CPUs at once (counter is %d)", counter);
	cprintf("[%08x] stresssched on CPU %d\n",
		thisenv->env_id, thisenv->env_cpunum);
}
