/* Ask the kernel to print its own memory for us: it must refuse, since
   user programs may not read above ULIM. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	sys_cputs((char *) 0xf010000c, 100);
}
