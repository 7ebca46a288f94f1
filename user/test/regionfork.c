/*
 * Regions across fork, made three ways: lib's fork (one range call), a
 * fork written here that walks uvpd/uvpt and maps each present page
 * copy-on-write with sys_page_map (the course's way), and a dumbfork
 * that gives the child copies of the program's pages (sys_exofork,
 * sys_page_alloc, sys_page_map).  Exofork copies the regions, so in
 * each child the pages the parent wrote hold its values, untouched
 * pages read zero (in both), writes afterwards are private, and a
 * PTE_SHARE region stays shared, pages first touched after the fork
 * included.  The resident counts say the copy-on-write children got
 * exactly the parent's present pages, the dumbfork child the copies.
 *
 * lib's fork copies the page the caller's stack pointer is in for the
 * child, where the caller keeps its own page writable (both would take a
 * copy-on-write fault on it at once), while a page of R written before
 * is copy-on-write in both.
 *
 * Protect after a fork: a copy-on-write page made read-only loses its
 * copy-on-write mark too (else lib's fault handler would copy it and
 * write on), and pages shared with the parent, made writable, are
 * copy-on-write (else a write to them would never be served).
 */
#include <inc/lib.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define R		0x30000000	// anonymous, 64 pages
#define NR		64
#define NWRITTEN	8		// pages 0-7 written before the forks
#define READ		10		// read before the forks: the zero page
#define S		0x31000000	// PTE_SHARE, 16 pages
#define NS		16
#define CHILDVAL	0xc1d0c1d0

enum { LIB, WALK, DUMB, NFORKS };
static const char *const fork_name[NFORKS] = { "lib fork", "uvpt fork",
	"dumbfork" };

static int nfail;

// A page of read-only data, read before the forks.
static const char ro_page[PGSIZE] __attribute__((aligned(PGSIZE))) =
	"read-only data";

static void
check(const char *what, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	cprintf("regionfork: FAIL: [%08x] %s: got %x, want %x\n",
		sys_getenvid(), what, got, want);
	nfail++;
}

static volatile uint32_t *
rpage(int i)
{
	return (volatile uint32_t *) (R + i * PGSIZE);
}

static volatile uint32_t *
spage(int i)
{
	return (volatile uint32_t *) (S + i * PGSIZE);
}

static uint32_t
value(int i)
{
	return 0xab000000 + i;
}

static unsigned
resident(uintptr_t va)
{
	struct RegionInfo ri;

	if (sys_region_query(0, (void *) va, &ri) < 0)
		return ~0U;
	return ri.resident;
}

// Right after lib's fork, in parent and child: the stack page at va,
// whose entry was before, is the child's own copy, the parent's kept.
static void
check_stack_page(uintptr_t va, pte_t before, bool in_child)
{
	pte_t pte = uvpt[PGNUM(va)];

	check("stack page writable, not copy-on-write",
	      pte & (PTE_W | PTE_COW), PTE_W);
	check(in_child ? "stack page a copy" : "stack page kept",
	      PTE_ADDR(pte) == PTE_ADDR(before), !in_child);
	check("written page of R copy-on-write",
	      uvpt[PGNUM(rpage(0))] & (PTE_W | PTE_COW), PTE_COW);
}

// ---------------------------------------------------------------------
// The uvpt fork: copy-on-write page by page, with a handler of its own.

static void
cow_fault(struct UTrapframe *utf)
{
	uintptr_t va = ROUNDDOWN(utf->utf_fault_va, PGSIZE);
	int r;

	if (!(utf->utf_err & FEC_WR) || !(uvpd[PDX(va)] & PTE_P)
	    || !(uvpt[PGNUM(va)] & PTE_COW))
		panic("regionfork: fault at va %08x ip %08x err %x",
		      utf->utf_fault_va, utf->utf_eip, utf->utf_err);
	if ((r = sys_page_alloc(0, PFTEMP, RW)) < 0
	    || (memmove(PFTEMP, (void *) va, PGSIZE),
		(r = sys_page_map(0, PFTEMP, 0, (void *) va, RW)) < 0)
	    || (r = sys_page_unmap(0, PFTEMP)) < 0)
		panic("regionfork: copying %08x: %e", va, r);
}

// Map our page at va into kid: shared as it is if PTE_SHARE or
// read-only, else copy-on-write in both (the child's first, so that it
// gets the page as it is before ours turns copy-on-write).
static int
dup_cow(envid_t kid, uintptr_t va, pte_t pte)
{
	int perm = pte & PTE_SYSCALL;
	int r;

	if ((pte & PTE_SHARE) || !(pte & (PTE_W | PTE_COW)))
		return sys_page_map(0, (void *) va, kid, (void *) va, perm);
	perm = (perm & ~PTE_W) | PTE_COW;
	if ((r = sys_page_map(0, (void *) va, kid, (void *) va, perm)) < 0)
		return r;
	return sys_page_map(0, (void *) va, 0, (void *) va, perm);
}

static envid_t
walk_fork(void)
{
	uint32_t pdx, pn;
	envid_t kid;
	int r;

	set_pgfault_handler(cow_fault);
	if ((kid = sys_exofork()) <= 0) {
		if (kid == 0)
			thisenv = &envs[ENVX(sys_getenvid())];
		return kid;
	}
	for (pdx = 0; pdx < PDX(UTOP); pdx++) {
		if (!(uvpd[pdx] & PTE_P))
			continue;
		for (pn = pdx * NPTENTRIES; pn < (pdx + 1) * NPTENTRIES; pn++) {
			if (pn == PGNUM(UXSTACKTOP - PGSIZE)
			    || !(uvpt[pn] & PTE_P))
				continue;
			if ((r = dup_cow(kid, pn * PGSIZE, uvpt[pn])) < 0)
				panic("regionfork: dup_cow %08x: %e",
				      pn * PGSIZE, r);
		}
	}
	if ((r = sys_page_alloc(kid, (void *) (UXSTACKTOP - PGSIZE), RW)) < 0
	    || (r = sys_env_set_pgfault_upcall(kid, _pgfault_upcall)) < 0
	    || (r = sys_env_set_status(kid, ENV_RUNNABLE)) < 0)
		panic("regionfork: walk_fork: %e", r);
	return kid;
}

// ---------------------------------------------------------------------
// The dumbfork: the child gets copies, and no fault handler.

static void
dup_copy(envid_t kid, uintptr_t va)
{
	int r;

	if ((r = sys_page_alloc(kid, (void *) va, RW)) < 0
	    || (r = sys_page_map(kid, (void *) va, 0, UTEMP, RW)) < 0)
		panic("regionfork: dup_copy %08x: %e", va, r);
	memmove(UTEMP, (void *) va, PGSIZE);
	sys_page_unmap(0, UTEMP);
}

// Copies of the program's image and bss, of the stack pages in use, and
// of the pages of R written (the child knows nothing of the others).
static envid_t
dumb_fork(void)
{
	uintptr_t va;
	envid_t kid;
	int i, r;

	if ((kid = sys_exofork()) <= 0) {
		if (kid == 0)
			thisenv = &envs[ENVX(sys_getenvid())];
		return kid;
	}
	for (va = UTEXT; va < (uintptr_t) end; va += PGSIZE)
		dup_copy(kid, va);
	for (va = USTACKTOP - USTACKSIZE; va < USTACKTOP; va += PGSIZE)
		if ((uvpd[PDX(va)] & PTE_P) && (uvpt[PGNUM(va)] & PTE_P))
			dup_copy(kid, va);
	for (i = 0; i < NWRITTEN; i++)
		dup_copy(kid, (uintptr_t) rpage(i));
	if ((r = sys_env_set_status(kid, ENV_RUNNABLE)) < 0)
		panic("regionfork: dumb_fork: %e", r);
	return kid;
}

// ---------------------------------------------------------------------

// Pages of R and S each fork's child and parent use, untouched so far.
static int
untouched_r(int how)
{
	return 20 + how;
}

static int
child_s(int how)
{
	return 1 + 2 * how;
}

static int
parent_s(int how)
{
	return 2 + 2 * how;
}

// lib's fork child: protect on pages it shares with its parent.
static void
protect_shared_pages(void)
{
	uintptr_t va = (uintptr_t) rpage(1);
	uintptr_t ro = (uintptr_t) ro_page;

	check("protect a copy-on-write page read-only",
	      sys_region_protect(0, (void *) va, PGSIZE, PTE_P | PTE_U), 0);
	check("its pte", uvpt[PGNUM(va)] & (PTE_W | PTE_COW), 0);
	check("protect it writable",
	      sys_region_protect(0, (void *) va, PGSIZE, RW), 0);
	check("its pte", uvpt[PGNUM(va)] & (PTE_W | PTE_COW), PTE_COW);
	rpage(1)[0] = CHILDVAL;
	check("written", rpage(1)[0], CHILDVAL);

	check("protect shared read-only data writable",
	      sys_region_protect(0, (void *) ro, PGSIZE, RW), 0);
	check("its pte", uvpt[PGNUM(ro)] & (PTE_W | PTE_COW), PTE_COW);
	*(volatile uint32_t *) ro = CHILDVAL;
	check("written", *(volatile uint32_t *) ro, CHILDVAL);
}

static void
child(int how, unsigned resident_at_fork)
{
	envid_t parent = thisenv->env_parent_id;
	int i;

	check("resident in R", resident(R),
	      how == DUMB ? NWRITTEN : resident_at_fork);
	for (i = 0; i < NWRITTEN; i++) {
		check("word the parent wrote", rpage(i)[0], value(i));
		check("word the parent wrote", rpage(i)[1023], value(i));
	}
	check("page the parent read", rpage(READ)[0], 0);
	check("untouched page", rpage(untouched_r(how))[5], 0);
	check("shared page", spage(0)[0], 0x5000);

	rpage(0)[0] = CHILDVAL;
	rpage(READ)[0] = CHILDVAL;
	rpage(untouched_r(how))[0] = CHILDVAL;
	spage(child_s(how))[0] = 0xc000 + how;
	if (how == LIB)
		protect_shared_pages();
	ipc_send(parent, 0, NULL, 0);

	ipc_recv(NULL, NULL, NULL);
	check("shared page the parent first wrote after the fork",
	      spage(parent_s(how))[0], 0xd000 + how);
	check("our own write", rpage(0)[0], CHILDVAL);
	ipc_send(parent, nfail, NULL, 0);
	exit();
}

static void
parent(int how, envid_t kid)
{
	envid_t from;

	ipc_recv(&from, NULL, NULL);
	check("ready from", from, kid);
	check("our word, after the child's write", rpage(0)[0], value(0));
	check("our word, after the child's write", rpage(1)[0], value(1));
	check("our read page", rpage(READ)[0], 0);
	check("our untouched page", rpage(untouched_r(how))[0], 0);
	check("our read-only data", *(volatile uint32_t *) ro_page,
	      *(const uint32_t *) "read");
	check("shared page the child first wrote after the fork",
	      spage(child_s(how))[0], 0xc000 + how);
	spage(parent_s(how))[0] = 0xd000 + how;
	ipc_send(kid, 0, NULL, 0);
	nfail += ipc_recv(NULL, NULL, NULL);
	wait_env_gone(kid);
}

static void
setup(void)
{
	void *va = (void *) R;
	int i;

	if ((i = sys_region_map(0, &va, NR * PGSIZE, RW, REGION_FIXED)) < 0)
		panic("regionfork: map R: %e", i);
	va = (void *) S;
	if ((i = sys_region_map(0, &va, NS * PGSIZE, RW | PTE_SHARE,
				REGION_FIXED)) < 0)
		panic("regionfork: map S: %e", i);
	for (i = 0; i < NWRITTEN; i++)
		rpage(i)[0] = rpage(i)[1023] = value(i);
	check("read", rpage(READ)[0], 0);
	check("read", *(volatile uint32_t *) ro_page,
	      *(const uint32_t *) "read");
	spage(0)[0] = 0x5000;
}

void
umain(int argc, char **argv)
{
	static envid_t (*const forks[NFORKS])(void) = { fork, walk_fork,
		dumb_fork };
	unsigned before;
	pte_t stack_before;
	envid_t kid;
	int how;
	// umain's frame and fork's are in the stack's top page.
	uintptr_t stack = ROUNDDOWN((uintptr_t) &kid, PGSIZE);

	setup();
	for (how = 0; how < NFORKS; how++) {
		before = resident(R);
		stack_before = uvpt[PGNUM(stack)];
		if ((kid = forks[how]()) < 0)
			panic("regionfork: %s: %e", fork_name[how], kid);
		if (how == LIB)
			check_stack_page(stack, stack_before, kid == 0);
		if (kid == 0)
			child(how, before);
		check("resident in R after the fork", resident(R), before);
		parent(how, kid);
	}
	sys_region_unmap(0, (void *) R, NR * PGSIZE);
	sys_region_unmap(0, (void *) S, NS * PGSIZE);
	cprintf("regionfork: lib fork, uvpt fork and dumbfork children saw "
		"the parent's pages, %d failures\n", nfail);
}
