/*
 * sys_cputs with lengths no one prints whole: 2^31 bytes (2 GiB of
 * addresses, a few pages mapped over and over) and 4 MiB.  Printing
 * either takes from seconds to hours, so a child prints each while the
 * parent keeps printing lines of its own; then the parent destroys both
 * children in the middle of their calls.  The output must be the
 * children's bytes, whole lines of them, with the parent's lines in
 * between.  The kernel prints a long string a chunk per kernel entry,
 * and each entry counts in the env's env_runs: the parent waits for a
 * few chunks of each child between its lines.
 */
#include <inc/lib.h>

#define PERM		(PTE_P | PTE_U | PTE_W)
#define PAGES		((char *) 0x00400000)	// the pages printed over and over
#define NPAGES		16			// 2 GiB of one page: too many refs
#define BUF		0x10000000		// where its copies start
#define LINELEN		64
#define TICKS		8
#define CHUNKS		4	// of each child's, between two parent lines

// NPAGES pages of numbered lines, each page the same.
static void
fill_pages(const char *name)
{
	char *line;
	int r, n;

	for (n = 0; n < NPAGES; n++)
		if ((r = sys_page_alloc(0, PAGES + n * PGSIZE, PERM)) < 0)
			panic("cputsbig: page_alloc: %e", r);
	for (line = PAGES, n = 0; line < PAGES + NPAGES * PGSIZE;
	     line += LINELEN, n = (n + 1) % (PGSIZE / LINELEN)) {
		snprintf(line, LINELEN, "cputsbig: %s line %02d "
			 "abcdefghijklmnopqrstuvwxyz0123456789", name, n);
		memset(line + strlen(line), '.', LINELEN - 1 - strlen(line));
		line[LINELEN - 1] = '\n';
	}
}

// A child that maps len bytes of copies of its pages at BUF, tells the
// parent, and prints them all in one system call.
static void __attribute__((noreturn))
printer(const char *name, size_t len)
{
	uintptr_t va;
	int r;

	fill_pages(name);
	for (va = BUF; va - BUF < len; va += PGSIZE)
		if ((r = sys_page_map(0, PAGES + (va / PGSIZE % NPAGES) * PGSIZE,
				      0, (void *) va, PTE_P | PTE_U)) < 0)
			panic("cputsbig: page_map %08x: %e", va, r);
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

static bool
gone(envid_t id)
{
	return envs[ENVX(id)].env_id != id
		|| envs[ENVX(id)].env_status == ENV_FREE;
}

// Yield until both children have entered the kernel n more times.
static void
wait_runs(envid_t a, envid_t b, int n)
{
	uint32_t ra = envs[ENVX(a)].env_runs, rb = envs[ENVX(b)].env_runs;

	while (envs[ENVX(a)].env_runs - ra < n
	       || envs[ENVX(b)].env_runs - rb < n)
		sys_yield();
}

void
umain(int argc, char **argv)
{
	envid_t huge, big;
	int i, r;

	huge = spawn_printer("2GiB", 0x80000000);
	big = spawn_printer("4MiB", 4 << 20);
	ipc_recv(NULL, NULL, NULL);
	ipc_recv(NULL, NULL, NULL);
	ipc_send(huge, 0, NULL, 0);
	ipc_send(big, 0, NULL, 0);
	for (i = 0; i < TICKS; i++) {
		wait_runs(huge, big, CHUNKS);
		cprintf("cputsbig: parent tick %d\n", i);
	}
	if ((r = sys_env_destroy(huge)) < 0 || (r = sys_env_destroy(big)) < 0)
		cprintf("cputsbig: FAIL: destroy: %e\n", r);
	while (!gone(huge) || !gone(big))
		sys_yield();
	cprintf("cputsbig: both children destroyed while printing\n");
}
