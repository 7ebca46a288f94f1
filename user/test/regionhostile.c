/*
 * The region calls against hostile callers.
 *
 * Bad arguments, from four envs at once (the root and three workers,
 * side by side on several CPUs): unaligned, empty and overflowing
 * ranges, ranges reaching UTOP or below UMINADDR, bad permissions and
 * flags, envs that are neither the caller nor its child, protect over a
 * gap, query answers sent to bad addresses.  Each call fails with
 * exactly the error expected and changes nothing: once all are done,
 * each env finds its own regions and pages as they were.  A parent may
 * act on its child: the root maps, protects and unmaps in each worker.
 *
 * Exhaustion: one env's MAXREGIONS regions (a split then fails and
 * changes nothing, a shrink works); the pool of descriptors, emptied
 * by eight workers together (fork then fails, leaving no env behind);
 * the shared objects (as many again once freed); and memory, filled by
 * a child: calls needing a page fail, calls needing none work, and its
 * first write to a new page ends it.  Then everything is unmapped, and
 * the page audit must find every page.
 *
 * MAXREGIONS and NPOOL are the kernel's limits (kern/region.h,
 * kern/region.c); every env starts with NBASE regions (text, data,
 * stack).
 */
#include <inc/lib.h>

#define MAXREGIONS	1024
#define NPOOL		8192
#define NBASE		3
#define NWORKERS	3		// with the root: four envs at once
#define NPOOLERS	8		// with the root's: more than NPOOL

#define RO		(PTE_P | PTE_U)
#define RW		(PTE_P | PTE_U | PTE_W)
#define OWN		0x31000000	// each env's: 4 pages, a gap, 2 pages
#define OWN2		(OWN + 5 * PGSIZE)
#define ROREG		0x32000000	// each env's: read-only, untouched
#define FREE		0x30000000	// never a region, never a page
#define KIDREG		0x33000000	// the root maps it in each worker
#define MANY		0x40000000	// 1-page regions, a page apart
#define SHARED		0x3f000000	// PTE_SHARE: the memory child's report

static int nfail, ncalls;

static void
check(const char *what, int got, int want)
{
	if (got == want)
		return;
	cprintf("regionhostile: FAIL: [%08x] %s: got %e, want %e\n",
		sys_getenvid(), what, got, want);
	nfail++;
}

static void
checkx(const char *what, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	cprintf("regionhostile: FAIL: [%08x] %s: got %x, want %x\n",
		sys_getenvid(), what, got, want);
	nfail++;
}

// ---------------------------------------------------------------------
// Bad arguments

enum { MAP, UNMAP, PROTECT, QUERY };

struct call {
	int call;
	uintptr_t va;
	uint32_t len;		// QUERY: where the answer goes
	int perm, flags;
	int err;		// what the call must return
};

#define P		PGSIZE
#define BAD_MAP(va, len, perm, flags)	{ MAP, va, len, perm, flags, -E_INVAL }
#define BAD_UNMAP(va, len)		{ UNMAP, va, len, 0, 0, -E_INVAL }
#define BAD_PROTECT(va, len, perm)	{ PROTECT, va, len, perm, 0, -E_INVAL }
#define BAD_QUERY(va, info, err)	{ QUERY, va, info, 0, 0, err }

// Arguments every env may get wrong about itself.  ANSWER stands for a
// good place for a query's answer.
#define ANSWER		1
static const struct call bad_calls[] = {
	// map: permissions and flags
	BAD_MAP(FREE, P, 0, 0), BAD_MAP(FREE, P, PTE_P, 0),
	BAD_MAP(FREE, P, PTE_U, 0), BAD_MAP(FREE, P, PTE_P | PTE_W, 0),
	BAD_MAP(FREE, P, PTE_U | PTE_W, 0), BAD_MAP(FREE, P, RW | PTE_COW, 0),
	BAD_MAP(FREE, P, RW | PTE_PWT, 0), BAD_MAP(FREE, P, RW | PTE_PCD, 0),
	BAD_MAP(FREE, P, RW | PTE_A, 0), BAD_MAP(FREE, P, RW | PTE_G, 0),
	BAD_MAP(FREE, P, RW | 0x1000, 0), BAD_MAP(FREE, P, -1, 0),
	BAD_MAP(FREE, P, RW, 2), BAD_MAP(FREE, P, RW, 0x80000000),
	BAD_MAP(FREE, P, RW, -1),
	// map: ranges, moved or not
	BAD_MAP(FREE + 1, P, RW, 0), BAD_MAP(FREE + 0x800, P, RW, REGION_FIXED),
	BAD_MAP(FREE, 0, RW, 0), BAD_MAP(FREE, 1, RW, 0),
	BAD_MAP(FREE, P + 1, RW, 0), BAD_MAP(FREE, 0xfff, RW, 0),
	BAD_MAP(FREE, UTOP, RW, 0), BAD_MAP(FREE, 0xfffff000, RW, 0),
	{ MAP, FREE, UTOP - UMINADDR, RW, 0, -E_NO_MEM },	// fits nowhere
	// map: fixed where no region may be
	BAD_MAP(0, P, RW, REGION_FIXED),
	BAD_MAP(UMINADDR - P, P, RW, REGION_FIXED),
	BAD_MAP(UMINADDR - P, 2 * P, RW, REGION_FIXED),
	BAD_MAP(0x100000, P, RW, REGION_FIXED),
	BAD_MAP(UTOP, P, RW, REGION_FIXED),
	BAD_MAP(UTOP - P, 2 * P, RW, REGION_FIXED),
	BAD_MAP(ULIM, P, RW, REGION_FIXED),
	BAD_MAP(KERNBASE, P, RW, REGION_FIXED),
	BAD_MAP(0xfffff000, P, RW, REGION_FIXED),
	BAD_MAP(0xfffff000, 2 * P, RW, REGION_FIXED),
	// map: fixed over regions and pages
	BAD_MAP(OWN + P, P, RW, REGION_FIXED),
	BAD_MAP(OWN - P, 2 * P, RW, REGION_FIXED),
	BAD_MAP(OWN + 4 * P, 2 * P, RW, REGION_FIXED),	// the gap, and OWN2
	BAD_MAP(UTEXT, P, RW, REGION_FIXED),
	BAD_MAP(USTACKTOP - P, P, RW, REGION_FIXED),
	BAD_MAP(UXSTACKTOP - P, P, RW, REGION_FIXED),	// a mapped page

	// unmap
	BAD_UNMAP(FREE + 1, P), BAD_UNMAP(OWN + 0x800, P), BAD_UNMAP(FREE, 0),
	BAD_UNMAP(FREE, 1), BAD_UNMAP(OWN, P + 1), BAD_UNMAP(OWN, 0xfff),
	BAD_UNMAP(0, P), BAD_UNMAP(UMINADDR - P, P),
	BAD_UNMAP(UMINADDR - P, 2 * P), BAD_UNMAP(UTOP, P),
	BAD_UNMAP(UTOP - P, 2 * P), BAD_UNMAP(ULIM, P), BAD_UNMAP(KERNBASE, P),
	BAD_UNMAP(0xfffff000, P), BAD_UNMAP(OWN, 0xfffff000),
	BAD_UNMAP(OWN, UTOP), BAD_UNMAP(UMINADDR, UTOP),

	// protect: ranges not covered
	BAD_PROTECT(OWN, 5 * P, RO), BAD_PROTECT(OWN + 3 * P, 3 * P, RO),
	BAD_PROTECT(OWN + 4 * P, P, RO), BAD_PROTECT(FREE, P, RO),
	BAD_PROTECT(OWN - P, 2 * P, RO), BAD_PROTECT(OWN, 7 * P, RO),
	// protect: permissions
	BAD_PROTECT(OWN, P, 0), BAD_PROTECT(OWN, P, PTE_P),
	BAD_PROTECT(OWN, P, PTE_U), BAD_PROTECT(OWN, P, PTE_P | PTE_W),
	BAD_PROTECT(OWN, P, RW | PTE_SHARE), BAD_PROTECT(OWN, P, RW | PTE_COW),
	BAD_PROTECT(OWN, P, RW | PTE_PWT), BAD_PROTECT(OWN, P, -1),
	// protect: ranges
	BAD_PROTECT(OWN + 1, P, RO), BAD_PROTECT(OWN, 0, RO),
	BAD_PROTECT(OWN, P + 1, RO), BAD_PROTECT(OWN, 0xfffff000, RO),
	BAD_PROTECT(0, P, RO), BAD_PROTECT(UMINADDR - P, P, RO),
	BAD_PROTECT(UTOP, P, RO), BAD_PROTECT(UTOP - P, 2 * P, RO),
	BAD_PROTECT(KERNBASE, P, RO), BAD_PROTECT(0xfffff000, 2 * P, RO),

	// query: no region there
	BAD_QUERY(FREE, ANSWER, -E_INVAL),
	BAD_QUERY(OWN + 4 * P, ANSWER, -E_INVAL),
	BAD_QUERY(0, ANSWER, -E_INVAL), BAD_QUERY(UTOP, ANSWER, -E_INVAL),
	BAD_QUERY(UXSTACKTOP - 4, ANSWER, -E_INVAL),
	BAD_QUERY(KERNBASE, ANSWER, -E_INVAL),
	BAD_QUERY(0xffffffff, ANSWER, -E_INVAL),
	// query: the answer may not go there
	BAD_QUERY(OWN, 0, -E_FAULT), BAD_QUERY(OWN, FREE, -E_FAULT),
	BAD_QUERY(OWN, UTEXT + 0x20, -E_FAULT), BAD_QUERY(OWN, ROREG, -E_FAULT),
	BAD_QUERY(OWN, ROREG + P - 8, -E_FAULT),
	BAD_QUERY(OWN, UTOP - 8, -E_FAULT),
	BAD_QUERY(OWN, UENVS, -E_FAULT), BAD_QUERY(OWN, ULIM - 8, -E_FAULT),
	BAD_QUERY(OWN, KERNBASE, -E_FAULT),
	BAD_QUERY(OWN, 0xfffffff8, -E_FAULT),
};

static struct RegionInfo answer;

// Make one call on env, bare (the library's query wrapper would write
// the answer itself first), and check its result.
static void
try(const struct call *c, envid_t env)
{
	uintptr_t info = c->len == ANSWER ? (uintptr_t) &answer : c->len;
	void *va = (void *) c->va;
	int r = 0;

	switch (c->call) {
	case MAP:
		r = sys_region_map(env, &va, c->len, c->perm, c->flags);
		break;
	case UNMAP:
		r = sys_region_unmap(env, va, c->len);
		break;
	case PROTECT:
		r = sys_region_protect(env, va, c->len, c->perm);
		break;
	case QUERY:
		r = syscall_raw(SYS_region_query, env, c->va, info, 0, 0);
		break;
	}
	ncalls++;
	if (r != c->err)
		cprintf("regionhostile: FAIL: [%08x] call %d on %08x, va %08x, "
			"len %08x, perm %x, flags %x: got %e, want %e\n",
			sys_getenvid(), c->call, env, c->va, c->len, c->perm,
			c->flags, r, c->err);
	nfail += r != c->err;
}

// Good arguments, but on an env that is neither us nor our child.
static void
try_env(envid_t env)
{
	static const struct call calls[] = {
		{ MAP, FREE, P, RW, 0, -E_BAD_ENV },
		{ MAP, FREE, P, RW, REGION_FIXED, -E_BAD_ENV },
		{ UNMAP, OWN, P, 0, 0, -E_BAD_ENV },
		{ UNMAP, OWN, 7 * P, 0, 0, -E_BAD_ENV },
		{ PROTECT, OWN, P, RO, 0, -E_BAD_ENV },
		{ PROTECT, OWN2, P, RO, 0, -E_BAD_ENV },
		{ QUERY, OWN, ANSWER, 0, 0, -E_BAD_ENV },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(calls); i++)
		try(&calls[i], env);
}

// Our own regions, which the bad calls must leave as they were: OWN
// (4 pages, written), OWN2 (2 pages, written), ROREG (untouched).
static void
own_regions(void)
{
	void *va;
	int i;

	va = (void *) OWN;
	check("map OWN", sys_region_map(0, &va, 4 * P, RW, REGION_FIXED), 0);
	va = (void *) OWN2;
	check("map OWN2", sys_region_map(0, &va, 2 * P, RW, REGION_FIXED), 0);
	va = (void *) ROREG;
	check("map ROREG", sys_region_map(0, &va, P, RO, REGION_FIXED), 0);
	for (i = 0; i < 7; i++)
		if (i != 4)
			*(volatile uint32_t *) (OWN + i * P) =
				sys_getenvid() + i;
}

static void
expect_region(uintptr_t va, uintptr_t start, int npages, int perm,
	      unsigned resident)
{
	struct RegionInfo ri;

	check("query own region", sys_region_query(0, (void *) va, &ri), 0);
	checkx("own region start", ri.start, start);
	checkx("own region end", ri.end, start + npages * P);
	checkx("own region perm", ri.perm, perm);
	checkx("own region resident", ri.resident, resident);
}

static void
own_regions_intact(void)
{
	struct RegionInfo ri;
	int i;

	expect_region(OWN, OWN, 4, RW, 4);
	expect_region(OWN2, OWN2, 2, RW, 2);
	expect_region(ROREG, ROREG, 1, RO, 0);
	for (i = 0; i < 7; i++)
		if (i != 4)
			checkx("own word", *(volatile uint32_t *) (OWN + i * P),
			       sys_getenvid() + i);
	check("no region at FREE", sys_region_query(0, (void *) FREE, &ri),
	      -E_INVAL);
	check("no region in the gap",
	      sys_region_query(0, (void *) (OWN + 4 * P), &ri), -E_INVAL);
	checkx("no page at FREE", pte_of(FREE) & PTE_P, 0);
	checkx("no region below UMINADDR: page there", pte_of(0) & PTE_P, 0);
}

static void
all_bad_calls(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(bad_calls); i++)
		try(&bad_calls[i], 0);
}

// A worker: the bad calls on itself, its parent and its siblings (whose
// ids the parent sends); then, once every env is done, its own regions
// as they were, and the one its parent mapped for it.
static void
worker(void)
{
	envid_t me = sys_getenvid(), all[NWORKERS];
	struct RegionInfo ri;
	int i;

	for (i = 0; i < NWORKERS; i++)
		all[i] = ipc_recv(NULL, NULL, NULL);
	own_regions();
	all_bad_calls();
	try_env(thisenv->env_parent_id);
	for (i = 0; i < NWORKERS; i++)
		if (all[i] != me)
			try_env(all[i]);
	ipc_send(thisenv->env_parent_id, 0, NULL, 0);

	ipc_recv(NULL, NULL, NULL);	// everyone is done
	own_regions_intact();
	check("query the region the parent mapped",
	      sys_region_query(0, (void *) KIDREG, &ri), 0);
	*(volatile uint32_t *) KIDREG = me;
	checkx("write it", *(volatile uint32_t *) KIDREG, me);
	ipc_send(thisenv->env_parent_id, nfail, NULL, 0);
	ipc_recv(NULL, NULL, NULL);	// the parent is done with us
	exit();
}

// The root on a child: map, protect, unmap all work.
static void
act_on_child(envid_t kid, bool map)
{
	struct RegionInfo ri;
	void *va = (void *) KIDREG;

	if (map) {
		check("map in a child",
		      sys_region_map(kid, &va, P, RW, REGION_FIXED), 0);
		return;
	}
	check("query in a child", sys_region_query(kid, va, &ri), 0);
	checkx("child's region resident", ri.resident, 1);
	check("protect in a child", sys_region_protect(kid, va, P, RO), 0);
	check("query in a child", sys_region_query(kid, va, &ri), 0);
	checkx("child's region perm", ri.perm, RO);
	check("unmap in a child", sys_region_unmap(kid, va, P), 0);
	check("query in a child", sys_region_query(kid, va, &ri), -E_INVAL);
}

static void
bad_arguments(void)
{
	envid_t kids[NWORKERS];
	int i;

	for (i = 0; i < NWORKERS; i++)
		if ((kids[i] = fork()) == 0)
			worker();
	for (i = 0; i < NWORKERS * NWORKERS; i++)
		ipc_send(kids[i / NWORKERS], kids[i % NWORKERS], NULL, 0);
	own_regions();
	all_bad_calls();
	try_env(0x1000 + NENV - 1);	// a slot never used
	try_env(-1);
	for (i = 0; i < NWORKERS; i++)
		ipc_recv(NULL, NULL, NULL);
	for (i = 0; i < NWORKERS; i++) {
		act_on_child(kids[i], true);
		ipc_send(kids[i], 0, NULL, 0);
	}
	own_regions_intact();
	for (i = 0; i < NWORKERS; i++)
		nfail += ipc_recv(NULL, NULL, NULL);
	for (i = 0; i < NWORKERS; i++) {
		act_on_child(kids[i], false);
		ipc_send(kids[i], 0, NULL, 0);
		wait_env_gone(kids[i]);
	}
	try_env(kids[0]);		// gone now
	check("unmap own", sys_region_unmap(0, (void *) OWN, 0x2000000), 0);
}

// ---------------------------------------------------------------------
// Exhaustion

// Map 1-page regions at MANY, a page apart, until the kernel says no;
// returns how many it took.
static int
map_many(int perm)
{
	void *va;
	int n, r;

	for (n = 0;; n++) {
		va = (void *) (MANY + 2 * n * P);
		if ((r = sys_region_map(0, &va, P, perm, REGION_FIXED)) < 0)
			break;
	}
	check("mapping until none is left", r, -E_NO_MEM);
	return n;
}

static void
unmap_many(void)
{
	struct RegionInfo ri;

	check("unmap them all",
	      sys_region_unmap(0, (void *) MANY, 2 * MAXREGIONS * P), 0);
	check("none left", sys_region_query(0, (void *) MANY, &ri), -E_INVAL);
}

// One env's limit: with it reached a split fails and changes nothing;
// a protect or a shrink that needs no descriptor works.
static int
one_env_full(void)
{
	uintptr_t big = MANY - 8 * P;
	void *va = (void *) big;
	int n;

	check("map big", sys_region_map(0, &va, 4 * P, RW, REGION_FIXED), 0);
	n = map_many(RW);
	checkx("regions one env may have", n + NBASE + 1, MAXREGIONS);
	va = (void *) FREE;
	check("map anywhere", sys_region_map(0, &va, P, RW, 0), -E_NO_MEM);
	check("unmap the middle", sys_region_unmap(0, (void *) (big + P), P),
	      -E_NO_MEM);
	expect_region(big + P, big, 4, RW, 0);
	check("protect the middle",
	      sys_region_protect(0, (void *) (big + P), P, RO), -E_NO_MEM);
	expect_region(big + P, big, 4, RW, 0);
	check("protect all of it",
	      sys_region_protect(0, (void *) big, 4 * P, RO), 0);
	expect_region(big + P, big, 4, RO, 0);
	check("shrink it", sys_region_unmap(0, (void *) big, P), 0);
	expect_region(big + P, big + P, 3, RO, 0);
	check("unmap one", sys_region_unmap(0, (void *) MANY, P), 0);
	va = (void *) MANY;
	check("map one again", sys_region_map(0, &va, P, RW, REGION_FIXED), 0);
	check("unmap big", sys_region_unmap(0, (void *) big, 4 * P), 0);
	unmap_many();
	return n;
}

// Eight workers take the descriptors left; the root then can map none,
// nor fork (exofork copies regions), and nothing is left behind.
static int
pool_empty(void)
{
	envid_t kids[NPOOLERS];
	void *va = (void *) FREE;
	int i, n, sum = 0;

	for (i = 0; i < NPOOLERS; i++)
		if ((kids[i] = fork()) == 0) {
			ipc_send(thisenv->env_parent_id, map_many(RW), NULL, 0);
			ipc_recv(NULL, NULL, NULL);
			unmap_many();
			ipc_send(thisenv->env_parent_id, nfail, NULL, 0);
			exit();
		}
	for (i = 0; i < NPOOLERS; i++)
		sum += ipc_recv(NULL, NULL, NULL);
	checkx("descriptors the workers got", sum,
	       NPOOL - (NPOOLERS + 1) * NBASE);
	check("map with the pool empty", sys_region_map(0, &va, P, RW, 0),
	      -E_NO_MEM);
	n = count_envs();
	check("fork with the pool empty", fork(), -E_NO_MEM);
	checkx("envs after the failed fork", count_envs(), n);
	for (i = 0; i < NPOOLERS; i++) {
		ipc_send(kids[i], 0, NULL, 0);
		nfail += ipc_recv(NULL, NULL, NULL);
		wait_env_gone(kids[i]);
	}
	check("map with the pool back", sys_region_map(0, &va, P, RW, 0), 0);
	check("unmap it", sys_region_unmap(0, va, P), 0);
	return sum;
}

// Shared objects run out too; none is lost: as many again once freed.
static int
shared_objects(void)
{
	void *va = (void *) FREE;
	int n;

	n = map_many(RW | PTE_SHARE);
	check("a plain region with no object left",
	      sys_region_map(0, &va, P, RW, REGION_FIXED), 0);
	sys_region_unmap(0, va, P);
	unmap_many();
	checkx("shared objects a second time", map_many(RW | PTE_SHARE), n);
	unmap_many();
	return n;
}

// ---------------------------------------------------------------------
// Memory

#define ZT		0x0fc00000	// a page: its page table serves Z too
#define Z		(ZT + P)	// 16 pages, untouched
#define FILL		0x10000000	// pages allocated until memory is out

struct report {
	int nfail;
	bool reached, survived;
};

// Bring in, and make our own, every page we will need: the program, the
// stack we run on and 16 KiB below it.
static void
own_pages(void)
{
	volatile char below[16384];
	uintptr_t va;
	int i;

	for (va = UTEXT; va < (uintptr_t) end; va += P) {
		(void) *(volatile char *) va;
		if (pte_of(va) & PTE_COW)
			*(volatile char *) va = *(volatile char *) va;
	}
	for (va = USTACKTOP - USTACKSIZE; va < USTACKTOP; va += P)
		if (pte_of(va) & PTE_COW)
			*(volatile char *) va = *(volatile char *) va;
	for (i = 0; i < sizeof(below); i += 512)
		below[i] = 0;
}

// Allocate pages at va on until memory is out; returns the count.
static int
fill(uintptr_t va, int max)
{
	int n;

	for (n = 0; n < max; n++)
		if (sys_page_alloc(0, (void *) (va + n * P), RW) < 0)
			break;
	return n;
}

static void
memory_child(volatile struct report *rep)
{
	void *va = (void *) Z;
	int r;

	own_pages();
	check("page at ZT", sys_page_alloc(0, (void *) ZT, RW), 0);
	check("map Z", sys_region_map(0, &va, 16 * P, RW, REGION_FIXED), 0);
	fill(FILL, 1 << 20);
	fill(ZT + 0x100000, 256);	// any page a page table cost
	check("memory is out", fill(ZT + 0x100000 + 256 * P, 1), 0);

	// A read of an untouched page maps the zero page: no page needed.
	checkx("read an untouched page", *(volatile uint32_t *) Z, 0);
	check("page_map an untouched page",
	      sys_page_map(0, (void *) (Z + P), 0, (void *) (ZT + 0x80000), RO),
	      0);
	check("page_map an untouched page writable",
	      sys_page_map(0, (void *) (Z + 2 * P), 0,
			   (void *) (ZT + 0x81000), RW), -E_NO_MEM);
	check("page_copy an untouched page",
	      sys_page_copy(0, (void *) (Z + 4 * P), (void *) (ZT + 0x81000),
			    RW), -E_NO_MEM);
	r = syscall_raw(SYS_region_query, 0, Z, Z + 3 * P, 0, 0);
	check("query into an untouched page", r, -E_NO_MEM);
	checkx("pages Z+2, Z+3 still untouched",
	       (pte_of(Z + 2 * P) | pte_of(Z + 3 * P)) & PTE_P, 0);
	va = (void *) (ZT + 0x200000);
	check("map a region", sys_region_map(0, &va, 4 * P, RW, REGION_FIXED),
	      0);
	check("split it", sys_region_unmap(0, (void *) (ZT + 0x201000), P), 0);
	check("unmap it", sys_region_unmap(0, va, 4 * P), 0);

	rep->nfail = nfail;
	rep->reached = true;
	*(volatile uint32_t *) (Z + 5 * P) = 1;		// no page for it
	rep->survived = true;
	exit();
}

static void
memory_out(void)
{
	volatile struct report *rep = (struct report *) SHARED;
	void *va = (void *) SHARED;
	envid_t kid;
	int i;

	check("map the report", sys_region_map(0, &va, P, RW | PTE_SHARE,
					       REGION_FIXED), 0);
	rep->nfail = -1;
	if ((kid = fork()) == 0)
		memory_child(rep);
	wait_env_gone(kid);
	checkx("the child got to its last write", rep->reached, true);
	checkx("the child survived its last write", rep->survived, false);
	nfail += rep->nfail;
	sys_region_unmap(0, va, P);

	// Memory is back.
	va = (void *) FREE;
	check("map after", sys_region_map(0, &va, 64 * P, RW, REGION_FIXED), 0);
	for (i = 0; i < 64; i++)
		*(volatile uint32_t *) (FREE + i * P) = i;
	check("unmap after", sys_region_unmap(0, va, 64 * P), 0);
}

void
umain(int argc, char **argv)
{
	int nregions, npool, nshared;

	bad_arguments();
	nregions = one_env_full();
	npool = pool_empty();
	nshared = shared_objects();
	memory_out();
	cprintf("regionhostile: the root's %d bad calls and its workers' "
		"refused, %d regions in one env, "
		"%d in the pool, %d shared objects twice, memory ran out, "
		"%d failures\n", ncalls, nregions + NBASE + 1, npool, nshared,
		nfail);
}
