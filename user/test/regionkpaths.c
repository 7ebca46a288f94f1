/*
 * The kernel's own ways into region pages not touched yet.  sys_cputs
 * reads them as a touch would bring them (a text or data page's bytes
 * from the ELF, zeros for an anonymous page) and leaves them untouched.
 * sys_page_map and sys_page_copy take an untouched page as their
 * source; sys_region_query writes its answer into one; IPC sends one
 * (the receiver reads zeros, or, sent writable, shares the sender's
 * page).  An untouched page of a PTE_SHARE region prints as the bytes
 * another sharer wrote there.  Every call succeeds, and the env lives
 * on.
 */
#include <inc/lib.h>

#define RO		(PTE_P | PTE_U)
#define RW		(PTE_P | PTE_U | PTE_W)
#define A		0x30000000	// anonymous, 8 pages
#define NA		8
#define AR		0x31000000	// anonymous read-only, 1 page
#define ALIAS		0x40000000	// pages mapped here, outside regions
#define RECV		0x50000000	// the child's, outside regions
#define SH		0x32000000	// PTE_SHARE, 1 page

#define TEXT_MSG	"regionkpaths: printed from an untouched text page\n"
#define DATA_MSG	"regionkpaths: printed from an untouched data page\n"
#define ACROSS_MSG	"regionkpaths: read across into an untouched page"
#define MAPPED_MSG	"text mapped from an untouched page"
#define SHARED_MSG	"regionkpaths: printed from an untouched shared page\n"

// Pages of text and data that only the kernel reads, but for the last.
static const char text_msg[PGSIZE] __attribute__((aligned(PGSIZE))) =
	TEXT_MSG;
static char data_msg[PGSIZE] __attribute__((aligned(PGSIZE))) = DATA_MSG;
static const char text_mapped[PGSIZE] __attribute__((aligned(PGSIZE))) =
	MAPPED_MSG;

static int nfail;

static void
check(const char *what, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	cprintf("regionkpaths: FAIL: %s: got %x, want %x\n", what, got, want);
	nfail++;
}

static uintptr_t
apage(int i)
{
	return A + i * PGSIZE;
}

// Is the page at va all zeros?
static bool
zeros(uintptr_t va)
{
	const volatile uint32_t *p = (const volatile uint32_t *) va;
	int i;

	for (i = 0; i < PGSIZE / 4; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static void
cputs_untouched(void)
{
	uintptr_t last = apage(1) - (sizeof(ACROSS_MSG) - 1);

	check("text page untouched before", pte_of((uintptr_t) text_msg), 0);
	sys_cputs(text_msg, sizeof(TEXT_MSG) - 1);
	check("text page untouched after", pte_of((uintptr_t) text_msg), 0);
	check("data page untouched before", pte_of((uintptr_t) data_msg), 0);
	sys_cputs(data_msg, sizeof(DATA_MSG) - 1);
	check("data page untouched after", pte_of((uintptr_t) data_msg), 0);

	// The message ends where page 0 of A does; one byte more is page
	// 1's first, a zero; then one of the read-only region's.
	memcpy((void *) last, ACROSS_MSG, sizeof(ACROSS_MSG) - 1);
	sys_cputs((const char *) last, sizeof(ACROSS_MSG));
	sys_cputs((const char *) AR, 1);
	cprintf("\n");
	check("anonymous page untouched after", pte_of(apage(1)), 0);
	check("read-only page untouched after", pte_of(AR), 0);
}

static void
map_untouched(void)
{
	int r;

	check("page_map of an untouched page",
	      sys_page_map(0, (void *) apage(2), 0, (void *) ALIAS, RO), 0);
	check("it maps zeros", zeros(ALIAS), 1);
	check("the same page", PGNUM(pte_of(ALIAS)), PGNUM(pte_of(apage(2))));

	check("page_map of an untouched page, writable",
	      sys_page_map(0, (void *) apage(3), 0, (void *) (ALIAS + PGSIZE),
			   RW), 0);
	*(volatile uint32_t *) (ALIAS + PGSIZE) = 0x3333;
	check("written through the alias", *(volatile uint32_t *) apage(3),
	      0x3333);

	check("page_map of an untouched text page",
	      sys_page_map(0, (void *) text_mapped, 0,
			   (void *) (ALIAS + 2 * PGSIZE), RO), 0);
	check("it maps the text", holds_string(ALIAS + 2 * PGSIZE, MAPPED_MSG), 1);

	check("page_map of an untouched read-only page, writable",
	      sys_page_map(0, (void *) AR, 0, (void *) (ALIAS + 3 * PGSIZE),
			   RW), -E_INVAL);
	check("page_map of an untouched read-only page",
	      sys_page_map(0, (void *) AR, 0, (void *) (ALIAS + 3 * PGSIZE),
			   RO), 0);
	check("page_copy of an untouched page",
	      sys_page_copy(0, (void *) apage(4), (void *) (ALIAS + 4 * PGSIZE),
			    RW), 0);
	check("it copies zeros", zeros(ALIAS + 4 * PGSIZE), 1);

	// The query's answer, written by the kernel into an untouched page
	// (a bare system call: the library's would touch it first).
	r = syscall_raw(SYS_region_query, 0, A, apage(5), 0, 0);
	check("query into an untouched page", r, 0);
	check("the answer's start", ((struct RegionInfo *) apage(5))->start, A);
	check("the answer's end", ((struct RegionInfo *) apage(5))->end,
	      apage(NA));
	for (r = 0; r < 5; r++)
		sys_page_unmap(0, (void *) (ALIAS + r * PGSIZE));
}

// The child takes two pages: an untouched one read-only, then one
// writable, which it writes for us to see.
static void
receiver(void)
{
	int perm, nbad = 0;

	ipc_recv(NULL, (void *) RECV, &perm);
	nbad += perm != RO || !zeros(RECV);
	ipc_recv(NULL, (void *) (RECV + PGSIZE), &perm);
	nbad += perm != RW || !zeros(RECV + PGSIZE);
	*(volatile uint32_t *) (RECV + PGSIZE) = 0x7777;
	ipc_send(thisenv->env_parent_id, nbad, NULL, 0);
	exit();
}

static void
send_untouched(void)
{
	envid_t kid;

	if ((kid = fork()) == 0)
		receiver();
	ipc_send(kid, 0, (void *) apage(6), RO);
	ipc_send(kid, 0, (void *) apage(7), RW);
	check("receiver's bad pages", ipc_recv(NULL, NULL, NULL), 0);
	check("receiver's write, in our page", *(volatile uint32_t *) apage(7),
	      0x7777);
	wait_env_gone(kid);
}

// A child writes SH, which we share with it and have not touched; we
// print it, and still have not.
static void
cputs_shared_untouched(void)
{
	void *va = (void *) SH;
	envid_t kid;

	if (sys_region_map(0, &va, PGSIZE, RW | PTE_SHARE, REGION_FIXED) < 0)
		panic("regionkpaths: region_map of the shared page");
	if ((kid = fork()) == 0) {
		memcpy((void *) SH, SHARED_MSG, sizeof(SHARED_MSG));
		exit();
	}
	wait_env_gone(kid);
	check("shared page untouched before", pte_of(SH), 0);
	sys_cputs((const char *) SH, sizeof(SHARED_MSG) - 1);
	check("shared page untouched after", pte_of(SH), 0);
	sys_region_unmap(0, (void *) SH, PGSIZE);
}

void
umain(int argc, char **argv)
{
	void *va = (void *) A;

	if (sys_region_map(0, &va, NA * PGSIZE, RW, REGION_FIXED) < 0
	    || (va = (void *) AR,
		sys_region_map(0, &va, PGSIZE, RO, REGION_FIXED)) < 0)
		panic("regionkpaths: region_map");
	cputs_untouched();
	map_untouched();
	send_untouched();
	cputs_shared_untouched();
	sys_region_unmap(0, (void *) A, NA * PGSIZE);
	sys_region_unmap(0, (void *) AR, PGSIZE);
	cprintf("regionkpaths: cputs, page_map, page_copy, query and IPC of "
		"untouched pages, %d failures\n", nfail);
}
