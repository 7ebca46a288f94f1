/*
 * The swap system calls (inc/swap.h): an env's frame limit and
 * replacement policy, set by the env itself or its parent, and its
 * counts.  Each checks every argument before it changes anything.
 */
#include <inc/error.h>
#include <inc/swap.h>

#include <kern/swap.h>
#include <kern/swapslot.h>
#include <kern/region.h>
#include <kern/demand.h>
#include <kern/env.h>

/*
 * Let envid have at most limit resident pages (0: no limit), sending
 * out at once what is over it, as far as it can go out (with no swap
 * disk, the limit is a cap: nothing goes out, and the env cannot grow
 * until it is under it).  Returns 0, -E_INVAL (more than the machine
 * has) or -E_BAD_ENV.
 */
int
sys_env_set_frame_limit(envid_t envid, uint32_t limit)
{
	struct Env *e;
	int err;

	if (limit > npages)
		return -E_INVAL;
	if ((err = envid2env(envid, &e, 1)) < 0)
		return err;
	swap_set_limit(e, limit);
	return 0;
}

// Choose how envid's pages are chosen to go out: SWAP_FIFO, SWAP_CLOCK
// or SWAP_ECLOCK.  Returns 0, -E_INVAL or -E_BAD_ENV.
int
sys_env_set_swap_policy(envid_t envid, int policy)
{
	struct Env *e;
	int err;

	if (policy < SWAP_FIFO || policy >= NSWAPPOLICY)
		return -E_INVAL;
	if ((err = envid2env(envid, &e, 1)) < 0)
		return err;
	env_swap(e)->policy = policy;
	return 0;
}

// Describe envid's paging, and everyone's, in *st (the caller's).
// Returns 0, -E_BAD_ENV, -E_FAULT or -E_NO_MEM.
int
sys_vm_stat(envid_t envid, uintptr_t st)
{
	struct VmStat vs;
	struct SwapEnv *se;
	struct Env *e;
	int err, p;

	if ((err = envid2env(envid, &e, 1)) < 0)
		return err;
	if (user_mem_check(curenv, (void *) st, sizeof(vs), PTE_U | PTE_W) < 0)
		return -E_FAULT;
	se = env_swap(e);
	vs.env = se->counts;
	vs.env.faults = env_regions(e)->kfaults;
	vs.resident = swap_resident(e);
	vs.swapped = se->swapped;
	vs.limit = se->limit;
	vs.policy = se->policy;
	vs.all = vm_totals;
	for (p = 0; p < NSWAPPOLICY; p++)
		vs.evictions[p] = vm_evictions[p];
	vs.frames = npages;
	vs.frames_free = page_free_count();
	vs.slots = swapslot_total();
	vs.slots_used = swapslot_used();
	vs.io_cycles = vm_io_cycles;
	return demand_copyout(st, &vs, sizeof(vs));
}
