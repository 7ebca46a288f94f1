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

// The integer verbs, as data: the base each prints in, whether its
// argument is signed, and whether its digits are upper case.
static const struct intverb {
	char verb;
	char base;
	bool sign;
	bool upper;
} intverbs[] = {
	{ 'd', 10, true, false },
	{ 'i', 10, true, false },
	{ 'u', 10, false, false },
	{ 'o', 8, false, false },
	{ 'x', 16, false, false },
	{ 'X', 16, false, true },
	{ 0 }
};

// The entry of intverbs for verb c, or NULL if c is no integer verb.
static const struct intverb *
intverb(char c)
{
	const struct intverb *v;

	for (v = intverbs; v->verb != 0; v++)
		if (v->verb == c)
			return v;
	return NULL;
}

// Fetch the next integer argument, of the size the 'l's name, widened
// to 64 bits: sign-extended if it is signed, zero-extended if not.
static unsigned long long
getarg(va_list *ap, int lflag, bool sign)
{
	switch (lflag) {
	case 0:
		return sign ? (long long) va_arg(*ap, int)
			    : va_arg(*ap, unsigned int);
	case 1:
		return sign ? (long long) va_arg(*ap, long)
			    : va_arg(*ap, unsigned long);
	default:
		return sign ? va_arg(*ap, long long)
			    : va_arg(*ap, unsigned long long);
	}
}

// Print the next integer argument as verb v asks.  A negative value
// prints as '-' and its magnitude, negated unsigned so that the most
// negative one has a magnitude too.
static void
putint(putch_t putch, void *putdat, struct spec *sp,
       const struct intverb *v, va_list *ap)
{
	unsigned long long n = getarg(ap, sp->lflag, v->sign);

	if (v->sign && (long long) n < 0)
		putnum(putch, putdat, sp, "-", -n, v->base, v->upper);
	else
		putnum(putch, putdat, sp, "", n, v->base, v->upper);
}

// %e: the text for error code err, either sign, or "error N" for a code
// without one.
static void
puterr(putch_t putch, void *putdat, const struct spec *sp, int err)
{
	static const char *const text[MAXERROR] = {
		[E_UNSPECIFIED]		= "unspecified error",
		[E_BAD_ENV]		= "bad environment",
		[E_INVAL]		= "invalid parameter",
		[E_NO_MEM]		= "out of memory",
		[E_NO_FREE_ENV]		= "out of environments",
		[E_FAULT]		= "segmentation fault",
		[E_IPC_NOT_RECV]	= "env is not recving",
		[E_EOF]			= "unexpected end of file",
	};
	// Negated unsigned: INT_MIN has no magnitude as an int, and stays
	// "error -2147483648".
	unsigned int code = err < 0 ? 0u - err : err;

	if (code < MAXERROR && text[code] != NULL)
		putstr(putch, putdat, sp, text[code]);
	else
		printfmt(putch, putdat, "error %d", (int) code);
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

// Print one conversion of verb with the argument it takes, if any.
// Returns false, having printed nothing, for a verb we do not know.
static bool
convert(putch_t putch, void *putdat, struct spec *sp, char verb, va_list *ap)
{
	const struct intverb *iv = intverb(verb);
	char c;

	if (iv != NULL) {
		putint(putch, putdat, sp, iv, ap);
		return true;
	}
	switch (verb) {
	case 'p':
		sp->prec = 8;
		putnum(putch, putdat, sp, "0x",
		       (uintptr_t) va_arg(*ap, void *), 16, false);
		return true;
	case 's':
		putstr(putch, putdat, sp, va_arg(*ap, const char *));
		return true;
	case 'c':
		c = va_arg(*ap, int);
		putfield(putch, putdat, sp, "", 0, &c, 1);
		return true;
	case 'e':
		puterr(putch, putdat, sp, va_arg(*ap, int));
		return true;
	case '%':
		putch('%', putdat);
		return true;
	default:
		return false;
	}
}

void
vprintfmt(putch_t putch, void *putdat, const char *fmt, va_list ap)
{
	const char *start, *verb;
	struct spec sp;

	// Helpers take the list by pointer: on i386 a va_list is a plain
	// pointer, so the helpers' va_arg calls advance ours.
	for (;;) {
		while (*fmt != '%') {
			if (*fmt == '\0')
				return;
			putch(*fmt++, putdat);
		}
		start = fmt;
		verb = parsespec(fmt + 1, &sp, &ap);
		// A format that ends inside a conversion stops at its nul.
		fmt = *verb == '\0' ? verb : verb + 1;
		if (!convert(putch, putdat, &sp, *verb, &ap))
			while (start < fmt)
				putch(*start++, putdat);
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

// Where snprintf's characters go: into the string while room lasts,
// then only counted, so the caller learns the length it would need.
struct strsink {
	char *next;	// where the next stored character goes
	int room;	// characters that still fit before the nul
	int len;	// characters formatted, stored or not
};

static void
strput(int ch, void *arg)
{
	struct strsink *s = arg;

	if (s->room > 0) {
		*s->next++ = ch;
		s->room--;
	}
	s->len++;
}

// Format into str, which holds size bytes, always nul-terminated.
// Returns the length the whole output has (it may have been cut short),
// or -E_INVAL if there is no room even for the nul.
int
vsnprintf(char *str, int size, const char *fmt, va_list ap)
{
	struct strsink s;

	if (str == NULL || size < 1)
		return -E_INVAL;
	s.next = str;
	s.room = size - 1;
	s.len = 0;
	vprintfmt(strput, &s, fmt, ap);
	*s.next = '\0';
	return s.len;
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

// The one cprintf for kernel and user alike: only vcprintf, where the
// characters go, differs (kern/printf.c, lib/printf.c).
int
cprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vcprintf(fmt, ap);
	va_end(ap);
	return n;
}
