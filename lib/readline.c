/*
 * Read one line from the console, for the kernel monitor and for user
 * programs alike (each side supplies getchar, cputchar and iscons).
 */
#include <inc/stdio.h>
#include <inc/error.h>

#define BUFLEN 1024

static char buf[BUFLEN];

// Print prompt (if not NULL) and read a line, echoing it when input comes
// from the console.  Returns the line without its newline, in a static
// buffer the next call overwrites; NULL at end of input or on error.
char *
readline(const char *prompt)
{
	int i = 0, c, echo;

	if (prompt != NULL)
		cprintf("%s", prompt);
	echo = iscons(0);
	for (;;) {
		c = getchar();
		if (c < 0) {
			if (c != -E_EOF)
				cprintf("read error: %e\n", c);
			return NULL;
		} else if (c == '\b' || c == '\x7f') {
			if (i > 0) {
				// Back up, blank the character, back up again:
				// this erases it on a serial terminal too.
				if (echo) {
					cputchar('\b');
					cputchar(' ');
					cputchar('\b');
				}
				i--;
			}
		} else if (c == '\n' || c == '\r') {
			if (echo)
				cputchar('\n');
			buf[i] = '\0';
			return buf;
		} else if (c >= ' ' && i < BUFLEN - 1) {
			if (echo)
				cputchar(c);
			buf[i++] = c;
		}
	}
}
