/*
 * A page fault handler that maps a page where we faulted and writes a
 * string there.  The second string starts two bytes before a page end, so
 * writing it faults again, inside the handler: a recursive fault.
 */
#include <inc/lib.h>

static void
handler(struct UTrapframe *utf)
{
	uint32_t va = utf->utf_fault_va;
	int r;

	cprintf("fault %x\n", va);
	r = sys_page_alloc(0, (void *) ROUNDDOWN(va, PGSIZE),
			   PTE_P | PTE_U | PTE_W);
	if (r < 0)
		panic("allocating at %x in page fault handler: %e", va, r);
	snprintf((char *) va, 100, "this string was faulted in at %x", va);
}

void
umain(int argc, char **argv)
{
	set_pgfault_handler(handler);
	cprintf("%s\n", (char *) 0xDeadBeef);
	cprintf("%s\n", (char *) 0xCafeBffe);
}
