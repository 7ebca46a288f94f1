/*
 * The boot self-check of the region code: 1,000 regions in a set of
 * its own, every hit and miss looked up, ranges protected (splitting
 * regions and merging them again) and cut (shrinking and splitting
 * them), a copy made, then all torn down with no descriptor or page
 * left behind.
 */
#include <inc/assert.h>
#include <inc/stdio.h>
#include <inc/memlayout.h>
#include <kern/region.h>
#include <kern/pmap.h>
#include <kern/kbench.h>
#include <inc/x86.h>

#define N	1000
#define BASE	0x10000000
#define SLOT(i)	(BASE + (i) * 2 * PGSIZE)	// region i: a page, a gap after

static const struct Region anon = { .perm = PTE_P | PTE_U | PTE_W,
	.kind = REGION_ANON };

// Add region i, [SLOT(i), SLOT(i) + PGSIZE).
static void
add(struct RegionSet *s, int i)
{
	struct Region r = anon;

	r.start = SLOT(i);
	r.end = r.start + PGSIZE;
	assert(region_add(s, &r) == 0);
}

// Every region of s is found at its first and last byte, and nothing in
// the gaps between.
static void
check_lookups(struct RegionSet *s)
{
	struct Region *r;
	int i;

	for (i = 0; i < N; i++) {
		assert((r = region_find(s, SLOT(i))) && r->start == SLOT(i));
		assert(region_find(s, SLOT(i) + PGSIZE - 1) == r);
		assert(region_find(s, SLOT(i) + PGSIZE) == NULL);
	}
	assert(region_find(s, BASE - 1) == NULL);
	assert(region_find(s, SLOT(N)) == NULL);
}

// For make bench: lookups among the N regions, each far from the last
// (the one-entry cache never hits).
static void
time_lookups(struct RegionSet *s)
{
	static uintptr_t va[N];
	uint64_t t;
	int i;

	if (!kernel_bench)
		return;
	for (i = 0; i < N; i++)
		va[i] = SLOT(i % 2 ? i : N - 1 - i);
	t = read_tsc();
	for (i = 0; i < N; i++)
		region_find(s, va[i]);
	kbench_report("region-lookup-1000", N, read_tsc() - t);
}

// Fill the gaps between regions a and b - 1, so that protecting
// [SLOT(a), end of b - 1) merges them all into one; then protect part of
// it (three regions), then all of it again (one).  The gap after b - 1
// keeps region b apart.
static void
check_split_merge(struct RegionSet *s, int a, int b)
{
	uintptr_t end = SLOT(b - 1) + PGSIZE;
	struct Region r = anon, *m;
	uint32_t n = s->n;
	int i;

	for (i = a; i < b - 1; i++) {
		r.start = SLOT(i) + PGSIZE;
		r.end = r.start + PGSIZE;
		assert(region_add(s, &r) == 0);
	}
	assert(regions_cover(s, SLOT(a), end));
	assert(!regions_cover(s, SLOT(a), end + PGSIZE));
	assert(regions_protect(s, SLOT(a), end, anon.perm) == 0);
	assert(s->n == n - (b - a) + 1);
	assert((m = region_find(s, SLOT(a))) && m->end == end);
	assert(regions_protect(s, SLOT(a + 1), SLOT(a + 2), PTE_P | PTE_U) == 0);
	assert(s->n == n - (b - a) + 3);
	assert(!(region_find(s, SLOT(a + 1))->perm & PTE_W));
	assert(regions_protect(s, SLOT(a), end, anon.perm) == 0);
	assert(s->n == n - (b - a) + 1);
}

void
check_regions(void)
{
	static struct RegionSet s, copy;
	size_t free_pages = page_free_count();
	int unused = regions_unused();
	struct Region *r;
	int i;

	for (i = N - 1; i >= 0; i -= 2)		// out of order on purpose
		add(&s, i);
	for (i = 0; i < N; i += 2)
		add(&s, i);
	assert(s.n == N && regions_unused() == unused - N);
	assert(region_add(&s, &(struct Region) { SLOT(5), SLOT(5) + PGSIZE,
		anon.perm, REGION_ANON }) < 0);		// an overlap
	check_lookups(&s);
	time_lookups(&s);
	assert(regions_gap(&s, BASE, PGSIZE) == BASE + PGSIZE);
	assert(regions_gap(&s, BASE, 2 * PGSIZE) == SLOT(N - 1) + PGSIZE);

	check_split_merge(&s, 100, 120);	// 20 more: MAXREGIONS is near
	// A cut in the middle of a region splits it in two...
	assert(regions_cut(&s, SLOT(110), SLOT(110) + PGSIZE) == 0);
	assert((r = region_find(&s, SLOT(100))) && r->end == SLOT(110));
	assert(region_find(&s, SLOT(110)) == NULL);
	assert((r = region_find(&s, SLOT(119))) && r->start == SLOT(110) + PGSIZE);
	assert(r->end == SLOT(119) + PGSIZE);
	// ...one across the edges of two shrinks both...
	assert(regions_cut(&s, SLOT(105), SLOT(115)) == 0);
	assert(region_find(&s, SLOT(100))->end == SLOT(105));
	assert(region_find(&s, SLOT(119))->start == SLOT(115));
	// ...and one over whole regions removes them.
	assert(regions_cut(&s, SLOT(300), SLOT(310)) == 0);
	for (i = 300; i < 310; i++)
		assert(region_find(&s, SLOT(i)) == NULL);
	assert(region_find(&s, SLOT(310)) != NULL);

	assert(regions_copy(&copy, &s) == 0 && copy.n == s.n);
	regions_free(&copy);
	regions_free(&s);
	assert(s.n == 0 && s.sorted == NULL);
	assert(regions_unused() == unused && page_free_count() == free_pages);
	cprintf("check_regions() succeeded!\n");
}
