/*
 * The user stack is a region of USTACKSIZE (1 MiB) below USTACKTOP
 * whose pages come at first touch: a recursion using 512 KiB of it
 * works, and each frame finds its bytes intact on the way back.  Below
 * the region nothing is mapped: a child recursing without end faults
 * there as any user fault does.  With no upcall it is destroyed (the
 * grader sees "user fault va" just below the region); with one, the
 * handler sees the fault, a write to a page not present.
 */
#include <inc/lib.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define FRAME		1024		// bytes of locals per call
#define DEPTH		512		// calls deep: 512 KiB
#define BOTTOM		(USTACKTOP - USTACKSIZE)
#define SHARED		0x30000000	// PTE_SHARE: what the child saw

struct shared {
	uint32_t survived;	// the child got back from its recursion
	uint32_t fault_va, fault_err;
};

static int nfail;
static uint32_t nbad;		// bytes of a frame changed under it
static volatile struct shared *shared = (struct shared *) SHARED;

static void
check(const char *what, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	cprintf("regionstack: FAIL: %s: got %x, want %x\n", what, got, want);
	nfail++;
}

// Fill a frame, go deeper, and check the frame is still as it was.
static uint32_t __attribute__((noinline))
dig(int depth)
{
	volatile uint8_t frame[FRAME];
	uint32_t sum;
	int i;

	for (i = 0; i < FRAME; i++)
		frame[i] = depth + i;
	sum = depth > 0 ? dig(depth - 1) : 0;
	for (i = 0; i < FRAME; i++)
		nbad += frame[i] != (uint8_t) (depth + i);
	return sum + frame[0];
}

static unsigned
stack_resident(void)
{
	struct RegionInfo ri;

	check("query the stack", sys_region_query(0, (void *) (USTACKTOP - 1),
						  &ri), 0);
	check("stack start", ri.start, BOTTOM);
	check("stack end", ri.end, USTACKTOP);
	check("stack perm", ri.perm, RW);
	check("stack kind", ri.kind, REGION_STACK);
	return ri.resident;
}

static void
deep_recursion(void)
{
	uint32_t sum = 0;
	unsigned before, after;
	int d;

	before = stack_resident();
	check("stack pages at the start, at most 4", before <= 4, 1);
	for (d = 0; d <= DEPTH; d++)
		sum += (uint8_t) d;
	check("sum of the frames", dig(DEPTH), sum);
	check("bytes changed in frames", nbad, 0);
	after = stack_resident();
	check("stack pages after 512 KiB, at least 128", after >= 128, 1);
	check("stack pages after 512 KiB, at most 160", after <= 160, 1);
}

static void
overflow_handler(struct UTrapframe *utf)
{
	shared->fault_va = utf->utf_fault_va;
	shared->fault_err = utf->utf_err;
	exit();
}

// Make every stack page we have our own, while lib's fork handler can
// still copy the copy-on-write ones.
static void
own_stack(void)
{
	uintptr_t va;

	for (va = BOTTOM; va < USTACKTOP; va += PGSIZE)
		if ((uvpd[PDX(va)] & PTE_P) && (uvpt[PGNUM(va)] & PTE_COW))
			*(volatile char *) va = *(volatile char *) va;
}

// A child that recurses past the bottom of the stack region.
static void
overflow(bool with_handler)
{
	envid_t kid;

	shared->survived = 0;
	shared->fault_va = 0;
	if ((kid = fork()) == 0) {
		own_stack();
		if (with_handler)
			set_pgfault_handler(overflow_handler);
		else
			sys_env_set_pgfault_upcall(0, NULL);
		dig(1 << 30);
		shared->survived = 1;
		exit();
	}
	wait_env_gone(kid);
	check("a child survived running off its stack", shared->survived, 0);
}

void
umain(int argc, char **argv)
{
	void *va = (void *) SHARED;

	deep_recursion();
	if (sys_region_map(0, &va, PGSIZE, RW | PTE_SHARE, REGION_FIXED) < 0)
		panic("regionstack: map the shared page");
	overflow(false);
	overflow(true);
	check("the handler's fault, below the region",
	      shared->fault_va < BOTTOM && shared->fault_va >= BOTTOM - PGSIZE,
	      1);
	check("the handler's fault err", shared->fault_err & (FEC_PR | FEC_WR),
	      FEC_WR);
	cprintf("regionstack: 512 KiB deep and back, two children ran off "
		"the stack, %d failures\n", nfail);
}
