/*
 * User cprintf: format into a buffer on the stack and hand it to the
 * kernel with one sys_cputs per call (more only when a line overflows
 * the buffer), so output of concurrent environments does not interleave
 * character by character.
 */
#include <inc/lib.h>

struct printbuf {
	int len;		// bytes waiting in buf
	int cnt;		// bytes formatted so far
	char buf[256];
};

static void
putch(int ch, void *arg)
{
	struct printbuf *b = arg;

	b->buf[b->len++] = ch;
	if (b->len == sizeof(b->buf)) {
		sys_cputs(b->buf, b->len);
		b->len = 0;
	}
	b->cnt++;
}

int
vcprintf(const char *fmt, va_list ap)
{
	struct printbuf b;

	b.len = 0;
	b.cnt = 0;
	vprintfmt(putch, &b, fmt, ap);
	sys_cputs(b.buf, b.len);
	return b.cnt;
}

int
cprintf(const char *fmt, ...)
{
	va_list ap;
	int cnt;

	va_start(ap, fmt);
	cnt = vcprintf(fmt, ap);
	va_end(ap);
	return cnt;
}
