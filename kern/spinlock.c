/* Spinlocks for a multiprocessor kernel. */
#include <inc/types.h>
#include <inc/assert.h>
#include <inc/x86.h>
#include <kern/cpu.h>
#include <kern/spinlock.h>

// Serialises the whole kernel: see kern/spinlock.h.
struct spinlock kernel_lock = {
	.name = "kernel_lock"
};

void
__spin_initlock(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->name = name;
	lk->cpu = NULL;
}

// Does this CPU hold lk?
int
holding(struct spinlock *lk)
{
	return lk->locked && lk->cpu == thiscpu;
}

/*
 * Acquire lk, spinning until it is free.  Waiting reads the lock without
 * the locked xchg, and pause tells the processor (and an emulator) that
 * this is a spin loop.  xchg is a full barrier, so the critical section's
 * accesses cannot move above it.
 */
void
spin_lock(struct spinlock *lk)
{
	if (holding(lk))
		panic("spin_lock: CPU %d already holds %s", cpunum(), lk->name);
	while (xchg(&lk->locked, 1) != 0)
		while (lk->locked)
			asm volatile("pause");
	lk->cpu = thiscpu;
}

void
spin_unlock(struct spinlock *lk)
{
	if (!holding(lk))
		panic("spin_unlock: CPU %d does not hold %s", cpunum(), lk->name);
	lk->cpu = NULL;
	// xchg, not a plain store: it orders the critical section's
	// writes before the release on any processor.
	xchg(&lk->locked, 0);
}
