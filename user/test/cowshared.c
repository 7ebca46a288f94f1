/*
 * The system calls on an env's own memory that the kernel serves
 * holding its lock shared (kern/syscall.c's syscall_sharing): after
 * fork, the child writes PAGES pages it shares copy-on-write with its
 * parent, each write a fault sent to lib's handler and a sys_page_copy;
 * then it maps, checks and unmaps a fresh page at a scratch address
 * ALLOCS times (sys_page_alloc, sys_page_unmap), and a region of RPAGES
 * pages ROUNDS times, touching each page (sys_region_map,
 * sys_region_unmap).
 * The copies must hold the child's bytes, the fresh pages zeros, and
 * the parent's pages its own.  The grader counts, with the monitor's
 * locks, how few of those calls took the kernel lock exclusive.
 */
#include <inc/lib.h>

#define PAGES		64
#define ALLOCS		32
#define SCRATCH		((volatile uint32_t *) 0x10000000)
#define ROUNDS		8
#define RPAGES		16
#define REGION		0x20000000
#define PERM		(PTE_P | PTE_U | PTE_W)

static volatile uint32_t data[PAGES][PGSIZE / 4]
	__attribute__((aligned(PGSIZE)));

// Write tag into every page's first and last words.
static void
fill(uint32_t tag)
{
	int i;

	for (i = 0; i < PAGES; i++)
		data[i][0] = data[i][PGSIZE / 4 - 1] = tag + i;
}

// How many pages do not hold tag's words, or are still copy-on-write
// (want_cow false) or not (true)?
static int
misfilled(uint32_t tag, bool want_cow)
{
	int i, bad = 0;

	for (i = 0; i < PAGES; i++)
		bad += data[i][0] != tag + i || data[i][PGSIZE / 4 - 1] != tag + i
			|| !(uvpt[PGNUM(data[i])] & PTE_COW) != !want_cow;
	return bad;
}

// Map, check and unmap a fresh page at SCRATCH, ALLOCS times.  Returns
// how many times it was not all zeros or not there.
static int
alloc_scratch(void)
{
	int n, i, bad = 0, r;

	for (n = 0; n < ALLOCS; n++) {
		if ((r = sys_page_alloc(0, (void *) SCRATCH, PERM)) < 0)
			panic("cowshared: page_alloc: %e", r);
		for (i = 0; i < PGSIZE / 4; i++)
			bad += SCRATCH[i] != 0;
		SCRATCH[n] = n + 1;
		if ((r = sys_page_unmap(0, (void *) SCRATCH)) < 0)
			panic("cowshared: page_unmap: %e", r);
		bad += (uvpt[PGNUM(SCRATCH)] & PTE_P) != 0;
	}
	return bad;
}

// Map, touch, check and unmap a region of RPAGES pages, ROUNDS times.
// Returns how many pages were not zeros or stayed mapped.
static int
region_rounds(void)
{
	volatile uint32_t *page;
	int n, i, bad = 0, r;
	void *va;

	for (n = 0; n < ROUNDS; n++) {
		va = (void *) REGION;
		if ((r = sys_region_map(0, &va, RPAGES * PGSIZE,
					PERM, REGION_FIXED)) < 0)
			panic("cowshared: region_map: %e", r);
		// A write first: a read would map the zero page, which
		// the write then replaces (a fault the kernel serves
		// exclusive, kern/demand.c).
		for (i = 0; i < RPAGES; i++) {
			page = (volatile uint32_t *) (REGION + i * PGSIZE);
			page[0] = n + 1;
			bad += page[1] != 0;
		}
		if ((r = sys_region_unmap(0, va, RPAGES * PGSIZE)) < 0)
			panic("cowshared: region_unmap: %e", r);
		for (i = 0; i < RPAGES; i++)
			bad += (uvpt[PGNUM(REGION + i * PGSIZE)] & PTE_P) != 0;
	}
	return bad;
}

void
umain(int argc, char **argv)
{
	envid_t child;
	int bad;

	fill(0x1000);
	if ((child = fork()) < 0)
		panic("cowshared: fork: %e", child);
	if (child == 0) {
		// Both sides share the pages copy-on-write now.
		bad = misfilled(0x1000, true);
		fill(0x2000);
		bad += misfilled(0x2000, false) + alloc_scratch()
			+ region_rounds();
		cprintf("cowshared: child copied %d pages, %d fresh pages, "
			"%d regions, %d wrong\n", PAGES, ALLOCS, ROUNDS, bad);
		ipc_send(thisenv->env_parent_id, 0, NULL, 0);
		return;
	}
	ipc_recv(NULL, NULL, NULL);
	cprintf("cowshared: parent's pages %s\n",
		misfilled(0x1000, true) ? "CHANGED" : "kept");
}
