/*
 * The kernel lock, held one of two ways.
 *
 * Exclusive (lock_kernel) it is the big kernel lock: its holder is the
 * only CPU in the kernel, and every structure without a lock of its own
 * is the holder's to read and change.  That is most of them: the env
 * table, the run queues, IPC, regions, swap.
 *
 * Shared (lock_kernel_shared) it lets any number of CPUs in at once,
 * each on a path that reads and changes nothing but the env it runs and
 * data with a lock of its own (sched_lock, mem_lock, ide_lock,
 * cons_lock).  An env's page tables and regions are changed by other
 * CPUs only under the exclusive lock, so its own CPU may change them
 * holding the lock shared; so may its parent's CPU while the env is a
 * child being built (made by exofork, never yet runnable), which no
 * other CPU can reach.
 * The shared paths are few and bounded (trap.c's trap_shared): system
 * calls on the caller alone or its child being built
 * (syscall_shared_how: its id, a step of its printing, pages for a
 * fault handler, a new child, its pages and exception stack, the map
 * and unmap of regions, the page fault upcall, a child's status, a
 * yield, IPC without a page, an exit), the first touch of a region
 * page and a page back from swap (ide_lock for the disk) when a frame
 * is free, a fault sent to the upcall, a timer tick's preemption, and
 * the next choice after any of these when the env may not go on.
 * Whatever else such a path meets (a frame limit, no frame left, a
 * system call's swapped-out page, a TLB to shoot down) it leaves
 * alone, and the trap starts over under the exclusive lock; a range
 * call goes on from the entry it stopped at.
 *
 * An exclusive holder is alone: having taken kernel_lock it waits for
 * every CPU holding the lock shared to let go (asleep while one waits
 * for the swap disk), and none enters while kernel_lock is held.  So it
 * needs none of the other locks, and the code it shares with the shared
 * paths takes them only when not alone (kernel_alone).  A shared holder
 * waits for nothing the exclusive holder has, so neither can wedge the
 * other; the exclusive holder's TLB shootdowns reach CPUs that are in
 * user mode or waiting for the lock with interrupts on, as they always
 * did.
 *
 * One path holds neither way: sys_getenvid by sysenter
 * (sysenter_unlocked, kern/trap.c) reads only its caller's own id,
 * status and flags, and writes only its frame and run count, which no
 * other CPU touches while it runs (every entry writes the frame before
 * it takes the lock); so to the lock's holders it is the caller's user
 * mode going on.
 *
 * Booted with opt/jos/bkl (make BKL=1) the kernel takes the lock
 * exclusive on every entry, as a kernel with one big lock does, so that
 * a student can measure the difference.
 */
#ifndef JOS_KERN_KERNLOCK_H
#define JOS_KERN_KERNLOCK_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <kern/spinlock.h>

extern struct spinlock kernel_lock;
extern bool kernel_big_lock;		// opt/jos/bkl: never shared

void	kernel_lock_init(void);
void	kernel_wait_sharers(void);
void	kernel_io_begin(struct CpuInfo *c);
void	kernel_io_end(struct CpuInfo *c);
void	lock_kernel_shared_wait(struct CpuInfo *c);
void	kernel_lock_panicking(void);

// Does this CPU hold the kernel lock exclusive, and so run alone in the
// kernel?  (kernel_lock.cpu is this CPU's only while it holds it.)
static inline bool
kernel_alone(void)
{
	return kernel_lock.cpu == thiscpu;
}

#define KERNEL_RANK_BIT	(1u << LOCK_RANK_KERNEL)	// kernel_lock.rank_bit

// c, this CPU, takes the kernel lock exclusive, and lets go of it.  Each
// lock call takes thiscpu, which the trap paths have at hand
// (kern/spinlock.h).
static inline void __attribute__((always_inline))
lock_kernel(struct CpuInfo *c)
{
	spin_lock_ranked(&kernel_lock, KERNEL_RANK_BIT, c);
	if (ncpu > 1 && !kernel_big_lock)
		kernel_wait_sharers();
}

static inline void __attribute__((always_inline))
unlock_kernel(struct CpuInfo *c)
{
	spin_unlock_ranked(&kernel_lock, KERNEL_RANK_BIT, c);
}

/*
 * c, this CPU, holds the kernel lock shared.  The flag goes up first,
 * fenced by xchg, then kernel_lock is looked at; lock_kernel takes
 * kernel_lock, fenced too, then looks at the flags.  So either this CPU
 * sees kernel_lock held, and lets go to wait, or the exclusive holder
 * sees the flag and waits for it to drop.  The rank bit makes a shared
 * holder that reaches for the lock exclusive panic rather than wait for
 * itself.
 */
static inline void __attribute__((always_inline))
lock_kernel_shared(struct CpuInfo *c)
{
	xchg(&c->cpu_shared, 1);
	if (kernel_lock.locked)
		lock_kernel_shared_wait(c);
	c->cpu_locks |= KERNEL_RANK_BIT;
}

// c, this CPU, lets go of the shared lock.  A plain store: on x86 no
// access of the section can move below it.
static inline void __attribute__((always_inline))
unlock_kernel_shared(struct CpuInfo *c)
{
	c->cpu_locks ^= KERNEL_RANK_BIT;
	asm volatile("" ::: "memory");
	c->cpu_shared = 0;
}

#endif
