/*
 * Leave pages out on the swap disk for the monitor's vmstat to show.
 * The env locks its text, data and stack (lock_self) and brings their
 * pages in, so that only the pages of a region of its own compete for
 * a limit of LIMIT frames, under the clock policy.  It writes NPAGES
 * pages and reads NREAD of them back: LIMIT pages stay resident, the
 * others are out, and the last page read pushed out a page that had
 * come back unwritten (a drop, not a write).  A child that never runs
 * then gets copies of its swap entries from exofork, and a policy and a
 * limit of its own; the env blocks for good, and the kernel stops in
 * its monitor with both there.  What vmstat must say follows:
 *
 *   the env:   limit 4, resident 4, swapped 4, swap-ins 5, swap-outs 8,
 *              dropped 1, and faults 13 more than before its region
 *   the child: policy eclock, limit 2, resident 0, swapped 4
 *   the disk:  8 slots used (4 entries, and the clean copies of the
 *              4 pages read back and still in); clock chose 9 victims
 */
#include <inc/lib.h>

#define LIMIT		4
#define NPAGES		8	// written, in order: 0-3 go out
#define NREAD		5	// read back, 0 first: 4-7 go out, then 0
#define REGION		0x10000000
#define RW		(PTE_P | PTE_U | PTE_W)


static volatile uint32_t *
page(int i)
{
	return (volatile uint32_t *) (REGION + i * PGSIZE);
}

static struct VmStat
vm_stat(void)
{
	struct VmStat st;
	int r;

	if ((r = sys_vm_stat(0, &st)) < 0)
		panic("vmstatlive: vm_stat: %e", r);
	return st;
}

static void
page_out_and_back(void)
{
	void *va = (void *) REGION;
	int i, r;

	if ((r = sys_env_set_swap_policy(0, SWAP_CLOCK)) < 0
	    || (r = sys_env_set_frame_limit(0, LIMIT)) < 0
	    || (r = sys_region_map(0, &va, NPAGES * PGSIZE, RW,
				   REGION_FIXED)) < 0)
		panic("vmstatlive: setting up: %e", r);
	for (i = 0; i < NPAGES; i++)
		*page(i) = 0x1000 + i;
	for (i = 0; i < NREAD; i++)
		if (*page(i) != 0x1000 + i)
			panic("vmstatlive: page %d came back holding %x", i,
			      *page(i));
}

static void
make_child(void)
{
	envid_t child;
	int r;

	if ((child = sys_exofork()) < 0)
		panic("vmstatlive: exofork: %e", child);
	if (child == 0)
		panic("vmstatlive: the child ran");
	if ((r = sys_env_set_swap_policy(child, SWAP_ECLOCK)) < 0
	    || (r = sys_env_set_frame_limit(child, 2)) < 0)
		panic("vmstatlive: the child's limit: %e", r);
}

void
umain(int argc, char **argv)
{
	uint32_t before;

	lock_self();
	// Print once first: printing at the end must fault nothing in.
	cprintf("vmstatlive: [%08x] text, data and stack locked\n",
		thisenv->env_id);
	before = vm_stat().env.faults;
	page_out_and_back();
	make_child();
	cprintf("vmstatlive: %u faults before its region, %u frames free, "
		"waiting for good\n", before, vm_stat().frames_free);
	sys_ipc_recv((void *) UTOP);
}
