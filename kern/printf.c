/*
 * Kernel vcprintf: each character goes to the console as it is formatted,
 * with no buffer in between, so a report gets out as far as it got even
 * if the kernel dies in the middle of it.  One call's output is one
 * piece: no other CPU's comes in between (cons_output_begin).  cprintf
 * is in lib/printfmt.c.
 */
#include <inc/types.h>
#include <inc/stdio.h>
#include <inc/stdarg.h>
#include <kern/console.h>

// vprintfmt's sink: the console, counting into *arg.
static void
consput(int ch, void *arg)
{
	int *count = arg;

	cputchar(ch);
	++*count;
}

int
vcprintf(const char *fmt, va_list ap)
{
	int count = 0;
	bool took = cons_output_begin();

	vprintfmt(consput, &count, fmt, ap);
	cons_output_end(took);
	return count;
}
