/* Do nothing, politely: give the CPU away forever. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	binaryname = "idle";
	for (;;)
		sys_yield();
}
