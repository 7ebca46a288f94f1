/* Page replacement and swap (kern/swap.c): the kernel's side. */
#ifndef JOS_KERN_SWAP_H
#define JOS_KERN_SWAP_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <inc/env.h>
#include <inc/swap.h>
#include <kern/pmap.h>
#include <kern/rmap.h>

/*
 * Each env's paging: its frame limit and policy, and its counts.
 * Guarded by the kernel lock; resident also by mem_lock, for CPUs
 * holding the kernel lock shared (rmap_count); a child's builder and its
 * parent's building also by being the parent's CPU, which reads them
 * and starts the child holding the lock shared (space_shared_ok,
 * sys_env_set_status).
 */
struct SwapEnv {
	uint32_t limit;		// most resident pages allowed; 0: any number
	uint32_t resident;	// its recorded pages nothing else holds,
				// counted while it has a limit (kern/rmap.h)
	uint32_t swapped;	// swap entries in its page tables
	struct VmCounts counts;	// (counts.faults is in its struct RegionSet)
	envid_t builder;	// exofork made it, and it has not run yet: its
				// parent, whose evicted pages it must get too
	uint16_t building;	// its own children in that state
	uint8_t policy;		// SWAP_FIFO, SWAP_CLOCK or SWAP_ECLOCK
} __attribute__((aligned(64)));

extern struct SwapEnv swap_envs[NENV];
extern struct VmCounts vm_totals;
extern uint32_t vm_evictions[NSWAPPOLICY];
extern uint64_t vm_io_cycles;	// time stamp cycles of swap transfers

static inline struct SwapEnv *
env_swap(struct Env *e)
{
	return &swap_envs[ENVX(e->env_id)];
}

void	swap_init(void);
bool	swap_enabled(void);
const char *swap_policy_name(int policy);
void	swap_env_init(struct Env *e, struct Env *parent);
void	swap_env_free(struct Env *e);
void	swap_env_built(struct Env *e);
void	swap_end_builds(struct Env *e);
bool	swap_each_building_child(struct Env *parent,
				 bool (*fn)(struct Env *, void *), void *arg);
int	swap_exofork(struct Env *parent, struct Env *child);
int	swap_copy_entries(struct Env *src, struct Env *dst);
int	swap_tables_to_copy(struct Env *e);
void	swap_hold(struct PageInfo *pp);
int	swap_in(struct Env *e, uintptr_t va, pte_t *pte, struct PageInfo *pp,
		bool write);
int	swap_set_limit(struct Env *e, uint32_t limit);
uint32_t swap_resident(struct Env *e);
void	swap_lock_entry(struct Env *e, pte_t *pte, uintptr_t va, bool lock);
int	swap_make_room_slow(struct Env *e, int own, int frames);

// Would pp, let go by one of its holders, count toward a frame limit
// again: is it recorded for an env that has one?  (Then the limit may
// be exceeded, which only the exclusive lock may mend: rmap_count.)
static inline bool
swap_counts_when_unshared(struct PageInfo *pp)
{
	struct Rmap *r = page_rmap(pp);
	int x;

	return swap_nlimited && r->pgdir
		&& (x = rmap_owner(r->pgdir)) != RMAP_NOENV
		&& swap_envs[x].limit;
}

// Is there room without evicting: frames pages free, and no frame limit
// on e (if not NULL) to mind?
static inline bool
swap_room(struct Env *e, int frames)
{
	return page_free_count() >= (size_t) frames
		&& (!swap_nlimited || !e || !env_swap(e)->limit);
}

/*
 * Evict until page_alloc has frames pages to give and e (if not NULL)
 * may gain own more resident pages under its limit.  Only where the
 * caller holds no pointer to a user page or to an entry that maps one:
 * any user page may go out here, and nowhere else.  Returns 0, or
 * -E_NO_MEM if e's limit leaves it no room (a shortage of frames is for
 * page_alloc to report).
 */
static inline int
swap_make_room(struct Env *e, int own, int frames)
{
	if (swap_room(e, frames))
		return 0;
	return swap_make_room_slow(e, own, frames);
}

// System calls (kern/swap_syscall.c).
int	sys_env_set_frame_limit(envid_t envid, uint32_t limit);
int	sys_env_set_swap_policy(envid_t envid, int policy);
int	sys_vm_stat(envid_t envid, uintptr_t st);

#endif
