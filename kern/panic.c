/*
 * Kernel panics and warnings.  Each prints one line, the place and then
 * the caller's message; a panic then keeps this CPU in the monitor for
 * good.  Only the first panic reports: the code a second one comes from
 * (the console, the monitor, another CPU) cannot be trusted to.
 */
#include <inc/stdio.h>
#include <inc/assert.h>
#include <inc/x86.h>
#include <kern/cpu.h>
#include <kern/monitor.h>
#include <kern/kernlock.h>
#include <kern/trace.h>

// Set by the first panic, with xchg so that of two CPUs panicking at
// once exactly one reports.
static volatile uint32_t panicked;

// Finish a line the caller has begun: its message, then the newline.
static void
endline(const char *fmt, va_list ap)
{
	vcprintf(fmt, ap);
	cprintf("\n");
}

void
_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	// Interrupts off: nothing may preempt the report or the monitor.
	// cld: the string instructions must run forwards, whatever the
	// code that panicked left in the direction flag.
	asm volatile("cli; cld");
	if (xchg(&panicked, 1) != 0)
		for (;;)
			asm volatile("hlt");
	kernel_lock_panicking();
	trace_flush();

	cprintf("kernel panic on CPU %d at %s:%d: ", cpunum(), file, line);
	va_start(ap, fmt);
	endline(fmt, ap);
	va_end(ap);
	for (;;)
		monitor(NULL);
}

void
_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	cprintf("kernel warning at %s:%d: ", file, line);
	va_start(ap, fmt);
	endline(fmt, ap);
	va_end(ap);
}
