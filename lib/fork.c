/*
 * fork with copy-on-write.
 *
 * The parent's writable pages become read-only with PTE_COW in both
 * parent and child; whichever writes such a page first takes a page
 * fault, and pgfault below gives it a private copy.  PTE_SHARE pages
 * stay shared writable, read-only pages are simply shared.
 *
 * Cost: one sys_page_cow_range call maps the whole address space (the
 * kernel skips absent page tables), plus a handful of calls to set up
 * the child; then one fault and one sys_page_copy per page written.
 */
#include <inc/lib.h>

// Resolve a write to a copy-on-write page with a private copy.
static void
pgfault(struct UTrapframe *utf)
{
	void *addr = (void *) ROUNDDOWN(utf->utf_fault_va, PGSIZE);
	int r;

	if (!(utf->utf_err & FEC_WR) || !(uvpd[PDX(addr)] & PTE_P)
	    || (uvpt[PGNUM(addr)] & (PTE_P | PTE_COW)) != (PTE_P | PTE_COW))
		panic("fork: unexpected fault at va %08x ip %08x err %x",
		      utf->utf_fault_va, utf->utf_eip, utf->utf_err);

	// Replace the shared page by a private, writable copy of it.
	if ((r = sys_page_copy(0, addr, addr, PTE_P | PTE_U | PTE_W)) < 0)
		panic("fork: copying page %08x: %e", addr, r);
}

// Create a child sharing our memory copy-on-write.  Returns the child's
// id in the parent, 0 in the child, or a negative error code (with no
// child left behind).
envid_t
fork(void)
{
	envid_t child;
	int r;

	set_pgfault_handler(pgfault);
	child = sys_exofork();
	if (child < 0)
		return child;
	if (child == 0) {
		// We are the child: thisenv still names the parent.
		thisenv = &envs[ENVX(sys_getenvid())];
		return 0;
	}

	// Everything but the exception stack, which each env has its own of.
	r = sys_page_cow_range(child, 0, (void *) (UXSTACKTOP - PGSIZE));
	if (r < 0)
		goto bad;
	r = sys_page_alloc(child, (void *) (UXSTACKTOP - PGSIZE),
			   PTE_P | PTE_U | PTE_W);
	if (r < 0)
		goto bad;
	if ((r = sys_env_set_pgfault_upcall(child, _pgfault_upcall)) < 0)
		goto bad;
	if ((r = sys_env_set_status(child, ENV_RUNNABLE)) < 0)
		goto bad;
	return child;

bad:
	sys_env_destroy(child);
	return r;
}

// Shared-memory fork is not provided.
envid_t
sfork(void)
{
	return -E_INVAL;
}
