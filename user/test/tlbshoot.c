/*
 * A parent takes a page away from its child while the child runs on
 * another CPU, reading it in a loop.  The page goes back on the free
 * list, and the parent's next page comes from there: the same page,
 * which the parent fills with a secret.  The child must never read the
 * secret -- it must fault at once, as its CPU may not keep a stale
 * translation of the page.  (With one CPU there is no stale
 * translation to keep; the checks hold all the same.)
 */
#include <inc/lib.h>

#define ROUNDS		20
#define PERM		(PTE_P | PTE_U | PTE_W)
#define PAGE		((volatile uint32_t *) 0x10000000)	// the child's
#define MINE		((volatile uint32_t *) 0x20000000)
#define SHARED		((volatile uint32_t *) 0x00300000)
#define SECRET		0x5ec2e75

enum { LOOPS, SEEN, DONE, MAPPED };	// words of SHARED

// The child: read PAGE until it faults, reporting what it read.
static void
reader_fault(struct UTrapframe *utf)
{
	SHARED[DONE] = 1;
	exit();
}

static void
reader(void)
{
	// Our stack page: the handler below copies nothing.
	*(volatile uint32_t *) (USTACKTOP - PGSIZE) = 0;
	set_pgfault_handler(reader_fault);
	// Another CPU may run us before the parent has given us PAGE.
	while (!SHARED[MAPPED])
		sys_yield();
	for (;;) {
		SHARED[SEEN] = *PAGE;
		SHARED[LOOPS]++;
	}
}

// Returns whether the child read the secret.
static bool
round_leaks(void)
{
	envid_t kid;
	uint32_t loops;
	int r;

	SHARED[SEEN] = SHARED[LOOPS] = SHARED[DONE] = SHARED[MAPPED] = 0;
	if ((kid = fork()) < 0)
		panic("tlbshoot: fork: %e", kid);
	if (kid == 0)
		reader();
	if ((r = sys_page_alloc(kid, (void *) PAGE, PERM)) < 0)
		panic("tlbshoot: page_alloc: %e", r);
	SHARED[MAPPED] = 1;
	while (SHARED[LOOPS] < 100)
		sys_yield();
	sys_page_unmap(kid, (void *) PAGE);
	if ((r = sys_page_alloc(0, (void *) MINE, PERM)) < 0)
		panic("tlbshoot: page_alloc: %e", r);
	*MINE = SECRET;
	loops = SHARED[LOOPS];
	while (!SHARED[DONE] && SHARED[LOOPS] < loops + 100000)
		;
	sys_env_destroy(kid);
	sys_page_unmap(0, (void *) MINE);
	return SHARED[SEEN] == SECRET || !SHARED[DONE];
}

void
umain(int argc, char **argv)
{
	int i, r, nleaks = 0;

	if ((r = sys_page_alloc(0, (void *) SHARED, PERM | PTE_SHARE)) < 0)
		panic("tlbshoot: shared page: %e", r);
	for (i = 0; i < ROUNDS; i++)
		nleaks += round_leaks();
	if (nleaks)
		cprintf("tlbshoot: FAIL: the child read a page after losing "
			"it, %d rounds of %d\n", nleaks, ROUNDS);
	else
		cprintf("tlbshoot: %d rounds, the child faulted every time\n",
			ROUNDS);
}
