/*
 * Run the machine out of memory, then check that every call that needs
 * a page fails with -E_NO_MEM and changes nothing, that calls needing
 * none still work, and that every page comes back: after the child and
 * the rest are gone, two more rounds of filling memory get exactly as
 * many pages.
 */
#include <inc/lib.h>

#define PERM		(PTE_P | PTE_U | PTE_W)
#define REGION		0x10000000	// filled a page at a time
#define NOTABLE		0xc0000000	// 4 MiB with no page table
#define RECVVA		0xc0400000	// the child's, none either
// Pages in the stack's page table, which always exists.
#define SPARE		(USTACKTOP - 8 * PGSIZE)
#define SPARE2		(USTACKTOP - 9 * PGSIZE)

static int nfail;

static void
check(const char *what, int got, int want)
{
	if (got == want)
		return;
	cprintf("memfull: FAIL: %s: got %e, want %e\n", what, got, want);
	nfail++;
}

// Bring in every page of our program (its pages come at first touch)
// and make each copy-on-write one private now: once memory is gone,
// neither fault could be served.
static void
own_pages(void)
{
	uintptr_t va;

	for (va = UTEXT; va < (uintptr_t) end; va += PGSIZE) {
		(void) *(volatile char *) va;
		if (uvpt[PGNUM(va)] & PTE_COW)
			*(volatile char *) va = *(volatile char *) va;
	}
	*(volatile char *) (USTACKTOP - PGSIZE) =
		*(volatile char *) (USTACKTOP - PGSIZE);
}

// Allocate at REGION on until memory runs out, then take a last page
// left over if a page table could not be had.  Returns the count.
static int
fill(void)
{
	int n, r;

	for (n = 0; (r = sys_page_alloc(0, (void *) (REGION + n * PGSIZE),
					PERM)) == 0; n++)
		;
	check("page_alloc until memory runs out", r, -E_NO_MEM);
	if (sys_page_alloc(0, (void *) SPARE, PERM) == 0)
		n++;
	return n;
}

static void
drain(int n)
{
	int i;

	for (i = 0; i < n; i++)
		sys_page_unmap(0, (void *) (REGION + i * PGSIZE));
	sys_page_unmap(0, (void *) SPARE);
}

// With no page free: what needs one fails, what needs none works.
static void
check_exhausted(envid_t kid)
{
	int nenvs = count_envs();

	check("page_alloc", sys_page_alloc(0, (void *) SPARE2, PERM),
	      -E_NO_MEM);
	check("page_map needing a page table",
	      sys_page_map(0, (void *) REGION, 0, (void *) NOTABLE, PERM),
	      -E_NO_MEM);
	check("... left no page table", uvpd[PDX(NOTABLE)] & PTE_P, 0);
	check("page_map needing no memory",
	      sys_page_map(0, (void *) REGION, 0, (void *) SPARE2, PERM), 0);
	check("page_unmap", sys_page_unmap(0, (void *) SPARE2), 0);
	check("page_copy",
	      sys_page_copy(0, (void *) REGION, (void *) SPARE2, PERM),
	      -E_NO_MEM);
	check("exofork", sys_exofork(), -E_NO_MEM);
	check("fork", fork(), -E_NO_MEM);
	check("... left no env behind", count_envs(), nenvs);
	while (!envs[ENVX(kid)].env_ipc_recving)
		sys_yield();
	check("ipc page needing a page table",
	      sys_ipc_try_send(kid, 1, (void *) REGION, PERM), -E_NO_MEM);
	check("... left the receiver waiting",
	      envs[ENVX(kid)].env_ipc_recving, 1);
}

// The child: wait for a page at RECVVA, check it came, and go.
static void
receive(void)
{
	int perm = 0;

	ipc_recv(NULL, (void *) RECVVA, &perm);
	if (perm != PERM || *(volatile int *) RECVVA != 0x5a5a5a5a)
		cprintf("memfull: FAIL: child got perm %x\n", perm);
}

void
umain(int argc, char **argv)
{
	envid_t kid;
	int n, n2, n3;

	if ((kid = fork()) < 0)
		panic("memfull: fork: %e", kid);
	if (kid == 0) {
		own_pages();
		receive();
		return;
	}
	// Fill memory only once the child, too, has all it needs.
	while (!envs[ENVX(kid)].env_ipc_recving)
		sys_yield();
	own_pages();
	n = fill();
	cprintf("memfull: memory ran out after %d pages\n", n);
	check_exhausted(kid);

	// One page free is enough for the receiver's page table.
	sys_page_unmap(0, (void *) (REGION + (n - 2) * PGSIZE));
	*(volatile int *) REGION = 0x5a5a5a5a;
	if (sys_ipc_try_send(kid, 1, (void *) REGION, PERM) < 0) {
		check("ipc page with one page free", -E_NO_MEM, 0);
		sys_env_destroy(kid);
	}
	drain(n);
	wait_env_gone(kid);

	n2 = fill();
	drain(n2);
	n3 = fill();
	drain(n3);
	check("pages the third time as the second", n3, n2);
	if (nfail == 0)
		cprintf("memfull: %d pages twice more, none lost\n", n2);
	else
		cprintf("memfull: %d FAILED\n", nfail);
}
