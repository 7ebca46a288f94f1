/*
 * sys_region_map's wanted address.  A free range is given as asked.
 * One that overlaps a region or a mapped page, or lies outside
 * [UMINADDR, UTOP), is moved to the lowest free range that fits, at or
 * above UMINADDR: past regions, past mapped pages, past gaps too small.
 * With REGION_FIXED such a call fails with -E_INVAL and changes
 * nothing: no region appears, *va keeps the wanted address.
 *
 * At the start nothing is mapped between UMINADDR and the program at
 * UTEXT, so the lowest free ranges are known in advance:
 *
 *   UMINADDR  +0  +4  +6 +7         +10 +11  (pages)
 *             | B  | E |pg| D        | G  |     ...  A at 0x10000000
 */
#include <inc/lib.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define A		0x10000000	// 4 pages, taken as asked
#define PAGE		0x20000000	// a page mapped with no region
#define LOW(n)		(UMINADDR + (n) * PGSIZE)

static int nfail;

static void
check(const char *what, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	cprintf("regionhint: FAIL: %s: got %x, want %x\n", what, got, want);
	nfail++;
}

// Map npages wanted at want with flags: the call returns err and gives
// the address got (for a failure: leaves want there).
static void
expect_map(const char *what, uintptr_t want, int npages, int flags,
	   int err, uintptr_t got)
{
	void *va = (void *) want;

	check(what, sys_region_map(0, &va, npages * PGSIZE, RW, flags), err);
	check(what, (uintptr_t) va, got);
}

// The region holding va is [start, start + npages pages).
static void
expect_region(uintptr_t va, uintptr_t start, int npages)
{
	struct RegionInfo ri;

	check("query", sys_region_query(0, (void *) va, &ri), 0);
	check("region start", ri.start, start);
	check("region end", ri.end, start + npages * PGSIZE);
}

static void
expect_none(uintptr_t va)
{
	struct RegionInfo ri;

	check("query where no region is", sys_region_query(0, (void *) va, &ri),
	      -E_INVAL);
}

// A FIXED map that must fail and change nothing: no region at the
// lowest free place either (the one a moved map would have taken).
static void
expect_refused(const char *what, uintptr_t want, int npages,
	       uintptr_t lowest)
{
	expect_map(what, want, npages, REGION_FIXED, -E_INVAL, want);
	expect_none(lowest);
}

static void
over_regions(void)
{
	expect_none(UMINADDR);
	expect_map("free range", A, 4, REGION_FIXED, 0, A);
	expect_region(A + 3 * PGSIZE, A, 4);
	expect_map("over A", A + 2 * PGSIZE, 4, 0, 0, LOW(0));	// B
	expect_region(LOW(3), LOW(0), 4);
	expect_refused("over A, fixed", A + PGSIZE, 2, LOW(4));
	expect_refused("over B, fixed", LOW(2), 1, LOW(4));
	expect_region(A, A, 4);
	expect_region(LOW(0), LOW(0), 4);
	// Just past A: free, so taken as asked.
	expect_map("adjacent to A", A + 4 * PGSIZE, 1, REGION_FIXED, 0,
		   A + 4 * PGSIZE);
	expect_region(A + 4 * PGSIZE, A + 4 * PGSIZE, 1);
}

static void
over_pages(void)
{
	int r;

	if ((r = sys_page_alloc(0, (void *) LOW(6), RW)) < 0
	    || (r = sys_page_alloc(0, (void *) PAGE, RW)) < 0)
		panic("regionhint: page_alloc: %e", r);
	// The gap between B and the page at LOW(6) is 2 pages: too small
	// for 3, just right for 2.
	expect_map("3 pages over A", A, 3, 0, 0, LOW(7));		// D
	expect_region(LOW(9), LOW(7), 3);
	expect_map("2 pages over A", A, 2, 0, 0, LOW(4));		// E
	expect_region(LOW(5), LOW(4), 2);
	expect_refused("over a mapped page, fixed", PAGE - PGSIZE, 2, LOW(10));
	expect_refused("on a mapped page, fixed", PAGE, 1, LOW(10));
	expect_map("over a mapped page", PAGE - PGSIZE, 2, 0, 0, LOW(10)); // G
	// 512 MiB fits nowhere below PAGE: above it, past the page.
	expect_map("512 MiB over A", A, 0x20000, 0, 0, PAGE + PGSIZE);
	expect_region(PAGE + 0x10000000, PAGE + PGSIZE, 0x20000);
}

// Wanted addresses where no region may be: moved when not FIXED.
static void
outside(void)
{
	expect_map("at 0", 0, 1, 0, 0, LOW(12));
	expect_map("below UMINADDR", UMINADDR - PGSIZE, 2, 0, 0, LOW(13));
	expect_map("across UTOP", UTOP - PGSIZE, 2, 0, 0, LOW(15));
	expect_refused("at 0, fixed", 0, 1, LOW(17));
	expect_refused("below UMINADDR, fixed", UMINADDR - PGSIZE, 2, LOW(17));
	expect_refused("across UTOP, fixed", UTOP - PGSIZE, 2, LOW(17));
	expect_refused("at UTOP, fixed", UTOP, 1, LOW(17));
}

void
umain(int argc, char **argv)
{
	over_regions();
	over_pages();
	outside();
	check("unmap", sys_region_unmap(0, (void *) UMINADDR,
					UTEXT - UMINADDR), 0);
	check("unmap", sys_region_unmap(0, (void *) A, 0x40000000), 0);
	expect_none(LOW(0));
	expect_none(PAGE + PGSIZE);
	check("page unmapped with the regions", uvpt[PGNUM(LOW(6))] & PTE_P, 0);
	check("page unmapped with the regions", uvpt[PGNUM(PAGE)] & PTE_P, 0);
	cprintf("regionhint: wanted addresses taken, moved and refused, "
		"%d failures\n", nfail);
}
