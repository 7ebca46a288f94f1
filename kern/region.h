/* Memory regions of envs: the kernel's side (inc/region.h is the user's). */
#ifndef JOS_KERN_REGION_H
#define JOS_KERN_REGION_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <inc/region.h>
#include <inc/env.h>

struct Shm;

/*
 * One region: [start, end) of an env's address space, page-aligned,
 * below UTOP.  Its pages are mapped at first touch (kern/demand.c).
 */
struct Region {
	uintptr_t start, end;
	uint16_t perm;		// PTE_P | PTE_U, maybe PTE_W and PTE_SHARE
	uint8_t kind;		// REGION_ANON, REGION_IMAGE or REGION_STACK
	uint8_t exec;		// from an executable segment (recorded only)
	union {
		struct {	// REGION_IMAGE: the ELF segment it holds
			const uint8_t *bytes;	// the segment's file bytes,
			uintptr_t va;		// which belong at va,
			uint32_t len;		// this many; zeros past them
		} image;
		struct {	// PTE_SHARE: the pages every sharer maps
			struct Shm *obj;	// (kern/shm.c), where the
			uintptr_t base;		// object's offset 0 is at base
		} shared;
	};
};

// Regions per env at most: pointers to them fill one page.
#define MAXREGIONS	1024

/*
 * An env's regions, sorted by start in an array of pointers that has a
 * page of its own (from the first region on), found by binary search
 * behind a one-entry cache.  Also the env's page-fault counters.
 * Guarded by the kernel lock, like the env itself; the CPU running the
 * env, or its parent's while it is a child being built, may change it
 * holding the lock shared (kern/region.c).
 */
struct RegionSet {
	struct Region **sorted;		// n of them, or NULL
	uint32_t n;
	struct Region *last;		// the region found last, or NULL
	uint32_t kfaults;		// faults the kernel served (demand.c)
	uint32_t ufaults;		// faults sent to the env's upcall
} __attribute__((aligned(32)));	// so that region_sets[i] is a shift away

extern struct RegionSet region_sets[NENV];

void	region_init(void);
struct Region *region_search(struct RegionSet *s, uintptr_t va);

// e's regions.
static inline struct RegionSet *
env_regions(struct Env *e)
{
	return &region_sets[ENVX(e->env_id)];
}

// The region of s holding va, or NULL.  The region found last is
// checked first: faults come in runs on one region.
static inline struct Region *
region_find(struct RegionSet *s, uintptr_t va)
{
	struct Region *r = s->last;

	if (r && va >= r->start && va < r->end)
		return r;
	return region_search(s, va);
}
int	region_add(struct RegionSet *s, const struct Region *r);
int	regions_cut(struct RegionSet *s, uintptr_t start, uintptr_t end);
int	regions_protect(struct RegionSet *s, uintptr_t start, uintptr_t end,
			int perm);
bool	regions_cover(struct RegionSet *s, uintptr_t start, uintptr_t end);
bool	regions_touch(struct RegionSet *s, uintptr_t start, uintptr_t end);
bool	regions_share(struct RegionSet *s, uintptr_t start, uintptr_t end);
uintptr_t regions_gap(struct RegionSet *s, uintptr_t from, size_t len);
bool	regions_copy_ok(struct RegionSet *src);
int	regions_copy(struct RegionSet *dst, struct RegionSet *src);
void	regions_free(struct RegionSet *s);

// For the page audit: hold the pages the region code holds, and check
// its count of descriptors.  Returns the number of problems found.
int	regions_audit(void (*hold)(physaddr_t pa));

int	regions_unused(void);
void	check_regions(void);

#endif
