/*
 * Leave envs behind for the monitor's page audit to check while they
 * live: a parent and children sharing pages every way there is (fork's
 * copy-on-write, PTE_SHARE, pages sent by ipc, one page mapped at many
 * addresses), all blocked in ipc_recv for good, so the kernel stops in
 * its monitor with them still there.
 */
#include <inc/lib.h>

#define NKIDS		3
#define NALIASES	100
#define PERM		(PTE_P | PTE_U | PTE_W)
#define SHARED		((void *) 0x10000000)
#define ALIASED		((void *) 0x20000000)
#define SENT		((void *) 0x30000000)

// The children, written after each fork: a copy-on-write fault in the
// parent, which the monitor's regions command counts (the grader's
// monitor-regions test).
static envid_t kids[NKIDS];

void
umain(int argc, char **argv)
{
	int i, r;

	if ((r = sys_page_alloc(0, SHARED, PERM | PTE_SHARE)) < 0
	    || (r = sys_page_alloc(0, ALIASED, PERM)) < 0
	    || (r = sys_page_alloc(0, SENT, PERM)) < 0)
		panic("auditlive: page_alloc: %e", r);
	for (i = 1; i < NALIASES; i++)
		if ((r = sys_page_map(0, ALIASED, 0, ALIASED + i * PGSIZE,
				      PERM)) < 0)
			panic("auditlive: page_map: %e", r);
	for (i = 0; i < NKIDS; i++) {
		if ((kids[i] = fork()) < 0)
			panic("auditlive: fork: %e", kids[i]);
		if (kids[i] == 0) {
			ipc_recv(NULL, SENT + PGSIZE, NULL);
			break;
		}
	}
	if (i == NKIDS)		// the parent: the children wait for a page
		for (i = 0; i < NKIDS; i++)
			ipc_send(kids[i], 0, SENT, PTE_P | PTE_U);
	cprintf("auditlive: [%08x] waiting for good\n", sys_getenvid());
	sys_ipc_recv((void *) UTOP);
}
