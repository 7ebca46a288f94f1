/* Load a kernel-only selector (the TSS, 0x28) into ds: a general
   protection fault with error code 0x28. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	asm volatile("movw $0x28, %%ax; movw %%ax, %%ds" : : : "eax");
}
