/*
 * String and memory functions for the kernel and user programs.
 *
 * memset, memcpy and memmove move whole 32-bit words with rep stosl or
 * rep movsl once the pointers are word-aligned: the kernel clears and
 * copies whole pages through them, and a byte at a time is four times
 * the work.
 */
#include <inc/string.h>

int
strlen(const char *s)
{
	int n;

	for (n = 0; s[n] != '\0'; n++)
		;
	return n;
}

// Length of s, but look at no more than size bytes.
int
strnlen(const char *s, size_t size)
{
	int n;

	for (n = 0; size > 0 && s[n] != '\0'; n++, size--)
		;
	return n;
}

char *
strcpy(char *dst, const char *src)
{
	char *d = dst;

	while ((*d++ = *src++) != '\0')
		;
	return dst;
}

char *
strcat(char *dst, const char *src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

// Copy at most size bytes of src; a short src is padded with nuls, a long
// one leaves dst unterminated (the C definition).
char *
strncpy(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i < size && src[i] != '\0'; i++)
		dst[i] = src[i];
	for (; i < size; i++)
		dst[i] = '\0';
	return dst;
}

// Copy src into the size-byte buffer dst, always nul-terminated when
// size > 0.  Returns the length of the string left in dst.
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return 0;
	while (n + 1 < size && src[n] != '\0') {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
	return n;
}

int
strcmp(const char *s1, const char *s2)
{
	while (*s1 != '\0' && *s1 == *s2)
		s1++, s2++;
	return (unsigned char) *s1 - (unsigned char) *s2;
}

int
strncmp(const char *s1, const char *s2, size_t size)
{
	for (; size > 0; s1++, s2++, size--)
		if (*s1 == '\0' || *s1 != *s2)
			return (unsigned char) *s1 - (unsigned char) *s2;
	return 0;
}

// First c in s, or NULL.
char *
strchr(const char *s, char c)
{
	for (; *s != '\0'; s++)
		if (*s == c)
			return (char *) s;
	return NULL;
}

// First c in s, or the terminating nul if there is none.
char *
strfind(const char *s, char c)
{
	while (*s != '\0' && *s != c)
		s++;
	return (char *) s;
}

void *
memset(void *dst, int c, size_t len)
{
	uint8_t *p = dst;
	uint32_t word = (uint8_t) c * 0x01010101U;
	size_t words;

	for (; len > 0 && (uintptr_t) p % 4 != 0; len--)
		*p++ = c;
	words = len / 4;
	asm volatile("cld; rep stosl"
		     : "+D" (p), "+c" (words)
		     : "a" (word)
		     : "cc", "memory");
	for (len %= 4; len > 0; len--)
		*p++ = c;
	return dst;
}

// Copy upward, low addresses first: safe when dst is below src.
static void
copy_up(uint8_t *d, const uint8_t *s, size_t len)
{
	size_t n;

	if ((uintptr_t) d % 4 == (uintptr_t) s % 4) {
		for (; len > 0 && (uintptr_t) d % 4 != 0; len--)
			*d++ = *s++;
		n = len / 4;
		asm volatile("cld; rep movsl"
			     : "+D" (d), "+S" (s), "+c" (n)
			     : : "cc", "memory");
		len %= 4;
	}
	asm volatile("cld; rep movsb"
		     : "+D" (d), "+S" (s), "+c" (len)
		     : : "cc", "memory");
}

// Copy downward, high addresses first: safe when dst is above src.
// The direction flag is set only for the copy and cleared after, as the
// C calling convention expects.
static void
copy_down(uint8_t *d, const uint8_t *s, size_t len)
{
	size_t n;

	d += len;
	s += len;
	if ((uintptr_t) d % 4 == (uintptr_t) s % 4) {
		for (; len > 0 && (uintptr_t) d % 4 != 0; len--)
			*--d = *--s;
		n = len / 4;
		d -= 4;
		s -= 4;
		asm volatile("std; rep movsl; cld"
			     : "+D" (d), "+S" (s), "+c" (n)
			     : : "cc", "memory");
		d += 4;
		s += 4;
		len %= 4;
	}
	d--;
	s--;
	asm volatile("std; rep movsb; cld"
		     : "+D" (d), "+S" (s), "+c" (len)
		     : : "cc", "memory");
}

void *
memcpy(void *dst, const void *src, size_t len)
{
	copy_up(dst, src, len);
	return dst;
}

// Like memcpy, but the two areas may overlap.
void *
memmove(void *dst, const void *src, size_t len)
{
	const uint8_t *s = src;
	uint8_t *d = dst;

	if (d > s && d < s + len)
		copy_down(d, s, len);
	else
		copy_up(d, s, len);
	return dst;
}

int
memcmp(const void *v1, const void *v2, size_t len)
{
	const uint8_t *s1 = v1, *s2 = v2;

	for (; len > 0; s1++, s2++, len--)
		if (*s1 != *s2)
			return (int) *s1 - (int) *s2;
	return 0;
}

// First byte equal to c in the len bytes at s, or s + len.
void *
memfind(const void *s, int c, size_t len)
{
	const uint8_t *p = s, *end = p + len;

	for (; p < end; p++)
		if (*p == (uint8_t) c)
			break;
	return (void *) p;
}

// The value of digit c in any base up to 36, or 36 if c is no digit.
static int
digitval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 36;
}

// Parse an integer: leading blanks, an optional sign, then digits in base
// (2 to 36).  Base 0 reads "0x..." as hex, "0..." as octal, else decimal;
// base 16 also accepts a "0x" prefix.  *endptr, if given, is set to the
// first unused character.
long
strtol(const char *s, char **endptr, int base)
{
	bool neg = false;
	long val = 0;
	int d;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if ((base == 0 || base == 16) && s[0] == '0'
	    && (s[1] == 'x' || s[1] == 'X') && digitval(s[2]) < 16) {
		s += 2;
		base = 16;
	} else if (base == 0)
		base = s[0] == '0' ? 8 : 10;
	for (; (d = digitval(*s)) < base; s++)
		val = val * base + d;
	if (endptr)
		*endptr = (char *) s;
	return neg ? -val : val;
}
