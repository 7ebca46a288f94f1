/* Read address 0, which nothing maps: the kernel must kill us. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	cprintf("I read %08x from location 0!\n", *(volatile unsigned *) 0);
}
