/* Check that the kernel maps a large, zeroed bss, and that a write past
   the end of it faults. */
#include <inc/lib.h>

#define ARRAYSIZE	(1024 * 1024)

uint32_t bigarray[ARRAYSIZE];	// 4 MiB, all in bss

void
umain(int argc, char **argv)
{
	int i;

	cprintf("Making sure bss works right...\n");
	for (i = 0; i < ARRAYSIZE; i++)
		if (bigarray[i] != 0)
			panic("bigarray[%d] isn't cleared!", i);
	for (i = 0; i < ARRAYSIZE; i++)
		bigarray[i] = i;
	for (i = 0; i < ARRAYSIZE; i++)
		if (bigarray[i] != i)
			panic("bigarray[%d] didn't hold its value!", i);

	cprintf("Yes, good.  Now doing a wild write off the end...\n");
	// Four pages past the end of bss: nothing is mapped there.
	((volatile uint32_t *) bigarray)[ARRAYSIZE + 1024] = 0;
	panic("SHOULD HAVE TRAPPED!!!");
}
