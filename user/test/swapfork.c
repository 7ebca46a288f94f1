/*
 * Fork while pages are out on swap.  The parent writes NPAGES pages
 * under a frame limit of LIMIT, so that most of them are swap entries
 * (seen through uvpt) when it forks, three ways:
 *   - the library's fork (copy-on-write ranges in the kernel);
 *   - a fork in the course's style, written here: it walks uvpd/uvpt
 *     and maps only present pages copy-on-write with sys_page_map, so
 *     the swapped-out ones reach the child through exofork alone;
 *   - a dumbfork: every page, present or swapped, copied into a page
 *     allocated for the child, through a scratch mapping.
 * Each child checks every word of every page (its parent's values),
 * then writes its own and checks them; the parent then checks that its
 * pages still hold its own.  Words depend on address and env id.
 */
#include <inc/lib.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define DATA		0x30000000	// the parent's pages
#define NPAGES		64
#define LIMIT		16
#define REPORT		0x0f000000	// the child's report, shared
#define SCRATCH		0x0e000000	// dumbfork's window on a child page
#define WORDS_PER_PAGE	(PGSIZE / sizeof(uint32_t))
#define DONE		0xd09ed09e

struct Report {
	uint32_t done;		// DONE once the rest is filled in
	uint32_t swapped;	// swap entries the child had at the start
	uint32_t wrong;		// words that were not what they should be
};

static int nfail;
static envid_t parent_id;

static void
check(const char *what, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	cprintf("swapfork: FAIL: %s: got %u, want %u\n", what, got, want);
	nfail++;
}

// How many of the data pages are swap entries now.
static uint32_t
swapped_now(void)
{
	return pages_swapped(DATA, NPAGES);
}

static uint32_t
pattern(uintptr_t va, envid_t id)
{
	return (va ^ ((uint32_t) id << 12)) * 0x9e3779b1U;
}

static void
write_pages(envid_t id)
{
	volatile uint32_t *w = (volatile uint32_t *) DATA;
	uint32_t i;

	for (i = 0; i < NPAGES * WORDS_PER_PAGE; i++)
		w[i] = pattern((uintptr_t) &w[i], id);
}

// The words of the data pages that are not id's.
static uint32_t
wrong_words(envid_t id)
{
	volatile uint32_t *w = (volatile uint32_t *) DATA;
	uint32_t i, n = 0;

	for (i = 0; i < NPAGES * WORDS_PER_PAGE; i++)
		n += w[i] != pattern((uintptr_t) &w[i], id);
	return n;
}

// Every child's work: our parent's values, then our own.
static void
child(void)
{
	volatile struct Report *rep = (volatile struct Report *) REPORT;
	envid_t me = sys_getenvid();

	thisenv = &envs[ENVX(me)];
	rep->swapped = swapped_now();
	rep->wrong = wrong_words(parent_id);
	write_pages(me);
	rep->wrong += wrong_words(me);
	rep->done = DONE;
	exit();
}

// ---- The course's fork: present pages only, copy-on-write.

// A write to a copy-on-write page: a private copy of it in its place.
static void
cow_fault(struct UTrapframe *utf)
{
	void *va = ROUNDDOWN((void *) utf->utf_fault_va, PGSIZE);
	pte_t pte = pte_of((uintptr_t) va);
	int r;

	if (!(utf->utf_err & FEC_WR) || !(pte & PTE_COW))
		panic("swapfork: fault at %08x, eip %08x, err %x",
		      utf->utf_fault_va, utf->utf_eip, utf->utf_err);
	if ((r = sys_page_alloc(0, PFTEMP, RW)) < 0)
		panic("swapfork: page_alloc: %e", r);
	memmove(PFTEMP, va, PGSIZE);
	if ((r = sys_page_map(0, PFTEMP, 0, va, RW | (pte & PTE_LOCK))) < 0)
		panic("swapfork: page_map: %e", r);
	sys_page_unmap(0, PFTEMP);
}

// Give kid our present page at va: shared as it is, read-only, or
// copy-on-write in both of us.
static int
dup_present(envid_t kid, uintptr_t va, pte_t pte)
{
	void *p = (void *) va;
	int perm = pte & PTE_SYSCALL;
	int r;

	if (pte & PTE_SHARE)
		return sys_page_map(0, p, kid, p, perm);
	if (!(pte & (PTE_W | PTE_COW)))
		return sys_page_map(0, p, kid, p, perm);
	perm = (perm & ~PTE_W) | PTE_COW;
	if ((r = sys_page_map(0, p, kid, p, perm)) < 0)
		return r;
	return sys_page_map(0, p, 0, p, perm);
}

// Call fn(kid, va, pte) for each page below UTOP but the exception
// stack whose entry want() accepts; stop at an error.
static int
each_page(envid_t kid, bool (*want)(pte_t),
	  int (*fn)(envid_t, uintptr_t, pte_t))
{
	uintptr_t va;
	pte_t pte;
	int r;

	for (va = 0; va < UXSTACKTOP - PGSIZE; va += PGSIZE) {
		if (!(uvpd[PDX(va)] & PTE_P)) {
			va += PTSIZE - PGSIZE;
			continue;
		}
		pte = uvpt[PGNUM(va)];
		if (want(pte) && (r = fn(kid, va, pte)) < 0)
			return r;
	}
	return 0;
}

static bool
present(pte_t pte)
{
	return (pte & (PTE_P | PTE_U)) == (PTE_P | PTE_U);
}

// The child of exofork: make it runnable with a fault handler.
static envid_t
start_child(envid_t kid, bool with_upcall)
{
	int r;

	if (with_upcall
	    && ((r = sys_page_alloc(kid, (void *) (UXSTACKTOP - PGSIZE),
				    RW)) < 0
		|| (r = sys_env_set_pgfault_upcall(kid, _pgfault_upcall)) < 0))
		panic("swapfork: child's upcall: %e", r);
	if ((r = sys_env_set_status(kid, ENV_RUNNABLE)) < 0)
		panic("swapfork: set_status: %e", r);
	return kid;
}

static envid_t
course_fork(void)
{
	envid_t kid;
	int r;

	/*
	 * Pages counted toward our limit stay counted once shared with the
	 * child, and cannot go out: with all of them shared, the fault
	 * that brings our exception stack back would find no room.  The
	 * pages swapped out stay so; try_fork sets the limit again.
	 */
	if ((r = sys_env_set_frame_limit(0, 0)) < 0)
		panic("swapfork: lifting the limit: %e", r);
	set_pgfault_handler(cow_fault);
	if ((kid = sys_exofork()) <= 0)
		return kid;
	if ((r = each_page(kid, present, dup_present)) < 0)
		panic("swapfork: course fork: %e", r);
	return start_child(kid, true);
}

// ---- dumbfork: a private copy of every page, swapped ones too.

static bool
present_or_swapped(pte_t pte)
{
	return present(pte) || pte_is_swap(pte);
}

static int
dup_copy(envid_t kid, uintptr_t va, pte_t pte)
{
	void *p = (void *) va;
	int r;

	if (pte & PTE_SHARE)
		return sys_page_map(0, p, kid, p, pte & PTE_SYSCALL);
	if ((r = sys_page_alloc(kid, p, RW)) < 0
	    || (r = sys_page_map(kid, p, 0, (void *) SCRATCH, RW)) < 0)
		return r;
	memmove((void *) SCRATCH, p, PGSIZE);
	return sys_page_unmap(0, (void *) SCRATCH);
}

static envid_t
dumbfork(void)
{
	envid_t kid;
	int r;

	if ((kid = sys_exofork()) <= 0)
		return kid;
	if ((r = each_page(kid, present_or_swapped, dup_copy)) < 0)
		panic("swapfork: dumbfork: %e", r);
	return start_child(kid, false);
}

// ---- The parent.

static void
try_fork(const char *name, envid_t (*forker)(void), bool entries_copied)
{
	volatile struct Report *rep = (volatile struct Report *) REPORT;
	uint32_t swapped = swapped_now();
	envid_t kid;

	rep->done = 0;
	if (swapped < NPAGES / 2) {
		cprintf("swapfork: FAIL: %s: only %u pages swapped out\n",
			name, swapped);
		nfail++;
	}
	if ((kid = forker()) < 0)
		panic("swapfork: %s: %e", name, kid);
	if (kid == 0)
		child();
	wait_env_gone(kid);
	check("limit set again", sys_env_set_frame_limit(0, LIMIT), 0);
	check("child's report complete", rep->done, DONE);
	check("child's wrong words", rep->wrong, 0);
	if (entries_copied)
		check("child had swap entries", rep->swapped > 0, 1);
	check("parent's words after the child", wrong_words(parent_id), 0);
	cprintf("swapfork: %s: %u pages swapped out at fork, child had %u "
		"swap entries\n", name, swapped, rep->swapped);
}

void
umain(int argc, char **argv)
{
	struct VmStat st;
	uint32_t i;
	int r;

	parent_id = sys_getenvid();
	lock_self();
	if ((r = sys_page_alloc(0, (void *) REPORT, RW | PTE_SHARE)) < 0)
		panic("swapfork: report page: %e", r);
	if ((r = sys_env_set_frame_limit(0, LIMIT)) < 0)
		panic("swapfork: frame limit: %e", r);
	for (i = 0; i < NPAGES; i++)
		if ((r = sys_page_alloc(0, (void *) (DATA + i * PGSIZE),
					RW)) < 0)
			panic("swapfork: page_alloc: %e", r);
	write_pages(parent_id);

	try_fork("fork", fork, true);
	try_fork("course fork", course_fork, true);
	try_fork("dumbfork", dumbfork, false);

	for (i = 0; i < NPAGES; i++)
		sys_page_unmap(0, (void *) (DATA + i * PGSIZE));
	// Each slot in use is one of our swap entries, or the clean copy of
	// a page of ours read back and not written since (kern/swap.c): a
	// page fork left unlocked (the copy-on-write copy of our bss, say)
	// may be one, as timer ticks decide.  The page audit at exit counts
	// every slot exactly.
	sys_vm_stat(0, &st);
	check("slots in use below our swap entries",
	      st.slots_used >= st.swapped, true);
	check("slots in use beyond our swap entries and resident pages",
	      st.slots_used <= st.swapped + st.resident, true);
	cprintf("swapfork: 3 forks, %u swap-ins, %u swap-outs, %d failures\n",
		st.all.swapins, st.all.swapouts, nfail);
}
