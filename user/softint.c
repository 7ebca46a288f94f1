/* Raise the page-fault vector with int: user code may not, so the kernel
   must see a general protection fault instead. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	asm volatile("int $14");
}
