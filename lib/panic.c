/* User-level panic and warn: report where, then stop in the kernel. */
#include <inc/lib.h>

// Print "[envid] user panic in PROGRAM at FILE:LINE: message", then trap
// into the kernel with a breakpoint, which starts its monitor.  Nothing
// can resume us past it, so keep trapping.
void
_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cprintf("[%08x] user panic in %s at %s:%d: ",
		sys_getenvid(), binaryname, file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);
	for (;;)
		asm volatile("int3");
}

void
_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cprintf("[%08x] user warning in %s at %s:%d: ",
		sys_getenvid(), binaryname, file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);
}
