/*
 * Memory regions: the ranges of its address space an env may use, and
 * where their pages come from (kern/demand.c maps them at first touch).
 *
 * An env's regions never overlap.  They are kept sorted by start in an
 * array of pointers one page long, so a lookup is a binary search (ten
 * steps among 1,000 regions) behind a one-entry cache of the region
 * found last.  The descriptors come from a fixed pool: running out of
 * them is an error a system call returns, not a panic, and freeing an
 * env gives its descriptors back.  Every change to a set first checks
 * that the descriptors it needs are there, so a call that fails has
 * changed nothing.
 *
 * Concurrency: everything here runs under the kernel lock, exclusive,
 * but for what a CPU holding it shared does to the env it runs, or to a
 * child that env is building (see kern/kernlock.h): region_find, the
 * map and unmap of their regions (kern/region_syscall.c), and the copy
 * of the env's regions into a new child (sys_exofork, regions_copy_ok),
 * with mem_lock for the pool of descriptors and the array's page.  No
 * other CPU changes those sets meanwhile.
 */
#include <inc/assert.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/memlayout.h>

#include <kern/region.h>
#include <kern/shm.h>
#include <kern/pmap.h>
#include <kern/env.h>

// Descriptors for every env together.
#define NREGION		8192

static struct Region pool[NREGION];
static struct Region *unused[NREGION];	// a stack of the free ones
static int nunused;

struct RegionSet region_sets[NENV];	// [i] belongs to envs[i]

void
region_init(void)
{
	for (nunused = 0; nunused < NREGION; nunused++)
		unused[nunused] = &pool[nunused];
}

// How many descriptors are free (for the self-check).
int
regions_unused(void)
{
	return nunused;
}

// A free descriptor holding a copy of r (its shared object held once
// more), or NULL if none is left.
static struct Region *
desc_copy(const struct Region *r)
{
	struct Region *d;

	if (nunused == 0)
		return NULL;
	d = unused[--nunused];
	*d = *r;
	if (d->perm & PTE_SHARE)
		shm_hold(d->shared.obj);
	return d;
}

static void
desc_free(struct Region *d)
{
	if (d->perm & PTE_SHARE)
		shm_drop(d->shared.obj);
	unused[nunused++] = d;
}

// The index of the last region of s starting at or below va, or -1.
// Each step halves the range that holds the answer, starting at base,
// whose start is at or below va.
static inline int
index_at(struct RegionSet *s, uintptr_t va)
{
	struct Region **base = s->sorted;
	uint32_t len = s->n, half;

	if (len == 0 || base[0]->start > va)
		return -1;
	while (len > 1) {
		half = len / 2;
		if (base[half]->start <= va)
			base += half;
		len -= half;
	}
	return base - s->sorted;
}

// region_find's search, when the region found last does not hold va.
struct Region *
region_search(struct RegionSet *s, uintptr_t va)
{
	int i;

	if ((i = index_at(s, va)) < 0 || va >= s->sorted[i]->end)
		return NULL;
	return s->last = s->sorted[i];
}

// Can s take k more regions: descriptors, and room in its array (which
// it gets here if it has none yet)?
static bool
room_for(struct RegionSet *s, int k)
{
	struct PageInfo *pp;

	if (nunused < k || s->n + k > MAXREGIONS)
		return false;
	if (s->sorted || k == 0)
		return true;
	if (!(pp = page_alloc(0)))
		return false;
	pp->pp_ref++;
	s->sorted = page2kva(pp);
	return true;
}

// Put descriptor d at index i of s, which has room for it.
static void
insert_at(struct RegionSet *s, int i, struct Region *d)
{
	memmove(&s->sorted[i + 1], &s->sorted[i],
		(s->n - i) * sizeof(s->sorted[0]));
	s->sorted[i] = d;
	s->n++;
	s->last = NULL;
}

// Take the regions at indexes [i, j) out of s and free them.
static void
remove_range(struct RegionSet *s, int i, int j)
{
	int k;

	for (k = i; k < j; k++)
		desc_free(s->sorted[k]);
	memmove(&s->sorted[i], &s->sorted[j], (s->n - j) * sizeof(s->sorted[0]));
	s->n -= j - i;
	s->last = NULL;
}

/*
 * Add a region like r, which overlaps none of s's.  Returns 0, -E_INVAL
 * if it overlaps one, or -E_NO_MEM if no descriptor (or array page) is
 * left.
 */
int
region_add(struct RegionSet *s, const struct Region *r)
{
	int i = index_at(s, r->start);

	if ((i >= 0 && s->sorted[i]->end > r->start)
	    || (i + 1 < (int) s->n && s->sorted[i + 1]->start < r->end))
		return -E_INVAL;
	if (!room_for(s, 1))
		return -E_NO_MEM;
	insert_at(s, i + 1, desc_copy(r));
	return 0;
}

// If a region of s holds at (not at its start), split it there; s must
// have room for one more.
static void
split_at(struct RegionSet *s, uintptr_t at)
{
	int i = index_at(s, at);
	struct Region *r, *right;

	if (i < 0 || (r = s->sorted[i])->start == at || r->end <= at)
		return;
	right = desc_copy(r);
	right->start = at;
	r->end = at;
	insert_at(s, i + 1, right);
}

// How many regions of s split at start and at end would make.
static int
splits_needed(struct RegionSet *s, uintptr_t start, uintptr_t end)
{
	struct Region *a = region_find(s, start), *b = region_find(s, end);

	return (a && a->start < start) + (b && b->start < end);
}

/*
 * Remove [start, end) from s's regions: those inside go, one across an
 * edge shrinks, one across both splits in two.  Only that split needs a
 * descriptor: any other cut works with none left.  Returns 0 or
 * -E_NO_MEM.
 */
int
regions_cut(struct RegionSet *s, uintptr_t start, uintptr_t end)
{
	struct Region *r = region_find(s, start);
	int i, j;

	if (r && r->start < start && r->end > end) {
		if (!room_for(s, 1))
			return -E_NO_MEM;
		split_at(s, end);
	}
	// Shrink in place: an image or shared region's offsets are kept
	// apart from its bounds, so either edge may move.
	if (r && r->start < start)
		r->end = start;
	if ((r = region_find(s, end)) && r->start < end)
		r->start = end;
	// The regions left inside [start, end) go.
	if ((i = index_at(s, start)) < 0 || s->sorted[i]->start < start)
		i++;
	for (j = i; j < (int) s->n && s->sorted[j]->end <= end; j++)
		;
	remove_range(s, i, j);
	return 0;
}

// Does a PTE_SHARE region of s overlap [start, end)?
bool
regions_share(struct RegionSet *s, uintptr_t start, uintptr_t end)
{
	int i = MAX(index_at(s, start), 0);

	for (; i < (int) s->n && s->sorted[i]->start < end; i++)
		if (s->sorted[i]->end > start
		    && (s->sorted[i]->perm & PTE_SHARE))
			return true;
	return false;
}

// Could a and b, a just below b, be one region?
static bool
mergeable(const struct Region *a, const struct Region *b)
{
	if (a->end != b->start || a->kind != b->kind || a->perm != b->perm
	    || a->exec != b->exec)
		return false;
	if (a->kind == REGION_IMAGE)
		return a->image.bytes == b->image.bytes
			&& a->image.va == b->image.va;
	if (a->perm & PTE_SHARE)
		return a->shared.obj == b->shared.obj
			&& a->shared.base == b->shared.base;
	return true;
}

// Merge each region from index i to j (inclusive) into the one before
// it where they can be one.
static void
merge_range(struct RegionSet *s, int i, int j)
{
	for (j = MIN(j, (int) s->n - 1); j >= MAX(i, 1); j--)
		if (mergeable(s->sorted[j - 1], s->sorted[j])) {
			s->sorted[j - 1]->end = s->sorted[j]->end;
			remove_range(s, j, j + 1);
		}
}

// Is every page of [start, end) in some region of s?
bool
regions_cover(struct RegionSet *s, uintptr_t start, uintptr_t end)
{
	struct Region *r;

	while (start < end) {
		if (!(r = region_find(s, start)))
			return false;
		start = r->end;
	}
	return true;
}

// Does any region of s meet [start, end)?
bool
regions_touch(struct RegionSet *s, uintptr_t start, uintptr_t end)
{
	int i = index_at(s, end - 1);

	return i >= 0 && s->sorted[i]->end > start;
}

/*
 * Give [start, end), which s's regions cover, the permissions perm
 * (PTE_SHARE is each region's own and stays as it was), splitting the
 * regions at the edges, and merging what then can be.  Returns 0 or
 * -E_NO_MEM.
 */
int
regions_protect(struct RegionSet *s, uintptr_t start, uintptr_t end,
		int perm)
{
	int i, j;

	if (!room_for(s, splits_needed(s, start, end)))
		return -E_NO_MEM;
	split_at(s, start);
	split_at(s, end);
	i = index_at(s, start);
	for (j = i; j < (int) s->n && s->sorted[j]->start < end; j++)
		s->sorted[j]->perm = perm | (s->sorted[j]->perm & PTE_SHARE);
	merge_range(s, i, j);
	return 0;
}

/*
 * The lowest page-aligned address at or above from (and UMINADDR) where
 * len bytes meet no region of s and stay below UTOP, or 0 if there is
 * none.
 */
uintptr_t
regions_gap(struct RegionSet *s, uintptr_t from, size_t len)
{
	uintptr_t a = ROUNDUP(MAX(from, UMINADDR), PGSIZE);
	int i = index_at(s, a);

	if (i >= 0 && s->sorted[i]->end > a)
		a = s->sorted[i]->end;
	for (i++; i < (int) s->n && s->sorted[i]->start - a < len; i++)
		a = MAX(a, s->sorted[i]->end);
	return a < UTOP && len <= UTOP - a ? a : 0;
}

// May a CPU holding the kernel lock shared, and mem_lock, copy src's
// regions?  Only if the descriptors are there (the array's page is the
// caller's to find) and no region has a shared object to hold: those
// are the exclusive lock's (kern/shm.c).
bool
regions_copy_ok(struct RegionSet *src)
{
	return nunused >= (int) src->n && !regions_share(src, 0, UTOP);
}

// Give dst, which has none, a copy of each of src's regions.  Returns 0
// or -E_NO_MEM (dst then has none).
int
regions_copy(struct RegionSet *dst, struct RegionSet *src)
{
	uint32_t i;

	assert(dst->n == 0);
	if (!room_for(dst, src->n))
		return -E_NO_MEM;
	for (i = 0; i < src->n; i++)
		dst->sorted[i] = desc_copy(src->sorted[i]);
	dst->n = src->n;
	return 0;
}

// Free all of s: its regions, its array, its counters.
void
regions_free(struct RegionSet *s)
{
	if (s->sorted) {
		remove_range(s, 0, s->n);
		page_decref(pa2page(PADDR(s->sorted)));
	}
	memset(s, 0, sizeof(*s));
}

/*
 * The page audit's questions: hold each set's array page; each live
 * env's regions, and none of a free env's, must account for every
 * descriptor not on the free stack; shared objects count their own.
 */
int
regions_audit(void (*hold)(physaddr_t pa))
{
	uint32_t used = 0;
	int i, nproblems = 0;

	for (i = 0; i < NENV; i++) {
		if (region_sets[i].sorted)
			hold(PADDR(region_sets[i].sorted));
		if (envs[i].env_status == ENV_FREE && region_sets[i].n != 0) {
			cprintf("region audit: free env slot %d has %d regions\n",
				i, region_sets[i].n);
			nproblems++;
		}
		used += region_sets[i].n;
	}
	if (used + nunused != NREGION) {
		cprintf("region audit: %d descriptors in use, %d free, of %d\n",
			used, nunused, NREGION);
		nproblems++;
	}
	return nproblems + shm_audit(hold);
}
