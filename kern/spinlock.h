/*
 * Spinlocks, and the big kernel lock that serialises the kernel.
 * Taking and releasing a free lock is inline: it is on every trap.
 */
#ifndef JOS_KERN_SPINLOCK_H
#define JOS_KERN_SPINLOCK_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <inc/x86.h>
#include <kern/cpu.h>

struct spinlock {
	volatile uint32_t locked;	// 1 while held
	volatile uint32_t waiters;	// bit i: CPU i sleeps waiting for it,
					// not yet sent its wake-up IPI
	const char *name;
	struct CpuInfo *cpu;		// the holder, for debugging

	// Statistics for the monitor's locks and gdb's jos locks.  Only
	// the holder writes them, after it has the lock and before it
	// lets go, so plain increments suffice: the lock serialises them.
	// Readers on other CPUs get a snapshot that may be mid-update.
	uint64_t acquisitions;
	uint64_t contended;		// acquisitions whose first try failed
	uint64_t wait_cycles;		// TSC cycles contended ones waited
	struct spinlock *next_lock;	// in the list spin_init builds
};

// Every lock spin_init has named, newest first, for the locks table.
extern struct spinlock *all_locks;

void	spin_init(struct spinlock *lk, const char *name);

// The slow paths, in kern/spinlock.c.
void	spin_lock_wait(struct spinlock *lk);
void	spin_unlock_wake(struct spinlock *lk);
void	spin_unlock_bad(struct spinlock *lk) __attribute__((noreturn));

// Does this CPU hold lk?
static inline bool
holding(struct spinlock *lk)
{
	return lk->locked && lk->cpu == thiscpu;
}

/*
 * Acquire lk; a CPU that finds it held sleeps in spin_lock_wait, which
 * also panics on a recursive acquire.  xchg is a full barrier, so the
 * critical section's accesses cannot move above it.
 */
static inline void __attribute__((always_inline))
spin_lock(struct spinlock *lk)
{
	if (xchg(&lk->locked, 1) != 0)
		spin_lock_wait(lk);
	lk->cpu = thiscpu;
	lk->acquisitions++;	// ours now (see struct spinlock); 2 instructions
}

// Release lk, which this CPU must hold, and wake a sleeping waiter.
static inline void __attribute__((always_inline))
spin_unlock(struct spinlock *lk)
{
	if (lk->cpu != thiscpu)		// set only while held
		spin_unlock_bad(lk);
	lk->cpu = NULL;
	// On x86 a plain store would already keep the critical section's
	// writes before the release.  The xchg is there for the read that
	// follows: a plain store could wait in the store buffer while the
	// read of waiters went first, and miss a CPU that announced itself
	// meanwhile, saw the lock still held and went to sleep.  Fenced,
	// either that CPU sees the lock free or this one sees its bit (see
	// spin_lock_wait): no wake-up is lost.
	xchg(&lk->locked, 0);
	if (lk->waiters)
		spin_unlock_wake(lk);
}

// One lock around the whole kernel: taken on every entry from user mode
// (and by each CPU at boot), dropped just before returning to user mode.
extern struct spinlock kernel_lock;

static inline void __attribute__((always_inline))
lock_kernel(void)
{
	spin_lock(&kernel_lock);
}

static inline void __attribute__((always_inline))
unlock_kernel(void)
{
	spin_unlock(&kernel_lock);
}

#endif
