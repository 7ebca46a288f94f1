/* An upcall pointing into the kernel: the kernel must refuse to send our
   fault there. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	sys_page_alloc(0, (void *) (UXSTACKTOP - PGSIZE),
		       PTE_P | PTE_U | PTE_W);
	sys_env_set_pgfault_upcall(0, (void *) 0xF0100020);
	*(volatile int *) 0 = 0;
}
