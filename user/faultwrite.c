/* Write address 0, which nothing maps: the kernel must kill us. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	*(volatile unsigned *) 0 = 0;
}
