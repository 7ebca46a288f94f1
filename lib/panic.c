/*
 * User panic and warn.  Each prints one line naming the env, the
 * program and the place, then the caller's message; a panic then stops
 * in the kernel monitor through a breakpoint.
 */
#include <inc/lib.h>

// Print "[ENVID] user KIND in PROGRAM at FILE:LINE: " and the message.
static void
report(const char *kind, const char *file, int line,
       const char *fmt, va_list ap)
{
	cprintf("[%08x] user %s in %s at %s:%d: ",
		sys_getenvid(), kind, binaryname, file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
}

void
_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("panic", file, line, fmt, ap);
	va_end(ap);
	// The monitor may resume us past the int3 (continue): trap again,
	// since a panic must not return.
	for (;;)
		asm volatile("int3");
}

void
_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("warning", file, line, fmt, ap);
	va_end(ap);
}
