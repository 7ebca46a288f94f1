/*
 * sys_region_protect over pages out on swap, booted with less memory
 * than the swap disk holds (the grader gives 8 MiB and a 12 MiB disk):
 * the slots of the last entries to go out (some fifty) are numbered past
 * the last physical page, and a swap entry's slot number, where a page's
 * address would be, must not be taken for one.  The env maps a region
 * of NPAGES pages, more than memory has, keeps LIMIT of them resident
 * with a frame limit and writes each its number; then it makes the
 * region read-only and reads every STRIDE-th page back (pages 2,048 and
 * 2,080, whose slots are past the last page's, among them) and the
 * last, and makes it writable again and rewrites them.
 */
#include <inc/lib.h>

#define REGION		((volatile uint32_t *) 0x10000000)
#define NPAGES		2112		// 2048 and 64 more
#define LIMIT		16
#define STRIDE		32
#define WORDS_PER_PAGE	(PGSIZE / sizeof(uint32_t))

static volatile uint32_t *
page(int i)
{
	return REGION + i * WORDS_PER_PAGE;
}

// Make the whole region perm, or panic.
static void
protect(int perm)
{
	int r;

	if ((r = sys_region_protect(0, (void *) REGION, NPAGES * PGSIZE,
				    perm)) < 0)
		panic("protectswap: region_protect %x: %e", perm, r);
}

// The pages looked at after each change: every STRIDE-th, and the last.
static bool
sampled(int i)
{
	return i % STRIDE == 0 || i == NPAGES - 1;
}

// Every sampled page holds its number plus base; returns how many do
// not.
static int
count_wrong(uint32_t base)
{
	int i, wrong = 0;

	for (i = 0; i < NPAGES; i++)
		wrong += sampled(i) && *page(i) != i + base;
	return wrong;
}

void
umain(int argc, char **argv)
{
	void *va = (void *) REGION;
	struct VmStat vs;
	int i, r, wrong;

	if ((r = sys_region_map(0, &va, NPAGES * PGSIZE,
				PTE_P | PTE_U | PTE_W, REGION_FIXED)) < 0)
		panic("protectswap: region_map: %e", r);
	if ((r = sys_env_set_frame_limit(0, LIMIT)) < 0)
		panic("protectswap: frame limit: %e", r);
	for (i = 0; i < NPAGES; i++)
		*page(i) = i;
	if ((r = sys_vm_stat(0, &vs)) < 0)
		panic("protectswap: vm_stat: %e", r);
	cprintf("protectswap: %u pages out on swap, %u slots, "
		"%u frames free\n", vs.swapped, vs.slots, vs.frames_free);
	protect(PTE_P | PTE_U);
	wrong = count_wrong(0);
	protect(PTE_P | PTE_U | PTE_W);
	for (i = 0; i < NPAGES; i++)
		if (sampled(i))
			*page(i) = i + NPAGES;
	wrong += count_wrong(NPAGES);
	cprintf("protectswap: read-only and writable again, %d wrong\n",
		wrong);
}
