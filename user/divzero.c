/* Divide by zero: the kernel must catch the trap and destroy us. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	// Both volatile: GCC folds a constant zero divisor, and turns 1/x
	// into a comparison that never divides.
	volatile int one = 1, zero = 0;

	cprintf("1/0 is %08x!\n", one / zero);
}
