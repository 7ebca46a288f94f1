/*
 * Fork with memory all but full, so that the room sys_page_cow_range
 * makes before it looks at any entry sends the caller's stack page out
 * to swap: the child must still start with the stack the parent had at
 * the call (fork copies that page rather than share it, when it is in).
 * Locked pages, which never go out, fill memory; the child is given a
 * page table where the stack is, so that the stack page is the one page
 * of ours that may go out while the child is built (kern/swap.c).
 */
#include <inc/lib.h>
#include <inc/x86.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define FILL		0x10000000	// the locked pages, nfill of them
#define FILL_END	0x20000000
#define SPARE		3	// frames left free before the range call
#define NWORDS		64	// the canary on the parent's stack

static int nfill;
static int nfail;
static uint32_t out_at_fork;	// our pages sent out by the range call

static void
check(const char *what, bool ok)
{
	if (ok)
		return;
	cprintf("forkstackout: FAIL: %s\n", what);
	nfail++;
}

static struct VmStat
vm_stat(void)
{
	struct VmStat st;

	sys_vm_stat(0, &st);
	return st;
}

static uint32_t
pages_out(void)
{
	struct VmStat st = vm_stat();

	return st.env.swapouts + st.env.dropped;
}

// fork's map: the stack's 4 MiB first, with memory all but full, then
// the rest (FILL's pages are not the child's).
static int
map_squeezed(envid_t child)
{
	void *stack_table = ROUNDDOWN((void *) read_esp(), PTSIZE);
	uint32_t out;
	int r, i;

	if ((r = sys_page_alloc(child, stack_table, RW)) < 0
	    || (r = sys_page_unmap(child, stack_table)) < 0)
		return r;
	for (; vm_stat().frames_free > SPARE; nfill++)
		if ((r = sys_page_alloc(0, (void *) (FILL + nfill * PGSIZE),
					RW | PTE_LOCK)) < 0)
			return r;
	out = pages_out();
	r = sys_page_cow_range(child, (void *) FILL_END,
			       (void *) (UXSTACKTOP - PGSIZE));
	out_at_fork = pages_out() - out;
	for (i = 0; i < nfill; i++)
		sys_page_unmap(0, (void *) (FILL + i * PGSIZE));
	if (r < 0)
		return r;
	return sys_page_cow_range(child, 0, (void *) FILL);
}

static uint32_t
canary(int i)
{
	return 0xc0ffee00 + i * 0x01010101;
}

void
umain(int argc, char **argv)
{
	volatile uint32_t words[NWORDS];
	envid_t kid;
	int i, wrong = 0;

	for (i = 0; i < NWORDS; i++)
		words[i] = canary(i);
	if ((kid = fork_with(map_squeezed)) < 0)
		panic("forkstackout: fork: %e", kid);
	for (i = 0; i < NWORDS; i++)
		wrong += words[i] != canary(i);
	if (kid == 0) {
		cprintf("forkstackout: the child's stack has %d wrong words\n",
			wrong);
		return;
	}
	wait_env_gone(kid);
	check("our stack intact", wrong == 0);
	check("the stack went out during fork", out_at_fork > 0);
	cprintf("forkstackout: %d pages filled memory, %u went out at fork, "
		"%d failures\n", nfill, out_at_fork, nfail);
}
