/*
 * Swapping under memory pressure, with no frame limit: only the
 * machine's size forces pages out.  First one env writes every word of
 * an anonymous region twice the size of physical memory, then checks
 * every word; then two children at once do the same, each with a
 * region as large as physical memory, or as large as memory and the
 * swap disk can hold for both at once.  A word's value follows from its
 * address and the env's id, so a page brought back to the wrong place,
 * another env's page, a stale copy or a zero page all show.  The
 * children report through a PTE_SHARE page; one killed on the way
 * (out of memory) leaves its report unfinished.
 */
#include <inc/lib.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define BIG		0x10000000	// phase one's region
#define KIDREGION	0x30000000	// each child's region
#define REPORTS		0x0f000000	// the children's reports, shared
#define NKIDS		2
#define DONE		0xd09ed09e	// a report that is complete
#define CHUNK		32		// pages checked, then unmapped at once
#define KID_SPARE	32		// a child's frames besides its region
#define WORDS_PER_PAGE	(PGSIZE / sizeof(uint32_t))

struct Report {
	uint32_t done;		// DONE once the rest is filled in
	uint32_t words;		// words checked
	uint32_t errors;	// words that were wrong
};

static int nfail;
static uint32_t nwrong;		// words found wrong, by any env

static void
check(const char *what, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	cprintf("swappressure: FAIL: [%08x] %s: got %u, want %u\n",
		sys_getenvid(), what, got, want);
	nfail++;
}

// The machine's size in pages.
static uint32_t
machine_pages(void)
{
	struct VmStat st;

	sys_vm_stat(0, &st);
	return st.frames;
}

// The word at va, for env id: a different value at each address (the
// multiplier is odd) and in each env.
static uint32_t
pattern(uintptr_t va, envid_t id)
{
	return (va ^ ((uint32_t) id << 12)) * 0x9e3779b1U;
}

static void *
map_region(uintptr_t va, uint32_t npages, int perm)
{
	void *at = (void *) va;
	int r;

	if ((r = sys_region_map(0, &at, npages * PGSIZE, perm,
				REGION_FIXED)) < 0)
		panic("swappressure: region_map %08x: %e", va, r);
	return at;
}

// Is every word of the page at va right for env id?  Returns the
// words that are not, naming the first few.
static uint32_t
check_page(const volatile uint32_t *w, envid_t id)
{
	uint32_t i, errors = 0;

	for (i = 0; i < WORDS_PER_PAGE; i++)
		if (w[i] != pattern((uintptr_t) &w[i], id) && errors++ < 4)
			cprintf("swappressure: [%08x] word at %08x: %08x, "
				"want %08x\n", id, &w[i], w[i],
				pattern((uintptr_t) &w[i], id));
	return errors;
}

/*
 * Write every word of the region of npages pages at base, then check
 * every word and unmap the region.  The check goes down from the last
 * page written, the first still resident, and frees its pages CHUNK at
 * a time as it goes: each page coming back from swap takes a frame
 * freed so, and none has to go out for it.  Returns the words found
 * wrong; *words gets the words checked.
 */
static uint32_t
write_and_check(uintptr_t base, uint32_t npages, uint32_t *words)
{
	volatile uint32_t *w = (volatile uint32_t *) base;
	uint32_t nwords = npages * WORDS_PER_PAGE, i, errors = 0;
	uintptr_t top = base + npages * PGSIZE;
	envid_t id = sys_getenvid();

	for (i = 0; i < nwords; i++)
		w[i] = pattern((uintptr_t) &w[i], id);
	*words = 0;
	for (i = npages; i-- > 0; ) {
		errors += check_page(w + i * WORDS_PER_PAGE, id);
		*words += WORDS_PER_PAGE;
		if (i % CHUNK == 0) {
			sys_region_unmap(0, (void *) (base + i * PGSIZE),
					 top - (base + i * PGSIZE));
			top = base + i * PGSIZE;
		}
	}
	return errors;
}

static void
child(struct Report *rep, uint32_t npages)
{
	map_region(KIDREGION, npages, RW);
	rep->errors = write_and_check(KIDREGION, npages, &rep->words);
	rep->done = DONE;
	exit();
}

/*
 * Pages for each child's region: as many as the machine has, or, if
 * free frames and slots cannot hold that much for both at once, what
 * they can, less KID_SPARE each for a child's page tables, stack and
 * copied program pages.  What is free depends on the kernel's own size,
 * which grows with every program its image carries: a fixed size would
 * leave the children a margin that shrinks to nothing.
 */
static uint32_t
kid_pages(uint32_t npages)
{
	struct VmStat st;

	sys_vm_stat(0, &st);
	return MIN(npages, (st.frames_free + st.slots - st.slots_used) / NKIDS
		   - KID_SPARE);
}

static uint32_t
children(uint32_t npages)
{
	struct Report *reps = map_region(REPORTS, 1, RW | PTE_SHARE);
	envid_t kids[NKIDS];
	uint32_t words = 0;
	int i;

	for (i = 0; i < NKIDS; i++) {
		reps[i].done = 0;
		if ((kids[i] = fork()) < 0)
			panic("swappressure: fork: %e", kids[i]);
		if (kids[i] == 0)
			child(&reps[i], npages);
	}
	for (i = 0; i < NKIDS; i++) {
		wait_env_gone(kids[i]);
		check("child's report complete", reps[i].done, DONE);
		check("child's words checked", reps[i].words,
		      npages * WORDS_PER_PAGE);
		nwrong += reps[i].errors;
		words += reps[i].words;
	}
	sys_region_unmap(0, reps, PGSIZE);
	return words;
}

void
umain(int argc, char **argv)
{
	uint32_t npages = machine_pages(), words, kp;
	struct VmStat st;
	int r;

	// Only the region's pages go out: the slots count below is exact.
	lock_self();
	// bench/bench.py times the paging from here to the summary line.
	cprintf("swappressure: start\n");
	map_region(BIG, 2 * npages, RW);
	nwrong = write_and_check(BIG, 2 * npages, &words);
	// At most a machine's worth stayed in: the rest went out.
	sys_vm_stat(0, &st);
	check("sent out at least half", st.env.swapouts >= npages, 1);
	check("brought back at least half", st.env.swapins >= npages, 1);
	check("slots in use after the region's unmap", st.slots_used, 0);
	kp = kid_pages(npages);
	words += children(kp);

	sys_vm_stat(0, &st);
	cprintf("swappressure: %u pages of memory, children %d x %u pages, "
		"%u words checked, %u wrong, %u swap-ins, %u swap-outs, "
		"%d failures\n", npages, NKIDS, kp, words, nwrong,
		st.all.swapins, st.all.swapouts, nfail);
}
