/*
 * Shared pages never go out to swap: after a fork, a page the parent
 * and child share copy-on-write stays resident however low the parent's
 * frame limit, until a write gives the parent a copy of its own.  The
 * first line measures how much of a forked program's memory the rule
 * keeps in; the second shows the region's pages go out once private;
 * the child, last, finds its view of them unchanged.
 */
#include <inc/lib.h>

#define REGION	0x10000000
#define NPAGES	64

static int nfail;

// Every page's first word is its number plus add.
static void
fill(int add)
{
	int i;

	for (i = 0; i < NPAGES; i++)
		*(volatile int *) (REGION + i * PGSIZE) = i + add;
}

static void
check(const char *who, int add)
{
	int i, got;

	for (i = 0; i < NPAGES; i++)
		if ((got = *(volatile int *) (REGION + i * PGSIZE)) != i + add) {
			cprintf("swapshared: FAIL: %s page %d has %d\n",
				who, i, got);
			nfail++;
		}
}

static void
expect(const char *what, bool ok)
{
	if (!ok) {
		cprintf("swapshared: FAIL: %s\n", what);
		nfail++;
	}
}

static void
child(void)
{
	ipc_recv(0, 0, 0);
	check("the child's", 1);
	cprintf("swapshared: the child's pages intact, %d failures\n",
		nfail);
}

static void
squeeze(uint32_t limit)
{
	int r;

	if ((r = sys_env_set_frame_limit(0, limit)) < 0)
		panic("swapshared: frame limit %u: %e", limit, r);
}

// How many pages we have present, anywhere below UTOP.
static uint32_t
present_pages(void)
{
	uint32_t pdx, i, n = 0;

	for (pdx = 0; pdx < PDX(UTOP); pdx++)
		if (uvpd[pdx] & PTE_P)
			for (i = 0; i < NPTENTRIES; i++)
				n += uvpt[pdx * NPTENTRIES + i] & PTE_P;
	return n;
}

void
umain(int argc, char **argv)
{
	void *va = (void *) REGION;
	uint32_t before, stuck;
	envid_t kid;
	int r, out;

	// Our own pages in and locked before the fork: a page of our text
	// first touched after it would be ours alone, counted, and with a
	// loop that spans it and another, a limit of 1 is less than we need
	// to go on (each touch of one sends the other out).
	lock_self();
	if ((r = sys_region_map(0, &va, NPAGES * PGSIZE,
				PTE_P | PTE_U | PTE_W, REGION_FIXED)) < 0)
		panic("swapshared: region_map: %e", r);
	fill(1);
	// A generous limit already, so that the fork itself is counted: the
	// pages it shares must stop counting toward the limit.
	squeeze(4 * NPAGES);
	if ((kid = fork()) < 0)
		panic("swapshared: fork: %e", kid);
	if (kid == 0) {
		child();
		return;
	}
	before = present_pages();
	squeeze(1);
	stuck = present_pages();
	out = pages_swapped(REGION, NPAGES);
	cprintf("swapshared: after fork, a limit of 1 left %u of our %u "
		"pages in; of the region's %d, %d went out\n",
		stuck, before, NPAGES, out);
	expect("shared pages that went out", out == 0);
	squeeze(0);
	fill(2);
	squeeze(4);
	out = pages_swapped(REGION, NPAGES);
	cprintf("swapshared: written, %d of the region's %d pages went "
		"out\n", out, NPAGES);
	// Of the 4 frames, the stack and the exception stack may hold 2.
	expect("private pages that went out", out >= NPAGES - 4);
	check("the parent's", 2);
	squeeze(0);
	ipc_send(kid, 0, 0, 0);
	wait_env_gone(kid);
	cprintf("swapshared: %d failures\n", nfail);
}
