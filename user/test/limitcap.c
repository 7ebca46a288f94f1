/*
 * A frame limit with no swap disk is a cap: set below what the env
 * holds, nothing can go out, and the env stays over it.  Its count
 * still moves as its pages are shared and private again: a child (made
 * by exofork, never run) shares them copy-on-write, holding the kernel
 * lock shared, which drops the count to zero; destroyed, it gives them
 * all back.  Over the limit, a new page is refused.  The grader boots
 * this with no swap disk.
 */
#include <inc/lib.h>

#define RW	(PTE_P | PTE_U | PTE_W)
#define AREA	0x10000000
#define NPAGES	6
#define LIMIT	2

static uint32_t
resident(void)
{
	struct VmStat st;
	int r;

	if ((r = sys_vm_stat(0, &st)) < 0)
		panic("limitcap: vm_stat: %e", r);
	return st.resident;
}

void
umain(int argc, char **argv)
{
	void *va = (void *) AREA;
	uint32_t held, shared, back;
	envid_t child;
	int i, r, fresh;

	lock_self();
	if ((r = sys_region_map(0, &va, (NPAGES + 1) * PGSIZE, RW,
				REGION_FIXED)) < 0)
		panic("limitcap: region_map: %e", r);
	for (i = 0; i < NPAGES; i++)
		((volatile char *) AREA)[i * PGSIZE] = i + 1;
	if ((r = sys_env_set_frame_limit(0, LIMIT)) < 0)
		panic("limitcap: limit: %e", r);
	held = resident();
	if ((child = sys_exofork()) < 0)
		panic("limitcap: exofork: %e", child);
	if ((r = sys_page_cow_range(child, (void *) AREA,
				    (void *) (AREA + NPAGES * PGSIZE))) < 0)
		panic("limitcap: cow_range: %e", r);
	shared = resident();
	if ((r = sys_env_destroy(child)) < 0)
		panic("limitcap: destroy: %e", r);
	back = resident();
	fresh = sys_page_alloc(0, (void *) (AREA + NPAGES * PGSIZE), RW);
	cprintf("limitcap: %d pages under a limit of %d: %d resident, %d "
		"shared, %d once private again; a new page: %e\n", NPAGES,
		LIMIT, held, shared, back, fresh);
	if ((r = sys_env_set_frame_limit(0, 0)) < 0)
		panic("limitcap: unlimit: %e", r);
}
