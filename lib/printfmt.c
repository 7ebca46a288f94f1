/*
 * The one formatter behind every printf in the kernel and the user library.
 *
 * vprintfmt walks the format once and hands each output character to a
 * putch callback; the callers decide where characters go (the console,
 * a buffer flushed by sys_cputs, a string for snprintf).
 *
 * A conversion is %[flags][width][.precision][length]verb:
 *   flags      '-' pad on the right, '0' pad numbers with zeros
 *   width      a number or '*' (taken from the arguments; negative means '-')
 *   precision  minimum digits for numbers, maximum characters for %s
 *   length     'l' or 'll' (long is 32 bits here, long long 64)
 *   verb       d i u o x X p s c e %
 * A verb we do not know is printed as written, from the '%' on.
 */
#include <inc/types.h>
#include <inc/stdio.h>
#include <inc/stdarg.h>
#include <inc/string.h>
#include <inc/error.h>

// What %e prints for each error code.
static const char *const error_string[MAXERROR] = {
	[E_UNSPECIFIED]		= "unspecified error",
	[E_BAD_ENV]		= "bad environment",
	[E_INVAL]		= "invalid parameter",
	[E_NO_MEM]		= "out of memory",
	[E_NO_FREE_ENV]		= "out of environments",
	[E_FAULT]		= "segmentation fault",
	[E_IPC_NOT_RECV]	= "env is not recving",
	[E_EOF]			= "unexpected end of file",
};

// One parsed conversion.
struct spec {
	int width;	// minimum field width
	int prec;	// precision, -1 when absent
	bool left;	// '-': pad after the text
	bool zero;	// '0': pad numbers with zeros
	int lflag;	// number of 'l's
};

typedef void (*putch_t)(int, void *);

static void
putrep(putch_t putch, void *putdat, int c, int n)
{
	while (n-- > 0)
		putch(c, putdat);
}

// Emit prefix, then 'zeros' zeros, then len bytes of body, padded out to
// the field width.  Zero padding goes after the prefix ("0x0001"), space
// padding before it.
static void
putfield(putch_t putch, void *putdat, const struct spec *sp,
	 const char *prefix, int zeros, const char *body, int len)
{
	int plen = strlen(prefix);
	int pad = sp->width - (plen + zeros + len);

	if (pad < 0)
		pad = 0;
	if (!sp->left && !sp->zero)
		putrep(putch, putdat, ' ', pad);
	while (*prefix)
		putch(*prefix++, putdat);
	if (!sp->left && sp->zero)
		zeros += pad;
	putrep(putch, putdat, '0', zeros);
	while (len-- > 0)
		putch(*body++, putdat);
	if (sp->left)
		putrep(putch, putdat, ' ', pad);
}

// Print num in the given base with an optional sign or "0x" prefix.
static void
putnum(putch_t putch, void *putdat, struct spec *sp,
       const char *prefix, unsigned long long num, int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];		// 22 octal digits cover 64 bits
	char *p = buf + sizeof(buf);
	int len, zeros;

	// Narrow values, the common case, avoid 64-bit division.
	if (num <= 0xFFFFFFFFULL) {
		uint32_t n = num;
		do
			*--p = digits[n % base];
		while ((n /= base) != 0);
	} else {
		do
			*--p = digits[num % base];
		while ((num /= base) != 0);
	}
	len = buf + sizeof(buf) - p;
	if (sp->prec == 0 && len == 1 && *p == '0')
		len = 0;	// C: zero with precision 0 prints no digits
	zeros = sp->prec > len ? sp->prec - len : 0;
	if (sp->prec >= 0)
		sp->zero = false;	// C: a precision overrides the '0' flag
	putfield(putch, putdat, sp, prefix, zeros, p, len);
}

static void
putstr(putch_t putch, void *putdat, const struct spec *sp, const char *s)
{
	int len;

	if (s == NULL)
		s = "(null)";
	len = sp->prec >= 0 ? strnlen(s, sp->prec) : strlen(s);
	putfield(putch, putdat, sp, "", 0, s, len);
}

static unsigned long long
getuint(va_list *ap, int lflag)
{
	if (lflag >= 2)
		return va_arg(*ap, unsigned long long);
	if (lflag == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static long long
getint(va_list *ap, int lflag)
{
	if (lflag >= 2)
		return va_arg(*ap, long long);
	if (lflag == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

// Read a decimal number or '*' at *fmt; returns it and advances *fmt.
static int
getcount(const char **fmt, va_list *ap)
{
	int n = 0;

	if (**fmt == '*') {
		(*fmt)++;
		return va_arg(*ap, int);
	}
	while (**fmt >= '0' && **fmt <= '9')
		n = n * 10 + *(*fmt)++ - '0';
	return n;
}

// Parse flags, width, precision and length at fmt into *sp; returns a
// pointer to the verb.
static const char *
parsespec(const char *fmt, struct spec *sp, va_list *ap)
{
	sp->left = sp->zero = false;
	sp->prec = -1;
	sp->lflag = 0;
	for (;; fmt++) {
		if (*fmt == '-')
			sp->left = true;
		else if (*fmt == '0')
			sp->zero = true;
		else
			break;
	}
	sp->width = getcount(&fmt, ap);
	if (sp->width < 0) {
		sp->left = true;
		sp->width = -sp->width;
	}
	if (*fmt == '.') {
		fmt++;
		sp->prec = getcount(&fmt, ap);
		if (sp->prec < 0)
			sp->prec = -1;	// C: a negative '*' precision is absent
	}
	while (*fmt == 'l') {
		sp->lflag++;
		fmt++;
	}
	if (sp->left)
		sp->zero = false;
	return fmt;
}

static void
puterr(putch_t putch, void *putdat, const struct spec *sp, int err)
{
	if (err < 0)
		err = -err;	// INT_MIN stays negative: "error -2147483648"
	if (err >= 0 && err < MAXERROR && error_string[err] != NULL)
		putstr(putch, putdat, sp, error_string[err]);
	else
		printfmt(putch, putdat, "error %d", err);
}

void
vprintfmt(putch_t putch, void *putdat, const char *fmt, va_list ap)
{
	const char *start, *verb;
	struct spec sp;
	long long n;
	char c;

	// Helpers take the list by pointer: on i386 a va_list is a plain
	// pointer, so the helpers' va_arg calls advance ours.
	for (;;) {
		while (*fmt != '%') {
			if (*fmt == '\0')
				return;
			putch(*fmt++, putdat);
		}
		start = fmt++;
		verb = parsespec(fmt, &sp, &ap);
		fmt = verb + 1;
		switch (*verb) {
		case 'd':
		case 'i':
			n = getint(&ap, sp.lflag);
			if (n < 0)
				putnum(putch, putdat, &sp, "-",
				       -(unsigned long long) n, 10, false);
			else
				putnum(putch, putdat, &sp, "", n, 10, false);
			break;
		case 'u':
			putnum(putch, putdat, &sp, "",
			       getuint(&ap, sp.lflag), 10, false);
			break;
		case 'o':
			putnum(putch, putdat, &sp, "",
			       getuint(&ap, sp.lflag), 8, false);
			break;
		case 'x':
		case 'X':
			putnum(putch, putdat, &sp, "",
			       getuint(&ap, sp.lflag), 16, *verb == 'X');
			break;
		case 'p':
			sp.prec = 8;
			putnum(putch, putdat, &sp, "0x",
			       (uintptr_t) va_arg(ap, void *), 16, false);
			break;
		case 's':
			putstr(putch, putdat, &sp, va_arg(ap, const char *));
			break;
		case 'c':
			c = va_arg(ap, int);
			putfield(putch, putdat, &sp, "", 0, &c, 1);
			break;
		case 'e':
			puterr(putch, putdat, &sp, va_arg(ap, int));
			break;
		case '%':
			putch('%', putdat);
			break;
		case '\0':
			// The format ended inside a conversion: print it as is.
			fmt = verb;
			// fall through
		default:
			while (start < fmt)
				putch(*start++, putdat);
			break;
		}
	}
}

void
printfmt(putch_t putch, void *putdat, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintfmt(putch, putdat, fmt, ap);
	va_end(ap);
}

// snprintf's sink: stores while there is room, counts always.
struct sprintbuf {
	char *buf;
	char *ebuf;	// last byte, kept for the terminating nul
	int cnt;
};

static void
sprintputch(int ch, void *arg)
{
	struct sprintbuf *b = arg;

	b->cnt++;
	if (b->buf < b->ebuf)
		*b->buf++ = ch;
}

// Format into str, which holds size bytes, always nul-terminated.
// Returns the length the whole output has (it may have been cut short),
// or -E_INVAL if there is no room even for the nul.
int
vsnprintf(char *str, int size, const char *fmt, va_list ap)
{
	struct sprintbuf b = { str, str + size - 1, 0 };

	if (str == NULL || size < 1)
		return -E_INVAL;
	vprintfmt(sprintputch, &b, fmt, ap);
	*b.buf = '\0';
	return b.cnt;
}

int
snprintf(char *str, int size, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(str, size, fmt, ap);
	va_end(ap);
	return r;
}
