/* Register an upcall but no exception stack: the kernel must destroy us
   rather than push a frame onto an unmapped page. */
#include <inc/lib.h>

void
umain(int argc, char **argv)
{
	sys_env_set_pgfault_upcall(0, _pgfault_upcall);
	*(volatile int *) 0 = 0;
}
