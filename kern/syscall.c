/*
 * System calls.  Every argument comes from user space and is checked
 * before use; a bad one gets a negative error code back, never a panic.
 * Calls that act on another env accept only the caller itself or its
 * immediate children (envid2env's checkperm), except IPC sends.
 */
#include <inc/x86.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/trap.h>
#include <kern/syscall.h>
#include <kern/console.h>
#include <kern/sched.h>

// The most sys_cputs prints in one entry to the kernel: about 4 ms of
// serial output under emulation, the longest it keeps the kernel lock.
#define CPUTS_CHUNK	1024

// A sys_cputs cut short, per env slot: whose it is, the call's
// arguments, and how many bytes are out.
static struct {
	envid_t env;
	uintptr_t s;
	size_t len, done;
} cputs_progress[NENV];

/*
 * Make the current env run system call num again when it resumes: back
 * its eip up over the two-byte int $0x30, and return num, which the
 * trap path puts back in eax.  In between, the kernel lock is released
 * and interrupts are taken (a pending timer tick preempts the env before
 * it re-enters), so a long call lets every other env make progress.
 */
static int32_t
syscall_restart(uint32_t num)
{
	curenv->env_tf.tf_eip -= 2;
	return num;
}

/*
 * Print len bytes at s, which the env must be able to read: all of them
 * are checked first, so a bad buffer prints nothing.  Each entry prints
 * at most CPUTS_CHUNK bytes and restarts the call for the rest;
 * cputs_progress says where a restarted call resumes, and each chunk is
 * checked again, as its pages may have been unmapped since.
 */
static int32_t
sys_cputs(const char *s, size_t len)
{
	int i = ENVX(curenv->env_id);
	size_t done = 0, n;

	if (cputs_progress[i].env == curenv->env_id
	    && cputs_progress[i].s == (uintptr_t) s
	    && cputs_progress[i].len == len)
		done = cputs_progress[i].done;
	else
		user_mem_assert(curenv, s, len, PTE_U);
	cputs_progress[i].env = 0;

	n = MIN(len - done, CPUTS_CHUNK);
	user_mem_assert(curenv, s + done, n, PTE_U);
	cons_write(s + done, n);
	if (done + n == len)
		return 0;
	cputs_progress[i].env = curenv->env_id;
	cputs_progress[i].s = (uintptr_t) s;
	cputs_progress[i].len = len;
	cputs_progress[i].done = done + n;
	return syscall_restart(SYS_cputs);
}

// A character from the console, or 0 if none is waiting.
static int
sys_cgetc(void)
{
	return cons_getc();
}

static envid_t
sys_getenvid(void)
{
	return curenv->env_id;
}

static int
sys_env_destroy(envid_t envid)
{
	struct Env *e;
	int r;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	if (e == curenv)
		cprintf("[%08x] exiting gracefully\n", curenv->env_id);
	else
		cprintf("[%08x] destroying %08x\n", curenv->env_id, e->env_id);
	env_destroy(e);
	return 0;
}

// The child starts as a copy of the caller's registers, returning 0 from
// this call, with an empty address space, not runnable (env_alloc).
static envid_t
sys_exofork(void)
{
	struct Env *e;
	int r;

	if ((r = env_alloc(&e, curenv)) < 0)
		return r;
	e->env_tf = curenv->env_tf;
	e->env_tf.tf_regs.reg_eax = 0;
	return e->env_id;
}

static int
sys_env_set_status(envid_t envid, int status)
{
	struct Env *e;
	int r;

	if (status != ENV_RUNNABLE && status != ENV_NOT_RUNNABLE)
		return -E_INVAL;
	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	// Waking an env blocked in sys_ipc_recv cancels the receive.
	if (status == ENV_RUNNABLE && e->env_ipc_recving) {
		e->env_ipc_recving = false;
		e->env_tf.tf_regs.reg_eax = -E_IPC_NOT_RECV;
	}
	env_set_status(e, status);
	return 0;
}

static int
sys_env_set_pgfault_upcall(envid_t envid, void *func)
{
	struct Env *e;
	int r;

	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	e->env_pgfault_upcall = func;
	return 0;
}

static void
sys_yield(void)
{
	sched_yield();
}

// Is va a page-aligned address where user pages may be mapped, and
// perm what a user may ask for?  The one check behind every call that
// maps pages.
static inline int
check_va_perm(uintptr_t va, int perm)
{
	if (va < UMINADDR || va >= UTOP || PGOFF(va))
		return -E_INVAL;
	if ((perm & (PTE_U | PTE_P)) != (PTE_U | PTE_P) || (perm & ~PTE_SYSCALL))
		return -E_INVAL;
	return 0;
}

// Map a new zeroed page at va in envid's address space.
static int
sys_page_alloc(envid_t envid, void *va, int perm)
{
	struct Env *e;
	struct PageInfo *pp;
	int r;

	if ((r = check_va_perm((uintptr_t) va, perm)) < 0
	    || (r = envid2env(envid, &e, 1)) < 0)
		return r;
	if (!(pp = page_alloc(ALLOC_ZERO)))
		return -E_NO_MEM;
	if ((r = page_insert(e->env_pgdir, pp, va, perm)) < 0)
		page_free(pp);
	return r;
}

// The page mapped at srcva in src, if it may be mapped with perm:
// a writable mapping needs a writable source.
static int
lookup_for_map(struct Env *src, void *srcva, int perm, struct PageInfo **pp)
{
	pte_t *pte;
	int r;

	if ((r = check_va_perm((uintptr_t) srcva, perm)) < 0)
		return r;
	if (!(*pp = page_lookup(src->env_pgdir, srcva, &pte)))
		return -E_INVAL;
	if ((perm & PTE_W) && !(*pte & PTE_W))
		return -E_INVAL;
	return 0;
}

static int
sys_page_map(envid_t srcenvid, void *srcva,
	     envid_t dstenvid, void *dstva, int perm)
{
	struct Env *src, *dst;
	struct PageInfo *pp;
	int r;

	if ((r = envid2env(srcenvid, &src, 1)) < 0
	    || (r = envid2env(dstenvid, &dst, 1)) < 0
	    || (r = check_va_perm((uintptr_t) dstva, perm)) < 0
	    || (r = lookup_for_map(src, srcva, perm, &pp)) < 0)
		return r;
	return page_insert(dst->env_pgdir, pp, dstva, perm);
}

static int
sys_page_unmap(envid_t envid, void *va)
{
	struct Env *e;
	int r;

	if ((uintptr_t) va >= UTOP || PGOFF(va))
		return -E_INVAL;
	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	page_remove(e->env_pgdir, va);
	return 0;
}

/*
 * Map at dstva in envid a new page holding a copy of the caller's page
 * at srcva: alloc, copy and map in one call, with no zero-fill of a page
 * about to be overwritten.  srcva == dstva in the caller replaces a
 * shared page by a private copy, as a copy-on-write fault needs.
 */
static int
sys_page_copy(envid_t envid, void *srcva, void *dstva, int perm)
{
	struct Env *e;
	struct PageInfo *src, *pp;
	int r;

	if ((r = check_va_perm((uintptr_t) dstva, perm)) < 0
	    || (r = envid2env(envid, &e, 1)) < 0)
		return r;
	if ((uintptr_t) srcva >= UTOP || PGOFF(srcva)
	    || !(src = page_lookup(curenv->env_pgdir, srcva, NULL)))
		return -E_INVAL;
	if (!(pp = page_alloc(0)))
		return -E_NO_MEM;
	memcpy(page2kva(pp), page2kva(src), PGSIZE);
	if ((r = page_insert(e->env_pgdir, pp, dstva, perm)) < 0)
		page_free(pp);
	return r;
}

// How fork shares the page pte maps: PTE_SHARE pages as they are,
// writable ones copy-on-write, read-only ones read-only.
static pte_t
fork_perm(pte_t pte)
{
	if (pte & PTE_SHARE)
		return pte & PTE_SYSCALL;
	if (pte & (PTE_W | PTE_COW))
		return ((pte & PTE_SYSCALL) & ~PTE_W) | PTE_COW;
	return pte & PTE_SYSCALL;
}

// Share the page *pte maps at va with child, as fork_perm says, and
// make the caller's own entry match.
static int
cow_share(struct Env *child, pte_t *pte, uintptr_t va)
{
	pte_t perm = fork_perm(*pte);
	int r;

	r = page_insert(child->env_pgdir, pa2page(PTE_ADDR(*pte)),
			(void *) va, perm);
	if (r == 0)
		*pte = PTE_ADDR(*pte) | perm;
	return r;
}

/*
 * Map every present page of the caller in [start, end) into its child
 * at the same address, as fork_perm says, marking the caller's writable
 * pages copy-on-write too.  One call instead of two per page.  The scan
 * skips absent page tables and reads present ones word by word, so it
 * costs a few instructions per table entry.  On -E_NO_MEM the child is
 * half-built (the caller destroys it); the caller's pages all still work.
 */
static int
sys_page_cow_range(envid_t envid, uintptr_t start, uintptr_t end)
{
	struct Env *child;
	pde_t *pgdir = curenv->env_pgdir;
	pte_t *pt, *pte, *last;
	uintptr_t va;
	int r;

	if ((r = envid2env(envid, &child, 1)) < 0)
		return r;
	if (child == curenv || PGOFF(start) || PGOFF(end) || start > end
	    || end > UTOP)
		return -E_INVAL;
	for (va = start; va < end; va = ROUNDDOWN(va, PTSIZE) + PTSIZE) {
		if (!(pgdir[PDX(va)] & PTE_P))
			continue;
		pt = KADDR(PTE_ADDR(pgdir[PDX(va)]));
		last = (end - ROUNDDOWN(va, PTSIZE) >= PTSIZE)
			? &pt[NPTENTRIES - 1] : &pt[PTX(end - 1)];
		for (pte = &pt[PTX(va)]; pte <= last; pte++) {
			if (!(*pte & PTE_P))
				continue;
			r = cow_share(child, pte,
				      ROUNDDOWN(va, PTSIZE) + (pte - pt) * PGSIZE);
			if (r < 0)
				goto out;
		}
	}
out:
	// The caller may hold writable translations of pages now shared.
	tlbflush();
	return r;
}

/*
 * Deliver value (and the page at srcva, if srcva < UTOP and the receiver
 * wants one) to envid, which must be blocked in sys_ipc_recv.  Any env
 * may send to any env.
 */
static int
sys_ipc_try_send(envid_t envid, uint32_t value, void *srcva, unsigned perm)
{
	struct Env *e;
	struct PageInfo *pp = NULL;
	int r;

	if ((r = envid2env(envid, &e, 0)) < 0)
		return r;
	if (!e->env_ipc_recving)
		return -E_IPC_NOT_RECV;
	if ((uintptr_t) srcva < UTOP
	    && (r = lookup_for_map(curenv, srcva, perm, &pp)) < 0)
		return r;

	e->env_ipc_perm = 0;
	if (pp && (uintptr_t) e->env_ipc_dstva < UTOP) {
		if ((r = page_insert(e->env_pgdir, pp, e->env_ipc_dstva, perm)) < 0)
			return r;
		e->env_ipc_perm = perm;
	}
	e->env_ipc_recving = false;
	e->env_ipc_from = curenv->env_id;
	e->env_ipc_value = value;
	e->env_tf.tf_regs.reg_eax = 0;		// sys_ipc_recv's result
	env_set_status(e, ENV_RUNNABLE);
	return 0;
}

/*
 * Block until a value arrives.  dstva < UTOP (page-aligned, at least
 * UMINADDR) is where a page may be mapped; dstva >= UTOP accepts no
 * page.  Returns 0 to the env once it is woken; does not return here.
 */
static int
sys_ipc_recv(void *dstva)
{
	if ((uintptr_t) dstva < UTOP
	    && (PGOFF(dstva) || (uintptr_t) dstva < UMINADDR))
		return -E_INVAL;
	curenv->env_ipc_recving = true;
	curenv->env_ipc_dstva = dstva;
	env_set_status(curenv, ENV_NOT_RUNNABLE);
	sched_yield();
}

int32_t
syscall(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
	uint32_t a5)
{
	switch (num) {
	case SYS_cputs:
		return sys_cputs((const char *) a1, a2);
	case SYS_cgetc:
		return sys_cgetc();
	case SYS_getenvid:
		return sys_getenvid();
	case SYS_env_destroy:
		return sys_env_destroy(a1);
	case SYS_page_alloc:
		return sys_page_alloc(a1, (void *) a2, a3);
	case SYS_page_map:
		return sys_page_map(a1, (void *) a2, a3, (void *) a4, a5);
	case SYS_page_unmap:
		return sys_page_unmap(a1, (void *) a2);
	case SYS_exofork:
		return sys_exofork();
	case SYS_env_set_status:
		return sys_env_set_status(a1, a2);
	case SYS_env_set_pgfault_upcall:
		return sys_env_set_pgfault_upcall(a1, (void *) a2);
	case SYS_yield:
		sys_yield();
	case SYS_ipc_try_send:
		return sys_ipc_try_send(a1, a2, (void *) a3, a4);
	case SYS_ipc_recv:
		return sys_ipc_recv((void *) a1);
	case SYS_page_copy:
		return sys_page_copy(a1, (void *) a2, (void *) a3, a4);
	case SYS_page_cow_range:
		return sys_page_cow_range(a1, a2, a3);
	default:
		return -E_INVAL;
	}
}
