/* The system call dispatcher. */
#ifndef JOS_KERN_SYSCALL_H
#define JOS_KERN_SYSCALL_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/syscall.h>
#include <inc/mmu.h>
#include <inc/trap.h>
#include <inc/memlayout.h>
#include <kern/env.h>
#include <kern/rmap.h>
#include <kern/swap.h>

int32_t	syscall(struct Trapframe *tf);

/*
 * How the call tf makes may run holding the kernel lock shared
 * (kern/kernlock.h): SHARED_SELF, alone, if it changes nothing but the
 * state of the caller, or of a child the caller is building (their
 * entries, regions and upcalls, which space_shared_ok says are this
 * CPU's; the pages and reverse-map counts they share with others and
 * the pool of region descriptors, with mem_lock; the output, with
 * cons_lock), or if it makes a new child (sys_exofork, which takes
 * sched_lock for the env table itself, to announce the child after), or
 * if it ends the caller (sys_env_destroy of itself: env_exit_shared);
 * SHARED_SCHED, with sched_lock, if it changes envs' status and queues
 * but no address space (a yield, a receive, a send with no page, a
 * child's status); else not at all (0).  A call on another
 * env finds out once it has looked the env up, and starts over
 * exclusive.
 *
 * syscall_sharing[] (kern/syscall.c) says it by number, with one kind
 * that depends on an argument: SHARED_SEND, a send without a page if
 * srcva, the third, is at UTOP or above (a page maps exclusive).  A
 * table, so that a call that goes exclusive pays one look, not a test
 * per shared call.
 */
enum { SHARED_SELF = 1, SHARED_SCHED, SHARED_SEND };
extern const uint8_t syscall_sharing[NSYSCALLS];

static inline int __attribute__((always_inline))
syscall_shared_how(struct Trapframe *tf)
{
	uint32_t num = tf->tf_regs.reg_eax;
	int how = num < NSYSCALLS ? syscall_sharing[num] : 0;

	if (how == SHARED_SEND)
		return tf->tf_regs.reg_ebx >= UTOP ? SHARED_SCHED : 0;
	return how;
}

// A shared call that finds it needs the exclusive lock after all makes
// it again that way (kern/trap.c): having changed nothing, or, for a
// long call (kern/syscall.c's struct Resume), having recorded how far
// it got, from where the call made again goes on.
void	syscall_restart_exclusive(void) __attribute__((noreturn));

void	syscall_copy_progress(struct Env *dst, struct Env *src);
// Fork's copy-on-write (or shared) mapping of one page (kern/syscall.c).
int	share_page(struct Env *child, pte_t *pte, pte_t *cpte, uintptr_t va,
		   bool cow);
// The source page of a mapping into another env, checked, and its
// insertion there (kern/syscall.c; IPC uses them too).
struct PageInfo;
int	lookup_for_map(struct Env *src, void *srcva, int perm,
		       struct PageInfo **pp);
int	map_source_ok(struct Env *src, void *srcva, int perm);
int	insert_held(struct Env *dst, struct PageInfo *pp, void *va, int perm);

/*
 * May a call on e's address space (or its upcalls) run holding the
 * kernel lock shared?  If e is the caller, running here (so no other
 * CPU changes its entries or regions meanwhile: kern/kernlock.h;
 * syscall_shared saw it is not dying), only while no other CPU has its
 * page directory loaded: then no other TLB holds its entries.  If e is
 * a child the caller is building (made by its exofork, never yet
 * runnable: swap's builder), always: it has never run, no CPU has its
 * page directory loaded, and only the caller may act on it.
 */
static inline bool __attribute__((always_inline))
space_shared_ok(struct Env *e)
{
	struct Env *cur = curenv;

	if (e == cur)
		return !pgdir_loaded_elsewhere(e->env_pgdir);
	return env_swap(e)->builder == cur->env_id
		&& e->env_status == ENV_NOT_RUNNABLE;
}

// May such a call replace or remove entry: does it hold no swap slot
// (it is empty, or a page with no copy in swap), and would its page, let
// go, count toward no frame limit again?  These calls leave swap slots
// to the exclusive lock, as they do a limit exceeded (swap_trim).
static inline bool __attribute__((always_inline))
entry_shared_ok(pte_t entry)
{
	struct PageInfo *pp;

	if (!entry)
		return true;
	if (!(entry & PTE_P))
		return false;
	pp = pa2page(PTE_ADDR(entry));
	return !page_rmap(pp)->clean_slot && !swap_counts_when_unshared(pp);
}

#endif
