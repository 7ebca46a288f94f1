/* Pass the kernel a string that starts in our program but runs a
   mebibyte past it: the kernel must notice the first page we do not own. */
#include <inc/lib.h>

const char *hello = "hello, world\n";

void
umain(int argc, char **argv)
{
	sys_cputs(hello, 1024 * 1024);
}
