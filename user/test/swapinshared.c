/*
 * Pages come back from swap beside other CPUs.  Each of NWORKERS
 * children writes NPAGES pages of a region, sends them out with a frame
 * limit of LIMIT, lifts the limit, and then reads the even pages and
 * writes the odd ones, checking every word.  With frames to spare and
 * no limit, each page back from swap is a trap served holding the
 * kernel lock shared (kern/demand.c), its read under ide_lock; a read
 * keeps the page's slot as its clean copy, a write lets it go, and the
 * exit that follows lets go of the rest, holding the lock shared too.
 * The grader counts the exclusive kernel lock on one CPU, and runs the
 * workers side by side on four.
 */
#include <inc/lib.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define AREA		0x30000000
#define NPAGES		64
#define LIMIT		4
#define NWORKERS	2
#define WORDS_PER_PAGE	(PGSIZE / sizeof(uint32_t))
#define LIFTED		((volatile uint32_t *) 0x00300000)	// PTE_SHARE

static uint32_t
word(int worker, int page, uint32_t j)
{
	return ((uint32_t) worker << 24 | page << 12 | j) * 0x9e3779b1U + 7;
}

static volatile uint32_t *
page_words(int page)
{
	return (volatile uint32_t *) (AREA + page * PGSIZE);
}

static void
fill(int worker, int page, uint32_t salt)
{
	volatile uint32_t *w = page_words(page);
	uint32_t j;

	for (j = 0; j < WORDS_PER_PAGE; j++)
		w[j] = word(worker, page, j) ^ salt;
}

// The words of page that are not what fill(worker, page, salt) wrote.
static int
wrong_words(int worker, int page, uint32_t salt)
{
	volatile uint32_t *w = page_words(page);
	uint32_t j;
	int n = 0;

	for (j = 0; j < WORDS_PER_PAGE; j++)
		n += w[j] != (word(worker, page, j) ^ salt);
	return n;
}

static struct VmCounts
counts(void)
{
	struct VmStat st;
	int r;

	if ((r = sys_vm_stat(0, &st)) < 0)
		panic("swapinshared: vm_stat: %e", r);
	return st.env;
}

static void
set_limit(unsigned limit)
{
	int r;

	if ((r = sys_env_set_frame_limit(0, limit)) < 0)
		panic("swapinshared: frame limit %u: %e", limit, r);
}

static void
work(int worker)
{
	void *va = (void *) AREA;
	struct VmCounts out, back;
	int i, r, wrong = 0;

	lock_self();
	if ((r = sys_region_map(0, &va, NPAGES * PGSIZE, RW,
				REGION_FIXED)) < 0)
		panic("swapinshared: region_map: %e", r);
	for (i = 0; i < NPAGES; i++)
		fill(worker, i, 0);
	set_limit(LIMIT);
	set_limit(0);
	// A limit anywhere sends swap-ins and exits the exclusive way: none
	// reads back (or exits) before every worker has lifted its own.  A
	// timer tick may land between another's two calls.
	__sync_fetch_and_add(LIFTED, 1);
	while (*LIFTED < NWORKERS)
		sys_yield();
	out = counts();
	for (i = 0; i < NPAGES; i++) {
		wrong += wrong_words(worker, i, 0);
		if (i % 2)
			fill(worker, i, ~0u);
	}
	for (i = 1; i < NPAGES; i += 2)
		wrong += wrong_words(worker, i, ~0u);
	back = counts();
	cprintf("swapinshared: worker %d: %d pages, %u out, %u back, "
		"%d wrong\n", worker, NPAGES, out.swapouts,
		back.swapins - out.swapins, wrong);
}

void
umain(int argc, char **argv)
{
	envid_t who;
	int i, r;

	if ((r = sys_page_alloc(0, (void *) LIFTED, RW | PTE_SHARE)) < 0)
		panic("swapinshared: shared page: %e", r);
	for (i = 0; i < NWORKERS; i++) {
		if ((r = fork()) < 0)
			panic("swapinshared: fork: %e", r);
		if (r == 0) {
			work(i);
			ipc_send(thisenv->env_parent_id, i, 0, 0);
			return;
		}
	}
	for (i = 0; i < NWORKERS; i++)
		ipc_recv(&who, 0, 0);
	cprintf("swapinshared: %d workers done\n", NWORKERS);
}
