/*
 * User vcprintf: format into a buffer on the stack and hand it to the
 * kernel with one sys_cputs per call (more only when the output
 * overflows the buffer), so output of concurrent environments does not
 * interleave character by character.  cprintf is in lib/printfmt.c.
 */
#include <inc/lib.h>

struct printbuf {
	int len;		// bytes waiting in buf
	int total;		// bytes formatted so far
	char buf[256];
};

static void
flush(struct printbuf *b)
{
	sys_cputs(b->buf, b->len);
	b->len = 0;
}

// vprintfmt's sink.  A full buffer is sent only when one more byte
// comes, so the call's last piece is always left for vcprintf to send.
static void
bufput(int ch, void *arg)
{
	struct printbuf *b = arg;

	if (b->len == sizeof(b->buf))
		flush(b);
	b->buf[b->len++] = ch;
	b->total++;
}

int
vcprintf(const char *fmt, va_list ap)
{
	struct printbuf b;

	b.len = b.total = 0;	// not the buffer: no need to clear it
	vprintfmt(bufput, &b, fmt, ap);
	flush(&b);
	return b.total;
}
