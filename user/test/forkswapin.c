/*
 * Fork's range calls where the child already holds swap entries that
 * the parent has brought back in (and written) since its exofork, where
 * the parent's own pages are out on swap for a shared range, and where
 * the child's entry for the parent's stack page holds a swap slot.
 * Each child checks every word it sees against what the parent had at
 * the range call; the parent checks its own words after the child.
 * With NOISE envs faulting and mapping pages beside us (on several
 * CPUs, beside the range calls).
 */
#include <inc/lib.h>
#include <inc/x86.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define DATA		0x30000000
#define NPAGES		64
#define LIMIT		16
#define NTOUCH		6
#define REPORT		0x0f000000
#define STOP		0x0f001000
#define NOISE_VA	0x40000000
#define NOISE		2
#define ROUNDS		3
#define WPP		(PGSIZE / sizeof(uint32_t))
#define DONE		0xd09ed09e
#define NWORDS		64

struct Report {
	uint32_t done;
	uint32_t wrong;
	uint32_t wrong_after;
	uint32_t stack_wrong;
};

static int nfail;
static uint32_t gen;			// the parent's words: pattern(va, gen)
static uint8_t touched[NPAGES];		// word 0 holds pattern(va, gen + 1)

static void
check(const char *what, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	cprintf("forkswapin: FAIL: %s: got %u, want %u\n", what, got, want);
	nfail++;
}

static uint32_t
pattern(uintptr_t va, uint32_t g)
{
	return (va ^ (g << 12)) * 0x9e3779b1U + g;
}

static uint32_t
want_word(volatile uint32_t *w, uint32_t i, uint32_t g)
{
	if (i % WPP == 0 && touched[i / WPP])
		return pattern((uintptr_t) &w[i], g + 1);
	return pattern((uintptr_t) &w[i], g);
}

static void
write_all(uint32_t g)
{
	volatile uint32_t *w = (volatile uint32_t *) DATA;
	uint32_t i;

	memset(touched, 0, sizeof(touched));
	for (i = 0; i < NPAGES * WPP; i++)
		w[i] = pattern((uintptr_t) &w[i], g);
}

static uint32_t
wrong_words(uint32_t g)
{
	volatile uint32_t *w = (volatile uint32_t *) DATA;
	uint32_t i, n = 0;

	for (i = 0; i < NPAGES * WPP; i++)
		n += w[i] != want_word(w, i, g);
	return n;
}

// ---- Noise: other envs faulting and mapping pages, until STOP.

static void
noise(void)
{
	volatile uint32_t *stop = (volatile uint32_t *) STOP;
	volatile uint32_t *p = (volatile uint32_t *) NOISE_VA;
	uint32_t n = 0;

	thisenv = &envs[ENVX(sys_getenvid())];
	while (!*stop) {
		if (sys_page_alloc(0, (void *) p, RW) == 0) {
			p[n % WPP] = n;
			sys_page_unmap(0, (void *) p);
		}
		if (++n % 64 == 0)
			sys_yield();
	}
	exit();
}

// ---- The maps, run after exofork.

static volatile uint32_t *stack_words;

// The child keeps its swap entries where we bring pages back in.
static int
map_touch(envid_t child)
{
	volatile uint32_t *w = (volatile uint32_t *) DATA;
	int i, n = 0;

	for (i = 0; i < NPAGES && n < NTOUCH; i++) {
		if (!pte_is_swap(pte_of(DATA + i * PGSIZE)))
			continue;
		touched[i] = 1;
		w[i * WPP] = pattern((uintptr_t) &w[i * WPP], gen + 1);
		n++;
	}
	check("pages of ours on swap to touch", n > 0, 1);
	return sys_page_cow_range(child, 0, (void *) (UXSTACKTOP - PGSIZE));
}

// sfork's way for DATA, whose pages are mostly on swap.
static int
map_share(envid_t child)
{
	int r;

	check("pages of ours on swap to share",
	      pages_swapped(DATA, NPAGES) > 0, 1);
	if ((r = sys_page_cow_range(child, 0, (void *) DATA)) < 0
	    || (r = sys_page_share_range(child, (void *) DATA,
			(void *) (DATA + NPAGES * PGSIZE))) < 0)
		return r;
	return sys_page_cow_range(child, (void *) (DATA + NPAGES * PGSIZE),
				  (void *) (UXSTACKTOP - PGSIZE));
}

// Our stack pages go out while the child has a table there, and come
// back at once: the child's entries for them name the slots.
static int
map_stack_out(envid_t child)
{
	void *stack_table = ROUNDDOWN((void *) read_esp(), PTSIZE);
	struct VmStat st;
	int r, i;

	if ((r = sys_page_alloc(child, stack_table, RW)) < 0
	    || (r = sys_page_unmap(child, stack_table)) < 0
	    || (r = sys_page_alloc(child, (void *) DATA, RW)) < 0
	    || (r = sys_page_unmap(child, (void *) DATA)) < 0)
		return r;
	sys_vm_stat(0, &st);
	if ((r = sys_env_set_frame_limit(0, st.resident)) < 0)
		return r;
	// Each new page of ours sends our oldest out: the stack's come
	// first (recorded when unlocked, before DATA's).
	for (i = 0; i < 8; i++)
		if ((r = sys_page_alloc(0, (void *) (DATA + (NPAGES + i)
						     * PGSIZE), RW)) < 0)
			return r;
	if ((r = sys_env_set_frame_limit(0, 0)) < 0)
		return r;
	for (i = 0; i < 8; i++)
		sys_page_unmap(0, (void *) (DATA + (NPAGES + i) * PGSIZE));
	stack_words[0] = stack_words[0];
	return sys_page_cow_range(child, 0, (void *) (UXSTACKTOP - PGSIZE));
}

static uint32_t
canary(int i)
{
	return 0xc0ffee00 + i * 0x01010101;
}

static void
try_fork(const char *name, int (*map)(envid_t), bool shared)
{
	volatile struct Report *rep = (volatile struct Report *) REPORT;
	volatile uint32_t words[NWORDS];
	uint32_t g = gen, i, wrong = 0;
	envid_t kid;

	for (i = 0; i < NWORDS; i++)
		words[i] = canary(i);
	stack_words = words;
	rep->done = 0;
	if ((kid = fork_with(map)) < 0)
		panic("forkswapin: %s: %e", name, kid);
	for (i = 0; i < NWORDS; i++)
		wrong += words[i] != canary(i);
	if (kid == 0) {
		thisenv = &envs[ENVX(sys_getenvid())];
		rep->stack_wrong = wrong;
		rep->wrong = wrong_words(g);
		if (shared) {
			write_all(g + 2);
			rep->wrong_after = wrong_words(g + 2);
		} else {
			write_all(g + 7);
			rep->wrong_after = wrong_words(g + 7);
		}
		rep->done = DONE;
		exit();
	}
	wait_env_gone(kid);
	check("child done", rep->done, DONE);
	check("child's stack", rep->stack_wrong, 0);
	check("child's words", rep->wrong, 0);
	check("child's own words", rep->wrong_after, 0);
	check("our stack", wrong, 0);
	check("our words after the child", wrong_words(shared ? g + 2 : g), 0);
	cprintf("forkswapin: %s: %u of ours on swap now\n", name,
		pages_swapped(DATA, NPAGES));
}

void
umain(int argc, char **argv)
{
	envid_t noisy[NOISE];
	struct RegionInfo ri;
	int r, i, round;

	if ((r = sys_page_alloc(0, (void *) REPORT, RW | PTE_SHARE)) < 0
	    || (r = sys_page_alloc(0, (void *) STOP, RW | PTE_SHARE)) < 0)
		panic("forkswapin: shared pages: %e", r);
	for (i = 0; i < NOISE; i++) {
		if ((noisy[i] = fork()) < 0)
			panic("forkswapin: noise: %e", noisy[i]);
		if (noisy[i] == 0)
			noise();
	}
	lock_self();
	if ((r = sys_env_set_frame_limit(0, LIMIT)) < 0)
		panic("forkswapin: frame limit: %e", r);
	for (i = 0; i < NPAGES; i++)
		if ((r = sys_page_alloc(0, (void *) (DATA + i * PGSIZE),
					RW)) < 0)
			panic("forkswapin: page_alloc: %e", r);
	for (round = 0; round < ROUNDS; round++) {
		gen = 10 * round + 1;
		write_all(gen);
		try_fork("touched", map_touch, false);
		// The touched words are ours too now.
		if ((r = sys_env_set_frame_limit(0, LIMIT)) < 0)
			panic("forkswapin: frame limit: %e", r);
		gen += 3;
		write_all(gen);
		try_fork("shared", map_share, true);
		if ((r = sys_env_set_frame_limit(0, LIMIT)) < 0)
			panic("forkswapin: frame limit: %e", r);
	}

	// The stack unlocked, recorded before DATA's pages.
	if ((r = sys_env_set_frame_limit(0, 0)) < 0)
		panic("forkswapin: limit off: %e", r);
	if ((r = sys_region_query(0, (void *) (read_esp() - PGSIZE), &ri)) < 0
	    || (r = sys_region_protect(0, (void *) ri.start,
				       ri.end - ri.start, RW)) < 0)
		panic("forkswapin: unlock the stack: %e", r);
	for (i = 0; i < NPAGES; i++)
		sys_page_unmap(0, (void *) (DATA + i * PGSIZE));
	for (i = 0; i < NPAGES; i++)
		if ((r = sys_page_alloc(0, (void *) (DATA + i * PGSIZE),
					RW)) < 0)
			panic("forkswapin: page_alloc: %e", r);
	gen = 90;
	write_all(gen);
	try_fork("stack", map_stack_out, false);

	*(volatile uint32_t *) STOP = 1;
	for (i = 0; i < NOISE; i++)
		wait_env_gone(noisy[i]);
	cprintf("forkswapin: %d rounds, %d failures\n", ROUNDS, nfail);
}
