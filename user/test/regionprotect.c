/*
 * Region permissions.  A read-only region reads as zeros; a write to it
 * goes to the page-fault upcall, whose handler here records the fault
 * and either gives the page write access with sys_region_protect (the
 * write then happens) or skips the writing instruction.  Protect splits
 * and merges regions, and takes write access from present pages at
 * once: a write right after it faults, a TLB entry notwithstanding.
 * The same for a read-only page of the program's image, and for a
 * PTE_SHARE region, whose pages must become writable again when the
 * region does.  Without a handler such a write ends the env: two
 * children, whose destruction the grader sees.
 */
#include <inc/lib.h>

#define RO		(PTE_P | PTE_U)
#define RW		(PTE_P | PTE_U | PTE_W)
#define R		0x30000000	// read-only, 8 pages
#define S		0x31000000	// PTE_SHARE, 4 pages
#define FLAGVA		0x32000000	// PTE_SHARE: the children's word
#define KID_RO		0x33000000	// the first child's read-only page
#define KID_OFF		0x123		// where it writes in it

enum { FIX, SKIP };			// what the handler does

static int nfail;
// Set and read by the handler, behind the compiler's back.
static volatile int mode;
static volatile uint32_t nfaults, fault_va, fault_err, nrefaults;

// A page of read-only data that only this test touches.
static const char ro_page[PGSIZE] __attribute__((aligned(PGSIZE))) =
	"image text is read-only";

static void
check(const char *what, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	cprintf("regionprotect: FAIL: %s: got %x, want %x\n", what, got, want);
	nfail++;
}

/*
 * Store v at va with one two-byte instruction, movl %eax, (%edx), at
 * poke_insn, which the handler can skip.  Not inlined: the label must
 * exist once.
 */
extern char poke_insn[];

static void __attribute__((noinline))
poke(uintptr_t va, uint32_t v)
{
	asm volatile(".globl poke_insn\npoke_insn:\n\tmovl %%eax, (%%edx)"
		     : : "d" (va), "a" (v) : "memory");
}

static uint32_t
peek(uintptr_t va)
{
	return *(volatile uint32_t *) va;
}

static void
handler(struct UTrapframe *utf)
{
	uintptr_t page = ROUNDDOWN(utf->utf_fault_va, PGSIZE);
	struct RegionInfo ri;
	int r;

	// A write to a region that allows it, after the handler made it
	// writable: the kernel left the page read-only.  Skip, or the
	// write would fault for ever.
	if (mode == FIX && sys_region_query(0, (void *) page, &ri) == 0
	    && (ri.perm & PTE_W)) {
		nrefaults++;
		utf->utf_eip += 2;
		return;
	}
	nfaults++;
	fault_va = utf->utf_fault_va;
	fault_err = utf->utf_err;
	if ((uintptr_t) utf->utf_eip != (uintptr_t) poke_insn)
		panic("regionprotect: fault at va %08x ip %08x, not a poke",
		      fault_va, utf->utf_eip);
	if (mode == SKIP)
		utf->utf_eip += 2;
	else if ((r = sys_region_protect(0, (void *) page, PGSIZE, RW)) < 0)
		panic("regionprotect: protect in the handler: %e", r);
}

// Does one poke of va fault, at va, as a write to a present page?
static void
expect_fault(const char *what, uintptr_t va, uint32_t v)
{
	uint32_t before = nfaults;

	poke(va, v);
	check(what, nfaults - before, 1);
	check("fault va", fault_va, va);
	check("fault err", fault_err & (FEC_WR | FEC_PR), FEC_WR | FEC_PR);
}

static void
expect_region(uintptr_t va, uintptr_t start, uintptr_t end, int perm)
{
	struct RegionInfo ri;

	check("query", sys_region_query(0, (void *) va, &ri), 0);
	check("region start", ri.start, start);
	check("region end", ri.end, end);
	check("region perm", ri.perm, perm);
}

// A read-only region: zeros, and writes fault until protect allows them.
static void
read_only_region(void)
{
	void *va = (void *) R;
	struct RegionInfo ri;
	int i, nonzero = 0;

	check("map read-only", sys_region_map(0, &va, 8 * PGSIZE, RO,
					     REGION_FIXED), 0);
	for (i = 0; i < 8 * 1024; i++)
		nonzero += peek(R + i * 4) != 0;
	check("nonzero words", nonzero, 0);
	sys_region_query(0, va, &ri);
	check("resident after reads", ri.resident, 8);
	check("kind", ri.kind, REGION_ANON);

	mode = FIX;
	expect_fault("write to the read-only region", R + 2 * PGSIZE + 8, 42);
	check("the write, after the handler's protect",
	      peek(R + 2 * PGSIZE + 8), 42);
	expect_region(R, R, R + 2 * PGSIZE, RO);
	expect_region(R + 2 * PGSIZE, R + 2 * PGSIZE, R + 3 * PGSIZE, RW);
	expect_region(R + 7 * PGSIZE, R + 3 * PGSIZE, R + 8 * PGSIZE, RO);

	// All writable: one region again, and a write over the zero page
	// is the kernel's to serve.
	check("protect all writable",
	      sys_region_protect(0, va, 8 * PGSIZE, RW), 0);
	expect_region(R + 5 * PGSIZE, R, R + 8 * PGSIZE, RW);
	i = nfaults;
	poke(R + 3 * PGSIZE, 3);
	check("faults writing a writable region", nfaults - i, 0);
	check("the write", peek(R + 3 * PGSIZE), 3);
}

// Write access goes at once: the page was just written (its TLB entry
// is writable and dirty), then protect, then a write must fault.
static void
protect_takes_write_away(void)
{
	uintptr_t p = R + 4 * PGSIZE;

	poke(p, 4);
	check("protect one page read-only",
	      sys_region_protect(0, (void *) p, PGSIZE, RO), 0);
	check("pte writable after protect", uvpt[PGNUM(p)] & PTE_W, 0);
	check("read after protect", peek(p), 4);
	expect_fault("write after protect", p, 44);
	check("the write, after the handler's protect", peek(p), 44);

	// Skipped, a write changes nothing.
	sys_region_protect(0, (void *) p, PGSIZE, RO);
	mode = SKIP;
	expect_fault("skipped write", p, 444);
	check("the skipped write left", peek(p), 44);
	mode = FIX;
}

// A page of the program's text segment: read-only until protected.
static void
image_page(void)
{
	uintptr_t p = (uintptr_t) ro_page;
	struct RegionInfo ri;

	check("image page read", peek(p), *(const uint32_t *) "imag");
	sys_region_query(0, (void *) p, &ri);
	check("image region kind", ri.kind, REGION_IMAGE);
	check("image region perm", ri.perm, RO);
	expect_fault("write to the image text", p, 0x600d);
	check("the write, after the handler's protect", peek(p), 0x600d);
	check("the rest of the page", peek(p + 4), *(const uint32_t *) "e te");
	check("the page is ours alone", pages[PGNUM(uvpt[PGNUM(p)])].pp_ref, 1);
}

// A PTE_SHARE region read-only, then writable again: its pages must
// take writes again (the shared object holds them too).
static void
shared_region(void)
{
	void *va = (void *) S;
	uint32_t before;

	check("map shared", sys_region_map(0, &va, 4 * PGSIZE,
					  RW | PTE_SHARE, REGION_FIXED), 0);
	poke(S, 1);
	check("protect shared read-only",
	      sys_region_protect(0, va, 4 * PGSIZE, RO), 0);
	expect_region(S, S, S + 4 * PGSIZE, RO | PTE_SHARE);
	expect_fault("write to the read-only shared region", S, 2);
	check("refaults after the handler's protect", nrefaults, 0);
	check("the write", peek(S), 2);
	expect_region(S, S, S + PGSIZE, RW | PTE_SHARE);
	check("protect shared all writable",
	      sys_region_protect(0, va, 4 * PGSIZE, RW), 0);
	before = nfaults;
	poke(S + 4, 3);
	check("faults writing the writable shared region", nfaults - before, 0);
	check("refaults", nrefaults, 0);
	sys_region_unmap(0, va, 4 * PGSIZE);
}

// Children with no upcall die of a write to a read-only region page,
// and of one to the program's text.
static void
die_without_handler(void)
{
	volatile uint32_t *flag = (volatile uint32_t *) FLAGVA;
	void *va = (void *) FLAGVA;
	envid_t kid;
	int i;

	check("map the flag", sys_region_map(0, &va, PGSIZE, RW | PTE_SHARE,
					    REGION_FIXED), 0);
	for (i = 0; i < 2; i++) {
		*flag = 0;
		if ((kid = fork()) == 0) {
			// Our own stack page, then no upcall.
			va = (void *) KID_RO;
			*(volatile uint32_t *) (USTACKTOP - PGSIZE) = 0;
			sys_env_set_pgfault_upcall(0, NULL);
			sys_region_map(0, &va, PGSIZE, RO, REGION_FIXED);
			(void) peek(KID_RO);
			if (i == 0)
				poke(KID_RO + KID_OFF, 1);
			else
				poke((uintptr_t) check, 1);
			*flag = 1;
			exit();
		}
		wait_env_gone(kid);
		check("a child survived its write", *flag, 0);
	}
}

void
umain(int argc, char **argv)
{
	set_pgfault_handler(handler);
	read_only_region();
	protect_takes_write_away();
	image_page();
	shared_region();
	check("unmap", sys_region_unmap(0, (void *) R, 8 * PGSIZE), 0);
	die_without_handler();
	cprintf("regionprotect: %d faults to the handler, 2 children "
		"destroyed, %d failures\n", nfaults, nfail);
}
