/*
 * fork with copy-on-write, and sfork with shared memory.
 *
 * fork: the parent's writable pages become read-only with PTE_COW in
 * both parent and child; whichever writes such a page first takes a
 * page fault, and pgfault below gives it a private copy.  PTE_SHARE
 * pages stay shared writable, read-only pages are simply shared.
 *
 * sfork: every page is shared as it is, writable ones included, but for
 * the stack area (the 4 MiB below USTACKTOP) and the private page that
 * holds thisenv, which are copy-on-write as in fork.  The program's
 * data and bss pages are first made the caller's own and writable
 * (own_image_pages), so that the globals are shared whether or not
 * they were touched.  Elsewhere, a page that is copy-on-write already
 * (from an earlier fork) stays so, and is not shared once written; and
 * a page of a region the program mapped, not touched yet, is each env's
 * own at its first touch (map it PTE_SHARE to share it).
 *
 * Cost: one sys_page_cow_range call maps the whole address space (the
 * kernel skips absent page tables; sfork makes four range calls), plus
 * a handful of calls to set up the child; then one fault and one
 * sys_page_copy per copy-on-write page written.
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

// fork's child: everything but the exception stack, copy-on-write.
static int
map_copied(envid_t child)
{
	return sys_page_cow_range(child, 0, (void *) (UXSTACKTOP - PGSIZE));
}

/*
 * A page of the program's data or bss that has no page of its own yet
 * (never touched, or only read: the zero page; or copy-on-write) would
 * be each env's own at its first write, not shared.  A write of what is
 * there makes it the caller's own, writable.  A page writable already,
 * or out on swap, is shared as it is: a write to one might undo a
 * relative's write to the same word.
 */
static void
own_image_pages(void)
{
	uintptr_t va;
	pte_t pte;

	for (va = (uintptr_t) udata; va < (uintptr_t) end; va += PGSIZE) {
		pte = (uvpd[PDX(va)] & PTE_P) ? uvpt[PGNUM(va)] : 0;
		if (pte == 0 || (pte & (PTE_P | PTE_W | PTE_SHARE)) == PTE_P)
			*(volatile char *) va = *(volatile char *) va;
	}
}

// sfork's child: the stack area and the private page (thisenv)
// copy-on-write, everything else below them shared.
static int
map_shared(envid_t child)
{
	void *stack = (void *) (USTACKTOP - PTSIZE);
	int r;

	own_image_pages();
	if ((r = sys_page_share_range(child, 0, uprivate)) < 0
	    || (r = sys_page_cow_range(child, uprivate, euprivate)) < 0
	    || (r = sys_page_share_range(child, euprivate, stack)) < 0)
		return r;
	return sys_page_cow_range(child, stack, (void *) USTACKTOP);
}

// Create a child whose memory map() sets up, with its own exception
// stack and this file's fault handler.  Returns the child's id in the
// parent, 0 in the child, or a negative error code (with no child left
// behind).  bench/bench.c passes a map of its own, to measure the
// course's page-by-page fork against ours.
envid_t
fork_with(int (*map)(envid_t child))
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

	if ((r = map(child)) < 0)
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

// A child with a copy-on-write copy of our memory.
envid_t
fork(void)
{
	return fork_with(map_copied);
}

// A child sharing our memory, but for its own stack and thisenv.
envid_t
sfork(void)
{
	return fork_with(map_shared);
}
