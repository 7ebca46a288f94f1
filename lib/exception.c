/*
 * User exception handlers: the kernel sends the exceptions an env asks
 * for to _exception_upcall (lib/excentry.S), which calls the C handler
 * kept here.
 */
#include <inc/lib.h>

// Called by _exception_upcall.
void (*_exception_handler)(struct UExcframe *uxf);

// Send this env's exceptions in traps (1 << T_..., within UEXC_TRAPS) to
// handler, which may change the frame's registers before the env
// resumes; traps 0 sends none.  The exception stack is the page-fault
// handler's, allocated here if this env has none yet.
void
set_exception_handler(void (*handler)(struct UExcframe *uxf), uint32_t traps)
{
	int r;

	if ((r = exception_stack_ensure()) < 0)
		panic("set_exception_handler: exception stack: %e", r);
	_exception_handler = handler;
	if ((r = sys_env_set_exception_upcall(0, _exception_upcall, traps)) < 0)
		panic("set_exception_handler: %e", r);
}
