/*
 * A seeded system call fuzzer.
 *
 * The root env forks NWORKERS workers, then tends them until all are
 * done: it wakes a worker blocked in sys_ipc_recv (with a value, and
 * sometimes a page) and resumes one that suspended itself or waits in
 * sys_ipc_send or sys_ipc_call (which cancels the send).  Each worker
 * makes NCALLS random system calls with hostile arguments -- addresses
 * around 0, UMINADDR, UTEMP, UTOP, ULIM, UVPT, KERNBASE and the top of
 * memory, unaligned ones, env ids of itself, its children, its parent, its
 * siblings, dead envs and none, every combination of permission bits,
 * ranges up to the whole address space, random words in unused argument
 * registers -- and pokes at kernel memory, and checks every result
 * against what the interface allows.  A worker's children are "victims"
 * made by sys_exofork, which it may do anything to; a few are even set
 * running, to die at once.
 *
 * A worker never aims a call that maps, unmaps, protects, copies or
 * writes over memory at the memory it runs on: such an address in its
 * own space is moved to its scratch pages, a range there is cut short
 * before that memory, and a buffer for the kernel to write on it (or on
 * a scratch page that maps one of its pages) is drawn again.  Its own
 * frame limit is only ever one it cannot reach.  Every other argument
 * reaches the kernel as drawn.
 * Calls the kernel answers by destroying the caller (sys_cputs of memory
 * it may not read, of any length) are user/test/hostile.c's.
 *
 * A failed check prints "fuzz: FAIL" with the seed.  The seed is
 * FUZZ_SEED mixed with the root's env id, so "fuzz fuzz" runs two seeds,
 * and worker i draws from its own stream of it.  Booting the same program
 * list with the same CPUS replays every worker's draws; the interleaving
 * of the workers, and so the env ids some draws resolve to, can differ.
 * Another FUZZ_SEED gives other runs.
 */
#include <inc/lib.h>

#define FUZZ_SEED	0x6a09e667
#define NWORKERS	4
#define NCALLS		25000		// system calls per worker
#define MAXVICTIMS	4		// live victims per worker
#define MAXRUNS		4		// victims a worker sets running
#define MAXREPORTS	10		// failures a worker prints
#define NSCRATCH	32		// pages a worker may map over freely
#define SCRATCH		((uintptr_t) UTEMP)
#define TALLY		((struct tally *) 0x00300000)	// PTE_SHARE
#define ROOTPAGE	((void *) UTEMP)	// the root's page for wake-ups

#define PERM		(PTE_P | PTE_U)

// Each worker's results, in a page every worker shares with the root.
struct tally {
	uint32_t calls, pokes, fails;
	bool done;
};

// What a call may do to its target env, as far as the worker knows.
enum {
	SELF,		// the worker itself
	MINE,		// a child of the worker (which may die any time)
	OTHER,		// an env the worker may not act on
	DEAD,		// no env has this id
};

struct target {
	envid_t id;
	int kind;
};

// Whether a call's other arguments are valid.
enum { ARGS_OK, ARGS_BAD, ARGS_UNSURE };

// A set of results: bit 0 for success (any value >= 0), bit e for -e.
#define OK		(1u << 0)
#define ERR(e)		(1u << (e))
#define ANY_ERR		(~OK)

static uint32_t seed;
static uint32_t rng;
static int worker;
static envid_t self;
static struct tally *tally;

static uint32_t npages;		// the machine's, found by the root
static uint32_t my_limit, my_policy;	// our frame limit and policy

static envid_t victims[MAXVICTIMS];
static int nvictims, nruns;
static envid_t stale[8];		// ids of victims gone, newest first

// The region a map gave last, for later region calls to aim at.
static struct {
	envid_t id;			// its env, as the map named it
	uintptr_t va;
	size_t len;
} last_region;

// lib/pgfault.c's handler, which fork sets to its copy-on-write one.
extern void (*_pgfault_handler)(struct UTrapframe *utf);
static void (*cow_handler)(struct UTrapframe *utf);

// ---------------------------------------------------------------------
// Random numbers.

static uint32_t
rand32(void)
{
	return rand_next(&rng);
}

static uint32_t
below(uint32_t n)
{
	return rand32() % n;
}

/*
 * sys_exofork for victims.  A victim set running resumes right after the
 * int with eax 0: it destroys itself at once, touching no memory but
 * these instructions (ready_to_run maps them into it first).
 */
envid_t victim_exofork(void);
extern char victim_exofork_end[];
asm(".pushsection .text\n"
    "victim_exofork:\n"
    "	movl $7, %eax\n"		/* SYS_exofork */
    "	int $0x30\n"
    "	testl %eax, %eax\n"
    "	jne 1f\n"
    "	movl $3, %eax\n"		/* SYS_env_destroy(0) */
    "	xorl %edx, %edx\n"
    "	int $0x30\n"
    "1:	ret\n"
    "victim_exofork_end:\n"
    ".popsection\n");
static_assert(SYS_exofork == 7 && SYS_env_destroy == 3);

// ---------------------------------------------------------------------
// Reporting.

static uint32_t
result_bit(int32_t r)
{
	if (r >= 0)
		return OK;
	return -r < 32 ? ERR(-r) : 1u << 31;
}

// Report a failed check of call (what) if it is one of the first few.
static void
fail(const char *what, const char *fmt, ...)
{
	va_list ap;
	char buf[160];

	tally->fails++;
	if (tally->fails > MAXREPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cprintf("fuzz: FAIL seed %08x worker %d call %d: %s: %s\n",
		seed, worker, tally->calls, what, buf);
}

// Check that call num's result r is in the set allowed.
static void
check(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
      uint32_t a5, int32_t r, uint32_t allowed)
{
	char what[80];

	if (result_bit(r) & allowed)
		return;
	snprintf(what, sizeof(what), "syscall %d(%x, %x, %x, %x, %x)",
		 num, a1, a2, a3, a4, a5);
	fail(what, "returned %d, allowed set %08x", r, allowed);
}

/*
 * Make call num, check its result, and count it.  Half the calls go in
 * by int $0x30 rather than the way libmain chose (sysenter, where the
 * processor has it), which passes the fifth argument on the stack.
 */
static int32_t
call(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
     uint32_t a5, uint32_t allowed)
{
	int entry = syscall_entry;
	int32_t r;

	if (below(2))
		syscall_entry = SYSCALL_INT;
	r = syscall_raw(num, a1, a2, a3, a4, a5);
	syscall_entry = entry;
	check(num, a1, a2, a3, a4, a5, r, allowed);
	tally->calls++;
	return r;
}

// ---------------------------------------------------------------------
// Choosing arguments.

// Is va one of the pages this worker runs on: its program, stack,
// exception stack and tally?  It must not map or unmap those.
static bool
protected(uintptr_t va)
{
	return (va >= UTEXT && va < ROUNDUP((uintptr_t) end, PGSIZE))
		|| (va >= USTACKTOP - PGSIZE && va < UTOP)
		|| ROUNDDOWN(va, PGSIZE) == (uintptr_t) TALLY;
}

static uintptr_t
scratch_page(void)
{
	return SCRATCH + below(NSCRATCH) * PGSIZE;
}

// An address for a call, from around the edges of the memory layout.
static uintptr_t
pick_va(void)
{
	static const uintptr_t edges[] = {
		0, PGSIZE, UMINADDR - PGSIZE, UMINADDR, (uintptr_t) UTEMP,
		(uintptr_t) PFTEMP, UTEXT,
		USTACKTOP - PGSIZE, USTACKTOP, UXSTACKTOP - PGSIZE, UTOP,
		UENVS + PGSIZE, UPAGES, UVPT, UVPT + PTSIZE - PGSIZE,
		ULIM - PGSIZE, ULIM, MMIOLIM, KSTACKTOP - KSTKSIZE,
		KERNBASE - PGSIZE, KERNBASE, KERNBASE + 0x100000, 0xFFFFF000,
	};
	uintptr_t va;

	switch (below(8)) {
	case 0:
		va = edges[below(ARRAY_SIZE(edges))];
		break;
	case 1:
		va = rand32();		// anywhere, mostly unaligned
		break;
	case 2:
		va = ROUNDDOWN(below(UTOP), PGSIZE);	// any user page
		break;
	default:
		va = scratch_page();
		break;
	}
	// Now and then an unaligned or wrapped neighbour.
	switch (below(8)) {
	case 0:
		return va + 1 + below(PGSIZE - 1);
	case 1:
		return va - PGSIZE;
	default:
		return va;
	}
}

// An address for a call that acts on target kind's address space.
static uintptr_t
pick_va_for(int kind)
{
	uintptr_t va = pick_va();

	if (kind == SELF && va < UTOP && protected(va))
		return scratch_page() + PGOFF(va);
	return va;
}

// Permission bits: half of them valid, the rest wrong in every way.
static uint32_t
pick_perm(void)
{
	static const uint32_t good[] = {
		PERM, PERM | PTE_W, PERM | PTE_W | PTE_SHARE, PERM | PTE_AVAIL,
	};
	static const uint32_t bad[] = {
		PTE_P, PTE_U, PTE_W, 0, PERM | PTE_PCD, PERM | PTE_PWT,
		PERM | PTE_G, PERM | PTE_PS, PERM | PTE_A | PTE_D,
	};

	switch (below(8)) {
	case 0:
		return below(0x1000);	// every combination of 12 bits
	case 1:
		return rand32();
	case 2:
	case 3:
		return bad[below(ARRAY_SIZE(bad))];
	default:
		return good[below(ARRAY_SIZE(good))];
	}
}

static bool
perm_ok(uint32_t perm)
{
	return (perm & PERM) == PERM && !(perm & ~PTE_SYSCALL);
}

// May a page be mapped at va?  Never below UMINADDR (inc/memlayout.h).
static bool
va_ok(uintptr_t va)
{
	return va >= UMINADDR && va < UTOP && PGOFF(va) == 0;
}

// Our own mapping of va, or 0.
static pte_t
my_pte(uintptr_t va)
{
	if (va >= UTOP || !(uvpd[PDX(va)] & PTE_P))
		return 0;
	return uvpt[PGNUM(va)];
}

/*
 * May a call take our page at va as its source (a writable one if
 * write)?  A page not there yet but in a region of ours that allows the
 * access counts: the kernel brings it in.  A present read-only page
 * wanted writable in a writable region may be the zero page, which the
 * kernel replaces, or copy-on-write, which it does not: unsure.
 */
static int
source_args(uintptr_t va, bool write)
{
	pte_t pte = my_pte(va);
	struct RegionInfo ri;
	bool region = sys_region_query(0, (void *) va, &ri) == 0;
	bool region_w = region && (ri.perm & PTE_W);

	// A page out on swap is there: the kernel brings it back.
	if (pte_is_swap(pte))
		pte |= PTE_P;
	if ((pte & PTE_P) && (!write || (pte & PTE_W)))
		return ARGS_OK;
	if (pte & PTE_P)
		return region_w ? ARGS_UNSURE : ARGS_BAD;
	return region && (!write || region_w) ? ARGS_OK : ARGS_BAD;
}

// Does va map the page pte maps?
static bool
same_page(uintptr_t va, pte_t pte)
{
	return (my_pte(va) & PTE_P) && PTE_ADDR(my_pte(va)) == PTE_ADDR(pte);
}

// Is pte a mapping of one of the pages we run on?  A scratch page may
// be: a victim given our pages (page_share_range) can give one back.
static bool
own_page(pte_t pte)
{
	uintptr_t va;

	if (!(pte & PTE_P))
		return false;
	for (va = UTEXT; va < (uintptr_t) end; va += PGSIZE)
		if (same_page(va, pte))
			return true;
	return same_page(USTACKTOP - PGSIZE, pte)
		|| same_page(UXSTACKTOP - PGSIZE, pte)
		|| same_page((uintptr_t) TALLY, pte);
}

// Is va, in our space, on memory we run on?
static bool
runs_on(uintptr_t va)
{
	return va < UTOP && (protected(va) || own_page(my_pte(va)));
}

// Where a call is to write us n bytes: any address pick_va_for gives
// us, but none on memory we run on (such a draw is drawn again).
static uintptr_t
pick_out(size_t n)
{
	uintptr_t va;

	do
		va = pick_va_for(SELF);
	while (runs_on(va) || runs_on(va + n - 1));
	return va;
}

/*
 * What the kernel's write to our page at va may give: 0 if the page is
 * writable, -E_NO_MEM too if it must be brought in first (from swap, or
 * at its first touch in a writable region), else -E_FAULT.  A present
 * read-only page in a writable region may be the zero page, which the
 * kernel replaces, or copy-on-write, which it does not: either.
 */
static uint32_t
page_out_results(uintptr_t va)
{
	pte_t pte = my_pte(va);
	struct RegionInfo ri;
	bool region_w = sys_region_query(0, (void *) va, &ri) == 0
		&& (ri.perm & PTE_W);

	if ((pte & (PTE_P | PTE_U | PTE_W)) == (PTE_P | PTE_U | PTE_W))
		return OK;
	if (pte_is_swap(pte))
		return pte & PTE_W ? OK | ERR(E_NO_MEM) : ERR(E_FAULT);
	if (pte & PTE_P)
		return region_w ? OK | ERR(E_NO_MEM) | ERR(E_FAULT)
				: ERR(E_FAULT);
	return region_w ? OK | ERR(E_NO_MEM) : ERR(E_FAULT);
}

// What a kernel write of n bytes to our va may give: -E_FAULT alone if
// any page may not be written (all are checked before any is written).
static uint32_t
out_results(uintptr_t va, size_t n)
{
	uintptr_t last = va + n - 1, page;
	uint32_t all = 0, one;

	if (last < va || last >= UTOP)
		return ERR(E_FAULT);
	for (page = ROUNDDOWN(va, PGSIZE); page <= last; page += PGSIZE) {
		if ((one = page_out_results(page)) == ERR(E_FAULT))
			return one;
		all |= one;
	}
	return all;
}

// What kind of target env id is, judged from envs[] now.
static int
kind_of(envid_t id)
{
	const volatile struct Env *e = &envs[ENVX(id)];

	if (id == 0 || id == self)
		return SELF;
	if (env_gone(id))
		return DEAD;
	return e->env_parent_id == self ? MINE : OTHER;
}

// Some env that exists now, found from a random slot on.
static envid_t
pick_live(void)
{
	int start = below(NENV), i;

	for (i = 0; i < NENV; i++)
		if (envs[(start + i) % NENV].env_status != ENV_FREE)
			return envs[(start + i) % NENV].env_id;
	return self;
}

// An env blocked in sys_ipc_recv now, or 0 if there is none.
static envid_t
pick_receiver(void)
{
	int start = below(NENV), i;

	for (i = 0; i < NENV; i++)
		if (envs[(start + i) % NENV].env_ipc_recving
		    && envs[(start + i) % NENV].env_status != ENV_FREE)
			return envs[(start + i) % NENV].env_id;
	return 0;
}

// An env id to act on, with what acting on it should do.
static struct target
pick_env(void)
{
	struct target t;

	switch (below(16)) {
	case 0: case 1: case 2:
		t.id = 0;
		break;
	case 3: case 4:
		t.id = self;
		break;
	case 5: case 6: case 7: case 8:
		t.id = nvictims ? victims[below(nvictims)] : self;
		break;
	case 9:
		t.id = thisenv->env_parent_id;
		break;
	case 10: case 11:
		t.id = pick_live();
		break;
	case 12:
		t.id = stale[below(ARRAY_SIZE(stale))];
		break;
	case 13:
		// A live env's slot with another generation.
		t.id = (nvictims ? victims[0] : self) + (1 + below(3)) * NENV;
		break;
	case 14:
		t.id = rand32();
		break;
	default:
		t.id = below(2) ? -1 : 0x7fffffff;
		break;
	}
	t.kind = t.id == 0 ? SELF : kind_of(t.id);
	return t;
}

// Ourselves or one of our victims: a target a call should succeed on.
static struct target
pick_mine(void)
{
	struct target t = { 0, SELF };

	if (nvictims && below(2))
		t.id = victims[below(nvictims)];
	t.kind = t.id == 0 ? SELF : kind_of(t.id);
	return t;
}

// The results a call on a target of this kind may give.
static uint32_t
expect(int kind, int args)
{
	uint32_t ok;

	if (kind == OTHER || kind == DEAD)
		return ANY_ERR;			// it must fail, somehow
	if (args == ARGS_BAD)
		ok = ERR(E_INVAL);
	else if (args == ARGS_OK)
		ok = OK | ERR(E_NO_MEM);
	else
		ok = OK | ERR(E_INVAL) | ERR(E_NO_MEM);
	// A victim set running dies by itself, at any time.
	return kind == MINE ? ok | ERR(E_BAD_ENV) : ok;
}

// The worse of two targets, for calls that name two envs.
static int
worse(int a, int b)
{
	return a > b ? a : b;
}

// Is the target ourselves or a victim, whose state we can ask about?
static bool
ours(int kind)
{
	return kind == SELF || kind == MINE;
}

// After a call mapped a page at va in ourselves, it must be there with
// exactly perm, and be page pa if pa is not 0.
static void
check_mapped(const char *what, uintptr_t va, uint32_t perm, physaddr_t pa)
{
	pte_t pte = my_pte(va);

	if (!(pte & PTE_P) || (pte & PTE_SYSCALL) != perm
	    || (pa && PTE_ADDR(pte) != pa))
		fail(what, "%08x maps %08x, not %08x with perm %x", va, pte,
		     pa, perm);
}

// ---------------------------------------------------------------------
// The calls.

static void
fz_page_alloc(void)
{
	struct target t = pick_env();
	uintptr_t va = pick_va_for(t.kind);
	uint32_t perm = pick_perm();
	int args = va_ok(va) && perm_ok(perm) ? ARGS_OK : ARGS_BAD;
	int32_t r;

	r = call(SYS_page_alloc, t.id, va, perm, 0, 0, expect(t.kind, args));
	if (r == 0 && t.kind == SELF)
		check_mapped("page_alloc", va, perm, 0);
}

static void
fz_page_map(void)
{
	struct target src = below(2) ? pick_env() : pick_mine();
	struct target dst = below(2) ? pick_env() : pick_mine();
	uintptr_t srcva = pick_va_for(src.kind), dstva = pick_va_for(dst.kind);
	uint32_t perm = pick_perm();
	int args;
	int32_t r;

	if (!va_ok(srcva) || !va_ok(dstva) || !perm_ok(perm))
		args = ARGS_BAD;
	else if (src.kind != SELF)
		args = ARGS_UNSURE;		// we cannot see its mappings
	else
		args = source_args(srcva, perm & PTE_W);
	r = call(SYS_page_map, src.id, srcva, dst.id, dstva, perm,
		 expect(worse(src.kind, dst.kind), args));
	// The source page as it is now (a page the call brought in).
	if (r == 0 && src.kind == SELF && dst.kind == SELF)
		check_mapped("page_map", dstva, perm, PTE_ADDR(my_pte(srcva)));
}

static void
fz_page_unmap(void)
{
	struct target t = pick_env();
	uintptr_t va = pick_va_for(t.kind);
	int32_t r;

	// Unmapping below UMINADDR, where nothing is, is allowed.
	r = call(SYS_page_unmap, t.id, va, 0, 0, 0,
		 expect(t.kind, va < UTOP && PGOFF(va) == 0 ? ARGS_OK : ARGS_BAD)
		 & ~ERR(E_NO_MEM));
	if (r == 0 && t.kind == SELF && (my_pte(va) & PTE_P))
		fail("page_unmap", "%08x is still mapped", va);
}

static void
fz_page_copy(void)
{
	struct target t = pick_env();
	uintptr_t srcva = pick_va(), dstva = pick_va_for(t.kind);
	uint32_t perm = pick_perm();
	int args = va_ok(srcva) && va_ok(dstva) && perm_ok(perm)
		? source_args(srcva, false) : ARGS_BAD;
	int32_t r;

	r = call(SYS_page_copy, t.id, srcva, dstva, perm, 0,
		 expect(t.kind, args));
	if (r == 0 && t.kind == SELF)
		check_mapped("page_copy", dstva, perm, 0);
}

/*
 * Share our pages with a victim copy-on-write, as fork does, or as they
 * are, as sfork does (half the time the whole of memory).  Our own exception stack is left out: made
 * copy-on-write, it could not take the next fault.
 */
static void
fz_page_cow_range(void)
{
	struct target t = below(2) ? pick_env() : pick_mine();
	uintptr_t start = below(2) ? pick_va() : 0;
	uintptr_t end = below(2) ? pick_va() : UTOP;
	int num = below(2) ? SYS_page_cow_range : SYS_page_share_range;
	int args;

	if (end == UTOP)
		end = MAX(start, UXSTACKTOP - PGSIZE);
	args = PGOFF(start) == 0 && PGOFF(end) == 0 && start <= end
		&& end <= UTOP && t.kind == MINE ? ARGS_OK : ARGS_BAD;
	call(num, t.id, start, end, 0, 0, expect(t.kind, args));
}

static void
forget_victim(int i)
{
	memmove(&stale[1], &stale[0], sizeof(stale) - sizeof(stale[0]));
	stale[0] = victims[i];
	victims[i] = victims[--nvictims];
}

static void
fz_env_destroy(void)
{
	struct target t = pick_env();
	int i;

	if (t.kind == SELF)
		return;				// not yet
	if (call(SYS_env_destroy, t.id, 0, 0, 0, 0,
		 expect(t.kind, ARGS_OK)) < 0)
		return;
	for (i = 0; i < nvictims; i++)
		if (victims[i] == t.id)
			forget_victim(i);
}

static void
fz_exofork(void)
{
	envid_t id;

	if (nvictims == MAXVICTIMS) {
		call(SYS_env_destroy, victims[0], 0, 0, 0, 0,
		     OK | ERR(E_BAD_ENV));
		forget_victim(0);
	}
	id = victim_exofork();
	tally->calls++;
	if (id < 0) {
		check(SYS_exofork, 0, 0, 0, 0, 0, id,
		      ERR(E_NO_FREE_ENV) | ERR(E_NO_MEM));
		return;
	}
	if (kind_of(id) != MINE
	    || envs[ENVX(id)].env_status != ENV_NOT_RUNNABLE)
		fail("exofork", "new env %08x is not a waiting child", id);
	victims[nvictims++] = id;
}

/*
 * Map into victim our code pages that its first instructions are on:
 * whatever else it has mapped there (a copy of another page of ours,
 * say) could run into an int3, and stop the kernel in its monitor.
 * Returns whether it is ready.
 */
static bool
ready_to_run(envid_t victim)
{
	uintptr_t va = ROUNDDOWN((uintptr_t) victim_exofork, PGSIZE);

	for (; va < (uintptr_t) victim_exofork_end; va += PGSIZE)
		if (call(SYS_page_map, 0, va, victim, va, PERM,
			 OK | ERR(E_BAD_ENV) | ERR(E_NO_MEM)) < 0)
			return false;
	return true;
}

static void
fz_env_set_status(void)
{
	static const int statuses[] = {
		ENV_RUNNABLE, ENV_NOT_RUNNABLE, ENV_FREE, ENV_DYING,
		ENV_RUNNING, ENV_NOT_RUNNABLE + 1, -1,
	};
	struct target t = pick_env();
	int status = below(4) ? statuses[below(ARRAY_SIZE(statuses))]
			      : (int) rand32();
	int valid;

	// Only the root wakes a worker that stops itself; a few victims run.
	if (t.kind == SELF && status == ENV_NOT_RUNNABLE && below(8))
		return;
	if (t.kind == MINE && status == ENV_RUNNABLE) {
		if (nruns == MAXRUNS || below(4) || !ready_to_run(t.id))
			status = ENV_NOT_RUNNABLE;
		else
			nruns++;
	}
	valid = status == ENV_RUNNABLE || status == ENV_NOT_RUNNABLE;
	call(SYS_env_set_status, t.id, status, 0, 0, 0,
	     expect(t.kind, valid ? ARGS_OK : ARGS_BAD) & ~ERR(E_NO_MEM));
}

// Our own upcall must stay the library's: pokes and copy-on-write
// faults go through it.
static void
fz_env_set_pgfault_upcall(void)
{
	struct target t = pick_env();
	uintptr_t func = t.kind == SELF ? (uintptr_t) _pgfault_upcall
					: pick_va();

	call(SYS_env_set_pgfault_upcall, t.id, func, 0, 0, 0,
	     expect(t.kind, ARGS_OK) & ~ERR(E_NO_MEM));
}

// Exceptions are none of ours: our own mask stays empty (a random one
// may still be refused), a victim's is anything.
static void
fz_env_set_exception_upcall(void)
{
	struct target t = pick_env();
	uint32_t traps = below(2) ? rand32() & UEXC_TRAPS : rand32();

	if (t.kind == SELF && !(traps & ~UEXC_TRAPS))
		traps = 0;
	call(SYS_env_set_exception_upcall, t.id, pick_va(), traps, 0, 0,
	     expect(t.kind, traps & ~UEXC_TRAPS ? ARGS_BAD : ARGS_OK)
	     & ~ERR(E_NO_MEM));
}

// Our own priority stays the default, or the root could wait on us; a
// victim's is anything, in range or not.
static void
fz_env_set_priority(void)
{
	struct target t = pick_env();
	int prio = below(2) ? (int) below(NPRIO) : (int) rand32();
	bool valid = prio >= 0 && prio < NPRIO;

	if (t.kind == SELF && valid)
		prio = ENV_PRIO_DEFAULT;
	call(SYS_env_set_priority, t.id, prio, 0, 0, 0,
	     expect(t.kind, valid ? ARGS_OK : ARGS_BAD) & ~ERR(E_NO_MEM));
}

// A snapshot is destroyed at once: only victims are kept track of.  A
// running child cannot be taken (-E_INVAL), nor can the worker itself.
static void
fz_env_snapshot(void)
{
	struct target t = pick_env();
	envid_t id;

	id = call(SYS_env_snapshot, t.id, 0, 0, 0, 0,
		  t.kind == SELF ? ERR(E_INVAL)
		  : expect(t.kind, ARGS_UNSURE) | ERR(E_NO_FREE_ENV));
	if (id >= 0)
		call(SYS_env_destroy, id, 0, 0, 0, 0, OK);
}

// Between two victims, whatever state either is in; with the worker
// itself, or one victim twice, never.
static void
fz_env_restore(void)
{
	struct target c = pick_env(), s = pick_env();
	int args = c.kind == SELF || s.kind == SELF
		|| (c.kind == MINE && c.id == s.id) ? ARGS_BAD : ARGS_UNSURE;

	call(SYS_env_restore, c.id, s.id, 0, 0, 0,
	     expect(worse(c.kind, s.kind), args));
}

// ---------------------------------------------------------------------
// Regions.

// How far from va the memory we run on is, the top of the address
// space wrapping around to 0: a range of ours no longer touches it.
// 0 if va is on it.
static uint64_t
room_at(uintptr_t va)
{
	if (protected(va))
		return 0;
	if (va < (uintptr_t) TALLY)
		return (uintptr_t) TALLY - va;
	if (va < UTEXT)
		return UTEXT - va;
	if (va < USTACKTOP - PGSIZE)
		return USTACKTOP - PGSIZE - va;
	return (1ULL << 32) - va + (uintptr_t) TALLY;
}

// A length for a range at va: a few pages mostly, else empty, under a
// page, unaligned, a power of two up to 2 GiB, up to UTOP or ULIM,
// past them, to the top of the address space or around it.
static size_t
pick_len(uintptr_t va)
{
	size_t ends[] = {
		UTOP - va, UTOP - va + PGSIZE, ULIM - va, -va, -va + PGSIZE,
	};

	switch (below(8)) {
	case 0:
		return below(2) ? 0 : 1 + below(PGSIZE - 1);
	case 1:
		return rand32();
	case 2:
		return ends[below(ARRAY_SIZE(ends))];
	case 3:
		return PGSIZE << below(20);
	default:
		return (1 + below(8)) * PGSIZE
			+ (below(8) ? 0 : 1 + below(PGSIZE - 1));
	}
}

// The env the region mapped last is in, as it is now.
static struct target
last_target(void)
{
	struct target t = { last_region.id, SELF };

	if (t.id)
		t.kind = kind_of(t.id);
	return t;
}

/*
 * A target and a range for a region call: half the time in the region
 * mapped last, or running a page past its end; else any.  In our own
 * space the range starts off the memory we run on (pick_va_for) and is
 * cut short before it.
 */
static struct target
pick_range(uintptr_t *va, size_t *len)
{
	size_t pages = last_region.len / PGSIZE, first;
	struct target t;

	if (pages && below(2)) {
		t = last_target();
		first = below(pages);
		*va = last_region.va + first * PGSIZE;
		*len = (1 + below(pages - first + 1)) * PGSIZE;
	} else {
		t = below(2) ? pick_env() : pick_mine();
		*va = pick_va_for(t.kind);
		*len = pick_len(*va);
	}
	if (t.kind == SELF && *len > room_at(*va))
		*len = room_at(*va);
	return t;
}

// Is [va, va + len) page-aligned, not empty, and where regions may be?
static bool
range_ok(uintptr_t va, size_t len)
{
	return PGOFF(va) == 0 && PGOFF(len) == 0 && len > 0
		&& va >= UMINADDR && va < UTOP && len <= UTOP - va;
}

// Permissions for a region: PTE_U | PTE_P with any of the bits a
// region may have, or anything pick_perm draws.
static uint32_t
pick_region_perm(void)
{
	static const uint32_t extra[] = { PTE_W, PTE_SHARE, PTE_LOCK };
	uint32_t perm = PERM;
	int i;

	if (below(2))
		return pick_perm();
	for (i = 0; i < ARRAY_SIZE(extra); i++)
		if (below(2))
			perm |= extra[i];
	return perm;
}

// Is perm PTE_U | PTE_P with no bits but those in optional?
static bool
region_perm_ok(uint32_t perm, uint32_t optional)
{
	return (perm & PERM) == PERM && !(perm & ~(PERM | optional));
}

// Is something of t's at va: a region, or in our own space a page?
static bool
taken(struct target t, uintptr_t va)
{
	struct RegionInfo ri;

	return sys_region_query(t.id, (void *) va, &ri) == 0
		|| (t.kind == SELF && (my_pte(va) & (PTE_P | PTE_SWAP)));
}

/*
 * A region map said r: the page number of a new region of len bytes
 * with perm, at want if that is not 0.  It must read back as just that
 * region, with nothing in it yet: not a page of ours it was put over.
 */
static bool
check_new_region(struct target t, uintptr_t want, int32_t r, size_t len,
		 uint32_t perm)
{
	uintptr_t va = (uintptr_t) r << PGSHIFT;
	struct RegionInfo ri;
	int err;

	if ((uint32_t) r >= UTOP >> PGSHIFT || va < UMINADDR
	    || len > UTOP - va || (want && va != want)) {
		fail("region_map", "%x bytes at page %x (wanted at %08x)",
		     len, r, want);
		return false;
	}
	err = sys_region_query(t.id, (void *) va, &ri);
	if (err == -E_BAD_ENV && t.kind == MINE)
		return false;			// the victim died
	if (err < 0 || ri.start != va || ri.end != va + len
	    || ri.perm != perm || ri.kind != REGION_ANON || ri.resident) {
		fail("region_map", "%08x-%08x perm %x reads as %08x-%08x "
		     "perm %x kind %d resident %u (%e)", va, va + len, perm,
		     ri.start, ri.end, ri.perm, ri.kind, ri.resident, err);
		return false;
	}
	return true;
}

/*
 * Map a region at the wanted address, else (but with REGION_FIXED)
 * wherever the kernel finds room.  One fixed over something there
 * already must fail.  The fifth argument, the flags, is the one a
 * sysenter passes on the stack.
 */
static void
fz_region_map(void)
{
	static const uint32_t flags_drawn[] = { 0, REGION_FIXED, 2, ~0u };
	uint32_t perm = pick_region_perm(), flags;
	uintptr_t want;
	size_t len;
	struct target t = pick_range(&want, &len);
	int args = ARGS_OK;
	int32_t r;

	flags = below(4) ? flags_drawn[below(ARRAY_SIZE(flags_drawn))]
			 : rand32();
	if (!region_perm_ok(perm, PTE_W | PTE_SHARE | PTE_LOCK)
	    || (flags & ~REGION_FIXED) || PGOFF(want) || PGOFF(len)
	    || len == 0 || len >= UTOP)
		args = ARGS_BAD;
	else if (flags & REGION_FIXED)
		args = !range_ok(want, len) || taken(t, want)
			|| taken(t, want + len - PGSIZE)
			? ARGS_BAD : ARGS_UNSURE;
	r = call(SYS_region_map, t.id, want, len, perm, flags,
		 expect(t.kind, args));
	if (r >= 0 && check_new_region(t, flags & REGION_FIXED ? want : 0,
				       r, len, perm)) {
		last_region.id = t.id;
		last_region.va = (uintptr_t) r << PGSHIFT;
		last_region.len = len;
	}
}

// What t says of one end of a range: region_query's answer there and,
// in our own space, the page's entry.
struct end_view {
	uintptr_t va;
	int err;
	struct RegionInfo ri;
	pte_t pte;
};

// View the first and last pages of [va, va + len) in t, into v; returns
// how many were viewed before t, a victim, turned out to be gone.
static int
view_ends(struct target t, uintptr_t va, size_t len, struct end_view v[2])
{
	int i;

	v[0].va = va;
	v[1].va = va + len - PGSIZE;
	for (i = 0; i < 2; i++) {
		v[i].err = sys_region_query(t.id, (void *) v[i].va, &v[i].ri);
		if (v[i].err == -E_BAD_ENV && t.kind == MINE)
			break;
		v[i].pte = t.kind == SELF ? my_pte(v[i].va) : 0;
	}
	return i;
}

// After an unmap of [va, va + len) in t, no region holds its first or
// last page, and in our own space no page is there.
static void
check_gone(struct target t, uintptr_t va, size_t len)
{
	struct end_view v[2];
	int i, n = view_ends(t, va, len, v);

	for (i = 0; i < n; i++)
		if (v[i].err != -E_INVAL || (v[i].pte & (PTE_P | PTE_SWAP)))
			fail("region_unmap", "%08x is still there: %e, "
			     "entry %08x", v[i].va, v[i].err, v[i].pte);
}

static void
fz_region_unmap(void)
{
	uintptr_t va;
	size_t len;
	struct target t = pick_range(&va, &len);

	if (call(SYS_region_unmap, t.id, va, len, rand32(), rand32(),
		 expect(t.kind, range_ok(va, len) ? ARGS_OK : ARGS_BAD)) == 0)
		check_gone(t, va, len);
}

// Do t's regions cover [va, end)?  Asked a region at a time, a few.
static int
cover_args(struct target t, uintptr_t va, uintptr_t end)
{
	struct RegionInfo ri;
	int i;

	for (i = 0; i < 8 && va < end; i++, va = ri.end)
		if (sys_region_query(t.id, (void *) va, &ri) < 0)
			return ARGS_BAD;
	return va >= end ? ARGS_OK : ARGS_UNSURE;
}

/*
 * After a protect of [va, va + len) in t with perm, the regions holding
 * its first and last pages have perm (and PTE_SHARE as before); in our
 * own space the pages there are locked if perm says so, and present
 * ones are read-only if it does.
 */
static void
check_protected(struct target t, uintptr_t va, size_t len, uint32_t perm)
{
	struct end_view v[2];
	int i, n = view_ends(t, va, len, v);
	pte_t pte;

	for (i = 0; i < n; i++) {
		pte = v[i].pte;
		if (v[i].err < 0 || (v[i].ri.perm & ~PTE_SHARE) != perm
		    || ((pte & (PTE_P | PTE_SWAP))
			&& (pte & PTE_LOCK) != (perm & PTE_LOCK))
		    || ((pte & PTE_P) && (pte & ~perm & PTE_W)))
			fail("region_protect", "%08x not perm %x: region's "
			     "%x (%e), entry %08x", v[i].va, perm,
			     v[i].ri.perm, v[i].err, pte);
	}
}

static void
fz_region_protect(void)
{
	uint32_t perm = pick_region_perm();
	uintptr_t va;
	size_t len;
	struct target t = pick_range(&va, &len);
	int args = ARGS_UNSURE;

	if (!range_ok(va, len) || !region_perm_ok(perm, PTE_W | PTE_LOCK))
		args = ARGS_BAD;
	else if (ours(t.kind))
		args = cover_args(t, va, va + len);
	if (call(SYS_region_protect, t.id, va, len, perm, rand32(),
		 expect(t.kind, args)) == 0)
		check_protected(t, va, len, perm);
}

// Our program is in image regions, the top of our stack in the stack
// region; the tally, the exception stack, the page between and all
// outside [UMINADDR, UTOP) in none.
static bool
own_image(uintptr_t va)
{
	return va >= UTEXT && va < (uintptr_t) end;
}

static bool
own_stack(uintptr_t va)
{
	return va >= USTACKTOP - PGSIZE && va < USTACKTOP;
}

// What a query of va in a target of kind may answer.
static uint32_t
query_results(int kind, uintptr_t va)
{
	bool outside = va < UMINADDR || va >= UTOP;

	if (kind == SELF && (own_image(va) || own_stack(va)))
		return OK;
	if (kind == SELF && (outside || va >= USTACKTOP
			     || ROUNDDOWN(va, PGSIZE) == (uintptr_t) TALLY))
		return ERR(E_INVAL);
	if (!ours(kind))
		return ANY_ERR;
	return (outside ? ERR(E_INVAL) : OK | ERR(E_INVAL))
		| (kind == MINE ? ERR(E_BAD_ENV) : 0);
}

// The region holding va in t, as a query described it.
static void
check_info(struct target t, uintptr_t va, const struct RegionInfo *ri)
{
	int kind = ri->kind;

	if (t.kind == SELF && own_image(va))
		kind = REGION_IMAGE;
	else if (t.kind == SELF && own_stack(va))
		kind = REGION_STACK;
	if (PGOFF(ri->start) || PGOFF(ri->end) || ri->start < UMINADDR
	    || ri->end > UTOP || va < ri->start || va >= ri->end
	    || !region_perm_ok(ri->perm, PTE_W | PTE_SHARE | PTE_LOCK)
	    || ri->kind != kind || kind < REGION_ANON || kind > REGION_STACK
	    || ri->resident > (ri->end - ri->start) / PGSIZE)
		fail("region_query", "%08x in %08x: %08x-%08x perm %x kind %d "
		     "resident %u", va, t.id, ri->start, ri->end, ri->perm,
		     ri->kind, ri->resident);
}

/*
 * Ask about the region holding an address (half the time one in, or
 * just past, the region mapped last), twice: into a buffer of our own,
 * then to a hostile address, which must get the same answer, or
 * -E_FAULT if the kernel may not write there.
 */
static void
fz_region_query(void)
{
	uintptr_t out = pick_out(sizeof(struct RegionInfo));
	struct RegionInfo ri, again;
	struct target t;
	uintptr_t va;
	uint32_t allowed;
	int32_t r;

	if (last_region.len && below(2)) {
		t = last_target();
		va = last_region.va + below(last_region.len + PGSIZE);
	} else {
		t = below(2) ? pick_env() : pick_mine();
		va = pick_va();
	}
	memset(&ri, 0, sizeof(ri));
	r = call(SYS_region_query, t.id, va, (uintptr_t) &ri, rand32(),
		 rand32(), query_results(t.kind, va));
	if (r == 0)
		check_info(t, va, &ri);
	allowed = r < 0 ? result_bit(r) : out_results(out, sizeof(ri));
	if (!ours(t.kind))
		allowed = ANY_ERR;
	else if (t.kind == MINE)
		allowed |= ERR(E_BAD_ENV);
	if (call(SYS_region_query, t.id, va, out, rand32(), rand32(),
		 allowed) < 0 || r < 0)
		return;
	memcpy(&again, (void *) out, sizeof(again));
	if (memcmp(&again, &ri, sizeof(ri)) != 0)
		fail("region_query", "%08x in %08x: %08x-%08x to %08x, but "
		     "%08x-%08x to our own", va, t.id, again.start, again.end,
		     out, ri.start, ri.end);
}

// ---------------------------------------------------------------------
// Paging.

// t's paging, into *vs; false if it cannot be had (a failure, but for
// a victim that died).
static bool
stat_of(const char *what, struct target t, struct VmStat *vs)
{
	int err = sys_vm_stat(t.id, vs);

	if (err < 0 && !(err == -E_BAD_ENV && t.kind == MINE))
		fail(what, "vm_stat of %08x: %e", t.id, err);
	return err == 0;
}

// Pages of a victim's own (it has few), for a limit to send out.
static void
give_pages(envid_t victim)
{
	int i;

	for (i = 0; i < 8; i++)
		call(SYS_page_alloc, victim, scratch_page(), PERM | PTE_W, 0,
		     0, OK | ERR(E_NO_MEM) | ERR(E_BAD_ENV));
}

/*
 * A frame limit.  On a victim anything, tiny ones too (given pages to
 * send out first): its pages go out to swap at once, as far as swap
 * has room (with no swap disk the limit is a cap, and nothing goes).
 * On ourselves none, one we can never reach (more pages than the
 * machine has free), or one it does not have (-E_INVAL): any other
 * could fail our own faults for want of memory, with no swap disk, or
 * send out a page we just mapped, with one.  A limit set reads back.
 */
static void
fz_env_set_frame_limit(void)
{
	struct target t = pick_env();
	uint32_t limit;
	struct VmStat vs;

	switch (below(8)) {
	case 0:
		limit = 0;
		break;
	case 1:
		limit = npages - below(16);
		break;
	case 2:
		limit = npages + 1 + below(100);
		break;
	case 3:
		limit = rand32();
		break;
	case 4:
		limit = below(npages);
		break;
	default:
		limit = 1 + below(4);
		break;
	}
	if (t.kind == SELF && limit < npages - 16)
		limit = 0;
	else if (t.kind == MINE && limit && limit < 8)
		give_pages(t.id);
	if (call(SYS_env_set_frame_limit, t.id, limit, rand32(), rand32(),
		 rand32(), expect(t.kind, limit > npages ? ARGS_BAD : ARGS_OK)
		 & ~ERR(E_NO_MEM)) < 0 || !ours(t.kind))
		return;
	if (t.kind == SELF)
		my_limit = limit;
	if (!stat_of("env_set_frame_limit", t, &vs))
		return;
	if (vs.limit != limit
	    || (limit && vs.resident > limit && vs.slots_used + 64 < vs.slots))
		fail("env_set_frame_limit", "%08x's limit %u reads as %u, "
		     "%u pages resident, %u of %u slots used", t.id, limit,
		     vs.limit, vs.resident, vs.slots_used, vs.slots);
}

// A replacement policy, valid or not, on anyone; one set reads back.
static void
fz_env_set_swap_policy(void)
{
	struct target t = pick_env();
	int policy = below(2) ? (int) below(NSWAPPOLICY + 1) : (int) rand32();
	bool valid = policy >= SWAP_FIFO && policy < NSWAPPOLICY;
	struct VmStat vs;

	if (call(SYS_env_set_swap_policy, t.id, policy, rand32(), rand32(),
		 rand32(), expect(t.kind, valid ? ARGS_OK : ARGS_BAD)
		 & ~ERR(E_NO_MEM)) < 0 || !ours(t.kind))
		return;
	if (t.kind == SELF)
		my_policy = policy;
	if (stat_of("env_set_swap_policy", t, &vs) && vs.policy != policy)
		fail("env_set_swap_policy", "%08x's policy %d reads as %d",
		     t.id, policy, vs.policy);
}

/*
 * Paging counts, to a hostile address, or half the time to a buffer of
 * our own.  Those that come back must make sense: an env's counts
 * within everyone's, slots used within the slots, free frames within
 * the machine's; our own limit and policy what we set.
 */
static void
fz_vm_stat(void)
{
	struct target t = pick_env();
	struct VmStat vs;
	uintptr_t out;
	uint32_t allowed;

	memset(&vs, 0, sizeof(vs));
	out = below(2) ? (uintptr_t) &vs : pick_out(sizeof(vs));
	allowed = out_results(out, sizeof(vs));
	if (!ours(t.kind))
		allowed = ANY_ERR;
	else if (t.kind == MINE)
		allowed |= ERR(E_BAD_ENV);
	if (call(SYS_vm_stat, t.id, out, rand32(), rand32(), rand32(),
		 allowed) < 0)
		return;
	memmove(&vs, (void *) out, sizeof(vs));
	if (vs.env.faults > vs.all.faults || vs.env.swapins > vs.all.swapins
	    || vs.env.swapouts > vs.all.swapouts
	    || vs.env.dropped > vs.all.dropped || vs.limit > npages
	    || vs.policy < SWAP_FIFO || vs.policy >= NSWAPPOLICY
	    || vs.slots_used > vs.slots || vs.frames_free > npages
	    || (t.kind == SELF
		&& (vs.limit != my_limit || vs.policy != my_policy)))
		fail("vm_stat", "of %08x to %08x: faults %u of %u, limit %u, "
		     "policy %u, slots %u of %u, frames free %u", t.id, out,
		     vs.env.faults, vs.all.faults, vs.limit, vs.policy,
		     vs.slots_used, vs.slots, vs.frames_free);
}

// A send by call num, half the time to an env that waits for a message,
// if one does; to_self is what num may answer a send to ourselves.
static void
fuzz_send(uint32_t num, uint32_t to_self)
{
	struct target t = pick_env();
	envid_t waiting = below(2) ? pick_receiver() : 0;
	uintptr_t va = below(2) ? pick_va_for(SELF) : UTOP;
	uint32_t allowed = OK | ERR(E_IPC_NOT_RECV) | ERR(E_INVAL)
		| ERR(E_NO_MEM) | ERR(E_BAD_ENV);

	if (waiting)
		t = (struct target) { waiting, kind_of(waiting) };
	if (t.kind == DEAD)
		allowed = ERR(E_BAD_ENV);
	else if (t.kind == SELF)
		allowed = to_self;
	call(num, t.id, rand32(), va, pick_perm(), 0, allowed);
}

static void
fz_ipc_try_send(void)
{
	fuzz_send(SYS_ipc_try_send, ERR(E_IPC_NOT_RECV) | ERR(E_INVAL));
}

// A send that waits in the kernel: until the target receives, or the
// root, finding us stopped, cancels it (-E_IPC_NOT_RECV).  To ourselves
// it must fail at once.
static void
fz_ipc_send(void)
{
	fuzz_send(SYS_ipc_send, ERR(E_INVAL));
}

// A message came to us, with a page at va if its perm says so.
static void
check_received(const char *what, uintptr_t va)
{
	int perm = thisenv->env_ipc_perm;

	if (perm && (va >= UTOP || !perm_ok(perm)))
		fail(what, "perm %x for a page at %08x", perm, va);
	else if (perm)
		check_mapped(what, va, perm, 0);
}

// Wait for a message, from a sibling or the root (which wakes any worker
// it finds waiting), with or without a page.  The root may also make us
// runnable with sys_env_set_status, which cancels the receive.
static void
fz_ipc_recv(void)
{
	uintptr_t va = pick_va_for(SELF);

	if (call(SYS_ipc_recv, va, 0, 0, 0, 0,
		 va < UTOP && !va_ok(va) ? ERR(E_INVAL)
		 : OK | ERR(E_IPC_NOT_RECV)) == 0)
		check_received("ipc_recv", va);
}

/*
 * What an ipc_call to a target of kind may answer.  A bad receive
 * address fails first; a send to ourselves, or one whose page may not
 * be sent, fails at once.  Else the call blocks: receiving once the
 * message went, until the root or a sibling sends to us (0); or queued,
 * until the message is taken (IPC_CALL_SENT, or the send's error), the
 * root cancels the send, or the target dies.
 */
static uint32_t
call_results(int kind, uintptr_t srcva, uint32_t perm, uintptr_t dstva)
{
	uint32_t ok = OK | ERR(E_IPC_NOT_RECV) | ERR(E_BAD_ENV);
	int args;

	if (dstva < UMINADDR)
		return ERR(E_INVAL) | (kind == SELF ? 0 : ERR(E_BAD_ENV));
	if (kind == SELF)
		return ERR(E_INVAL);
	if (kind == DEAD)
		return ERR(E_BAD_ENV);
	if (srcva >= UTOP)
		return ok;
	args = va_ok(srcva) && perm_ok(perm)
		? source_args(srcva, perm & PTE_W) : ARGS_BAD;
	if (args == ARGS_BAD)
		return ERR(E_INVAL) | ERR(E_BAD_ENV);
	return ok | ERR(E_NO_MEM) | (args == ARGS_OK ? 0 : ERR(E_INVAL));
}

// A send and a receive in one call, aimed as fuzz_send aims its sends;
// the receive address, page-aligned, and the send's permissions share
// the fourth argument.
static void
fz_ipc_call(void)
{
	struct target t = pick_env();
	envid_t waiting = below(2) ? pick_receiver() : 0;
	uintptr_t srcva = below(2) ? pick_va_for(SELF) : UTOP;
	uintptr_t dstva = ROUNDDOWN(pick_va_for(SELF), PGSIZE);
	uint32_t perm = PGOFF(pick_perm());
	int32_t r;

	if (waiting)
		t = (struct target) { waiting, kind_of(waiting) };
	r = call(SYS_ipc_call, t.id, rand32(), srcva, dstva | perm, rand32(),
		 call_results(t.kind, srcva, perm, dstva));
	if (r > IPC_CALL_SENT)
		fail("ipc_call", "returned %d", r);
	else if (r == 0)
		check_received("ipc_call", dstva);
}

static void
fz_cputs(void)
{
	static const char msg[] = "fuzz: hello from a worker\n";

	if (below(64) == 0)
		call(SYS_cputs, (uint32_t) msg, sizeof(msg) - 1, 0, 0, 0, OK);
	else
		call(SYS_cputs, pick_va(), 0, rand32(), 0, 0, OK);
}

static void
fz_small(void)
{
	switch (below(4)) {
	case 0:
		if (call(SYS_getenvid, rand32(), rand32(), 0, 0, 0, OK) != self)
			fail("getenvid", "not %08x", self);
		break;
	case 1:
		call(SYS_cgetc, rand32(), 0, 0, 0, 0, OK);
		break;
	case 2:
		call(SYS_yield, rand32(), 0, 0, 0, 0, OK);
		break;
	default:
		// Numbers past the last call, and negative ones.
		call(below(2) ? NSYSCALLS + below(100) : -1 - below(100),
		     rand32(), rand32(), rand32(), rand32(), rand32(),
		     ERR(E_INVAL));
		break;
	}
}

// ---------------------------------------------------------------------
// Pokes: loads and stores at kernel addresses from user mode.

uint32_t poke_load(uintptr_t va);
void poke_store(uintptr_t va, uint32_t val);
extern char poke_load_at[], poke_load_done[];
extern char poke_store_at[], poke_store_done[];
asm(".pushsection .text\n"
    "poke_load:\n"
    "	movl 4(%esp), %edx\n"
    "	xorl %eax, %eax\n"
    "poke_load_at:\n"
    "	movl (%edx), %eax\n"
    "poke_load_done:\n"
    "	ret\n"
    "poke_store:\n"
    "	movl 4(%esp), %edx\n"
    "	movl 8(%esp), %eax\n"
    "poke_store_at:\n"
    "	movl %eax, (%edx)\n"
    "poke_store_done:\n"
    "	ret\n"
    ".popsection\n");

static volatile uint32_t poke_faults, poke_va, poke_err;

// Skip a poke that faulted; pass any other fault to fork's handler.
static void
fuzz_fault(struct UTrapframe *utf)
{
	if (utf->utf_eip == (uintptr_t) poke_load_at)
		utf->utf_eip = (uintptr_t) poke_load_done;
	else if (utf->utf_eip == (uintptr_t) poke_store_at)
		utf->utf_eip = (uintptr_t) poke_store_done;
	else {
		cow_handler(utf);
		return;
	}
	poke_va = utf->utf_fault_va;
	poke_err = utf->utf_err;
	poke_faults++;
}

// A word-aligned address above UTOP, mostly where the kernel keeps things.
static uintptr_t
pick_kernel_va(void)
{
	static const uintptr_t bases[] = {
		UTOP, UENVS, UPAGES, UVPT, ULIM, MMIOBASE, MMIOLIM,
		KSTACKTOP - PTSIZE, KERNBASE, KERNBASE + 0x100000,
	};
	uintptr_t va;

	if (below(4) == 0)
		va = UTOP + below(-UTOP);
	else
		va = bases[below(ARRAY_SIZE(bases))] + below(4 * PGSIZE);
	return ROUNDDOWN(va, 4);
}

/*
 * A store above UTOP must fault, and so must a load above ULIM; loads in
 * between read the read-only views where they are mapped.
 */
static void
fz_poke(void)
{
	uintptr_t va = pick_kernel_va();
	bool store = below(2);
	uint32_t before = poke_faults;
	bool faulted;

	if (store)
		poke_store(va, rand32());
	else
		poke_load(va);
	tally->pokes++;
	faulted = poke_faults != before;
	if (!faulted && (store || va >= ULIM))
		fail("poke", "%s %08x from user mode did not fault",
		     store ? "store to" : "load from", va);
	else if (faulted && (poke_va != va || !(poke_err & FEC_U)
			     || !!(poke_err & FEC_WR) != store))
		fail("poke", "%s %08x faulted at %08x with err %x",
		     store ? "store to" : "load from", va, poke_va, poke_err);
}

// ---------------------------------------------------------------------
// Workers and the root.

static const struct {
	int weight;
	void (*fn)(void);
} steps[] = {
	{ 20, fz_page_alloc },
	{ 20, fz_page_map },
	{ 12, fz_page_unmap },
	{ 8, fz_page_copy },
	{ 1, fz_page_cow_range },
	{ 6, fz_env_destroy },
	{ 8, fz_env_set_status },
	{ 6, fz_env_set_pgfault_upcall },
	{ 3, fz_env_set_exception_upcall },
	{ 3, fz_env_set_priority },
	{ 2, fz_env_snapshot },
	{ 2, fz_env_restore },
	{ 4, fz_region_map },
	{ 3, fz_region_unmap },
	{ 3, fz_region_protect },
	{ 3, fz_region_query },
	{ 2, fz_env_set_frame_limit },
	{ 1, fz_env_set_swap_policy },
	{ 2, fz_vm_stat },
	{ 12, fz_ipc_try_send },
	{ 3, fz_ipc_send },
	{ 1, fz_ipc_recv },
	{ 3, fz_ipc_call },
	{ 3, fz_cputs },
	{ 8, fz_small },
	{ 10, fz_poke },
};

static void
step(void)
{
	int i, total = 0, n;

	for (i = 0; i < ARRAY_SIZE(steps); i++)
		total += steps[i].weight;
	n = below(total);
	for (i = 0; n >= steps[i].weight; i++)
		n -= steps[i].weight;
	// A new victim now and then (about one in 500 steps).
	if (below(500) == 0)
		fz_exofork();
	else
		steps[i].fn();
}

// Handle our own faults with fuzz_fault, fork's handler underneath.
static void
take_faults(void)
{
	cow_handler = _pgfault_handler;
	set_pgfault_handler(fuzz_fault);
}

static void
run_worker(int w)
{
	struct VmStat vs;
	int i;

	worker = w;
	self = sys_getenvid();
	tally = &TALLY[w];
	rng = (seed ^ (0x9e3779b9 * (w + 1))) | 1;
	// Until victims die, "stale" ids are our slot's other generations.
	for (i = 0; i < ARRAY_SIZE(stale); i++)
		stale[i] = self + (i + 1) * NENV;
	take_faults();
	my_policy = stat_of("vm_stat", (struct target) { 0, SELF }, &vs)
		? vs.policy : 0;
	while (tally->calls < NCALLS)
		step();
	while (nvictims > 0) {
		call(SYS_env_destroy, victims[0], 0, 0, 0, 0,
		     OK | ERR(E_BAD_ENV));
		forget_victim(0);
	}
	tally->done = true;
}

// Is worker w still there?
/*
 * Keep the workers going: wake those waiting for a message (with our
 * page now and then) and resume those that stopped themselves.  Read
 * status before env_ipc_recving: the kernel sets them in the other order.
 */
static void
tend(envid_t *w)
{
	const volatile struct Env *e;
	bool busy = true;
	int i, r;

	while (busy) {
		busy = false;
		for (i = 0; i < NWORKERS; i++) {
			if (env_gone(w[i]))
				continue;
			busy = true;
			e = &envs[ENVX(w[i])];
			if (e->env_status != ENV_NOT_RUNNABLE)
				continue;
			if (!e->env_ipc_recving)
				r = sys_env_set_status(w[i], ENV_RUNNABLE);
			else if (below(4) == 0)
				r = sys_ipc_try_send(w[i], 0, ROOTPAGE, PERM);
			else
				r = sys_ipc_try_send(w[i], 0, (void *) UTOP, 0);
			if (r < 0 && r != -E_IPC_NOT_RECV && r != -E_BAD_ENV)
				cprintf("fuzz: FAIL seed %08x root: waking "
					"%08x: %e\n", seed, w[i], r);
		}
		sys_yield();
	}
}

// The machine's pages (sys_vm_stat's frames).
static uint32_t
find_npages(void)
{
	struct VmStat vs;
	int r;

	if ((r = sys_vm_stat(0, &vs)) < 0)
		panic("fuzz: vm_stat: %e", r);
	return vs.frames;
}

static void
report(void)
{
	uint32_t calls = 0, pokes = 0, fails = 0;
	int i;

	for (i = 0; i < NWORKERS; i++) {
		calls += TALLY[i].calls;
		pokes += TALLY[i].pokes;
		fails += TALLY[i].fails;
		if (!TALLY[i].done) {
			cprintf("fuzz: FAIL seed %08x worker %d died after "
				"%d calls\n", seed, i, TALLY[i].calls);
			fails++;
		}
	}
	cprintf("fuzz: seed %08x: %u system calls, %u pokes, %u failures\n",
		seed, calls, pokes, fails);
}

void
umain(int argc, char **argv)
{
	envid_t w[NWORKERS];
	int i, r;

	seed = FUZZ_SEED ^ (sys_getenvid() * 0x85ebca6b);
	rng = seed | 1;
	cprintf("fuzz: seed %08x, %d workers, %d system calls each\n",
		seed, NWORKERS, NCALLS);
	if ((r = sys_page_alloc(0, TALLY, PERM | PTE_W | PTE_SHARE)) < 0)
		panic("fuzz: tally page: %e", r);
	npages = find_npages();
	for (i = 0; i < NWORKERS; i++) {
		if ((w[i] = fork()) < 0)
			panic("fuzz: fork: %e", w[i]);
		if (w[i] == 0) {
			run_worker(i);
			return;
		}
	}
	if ((r = sys_page_alloc(0, ROOTPAGE, PERM | PTE_W)) < 0)
		panic("fuzz: root page: %e", r);
	tend(w);
	report();
}
