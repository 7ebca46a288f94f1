/* Pass the kernel a string at address 1, which we do not own.  The kernel
   must refuse and destroy us rather than read it. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	sys_cputs((char *) 1, 1);
}
