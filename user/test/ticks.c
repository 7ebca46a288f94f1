/*
 * A timer tick that preempts an env holds the kernel lock shared, as a
 * yield does, so that the ticks of every CPU do not stop the others.
 * This env spins in user mode through NTICKS of them (each resumes it,
 * which env_runs counts, as it makes no system call meanwhile); the
 * grader's `locks` then shows the kernel lock taken exclusive only a
 * couple of times, none of them for a tick.
 */
#include <inc/lib.h>

#define NTICKS	20

void
umain(int argc, char **argv)
{
	uint32_t start = thisenv->env_runs;

	while (thisenv->env_runs - start < NTICKS)
		;
	cprintf("ticks: spun through %d timer ticks\n", NTICKS);
}
