/*
 * User-level page fault handling: the kernel sends faults to
 * _pgfault_upcall (lib/pfentry.S), which calls the C handler kept here.
 */
#include <inc/lib.h>

// Called by _pgfault_upcall; NULL until a handler is first set.
void (*_pgfault_handler)(struct UTrapframe *utf);

// Give this env its exception stack, the page-fault and exception
// upcalls' both, unless it has one (mapped, or out on swap).  Returns 0
// or sys_page_alloc's error.
int
exception_stack_ensure(void)
{
	if (pte_of(UXSTACKTOP - PGSIZE) != 0)
		return 0;
	return sys_page_alloc(0, (void *) (UXSTACKTOP - PGSIZE),
			      PTE_P | PTE_U | PTE_W);
}

// Make handler this environment's page fault handler.  The first call
// also gives it an exception stack and registers the upcall with the
// kernel; later calls just swap the handler.
void
set_pgfault_handler(void (*handler)(struct UTrapframe *utf))
{
	int r;

	if (_pgfault_handler == NULL) {
		if ((r = exception_stack_ensure()) < 0)
			panic("set_pgfault_handler: exception stack: %e", r);
		r = sys_env_set_pgfault_upcall(0, _pgfault_upcall);
		if (r < 0)
			panic("set_pgfault_handler: upcall: %e", r);
	}
	// Only if it changes: after a fork this page is copy-on-write, and
	// each fork would otherwise copy it for nothing.
	if (_pgfault_handler != handler)
		_pgfault_handler = handler;
}
