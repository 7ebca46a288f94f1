/*
 * Spinlocks, ranked.  Taking and releasing a free lock is inline: it is
 * on every trap.
 */
#ifndef JOS_KERN_SPINLOCK_H
#define JOS_KERN_SPINLOCK_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <inc/x86.h>
#include <kern/cpu.h>

/*
 * The lock order.  A CPU takes locks in increasing rank only, and
 * spin_lock panics on one taken out of order, naming it and the held
 * lock of highest rank:
 *
 *   LOCK_RANK_KERNEL  kernel_lock (kern/kernlock.h): taken on entry
 *                     from user mode, before anything else is known;
 *   LOCK_RANK_SCHED   sched_lock (kern/sched.h): env status, the run
 *                     queues and IPC's queues;
 *   LOCK_RANK_MEM     mem_lock (kern/pmap.h): the page allocator,
 *                     the reverse map and the swap slots;
 *   LOCK_RANK_IDE     ide_lock (kern/ide.h): the swap disk, held for a
 *                     whole transfer, so no other lock is held with it
 *                     but the console's;
 *   LOCK_RANK_CONS    cons_lock (kern/console.h): the console's output.
 *                     Last, as any path may print: while it is held
 *                     nothing is taken but the devices' ports.
 *
 * The last four are for the paths that hold the kernel lock shared,
 * and so are not alone.  A lower rank is the wider lock: whoever holds one
 * does only bounded work on its structures, never waiting for a wider
 * lock, so no CPU holding a lock can wait for one holding a wider one.
 */
enum {
	LOCK_RANK_KERNEL,
	LOCK_RANK_SCHED,
	LOCK_RANK_MEM,
	LOCK_RANK_IDE,
	LOCK_RANK_CONS,
	NLOCKRANK
};

struct spinlock {
	volatile uint32_t locked;	// 1 while held
	uint32_t rank_bit;		// 1 << its rank (see above)
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

// Every lock spin_init has named, oldest first, for the locks table.
extern struct spinlock *all_locks;

void	spin_init(struct spinlock *lk, const char *name, int rank);

// The slow paths, in kern/spinlock.c.
void	spin_lock_wait(struct spinlock *lk);
void	spin_lock_misordered(struct spinlock *lk) __attribute__((noreturn));
void	spin_unlock_wake(struct spinlock *lk);
void	spin_unlock_bad(struct spinlock *lk) __attribute__((noreturn));

// Does this CPU hold lk?  lk->cpu is set only while lk is held, and
// only by its holder (spin_lock_ranked, spin_unlock_ranked): one look.
static inline bool __attribute__((always_inline))
holding(struct spinlock *lk)
{
	return lk->cpu == thiscpu;
}

/*
 * c, this CPU, acquires lk; a CPU that finds it held sleeps in
 * spin_lock_wait.  One that holds a lock of lk's rank or above (lk
 * itself, too) panics instead.  xchg is a full barrier, so the critical
 * section's accesses cannot move above it.
 */
static inline void __attribute__((always_inline))
spin_lock_ranked(struct spinlock *lk, uint32_t bit, struct CpuInfo *c)
{
	// Every held rank below lk's: cpu_locks is then less than its bit.
	if (c->cpu_locks >= bit)
		spin_lock_misordered(lk);
	if (xchg(&lk->locked, 1) != 0)
		spin_lock_wait(lk);
	lk->cpu = c;
	c->cpu_locks |= bit;
	lk->acquisitions++;	// ours now (see struct spinlock); 2 instructions
}

// Release lk, which c, this CPU, must hold, and wake a sleeping waiter.
static inline void __attribute__((always_inline))
spin_unlock_ranked(struct spinlock *lk, uint32_t bit, struct CpuInfo *c)
{
	if (lk->cpu != c)		// set only while held
		spin_unlock_bad(lk);
	lk->cpu = NULL;
	c->cpu_locks ^= bit;		// set: c held lk
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

// spin_lock_ranked and spin_unlock_ranked take lk's rank bit from the
// caller: a constant for the kernel lock, taken on every entry, and for
// sched_lock, on every switch (kern/sched.h); lk's own for every other
// lock.  They take thiscpu too, which the trap and switch paths have at
// hand (each thiscpu costs two instructions: the compiler does not reuse
// one across an asm volatile).
static inline void __attribute__((always_inline))
spin_lock(struct spinlock *lk)
{
	spin_lock_ranked(lk, lk->rank_bit, thiscpu);
}

static inline void __attribute__((always_inline))
spin_unlock(struct spinlock *lk)
{
	spin_unlock_ranked(lk, lk->rank_bit, thiscpu);
}

#endif
