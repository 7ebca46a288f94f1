/*
 * sys_cputs with lengths no one prints whole: 2^31 bytes and 4 MiB, each
 * a region (the first 1 MiB written, the rest never touched, which
 * prints as zeros without being brought in).  Printing either takes
 * from seconds to hours, so a child prints each while the parent keeps
 * printing lines of its own.  Then the parent destroys the first child
 * in the middle of its call, and unmaps a page ahead of where the
 * second has got to, which must then die of it.  The output must be the
 * children's bytes, NULs included, whole lines of them, with the
 * parent's lines in between.
 *
 * Nothing the parent can see tells it that a child has printed: env_runs
 * also counts returns to user mode that printed nothing (a timer tick
 * resumes the env before its call's next step).  So the parent prints
 * each tick after the first once a newline arrives on the console; the
 * grader sends one when it has seen both children print since the last
 * tick (run by hand, press Enter for each).
 */
#include <inc/lib.h>

#define PERM		(PTE_P | PTE_U | PTE_W)
#define BUF		0x10000000		// each child's buffer
#define WRITTEN		(1 << 20)		// the part holding lines
#define LINELEN		64
#define TICKS		4
#define CHUNK		1024	// the most the kernel prints per entry

// Numbered lines, 64 to a page, in the first WRITTEN bytes at BUF.
static void
fill_lines(const char *name)
{
	char *line;
	int n;

	for (line = (char *) BUF, n = 0; line < (char *) BUF + WRITTEN;
	     line += LINELEN, n = (n + 1) % (PGSIZE / LINELEN)) {
		snprintf(line, LINELEN, "cputsbig: %s line %02d "
			 "abcdefghijklmnopqrstuvwxyz0123456789", name, n);
		memset(line + strlen(line), '.', LINELEN - 1 - strlen(line));
		line[LINELEN - 2] = '\0';
		line[LINELEN - 1] = '\n';
	}
}

// A child that maps a region of len bytes at BUF, writes its lines,
// tells the parent, and prints it all in one system call.
static void __attribute__((noreturn))
printer(const char *name, size_t len)
{
	void *va = (void *) BUF;
	int r;

	if ((r = sys_region_map(0, &va, len, PERM, REGION_FIXED)) < 0)
		panic("cputsbig: region_map: %e", r);
	fill_lines(name);
	ipc_send(thisenv->env_parent_id, 0, NULL, 0);
	ipc_recv(NULL, NULL, NULL);
	sys_cputs((const char *) BUF, len);
	cprintf("cputsbig: FAIL: %s: sys_cputs returned\n", name);
	exit();
}

static envid_t
spawn_printer(const char *name, size_t len)
{
	envid_t kid = fork();

	if (kid < 0)
		panic("cputsbig: fork: %e", kid);
	if (kid == 0)
		printer(name, len);
	return kid;
}

/*
 * Stop big and unmap a page of its buffer it cannot have printed yet.
 * It prints at most a chunk per kernel entry, and env_runs counts its
 * returns to user mode; once it is not runnable it makes at most one
 * more step, and does not return to user mode again.
 */
static uintptr_t
unmap_ahead(envid_t big, uint32_t runs_before)
{
	uint32_t runs;
	uintptr_t va;
	int r;

	if ((r = sys_env_set_status(big, ENV_NOT_RUNNABLE)) < 0)
		panic("cputsbig: stopping the child: %e", r);
	runs = envs[ENVX(big)].env_runs - runs_before;
	va = ROUNDUP(BUF + (runs + 2) * CHUNK, PGSIZE);
	if ((r = sys_region_unmap(big, (void *) va, PGSIZE)) < 0
	    || (r = sys_env_set_status(big, ENV_RUNNABLE)) < 0)
		panic("cputsbig: unmapping in the child: %e", r);
	return va;
}

// Yield until a newline comes in on the console.
static void
wait_newline(void)
{
	int c;

	while ((c = sys_cgetc()) != '\n' && c != '\r')
		sys_yield();
}

void
umain(int argc, char **argv)
{
	envid_t huge, big;
	uint32_t runs_before;
	uintptr_t hole;
	int i, r;

	huge = spawn_printer("2GiB", 0x80000000);
	big = spawn_printer("4MiB", 4 << 20);
	ipc_recv(NULL, NULL, NULL);
	ipc_recv(NULL, NULL, NULL);
	runs_before = envs[ENVX(big)].env_runs;
	ipc_send(huge, 0, NULL, 0);
	ipc_send(big, 0, NULL, 0);
	for (i = 0; i < TICKS; i++) {
		if (i > 0)
			wait_newline();
		cprintf("cputsbig: parent tick %d\n", i);
	}
	if ((r = sys_env_destroy(huge)) < 0)
		cprintf("cputsbig: FAIL: destroy: %e\n", r);
	hole = unmap_ahead(big, runs_before);
	wait_env_gone(huge);
	wait_env_gone(big);
	cprintf("cputsbig: one child destroyed while printing, the other "
		"stopped at the page unmapped at %08x\n", hole);
}
