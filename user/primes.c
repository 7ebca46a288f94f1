/*
 * A prime sieve built of environments.  The first one generates 2, 3, 4,
 * ...; each filter prints the first number it gets, which is prime, then
 * forwards only the numbers that prime does not divide to a new filter.
 */
#include <inc/lib.h>

// Become a filter.  A filter's first number p is prime: print it, fork
// the next filter, and pass on what p does not divide.  The child of
// that fork starts over here, waiting for its own first number.
static void
filter(void)
{
	envid_t from, next;
	int p, n;

	do {
		p = ipc_recv(&from, 0, 0);
		// The kernel's "new env" line for the fork ends this line.
		cprintf("CPU %d: %d ", thisenv->env_cpunum, p);
		if ((next = fork()) < 0)
			panic("fork: %e", next);
	} while (next == 0);

	for (;;) {
		n = ipc_recv(&from, 0, 0);
		if (n % p != 0)
			ipc_send(next, n, 0, 0);
	}
}

void
umain(int argc, char **argv)
{
	envid_t first;
	uint32_t n;

	if ((first = fork()) < 0)
		panic("fork: %e", first);
	if (first == 0)
		filter();
	for (n = 2; ; n++)
		ipc_send(first, n, 0, 0);
}
