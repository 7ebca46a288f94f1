/* A breakpoint from user mode: the kernel must allow it and start its
   monitor. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	asm volatile("int $3");
}
