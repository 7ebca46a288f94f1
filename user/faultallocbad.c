/*
 * The handler of faultalloc would map the page, but the bad address goes
 * straight to the kernel, which must check it without faulting (and so
 * never run our handler).
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
	sys_cputs((char *) 0xDEADBEEF, 4);
}
