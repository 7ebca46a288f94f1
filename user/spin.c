/* A parent kills its child, which spins without ever giving the CPU away:
   only timer preemption lets the parent run again. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	envid_t child;
	int i;

	cprintf("I am the parent.  Forking the child...\n");
	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0) {
		cprintf("I am the child.  Spinning...\n");
		for (;;)
			;
	}

	cprintf("I am the parent.  Running the child...\n");
	for (i = 0; i < 8; i++)
		sys_yield();
	cprintf("I am the parent.  Killing the child...\n");
	sys_env_destroy(child);
}
