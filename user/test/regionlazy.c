/*
 * Demand paging at scale: a 1 GiB anonymous region costs nothing until
 * it is touched.  Write a word in every 64th page (4,096 pages, 16 MiB),
 * read them back, read a few untouched pages (zeros, all through one
 * shared zero page), and check what sys_region_query counts as
 * resident: every present page, zero-page mappings included.  A page
 * first read, then written, becomes the env's own and the zero page
 * stays zero.  Unmapping the region frees every page it held.
 */
#include <inc/lib.h>

#define BASE		0x40000000
#define LEN		(1U << 30)
#define NPAGES		(LEN / PGSIZE)
#define STRIDE		64		// pages from one touched to the next
#define NTOUCH		(NPAGES / STRIDE) // 4,096
#define NREAD		16		// untouched pages only read
#define RW		(PTE_P | PTE_U | PTE_W)

static int nfail;
static uint32_t ppns[NTOUCH];	// the physical page under each touched page

static void
check(const char *what, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	cprintf("regionlazy: FAIL: %s: got %x, want %x\n", what, got, want);
	nfail++;
}

static volatile uint32_t *
page(uint32_t i)
{
	return (volatile uint32_t *) (BASE + i * PGSIZE);
}

// Touched page k holds this word at index k % 1024 (a different offset
// in each page, so no two pages look alike).
static uint32_t
value(uint32_t k)
{
	return 0x1a2b0000 + k;
}

static unsigned
resident(void)
{
	struct RegionInfo ri;
	int r;

	if ((r = sys_region_query(0, (void *) BASE, &ri)) < 0) {
		check("query of the region", r, 0);
		return ~0U;
	}
	return ri.resident;
}

// Mapped: the region is there, whole, and nothing is mapped under it,
// not even a page table.
static void
map_region(void)
{
	void *va = (void *) BASE;
	struct RegionInfo ri;
	uint32_t pdx, ntables = 0;

	check("region_map of 1 GiB",
	      sys_region_map(0, &va, LEN, RW, REGION_FIXED), 0);
	check("address given", (uint32_t) va, BASE);
	check("query at its last byte",
	      sys_region_query(0, (void *) (BASE + LEN - 1), &ri), 0);
	check("start", ri.start, BASE);
	check("end", ri.end, BASE + LEN);
	check("perm", ri.perm, RW);
	check("kind", ri.kind, REGION_ANON);
	check("resident after map", ri.resident, 0);
	for (pdx = PDX(BASE); pdx < PDX(BASE + LEN - 1) + 1; pdx++)
		ntables += (uvpd[pdx] & PTE_P) != 0;
	check("page tables after map", ntables, 0);
}

static void
touch_every_64th(void)
{
	uint32_t k, nbad = 0;

	for (k = 0; k < NTOUCH; k++)
		page(k * STRIDE)[k % 1024] = value(k);
	for (k = 0; k < NTOUCH; k++) {
		nbad += page(k * STRIDE)[k % 1024] != value(k);
		nbad += page(k * STRIDE)[(k + 1) % 1024] != 0;
		ppns[k] = PGNUM(pte_of(BASE + k * STRIDE * PGSIZE));
	}
	check("touched words not read back", nbad, 0);
	check("resident after 4096 writes", resident(), NTOUCH);
}

// Untouched page k (between two touched ones), read only.
static volatile uint32_t *
untouched(uint32_t k)
{
	return page(k * STRIDE + STRIDE / 2);
}

static void
read_untouched(void)
{
	uint32_t k, w, nbad = 0, zero = 0;
	pte_t pte;

	for (k = 0; k < NREAD; k++)
		for (w = 0; w < 1024; w++)
			nbad += untouched(k)[w] != 0;
	check("nonzero words in untouched pages", nbad, 0);
	check("resident after reads", resident(), NTOUCH + NREAD);
	// Each read page maps the one zero page, read-only.
	for (k = 0; k < NREAD; k++) {
		pte = pte_of((uintptr_t) untouched(k));
		check("read page present", pte & PTE_P, PTE_P);
		check("read page writable", pte & PTE_W, 0);
		if (k == 0)
			zero = PGNUM(pte);
		check("read page is the zero page", PGNUM(pte), zero);
	}
	check("zero page is a touched page's", zero == ppns[0], 0);
}

// Writing a page that maps the zero page gives it a page of its own:
// the zero page loses one mapping and stays zero for the others.
static void
write_a_read_page(void)
{
	uint32_t zero = PGNUM(pte_of((uintptr_t) untouched(0)));
	uint16_t refs = pages[zero].pp_ref;

	untouched(0)[7] = 0xfeed;
	check("written over the zero page", untouched(0)[7], 0xfeed);
	check("own page now",
	      PGNUM(pte_of((uintptr_t) untouched(0))) != zero, 1);
	check("zero page references", pages[zero].pp_ref, refs - 1);
	check("the zero page still zero", untouched(1)[7], 0);
	check("resident after the write", resident(), NTOUCH + NREAD);
}

// Unmapping the region frees every page that was its own.
static void
unmap_region(void)
{
	struct RegionInfo ri;
	uint32_t k, nbusy = 0, nmapped = 0;

	check("region_unmap", sys_region_unmap(0, (void *) BASE, LEN), 0);
	check("query after unmap", sys_region_query(0, (void *) BASE, &ri),
	      -E_INVAL);
	for (k = 0; k < NTOUCH; k++) {
		nbusy += pages[ppns[k]].pp_ref != 0;
		nmapped += pte_of(BASE + k * STRIDE * PGSIZE) & PTE_P;
	}
	check("touched pages still mapped", nmapped, 0);
	check("touched pages not freed", nbusy, 0);
}

void
umain(int argc, char **argv)
{
	map_region();
	touch_every_64th();
	read_untouched();
	write_a_read_page();
	unmap_region();
	cprintf("regionlazy: 1 GiB mapped, %d pages written, %d read, "
		"all freed, %d failures\n", NTOUCH, NREAD, nfail);
}
