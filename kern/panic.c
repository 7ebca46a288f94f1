/* Kernel panics and warnings: say where, then stop in the monitor. */
#include <inc/stdio.h>
#include <inc/assert.h>
#include <inc/x86.h>
#include <kern/cpu.h>
#include <kern/monitor.h>

// The first panic's message; set once so a panic inside a panic stops.
static const char *panicstr;

void
_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	// Interrupts off: nothing may preempt the report or the monitor.
	asm volatile("cli; cld");

	// A panic while panicking: the monitor itself may be broken.
	if (panicstr)
		for (;;)
			asm volatile("hlt");
	panicstr = fmt;

	va_start(ap, fmt);
	cprintf("kernel panic on CPU %d at %s:%d: ", cpunum(), file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);

	for (;;)
		monitor(NULL);
}

void
_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cprintf("kernel warning at %s:%d: ", file, line);
	vcprintf(fmt, ap);
	cprintf("\n");
	va_end(ap);
}
