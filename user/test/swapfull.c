/*
 * Swap exhaustion.  Two children, one after the other, with a frame
 * limit of LIMIT (and their own pages locked), write new pages until
 * the swap disk is full:
 *   - the caller asks for them with sys_page_alloc, which must say
 *     -E_NO_MEM, mapping nothing, after exactly LIMIT pages more than
 *     there were free slots; it then frees half of them and finds the
 *     other half as it wrote them;
 *   - the faulter touches the pages of a big region, and the fault that
 *     cannot be served destroys it ("out of memory for a page at va
 *     ..."), after as many pages: it counts them in a page shared with
 *     the parent.
 * Meanwhile a keeper, a sibling, reads its own KEEP pages, most of which
 * it sent to swap before the others began, and checks them all once
 * more when both are gone.  At the end no slot is in use.  With no swap
 * disk there are no free slots: a frame limit is a hard cap.
 */
#include <inc/lib.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define LIMIT		8
#define KEEP		16		// the keeper's pages
#define KEEP_LIMIT	4		// its limit while it writes them
#define CALLS		0x10000000	// the caller's pages
#define FAULTS		0x20000000	// the faulter's region
#define NFAULTS		1024		// its pages, more than any slots
#define KEEPS		0x30000000	// the keeper's pages
#define SHARED		0x40000000	// struct shared
#define LAST		(PGSIZE / 4 - 1)	// a page's last word

// What the children tell the parent, in a PTE_SHARE page.
struct shared {
	int keeper_ready;	// the keeper has its pages
	int expect;		// the pages the faulter should get
	int written;		// the pages it got
	int done;		// the keeper may stop
};

static volatile struct shared *shared = (struct shared *) SHARED;
static int nfail;

static void
check(const char *what, int got, int want)
{
	if (got == want)
		return;
	cprintf("swapfull: FAIL: %s: got %d, want %d\n", what, got, want);
	nfail++;
}

static void
vm_stat(envid_t env, struct VmStat *st)
{
	int r;

	if ((r = sys_vm_stat(env, st)) < 0)
		panic("swapfull: vm_stat: %e", r);
}

static void
set_limit(unsigned limit)
{
	int r;

	if ((r = sys_env_set_frame_limit(0, limit)) < 0)
		panic("swapfull: frame limit %u: %e", limit, r);
}

// A page's contents: stamps of which page it is, at both ends.
static void
stamp(uintptr_t va, uint32_t tag)
{
	volatile uint32_t *p = (volatile uint32_t *) va;

	p[0] = tag;
	p[LAST] = ~tag;
}

static bool
stamped(uintptr_t va, uint32_t tag)
{
	volatile uint32_t *p = (volatile uint32_t *) va;

	return p[0] == tag && p[LAST] == ~tag;
}

// Lock our own pages and set our limit; return how many new pages we
// can have: the limit (none of ours counts toward it), plus the free
// slots.
static int
start_limited(unsigned limit)
{
	struct VmStat st;

	lock_self();
	set_limit(limit);
	vm_stat(0, &st);
	check("our pages counted", st.resident, 0);
	return limit + st.slots - st.slots_used;
}

static void
caller(void)
{
	uintptr_t va = CALLS;
	int n, r, bad, want = start_limited(LIMIT);

	for (n = 0; (r = sys_page_alloc(0, (void *) va, RW)) == 0;
	     n++, va += PGSIZE)
		stamp(va, va);
	check("page_alloc once swap is full", r, -E_NO_MEM);
	check("page_alloc refused: pages before", n, want);
	check("... mapped nothing", uvpt[PGNUM(va)], 0);
	check("page_alloc still refused",
	      sys_page_alloc(0, (void *) va, RW), -E_NO_MEM);
	// Unmapping frees the first half's slots: the rest can come back.
	for (va = CALLS; va < CALLS + n / 2 * PGSIZE; va += PGSIZE)
		if ((r = sys_page_unmap(0, (void *) va)) < 0)
			panic("swapfull: unmap: %e", r);
	for (bad = 0; va < CALLS + n * PGSIZE; va += PGSIZE)
		bad += !stamped(va, va);
	check("caller's pages not as written", bad, 0);
	cprintf("swapfull: page_alloc refused after %d pages, half of them "
		"intact\n", n);
}

// Touch the region's pages until a fault cannot be served.
static void
faulter(void)
{
	void *va = (void *) FAULTS;
	int r, i;

	shared->expect = start_limited(LIMIT);
	if ((r = sys_region_map(0, &va, NFAULTS * PGSIZE, RW,
				REGION_FIXED)) < 0)
		panic("swapfull: region_map: %e", r);
	for (i = 0; i < NFAULTS; i++) {
		stamp(FAULTS + i * PGSIZE, i);
		shared->written = i + 1;
	}
	cprintf("swapfull: FAIL: the faulter wrote all %d pages\n", i);
}

// Check every keeper's page; count those not as written.
static int
keeper_check(uint32_t round)
{
	int i, bad = 0;

	for (i = 0; i < KEEP; i++)
		bad += !stamped(KEEPS + i * PGSIZE, (round << 16) | i);
	return bad;
}

/*
 * Write our pages, most of them going to swap if there is any, and take
 * the limit off, so that reading them back needs no slot; check them
 * over and over while the others run, then once more after writing
 * them all again.
 */
static void
keeper(void)
{
	void *va = (void *) KEEPS;
	int r, i, passes = 0, bad = 0;
	struct VmStat st;

	lock_self();
	vm_stat(0, &st);
	if (st.slots)
		set_limit(KEEP_LIMIT);
	if ((r = sys_region_map(0, &va, KEEP * PGSIZE, RW, REGION_FIXED)) < 0)
		panic("swapfull: keeper's region: %e", r);
	for (i = 0; i < KEEP; i++)
		stamp(KEEPS + i * PGSIZE, i);
	set_limit(0);
	shared->keeper_ready = 1;
	for (; !shared->done; passes++) {
		bad += keeper_check(0);
		sys_yield();
	}
	for (i = 0; i < KEEP; i++)
		stamp(KEEPS + i * PGSIZE, (1 << 16) | i);
	bad += keeper_check(1);
	check("keeper's pages not as written", bad, 0);
	check("keeper's passes while the others ran", passes > 0, 1);
	cprintf("swapfull: the keeper's %d pages intact\n", KEEP);
}

// Fork a child to run fn, and return its id.
static envid_t
child(void (*fn)(void))
{
	envid_t id;

	if ((id = fork()) < 0)
		panic("swapfull: fork: %e", id);
	if (id == 0) {
		fn();
		exit();
	}
	return id;
}

void
umain(int argc, char **argv)
{
	struct VmStat st, after;
	envid_t keeper_id;
	int r;

	vm_stat(0, &st);
	if ((r = sys_page_alloc(0, (void *) shared, RW | PTE_SHARE)) < 0)
		panic("swapfull: shared page: %e", r);
	// One child at a time, after the keeper has its pages: so each
	// knows how many free slots it will find.
	keeper_id = child(keeper);
	while (!shared->keeper_ready)
		sys_yield();
	wait_env_gone(child(caller));
	wait_env_gone(child(faulter));
	check("the faulter's pages before its fault", shared->written,
	      shared->expect);
	cprintf("swapfull: the faulter wrote %d pages, then was destroyed\n",
		shared->written);
	shared->done = 1;
	wait_env_gone(keeper_id);
	vm_stat(0, &after);
	check("slots in use at the end", after.slots_used, st.slots_used);
	cprintf("swapfull: %s swap disk, %d failures\n",
		st.slots ? "with a" : "no", nfail);
}
