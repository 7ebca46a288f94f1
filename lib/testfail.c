/*
 * For test programs: a failure is reported as "NAME: FAIL: what" (the
 * program's binaryname, which it sets) and counted, and the program
 * goes on, to report the rest.
 */
#include <inc/lib.h>

int test_failures;

void
test_fail(const char *fmt, ...)
{
	char buf[120];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cprintf("%s: FAIL: %s\n", binaryname, buf);
	test_failures++;
}
