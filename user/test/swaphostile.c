/*
 * The swap calls against hostile callers.
 *
 * Bad arguments, from four envs at once (the root and three workers it
 * forks): frame limits above the machine's pages, policies that are
 * none, counts sent to NULL, the kernel, read-only, unmapped and
 * copy-on-write pages and across the end of user space, envs that are
 * neither the caller nor its child.  Each call fails with exactly the
 * error expected and changes nothing.  Then a fuzz loop in each env:
 * random calls of the three, with random targets and arguments (each
 * result checked against what it must be), between writes and reads
 * of the env's own pages under the small limits and policies the
 * calls set (the root sets its workers' too): every page must keep
 * what was last written to it.  At the end no swap slot is in use.
 *
 * With no swap disk, limits below an env's count only stop it growing:
 * each env touches all its pages before the fuzz, so nothing needs a
 * new page while the limits change.
 */
#include <inc/lib.h>

#define P		PGSIZE
#define NWORKERS	3		// with the root: four envs at once
#define NPAGES		12		// each env's pages
#define ROUNDS		1000		// fuzz steps per env
#define RO		(PTE_P | PTE_U)
#define RW		(PTE_P | PTE_U | PTE_W)
#define OWN		0x10000000	// each env's NPAGES pages
#define SCRATCH		0x11000000	// 2 pages: the fuzz's counts go here
#define RWREG		0x12000000	// one writable page, then ROREG
#define ROREG		(RWREG + P)	// 2 read-only pages, untouched
#define RWEND		0x13000000	// one writable page, nothing after it
#define FREE		0x20000000	// 16 MiB: never a region, never a page
#define SHARED		0x30000000	// struct shared
#define LAST		(PGSIZE / 4 - 1)	// a page's last word

// What every env adds up, in a PTE_SHARE page.
struct shared {
	int ready;		// workers whose fuzz may be disturbed now
	int done;		// the root's fuzz is over: workers may go
	int nfail, ncalls;
};

static volatile struct shared *shared = (struct shared *) SHARED;
static uint32_t npages;		// the machine's (found by the root)
static envid_t workers[NWORKERS];	// a worker knows those before it
static envid_t dead;		// a child long gone
static int me;			// 0: the root; 1..NWORKERS: a worker
static uint8_t cow_page[PGSIZE] __attribute__((aligned(PGSIZE)));
static int nfail, ncalls;

static void
check(const char *what, int got, int want)
{
	ncalls++;
	if (got == want)
		return;
	cprintf("swaphostile: FAIL: [%08x] %s: got %d, want %d\n",
		sys_getenvid(), what, got, want);
	nfail++;
}

static void
vm_stat(struct VmStat *st)
{
	int r;

	if ((r = sys_vm_stat(0, st)) < 0)
		panic("swaphostile: vm_stat: %e", r);
}

// sys_vm_stat, bare: the library's wrapper clears *st first.
static int
vm_stat_raw(envid_t env, uintptr_t st)
{
	return syscall_raw(SYS_vm_stat, env, st, 0, 0, 0);
}

static void
map_region(uintptr_t va, size_t len, int perm)
{
	void *p = (void *) va;
	int r;

	if ((r = sys_region_map(0, &p, len, perm, REGION_FIXED)) < 0)
		panic("swaphostile: region at %08x: %e", va, r);
}

// ---------------------------------------------------------------------
// Bad arguments

enum { LIMIT, POLICY, STAT };

// Targets, resolved by target_env: envs the caller may not name (but
// for SELF, and CHILD, the root's first worker), and the caller's kin,
// named only where it has them.
enum { SELF, DEAD, GARBAGE, PARENT, SIBLING, CHILD };

struct call {
	int call, target;
	uint32_t arg;		// the limit, policy or where counts go
	bool plus_npages;	// LIMIT: arg is added to npages
	int err;
};

#define ANSWER			1	// STAT: a good place for the counts
#define BAD_LIMIT(t, l, err)	{ LIMIT, t, l, 0, err }
#define OVER_NPAGES(t, l)	{ LIMIT, t, l, 1, -E_INVAL }
#define BAD_POLICY(t, p, err)	{ POLICY, t, p, 0, err }
#define BAD_STAT(t, va, err)	{ STAT, t, va, 0, err }

static const struct call bad_calls[] = {
	// frame limits: above the machine's pages, whoever the env
	OVER_NPAGES(SELF, 1), OVER_NPAGES(SELF, 0x10000),
	BAD_LIMIT(SELF, -1, -E_INVAL),
	BAD_LIMIT(SELF, 0x80000000, -E_INVAL), OVER_NPAGES(CHILD, 1),
	OVER_NPAGES(DEAD, 1), OVER_NPAGES(PARENT, 1),
	// frame limits: envs not ours
	BAD_LIMIT(DEAD, 1, -E_BAD_ENV), BAD_LIMIT(GARBAGE, 1, -E_BAD_ENV),
	BAD_LIMIT(PARENT, 1, -E_BAD_ENV), BAD_LIMIT(SIBLING, 1, -E_BAD_ENV),
	BAD_LIMIT(PARENT, 0, -E_BAD_ENV),

	// policies that are none, whoever the env
	BAD_POLICY(SELF, 0, -E_INVAL), BAD_POLICY(SELF, NSWAPPOLICY, -E_INVAL),
	BAD_POLICY(SELF, -1, -E_INVAL), BAD_POLICY(SELF, 0x7fffffff, -E_INVAL),
	BAD_POLICY(SELF, 0x80000000, -E_INVAL),
	BAD_POLICY(SELF, 0x100 | SWAP_FIFO, -E_INVAL),
	BAD_POLICY(CHILD, 0, -E_INVAL), BAD_POLICY(DEAD, 0, -E_INVAL),
	BAD_POLICY(PARENT, -1, -E_INVAL),
	// policies: envs not ours
	BAD_POLICY(DEAD, SWAP_CLOCK, -E_BAD_ENV),
	BAD_POLICY(GARBAGE, SWAP_FIFO, -E_BAD_ENV),
	BAD_POLICY(PARENT, SWAP_ECLOCK, -E_BAD_ENV),
	BAD_POLICY(SIBLING, SWAP_CLOCK, -E_BAD_ENV),

	// counts: where they may not go
	BAD_STAT(SELF, 0, -E_FAULT), BAD_STAT(SELF, 4, -E_FAULT),
	BAD_STAT(SELF, FREE, -E_FAULT), BAD_STAT(SELF, FREE + 0xff8, -E_FAULT),
	BAD_STAT(SELF, UTEXT, -E_FAULT), BAD_STAT(SELF, ROREG, -E_FAULT),
	BAD_STAT(SELF, ROREG + P - 8, -E_FAULT),
	BAD_STAT(SELF, ROREG + 2 * P - 8, -E_FAULT),	// into nothing
	BAD_STAT(SELF, RWREG + P - 8, -E_FAULT),	// into read-only
	BAD_STAT(SELF, RWEND + P - 8, -E_FAULT),	// into nothing
	BAD_STAT(SELF, UTOP - 8, -E_FAULT),		// into UENVS
	BAD_STAT(SELF, UENVS, -E_FAULT), BAD_STAT(SELF, UPAGES, -E_FAULT),
	BAD_STAT(SELF, UVPT, -E_FAULT), BAD_STAT(SELF, ULIM - 8, -E_FAULT),
	BAD_STAT(SELF, ULIM, -E_FAULT), BAD_STAT(SELF, KERNBASE, -E_FAULT),
	BAD_STAT(SELF, KERNBASE + 0x100000, -E_FAULT),
	BAD_STAT(SELF, 0xfffffff8, -E_FAULT),		// wraps around
	BAD_STAT(CHILD, 0, -E_FAULT),
	// counts: envs not ours, checked before the address
	BAD_STAT(DEAD, ANSWER, -E_BAD_ENV), BAD_STAT(GARBAGE, ANSWER, -E_BAD_ENV),
	BAD_STAT(PARENT, ANSWER, -E_BAD_ENV),
	BAD_STAT(SIBLING, ANSWER, -E_BAD_ENV), BAD_STAT(DEAD, 0, -E_BAD_ENV),
	BAD_STAT(PARENT, KERNBASE, -E_BAD_ENV),
};

static struct VmStat answer;

// The env target names for the caller; 0 (skip the call) if the caller
// has no such kin.
static envid_t
target_env(int target)
{
	switch (target) {
	case SELF:
		return sys_getenvid();
	case DEAD:
		return dead;
	case GARBAGE:
		return -1;
	case PARENT:
		return me ? thisenv->env_parent_id : 0;
	case SIBLING:
		return me > 1 ? workers[0] : 0;
	case CHILD:
		return me ? 0 : workers[0];
	}
	panic("swaphostile: target %d", target);
}

// Make one call, and check its result.
static void
try(const struct call *c)
{
	envid_t env = target_env(c->target);
	uint32_t arg = c->arg + (c->plus_npages ? npages : 0);
	char what[80];
	int r = 0;

	if (!env)
		return;
	switch (c->call) {
	case LIMIT:
		r = sys_env_set_frame_limit(env, arg);
		break;
	case POLICY:
		r = sys_env_set_swap_policy(env, arg);
		break;
	case STAT:
		if (arg == ANSWER)
			arg = (uintptr_t) &answer;
		r = vm_stat_raw(env, arg);
		break;
	}
	snprintf(what, sizeof(what), "call %d on %08x, arg %08x",
		 c->call, env, arg);
	check(what, r, c->err);
}

// Find the machine's pages: the largest limit allowed (which must be
// what sys_vm_stat says).
static uint32_t
find_npages(void)
{
	uint32_t lo = 1, hi = 0xffffffff, mid;	// lo allowed, hi not

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (sys_env_set_frame_limit(0, mid) == 0)
			lo = mid;
		else
			hi = mid;
	}
	check("frame limit 0 (none)", sys_env_set_frame_limit(0, 0), 0);
	return lo;
}

// Mark the last two words of the writable page at va.
static void
mark_end(uintptr_t va)
{
	volatile uint32_t *w = (uint32_t *) (va + P - 8);

	w[0] = 0x5a5a5a5a;
	w[1] = 0xa5a5a5a5;
}

static bool
marked_end(uintptr_t va)
{
	volatile uint32_t *w = (uint32_t *) (va + P - 8);

	return w[0] == 0x5a5a5a5a && w[1] == 0xa5a5a5a5;
}

// Every bad call, then the good ones around them: none of the bad ones
// changed our limit or policy, or wrote where it failed.
static void
bad_args(void)
{
	struct VmStat before, after;
	int i;

	map_region(RWREG, P, RW);
	map_region(ROREG, 2 * P, RO);
	map_region(RWEND, P, RW);
	mark_end(RWREG);
	mark_end(RWEND);
	vm_stat(&before);
	for (i = 0; i < ARRAY_SIZE(bad_calls); i++)
		try(&bad_calls[i]);
	vm_stat(&after);
	check("limit after the bad calls", after.limit, before.limit);
	check("policy after the bad calls", after.policy, before.policy);
	check("the end of a page, counts refused across it",
	      marked_end(RWREG) && marked_end(RWEND), 1);
	check("frame limit of all the machine's pages",
	      sys_env_set_frame_limit(0, npages), 0);
	check("... and none", sys_env_set_frame_limit(0, 0), 0);
	if (me) {
		// fork left the page copy-on-write: ours to copy, not the
		// kernel's.
		check("cow_page copy-on-write", (uvpt[PGNUM(cow_page)] & PTE_COW)
		      != 0, 1);
		check("counts sent to a copy-on-write page",
		      vm_stat_raw(0, (uintptr_t) cow_page), -E_FAULT);
	}
	// A page never touched takes the counts, at its first touch.
	map_region(SCRATCH, 2 * P, RW);
	check("counts to an untouched page",
	      vm_stat_raw(0, SCRATCH + P), 0);
	check("... the counts there",
	      ((struct VmStat *) (SCRATCH + P))->policy == after.policy
	      && ((struct VmStat *) (SCRATCH + P))->slots == after.slots, 1);
	check("unmap", sys_region_unmap(0, (void *) RWREG, 3 * P), 0);
	check("unmap", sys_region_unmap(0, (void *) RWEND, P), 0);
	check("unmap", sys_region_unmap(0, (void *) SCRATCH, 2 * P), 0);
}

// Counts sent to a page that is out in swap bring it back, and say what
// was true before: one page in, one out, under a limit of one.
static void
stat_to_swapped_page(void)
{
	volatile struct VmStat *st = (struct VmStat *) OWN;

	check("frame limit 1", sys_env_set_frame_limit(0, 1), 0);
	st->limit = 0x5a5a;
	*(volatile int *) (OWN + P) = 1;
	check("page 0 out", (uvpt[PGNUM(OWN)] & PTE_P) == 0, 1);
	check("counts to a page out in swap", vm_stat_raw(0, OWN), 0);
	check("... its limit", st->limit, 1);
	check("... resident", st->resident, 1);
	check("... swapped", st->swapped, 1);
	check("... page 0 back", (uvpt[PGNUM(OWN)] & PTE_P) != 0, 1);
	check("frame limit none", sys_env_set_frame_limit(0, 0), 0);
}

// ---------------------------------------------------------------------
// The fuzz

static uint32_t seed;
static uint32_t stamps[NPAGES];	// what each page holds
static uint32_t nstamps;

static uint32_t
rnd(uint32_t n)
{
	return rand_next(&seed) % n;
}

static void
write_page(int i)
{
	volatile uint32_t *p = (uint32_t *) (OWN + i * P);

	stamps[i] = (me << 24) | ++nstamps;
	p[0] = stamps[i];
	p[LAST] = ~stamps[i];
}

static void
check_page(int i)
{
	volatile uint32_t *p = (uint32_t *) (OWN + i * P);

	ncalls++;
	if (p[0] == stamps[i] && p[LAST] == ~stamps[i])
		return;
	cprintf("swaphostile: FAIL: [%08x] page %d holds %08x %08x, "
		"want %08x %08x\n", sys_getenvid(), i, p[0], p[LAST],
		stamps[i], ~stamps[i]);
	nfail++;
}

/*
 * A random target, and whether the caller may name it: itself (0 or
 * its id), a child (the root's workers), its parent or a sibling it
 * knows (a worker's), the dead child, or an id no env has (negative).
 */
static envid_t
random_target(bool *ok)
{
	uint32_t k = rnd(6);

	*ok = true;
	if (k == 0)
		return 0;
	if (k == 1)
		return sys_getenvid();
	*ok = false;
	if (k == 2)
		return dead;
	if (k == 3)
		return rand_next(&seed) | 0x80000000;
	if (!me) {
		*ok = true;
		return workers[rnd(NWORKERS)];
	}
	return k == 4 || me == 1 ? thisenv->env_parent_id
				 : workers[rnd(me - 1)];
}

// A limit: mostly small ones, else none, all pages, too many.
static uint32_t
random_limit(void)
{
	uint32_t k = rnd(8);

	if (k < 4)
		return 1 + rnd(2 * NPAGES);
	if (k == 4)
		return 0;
	if (k == 5)
		return npages - rnd(2);
	if (k == 6)
		return npages + 1 + rnd(100);
	return rand_next(&seed);
}

// Where to send counts, and what the call must say if the env is good.
static uintptr_t
random_dest(int *err)
{
	uint32_t k = rnd(6);

	*err = -E_FAULT;
	if (k == 0)
		return 0;
	if (k == 1)
		return FREE + rnd(16 << 20);
	if (k == 2)
		return UTOP + rnd(-UTOP);
	if (k == 3)
		return UTEXT + rnd(P);
	*err = 0;
	return SCRATCH + rnd(2 * P - sizeof(struct VmStat));
}

// One random call of the three, its result checked.
static void
random_call(void)
{
	bool ok;
	envid_t env = random_target(&ok);
	uint32_t limit;
	uintptr_t dest;
	int policy, err;

	switch (rnd(3)) {
	case 0:
		limit = random_limit();
		check("random frame limit",
		      sys_env_set_frame_limit(env, limit),
		      limit > npages ? -E_INVAL : ok ? 0 : -E_BAD_ENV);
		break;
	case 1:
		policy = rnd(2) ? (int) rnd(NSWAPPOLICY + 2) - 1
				: (int) rand_next(&seed);
		check("random policy", sys_env_set_swap_policy(env, policy),
		      policy < SWAP_FIFO || policy >= NSWAPPOLICY ? -E_INVAL
		      : ok ? 0 : -E_BAD_ENV);
		break;
	case 2:
		dest = random_dest(&err);
		check("random counts", vm_stat_raw(env, dest),
		      ok ? err : -E_BAD_ENV);
		break;
	}
}

// Touch every page the fuzz will use: with no swap disk, a limit below
// our count would keep a new one out.
static void
fuzz_setup(void)
{
	int i;

	map_region(SCRATCH, 2 * P, RW);
	*(volatile int *) SCRATCH = *(volatile int *) (SCRATCH + P) = 0;
	for (i = 0; i < NPAGES; i++)
		write_page(i);
}

// Random calls between writes and reads of our pages; then every page
// must hold its last stamp.
static void
fuzz(void)
{
	int i, k;

	seed = 0x9e3779b9 * (me + 1);
	for (i = 0; i < ROUNDS; i++) {
		k = rnd(8);
		if (k < 3)
			write_page(rnd(NPAGES));
		else if (k < 5)
			check_page(rnd(NPAGES));
		else if (k < 7)
			random_call();
		else
			sys_yield();
	}
	for (i = 0; i < NPAGES; i++)
		check_page(i);
	check("frame limit none at the end", sys_env_set_frame_limit(0, 0),
	      0);
}

// ---------------------------------------------------------------------

/*
 * Check the bad calls, then fuzz, with our own pages locked (after the
 * copy-on-write check, which needs them as fork left them).  The root
 * changes its workers' limits and policies only once all of them are
 * ready for it.
 */
static void
run(bool swap)
{
	map_region(OWN, NPAGES * P, RW);
	bad_args();
	lock_self();
	if (swap)
		stat_to_swapped_page();
	fuzz_setup();
	if (me)
		__sync_fetch_and_add(&shared->ready, 1);
	else
		while (shared->ready < NWORKERS)
			sys_yield();
	fuzz();
	check("unmap", sys_region_unmap(0, (void *) OWN, NPAGES * P), 0);
	check("unmap", sys_region_unmap(0, (void *) SCRATCH, 2 * P), 0);
	__sync_fetch_and_add(&shared->nfail, nfail);
	__sync_fetch_and_add(&shared->ncalls, ncalls);
}

void
umain(int argc, char **argv)
{
	struct VmStat st, end_st;
	envid_t id;
	int r, i, swapins;

	vm_stat(&st);
	if ((r = sys_page_alloc(0, (void *) shared, RW | PTE_SHARE)) < 0)
		panic("swaphostile: shared page: %e", r);
	npages = find_npages();
	check("sys_vm_stat's frames", st.frames, npages);
	cow_page[0] = 1;
	if ((dead = fork()) == 0)
		exit();
	wait_env_gone(dead);
	for (i = 0; i < NWORKERS; i++) {
		if ((id = fork()) < 0)
			panic("swaphostile: fork: %e", id);
		if (id == 0) {
			me = i + 1;
			run(st.slots > 0);
			while (!shared->done)
				sys_yield();
			exit();
		}
		workers[i] = id;
	}
	run(st.slots > 0);
	shared->done = 1;
	for (i = 0; i < NWORKERS; i++)
		wait_env_gone(workers[i]);
	vm_stat(&end_st);
	check("slots in use at the end", end_st.slots_used, st.slots_used);
	swapins = end_st.all.swapins - st.all.swapins;
	check("pages back from swap, if there is any", swapins > 0,
	      st.slots > 0);
	cprintf("swaphostile: %u pages; %d calls checked in %d envs, "
		"%d pages back from swap, %d failures\n", npages,
		shared->ncalls + ncalls, NWORKERS + 1, swapins,
		shared->nfail + nfail);
}
