/*
 * Fill an env's exception stack with recursive page faults: a child
 * whose fault handler faults again, each fault pushing one more frame,
 * until there is no room for the next and the kernel must destroy the
 * child (user_mem_check assertion failure).  The parent, untouched,
 * checks that the child got deep before it died, but no deeper than one
 * page holds.
 */
#include <inc/lib.h>

// Shared with the child: how deep its faults went.
#define DEPTH		((volatile int *) 0x00300000)
// A frame: a struct UTrapframe and the empty word below the last one.
#define FRAME		(sizeof(struct UTrapframe) + 4)

static void
handler(struct UTrapframe *utf)
{
	(*DEPTH)++;
	*(volatile int *) 0 = 0;
}

static void
child(void)
{
	volatile uint32_t *stack = (uint32_t *) (USTACKTOP - PGSIZE);

	// Fork shared our stack copy-on-write; take our own copy now, as
	// the handler below copies nothing.
	*stack = *stack;
	set_pgfault_handler(handler);
	*(volatile int *) 0 = 0;
	cprintf("xstackfill: FAIL: the child returned from its faults\n");
}

void
umain(int argc, char **argv)
{
	envid_t kid;
	int r;

	if ((r = sys_page_alloc(0, (void *) DEPTH,
				PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0)
		panic("xstackfill: shared page: %e", r);
	if ((kid = fork()) < 0)
		panic("xstackfill: fork: %e", kid);
	if (kid == 0) {
		child();
		return;
	}
	while (envs[ENVX(kid)].env_id == kid
	       && envs[ENVX(kid)].env_status != ENV_FREE)
		sys_yield();
	if (*DEPTH < 8 || *DEPTH > PGSIZE / FRAME)
		cprintf("xstackfill: FAIL: %d nested faults\n", *DEPTH);
	else
		cprintf("xstackfill: the child took %d nested faults, then "
			"was destroyed\n", *DEPTH);
}
