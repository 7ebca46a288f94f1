/*
 * fork with copy-on-write.
 *
 * The parent maps each of its writable pages into the child read-only
 * with PTE_COW, then does the same to its own mapping.  Whichever of the
 * two writes such a page first takes a page fault; pgfault below gives
 * it a private writable copy.  Cost: one system call per present page
 * (two for writable ones), plus one fault and a page copy for each page
 * later written.
 */
#include <inc/lib.h>

// A software PTE bit: the page is shared read-only until written.
#define PTE_COW		0x800

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

	// Copy through the scratch page PFTEMP, then put the copy in place.
	if ((r = sys_page_alloc(0, PFTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		panic("fork: pgfault alloc: %e", r);
	memcpy(PFTEMP, addr, PGSIZE);
	if ((r = sys_page_map(0, PFTEMP, 0, addr, PTE_P | PTE_U | PTE_W)) < 0)
		panic("fork: pgfault map: %e", r);
	if ((r = sys_page_unmap(0, PFTEMP)) < 0)
		panic("fork: pgfault unmap: %e", r);
}

// Map our page number pn into envid at the same address.
static int
duppage(envid_t envid, uint32_t pn)
{
	void *va = (void *) (pn * PGSIZE);
	pte_t pte = uvpt[pn];
	int r;

	if (pte & PTE_SHARE)
		return sys_page_map(0, va, envid, va, pte & PTE_SYSCALL);
	if (!(pte & (PTE_W | PTE_COW)))
		return sys_page_map(0, va, envid, va, pte & PTE_SYSCALL);

	// The child's mapping first: if ours turned read-only first, a
	// write of ours in between (to this very stack, say) would give us
	// a fresh copy and leave the child sharing the page we go on to
	// write.
	if ((r = sys_page_map(0, va, envid, va, PTE_COW | PTE_U | PTE_P)) < 0)
		return r;
	return sys_page_map(0, va, 0, va, PTE_COW | PTE_U | PTE_P);
}

// Share or copy-on-write every present page below UTOP with the child,
// except the exception stack, which each environment has its own of.
static int
dupspace(envid_t child)
{
	uint32_t pdx, pn;
	int r;

	for (pdx = 0; pdx < PDX(UTOP); pdx++) {
		if (!(uvpd[pdx] & PTE_P))
			continue;	// no page table: 1024 absent pages
		for (pn = pdx * NPTENTRIES; pn < (pdx + 1) * NPTENTRIES; pn++) {
			if (pn == PGNUM(UXSTACKTOP - PGSIZE))
				continue;
			if ((uvpt[pn] & PTE_P) && (r = duppage(child, pn)) < 0)
				return r;
		}
	}
	return 0;
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

	if ((r = dupspace(child)) < 0)
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
