/*
 * The kernel's own ways into pages that are out on swap: sys_cputs
 * prints from them, IPC sends them, sys_page_map maps them here and in
 * another env, sys_page_copy copies from them, the page-fault upcall
 * pushes its frame onto an exception stack that is out, and
 * sys_region_protect and sys_region_unmap work on a region whose pages
 * are all out (the unmap frees every slot).  Before each call, uvpt
 * shows the page is a swap entry: a frame limit and a cycle of filler
 * pages push it out.
 */
#include <inc/lib.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define RO		(PTE_P | PTE_U)
#define LIMIT		8
#define DATA		0x30000000	// pages with known words, NDATA
#define NDATA		8
#define FILLER		0x31000000	// LIMIT + 1 pages touched in turn
#define MSGS		0x32000000	// the printed pages, 3
#define REGION		0x33000000	// a region of NREGION pages
#define NREGION		8
#define ALIAS		0x34000000	// page_map and page_copy targets
#define FAULTVA		0x35000000	// the upcall's handler maps it
#define RECV		0x40000000	// the child's, outside regions
#define KIDMAP		0x41000000	// where a page is mapped into the child
#define WORDS_PER_PAGE	(PGSIZE / sizeof(uint32_t))

#define PRINT_MSG	"swapkpaths: printed from a swapped-out page\n"
#define ACROSS_MSG	"swapkpaths: read across two swapped-out pages\n"

// What the parent asks the child, with a data page's index.
enum { CHECK_SENT = 1 << 8, WRITE_SENT = 2 << 8, CHECK_MAPPED = 3 << 8,
       QUIT = 4 << 8 };
#define CHILD_WROTE	0x600d600d

static int nfail;
static int nupcalls;

static void
check(const char *what, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	cprintf("swapkpaths: FAIL: %s: got %x, want %x\n", what, got, want);
	nfail++;
}

static uintptr_t
data_page(int i)
{
	return DATA + i * PGSIZE;
}

static uint32_t
word(int page, uint32_t j)
{
	return ((uint32_t) page << 16 | j) * 0x9e3779b1U + 1;
}

// The words of the page at va that are not data page i's.
static uint32_t
wrong_words(uintptr_t va, int i)
{
	const volatile uint32_t *w = (const volatile uint32_t *) va;
	uint32_t j, n = 0;

	for (j = 0; j < WORDS_PER_PAGE; j++)
		n += w[j] != word(i, j);
	return n;
}

/*
 * Write filler pages in turn until the page at va is out.  Under the
 * limit, with one filler page more than it allows, every write brings
 * one in, and FIFO sends out the page in the longest.
 */
static void
push_out(const char *what, uintptr_t va)
{
	static int next;
	int i;

	for (i = 0; i < 4 * LIMIT && !pte_is_swap(pte_of(va)); i++) {
		*(volatile uint32_t *) (FILLER + next * PGSIZE) = i;
		next = (next + 1) % (LIMIT + 1);
	}
	if (!pte_is_swap(pte_of(va))) {
		cprintf("swapkpaths: FAIL: %s at %08x not swapped out: %08x\n",
			what, va, pte_of(va));
		nfail++;
	}
}

static void
alloc_pages(uintptr_t va, int n)
{
	int i, r;

	for (i = 0; i < n; i++)
		if ((r = sys_page_alloc(0, (void *) (va + i * PGSIZE), RW)) < 0)
			panic("swapkpaths: page_alloc: %e", r);
}

/*
 * Our faults: the one at FAULTVA the upcall test makes, and writes to
 * copy-on-write pages (our stack, since the child's fork).
 */
static void
handler(struct UTrapframe *utf)
{
	void *va = ROUNDDOWN((void *) utf->utf_fault_va, PGSIZE);
	int r;

	if ((uintptr_t) va == FAULTVA) {
		nupcalls++;
		r = sys_page_alloc(0, va, RW);
	} else if ((utf->utf_err & FEC_WR)
		   && (pte_of((uintptr_t) va) & PTE_COW))
		r = sys_page_copy(0, va, va, RW);
	else
		panic("swapkpaths: fault at %08x, eip %08x, err %x",
		      utf->utf_fault_va, utf->utf_eip, utf->utf_err);
	if (r < 0)
		panic("swapkpaths: handling a fault: %e", r);
}

// The child: checks the pages it is sent or given, writes one, quits.
static void
child(void)
{
	envid_t parent = thisenv->env_parent_id;
	uint32_t v, reply;
	int perm;

	for (;;) {
		v = ipc_recv(NULL, (void *) RECV, &perm);
		if ((v & ~0xFF) == CHECK_SENT)
			reply = (perm ? 0 : 1) + wrong_words(RECV, v & 0xFF);
		else if ((v & ~0xFF) == WRITE_SENT) {
			reply = wrong_words(RECV, v & 0xFF) + !(perm & PTE_W);
			*(volatile uint32_t *) RECV = CHILD_WROTE;
		} else if ((v & ~0xFF) == CHECK_MAPPED)
			reply = wrong_words(KIDMAP, v & 0xFF);
		else
			exit();
		ipc_send(parent, reply, NULL, 0);
	}
}

// ---- The system calls, each on a page out on swap.

static void
cputs_swapped(void)
{
	uintptr_t across = MSGS + 2 * PGSIZE - (sizeof(ACROSS_MSG) - 1) / 2;

	memcpy((void *) MSGS, PRINT_MSG, sizeof(PRINT_MSG) - 1);
	memcpy((void *) across, ACROSS_MSG, sizeof(ACROSS_MSG) - 1);
	push_out("printed page", MSGS);
	sys_cputs((const char *) MSGS, sizeof(PRINT_MSG) - 1);
	push_out("first page across", MSGS + PGSIZE);
	push_out("second page across", MSGS + 2 * PGSIZE);
	check("first page across still out",
	      pte_is_swap(pte_of(MSGS + PGSIZE)), 1);
	sys_cputs((const char *) across, sizeof(ACROSS_MSG) - 1);
}

static uint32_t
ask(envid_t kid, uint32_t what, uintptr_t va, int perm)
{
	ipc_send(kid, what, (void *) va, perm);
	return ipc_recv(NULL, NULL, NULL);
}

static void
ipc_swapped(envid_t kid)
{
	push_out("page sent", data_page(0));
	check("page sent read-only: child's wrong words",
	      ask(kid, CHECK_SENT | 0, data_page(0), RO), 0);
	push_out("page sent writable", data_page(1));
	check("page sent writable: child's wrong words",
	      ask(kid, WRITE_SENT | 1, data_page(1), RW), 0);
	check("the child's write, in our page",
	      *(volatile uint32_t *) data_page(1), CHILD_WROTE);
}

static void
map_swapped(envid_t kid)
{
	push_out("page mapped here", data_page(2));
	check("page_map here", sys_page_map(0, (void *) data_page(2), 0,
					    (void *) ALIAS, RO), 0);
	check("page mapped here: wrong words", wrong_words(ALIAS, 2), 0);
	check("the same page", PGNUM(pte_of(ALIAS)),
	      PGNUM(pte_of(data_page(2))));
	sys_page_unmap(0, (void *) ALIAS);

	push_out("page mapped into the child", data_page(3));
	check("page_map into the child",
	      sys_page_map(0, (void *) data_page(3), kid, (void *) KIDMAP, RO),
	      0);
	check("page mapped into the child: child's wrong words",
	      ask(kid, CHECK_MAPPED | 3, 0, 0), 0);

	push_out("page copied", data_page(4));
	check("page_copy", sys_page_copy(0, (void *) data_page(4),
					 (void *) ALIAS, RW), 0);
	check("page copied: wrong words", wrong_words(ALIAS, 4), 0);
	check("page copied from: wrong words", wrong_words(data_page(4), 4), 0);
	sys_page_unmap(0, (void *) ALIAS);
}

static void
upcall_swapped(void)
{
	uintptr_t xstack = UXSTACKTOP - PGSIZE;

	if (pte_of(xstack) & PTE_LOCK) {
		cprintf("swapkpaths: the exception stack is locked\n");
		return;
	}
	push_out("exception stack", xstack);
	*(volatile uint32_t *) FAULTVA = 0x1234;
	check("upcalls", nupcalls, 1);
	check("the word written after the upcall",
	      *(volatile uint32_t *) FAULTVA, 0x1234);
	sys_page_unmap(0, (void *) FAULTVA);
}

// How many of the region's pages are swap entries, and how many of
// them allow writes.
static int
region_swapped(int *writable)
{
	int i, n = 0;
	pte_t pte;

	*writable = 0;
	for (i = 0; i < NREGION; i++) {
		pte = pte_of(REGION + i * PGSIZE);
		n += pte_is_swap(pte);
		*writable += pte_is_swap(pte) && (pte & PTE_W);
	}
	return n;
}

static void
region_ops_swapped(void)
{
	void *va = (void *) REGION;
	struct VmStat before, after;
	int i, w, r;

	if ((r = sys_region_map(0, &va, NREGION * PGSIZE, RW,
				REGION_FIXED)) < 0)
		panic("swapkpaths: region_map: %e", r);
	for (i = 0; i < NREGION; i++)
		*(volatile uint32_t *) (REGION + i * PGSIZE) = i;
	for (i = 0; i < NREGION; i++)
		push_out("region page", REGION + i * PGSIZE);
	check("region pages out", region_swapped(&w), NREGION);
	check("writable region swap entries", w, NREGION);

	check("region_protect", sys_region_protect(0, va, NREGION * PGSIZE,
						   RO), 0);
	check("region pages out after protect", region_swapped(&w), NREGION);
	check("writable swap entries after protect", w, 0);

	sys_vm_stat(0, &before);
	check("region_unmap", sys_region_unmap(0, va, NREGION * PGSIZE), 0);
	sys_vm_stat(0, &after);
	check("slots the unmap freed", before.slots_used - after.slots_used,
	      NREGION);
	check("our swap entries the unmap removed",
	      before.swapped - after.swapped, NREGION);
}

void
umain(int argc, char **argv)
{
	envid_t kid;
	uint32_t j;
	int i, r;

	lock_self();
	if ((kid = fork()) < 0)
		panic("swapkpaths: fork: %e", kid);
	if (kid == 0)
		child();
	set_pgfault_handler(handler);
	if ((r = sys_env_set_frame_limit(0, LIMIT)) < 0)
		panic("swapkpaths: frame limit: %e", r);
	alloc_pages(DATA, NDATA);
	alloc_pages(FILLER, LIMIT + 1);
	alloc_pages(MSGS, 3);
	for (i = 0; i < NDATA; i++)
		for (j = 0; j < WORDS_PER_PAGE; j++)
			((volatile uint32_t *) data_page(i))[j] = word(i, j);

	cputs_swapped();
	ipc_swapped(kid);
	map_swapped(kid);
	upcall_swapped();
	region_ops_swapped();
	ipc_send(kid, QUIT, NULL, 0);
	wait_env_gone(kid);
	cprintf("swapkpaths: cputs, IPC, page_map, page_copy, upcall, "
		"region_protect and unmap of swapped-out pages, %d failures\n",
		nfail);
}
