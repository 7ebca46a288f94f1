/*
 * fork done the slow, simple way: give the child a private copy of every
 * page we use, right away.  Tests sys_exofork and the page calls.
 */
#include <inc/lib.h>

// Give child its own copy of our page at va, written through UTEMP.
static void
copypage(envid_t child, void *va)
{
	int r;

	if ((r = sys_page_alloc(child, va, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_page_alloc: %e", r);
	if ((r = sys_page_map(child, va, 0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_page_map: %e", r);
	memmove(UTEMP, va, PGSIZE);
	if ((r = sys_page_unmap(0, UTEMP)) < 0)
		panic("sys_page_unmap: %e", r);
}

static envid_t
dumbfork(void)
{
	envid_t child;
	uint8_t *va;
	int r;

	child = sys_exofork();
	if (child < 0)
		panic("sys_exofork: %e", child);
	if (child == 0) {
		thisenv = &envs[ENVX(sys_getenvid())];
		return 0;
	}

	// The program's text, data and bss, then the stack page we run on.
	for (va = (uint8_t *) UTEXT; va < end; va += PGSIZE)
		copypage(child, va);
	copypage(child, ROUNDDOWN(&va, PGSIZE));

	if ((r = sys_env_set_status(child, ENV_RUNNABLE)) < 0)
		panic("sys_env_set_status: %e", r);
	return child;
}

void
umain(int argc, char **argv)
{
	envid_t who;
	int i;

	who = dumbfork();
	for (i = 0; i < (who ? 10 : 20); i++) {
		cprintf("%d: I am the %s.\n", i, who ? "parent" : "child");
		sys_yield();
	}
}
