/* Console input and output for user programs, through system calls. */
#include <inc/lib.h>

void
cputchar(int ch)
{
	char c = ch;

	sys_cputs(&c, 1);
}

// Wait for a key, giving the CPU away while none is there.
// Returns the character, or a negative error code.
int
getchar(void)
{
	int c;

	while ((c = sys_cgetc()) == 0)
		sys_yield();
	return c;
}

// Every file descriptor is the console: there is no file system yet.
int
iscons(int fd)
{
	return 1;
}
