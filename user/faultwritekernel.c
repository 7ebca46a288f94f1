/* Write kernel memory: mapped, but not for us. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	*(volatile unsigned *) 0xf0100000 = 0;
}
