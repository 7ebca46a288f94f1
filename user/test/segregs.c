/*
 * %fs and %gs belong to the env that loads them.  The kernel never uses
 * them, so unless it saves and restores them an env finds in them what
 * the last env on its CPU left.  Children load selectors of their own
 * (the user code selector, the null selector) and check them across
 * yields and timer ticks; the parent checks that its own stay the user
 * data selector meanwhile.  Run on 1 CPU and on several.
 */
#include <inc/lib.h>

#define NKIDS		4
#define ROUNDS		200
#define SHARED		((volatile int *) 0x00300000)
#define PERM		(PTE_P | PTE_U | PTE_W)

static uint16_t
read_fs(void)
{
	uint16_t v;

	asm volatile("movw %%fs, %0" : "=r" (v));
	return v;
}

static uint16_t
read_gs(void)
{
	uint16_t v;

	asm volatile("movw %%gs, %0" : "=r" (v));
	return v;
}

static void
load_fs_gs(uint16_t fs, uint16_t gs)
{
	asm volatile("movw %0, %%fs; movw %1, %%gs" : : "r" (fs), "r" (gs));
}

// Run ROUNDS rounds of yields and busy loops (long enough for timer
// ticks), checking fs and gs after each.  Returns the mismatches.
static int
check_rounds(const char *who, uint16_t fs, uint16_t gs)
{
	int i, nbad = 0;
	volatile int spin;

	for (i = 0; i < ROUNDS; i++) {
		if (i % 2)
			sys_yield();
		else
			for (spin = 0; spin < 20000; spin++)
				;
		if (read_fs() == fs && read_gs() == gs)
			continue;
		if (nbad++ == 0)
			cprintf("segregs: FAIL: %s [%08x] has fs %04x gs %04x, "
				"want %04x %04x\n", who, thisenv->env_id,
				read_fs(), read_gs(), fs, gs);
	}
	return nbad;
}

// Each env's mismatches plus one, once it is done, in the shared page.
static void
report(int slot, int nbad)
{
	SHARED[slot] = nbad + 1;
	exit();
}

void
umain(int argc, char **argv)
{
	// Each child's pair: GD_UT | 3 and the null selector, mixed.
	static const uint16_t sel[NKIDS][2] = {
		{ GD_UT | 3, GD_UT | 3 }, { 0, GD_UT | 3 },
		{ GD_UT | 3, 0 }, { 0, 0 },
	};
	uint16_t fs = read_fs(), gs = read_gs();
	envid_t kid;
	int i, nbad;

	if (fs != (GD_UD | 3) || gs != (GD_UD | 3))
		cprintf("segregs: FAIL: started with fs %04x gs %04x\n", fs, gs);
	if (sys_page_alloc(0, (void *) SHARED, PERM | PTE_SHARE) < 0)
		panic("segregs: no shared page");
	for (i = 0; i < NKIDS; i++) {
		if ((kid = fork()) < 0)
			panic("segregs: fork: %e", kid);
		if (kid != 0)
			continue;
		load_fs_gs(sel[i][0], sel[i][1]);
		// A fork inherits them, like any other register.
		if ((kid = fork()) < 0)
			panic("segregs: fork: %e", kid);
		report(2 * i + (kid == 0),
		       check_rounds(kid ? "child" : "grandchild",
				    sel[i][0], sel[i][1]));
	}
	nbad = check_rounds("parent", fs, gs);
	for (i = 0; i < 2 * NKIDS; i++) {
		while (SHARED[i] == 0)
			sys_yield();
		nbad += SHARED[i] - 1;
	}
	cprintf("segregs: %d envs kept their own fs and gs, %d mismatches\n",
		2 * NKIDS + 1, nbad);
}
