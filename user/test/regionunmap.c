/*
 * sys_region_unmap of any page-aligned range.  A hole in the middle
 * splits a region in two, each piece keeping its pages; the hole is
 * outside every region, so touching it goes to the upcall (the handler
 * records the fault and skips the access).  Unmapping a piece's first
 * or last page shrinks it, a range across pieces and gaps removes them,
 * and every page unmapped is free again.  A range with no region in it
 * is fine and unmaps pages mapped there all the same; a region mapped
 * again where one was reads as zeros.  The program's image splits too:
 * a page of its text unmapped, the page after it still comes from the
 * ELF.
 */
#include <inc/lib.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define R		0x30000000	// 16 pages, all written
#define NPG		16
#define MARK		0xdeadbeef	// what a skipped read returns

static int nfail;
static uint32_t ppn[NPG];	// the physical page under each page of R

// Set by the handler, behind the compiler's back.
static volatile uint32_t nfaults, fault_va, fault_err;

// Two pages of text that only this test touches.
static const char text[2][PGSIZE] __attribute__((aligned(PGSIZE))) = {
	"the page unmapped", "the page after it",
};

static void
check(const char *what, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	cprintf("regionunmap: FAIL: %s: got %x, want %x\n", what, got, want);
	nfail++;
}

static uintptr_t
pg(int i)
{
	return R + i * PGSIZE;
}

/*
 * One load and one store, each a two-byte instruction at a label, that
 * the handler can skip: movl (%edx), %eax and movl %eax, (%edx).  Not
 * inlined: each label must exist once.
 */
extern char peek_insn[], poke_insn[];

static uint32_t __attribute__((noinline))
peek(uintptr_t va)
{
	uint32_t v;

	asm volatile(".globl peek_insn\npeek_insn:\n\tmovl (%%edx), %%eax"
		     : "=a" (v) : "d" (va) : "memory");
	return v;
}

static void __attribute__((noinline))
poke(uintptr_t va, uint32_t v)
{
	asm volatile(".globl poke_insn\npoke_insn:\n\tmovl %%eax, (%%edx)"
		     : : "d" (va), "a" (v) : "memory");
}

static void
handler(struct UTrapframe *utf)
{
	nfaults++;
	fault_va = utf->utf_fault_va;
	fault_err = utf->utf_err;
	if (utf->utf_eip == (uintptr_t) peek_insn)
		utf->utf_regs.reg_eax = MARK;
	else if (utf->utf_eip != (uintptr_t) poke_insn)
		panic("regionunmap: fault at va %08x ip %08x, not ours",
		      fault_va, utf->utf_eip);
	utf->utf_eip += 2;
}

// The region holding va is [start, end) with n pages present; or, with
// start 0, no region holds va.
static void
expect_region(uintptr_t va, uintptr_t start, uintptr_t end, unsigned n)
{
	struct RegionInfo ri;
	int r = sys_region_query(0, (void *) va, &ri);

	if (start == 0) {
		check("query of a hole", r, -E_INVAL);
		return;
	}
	check("query", r, 0);
	check("region start", ri.start, start);
	check("region end", ri.end, end);
	check("resident", ri.resident, n);
}

// Pages [from, to) of R are gone, and the pages they had are free.
static void
expect_freed(int from, int to)
{
	int i;

	for (i = from; i < to; i++) {
		check("pte after unmap", pte_of(pg(i)) & PTE_P, 0);
		check("page freed", pages[ppn[i]].pp_ref, 0);
	}
}

// Touching the hole faults as outside any region, read or write.
static void
expect_fault(uintptr_t va, bool write)
{
	uint32_t before = nfaults;

	if (write)
		poke(va, 1);
	else
		check("skipped read", peek(va), MARK);
	check("faults touching the hole", nfaults - before, 1);
	check("fault va", fault_va, va);
	check("fault err", fault_err & (FEC_PR | FEC_WR), write ? FEC_WR : 0);
}

static void
split(void)
{
	void *va = (void *) R;
	int i;

	check("map", sys_region_map(0, &va, NPG * PGSIZE, RW, REGION_FIXED), 0);
	for (i = 0; i < NPG; i++) {
		poke(pg(i) + 4 * i, 100 + i);
		ppn[i] = PGNUM(pte_of(pg(i)));
	}
	expect_region(R, R, pg(NPG), NPG);

	check("unmap the middle", sys_region_unmap(0, (void *) pg(4),
						   4 * PGSIZE), 0);
	expect_region(pg(3), R, pg(4), 4);
	expect_region(pg(4), 0, 0, 0);
	expect_region(pg(7), 0, 0, 0);
	expect_region(pg(8), pg(8), pg(NPG), 8);
	expect_freed(4, 8);
	expect_fault(pg(5) + 8, false);
	expect_fault(pg(6), true);
	check("left piece keeps its words", peek(pg(3) + 12), 103);
	check("right piece keeps its words", peek(pg(8) + 32), 108);
}

static void
shrink_and_remove(void)
{
	check("unmap the first page",
	      sys_region_unmap(0, (void *) R, PGSIZE), 0);
	expect_region(R, 0, 0, 0);
	expect_region(pg(1), pg(1), pg(4), 3);
	check("unmap the last page",
	      sys_region_unmap(0, (void *) pg(NPG - 1), PGSIZE), 0);
	expect_region(pg(NPG - 2), pg(8), pg(NPG - 1), 7);
	expect_freed(0, 1);
	expect_freed(NPG - 1, NPG);

	// Across both pieces and the hole, and past the end.
	check("unmap everything",
	      sys_region_unmap(0, (void *) R, 2 * NPG * PGSIZE), 0);
	expect_region(pg(1), 0, 0, 0);
	expect_region(pg(8), 0, 0, 0);
	expect_freed(1, 4);
	expect_freed(8, NPG - 1);
	expect_fault(pg(2), false);
}

// No region in the range: nothing to do but unmap the pages there.
// Then a region mapped again where R was starts from zeros.
static void
no_region_and_again(void)
{
	void *va = (void *) R;
	uint32_t p;

	check("page_alloc outside regions",
	      sys_page_alloc(0, (void *) pg(2), RW), 0);
	p = PGNUM(pte_of(pg(2)));
	check("unmap where no region is",
	      sys_region_unmap(0, (void *) R, NPG * PGSIZE), 0);
	check("page unmapped", pte_of(pg(2)) & PTE_P, 0);
	check("page freed", pages[p].pp_ref, 0);

	check("map again", sys_region_map(0, &va, NPG * PGSIZE, RW,
					  REGION_FIXED), 0);
	check("old word", peek(pg(3) + 12), 0);
	check("old word", peek(pg(8) + 32), 0);
	check("unmap again",
	      sys_region_unmap(0, va, NPG * PGSIZE), 0);
}

// The text region splits around an unmapped page; the next page still
// comes from the ELF image at its first touch.
static void
image(void)
{
	uintptr_t hole = (uintptr_t) text[0], next = (uintptr_t) text[1];
	struct RegionInfo ri;

	check("text pages untouched", (pte_of(hole) | pte_of(next)) & PTE_P, 0);
	check("unmap a text page",
	      sys_region_unmap(0, (void *) hole, PGSIZE), 0);
	expect_region(hole, 0, 0, 0);
	check("query after the hole", sys_region_query(0, (void *) next, &ri),
	      0);
	check("piece after the hole starts", ri.start, next);
	check("piece after the hole kind", ri.kind, REGION_IMAGE);
	check("query before the hole",
	      sys_region_query(0, (void *) (hole - 1), &ri), 0);
	check("piece before the hole ends", ri.end, hole);
	check("page after the hole", holds_string(next, "the page after it"), 1);
	expect_fault(hole + 4, false);
}

void
umain(int argc, char **argv)
{
	set_pgfault_handler(handler);
	split();
	shrink_and_remove();
	no_region_and_again();
	image();
	cprintf("regionunmap: split, shrunk, removed, %d faults in holes, "
		"%d failures\n", nfaults, nfail);
}
