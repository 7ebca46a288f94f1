/* Spinlocks for a multiprocessor kernel. */
#include <inc/types.h>
#include <inc/assert.h>
#include <inc/x86.h>
#include <kern/cpu.h>
#include <kern/spinlock.h>
#include <kern/trap.h>
#include <kern/trace.h>

struct spinlock *all_locks;

/*
 * Name lk, give it its rank in the lock order (kern/spinlock.h) and list
 * it in all_locks, for the monitor's locks and gdb's jos locks; every
 * lock is to be initialised so, once, before its first use.  The list
 * has no lock of its own: call this on the boot CPU before boot_aps, or
 * holding the kernel lock.
 */
void
spin_init(struct spinlock *lk, const char *name, int rank)
{
	static struct spinlock **tail = &all_locks;

	if (lk->name)
		panic("spin_init: %s initialised twice", lk->name);
	assert(rank >= 0 && rank < NLOCKRANK);
	lk->name = name;
	lk->rank_bit = 1u << rank;
	*tail = lk;
	tail = &lk->next_lock;
}

// Atomically set or clear bits of *addr.
static inline void
atomic_or(volatile uint32_t *addr, uint32_t bits)
{
	asm volatile("lock; orl %1, %0" : "+m" (*addr) : "r" (bits) : "cc");
}

static inline void
atomic_and(volatile uint32_t *addr, uint32_t bits)
{
	asm volatile("lock; andl %1, %0" : "+m" (*addr) : "r" (bits) : "cc");
}

// How long spin_lock spins on a held lock before it sleeps.
#define SPIN_BEFORE_SLEEP	100

/*
 * The contended case of spin_lock: returns once lk is ours.  The CPU
 * sleeps (cpu_sleep) rather than spins: with more virtual CPUs than host
 * cores, a spinning CPU would take host time from the holder it waits
 * for.  spin_unlock's IPI wakes it; the timer is a backstop.
 */
void
spin_lock_wait(struct spinlock *lk)
{
	uint32_t me = 1 << cpunum();
	uint64_t start = read_tsc();
	int i;

	do {
		// Most holds are short: spin a little before sleeping.
		for (i = 0; i < SPIN_BEFORE_SLEEP && lk->locked; i++)
			asm volatile("pause");
		if (!lk->locked)
			continue;
		// Announce, then look again: an unlock that came before the
		// announcement woke nobody.  The locked or is a full fence,
		// so the look cannot go before the announcement; spin_unlock
		// fences between its release and its look at waiters, so one
		// of the two sees the other.
		atomic_or(&lk->waiters, me);
		if (lk->locked)
			cpu_sleep();
		atomic_and(&lk->waiters, ~me);
	} while (xchg(&lk->locked, 1) != 0);
	// Ours now, so these writes need no atomics (see struct spinlock).
	lk->contended++;
	lk->wait_cycles += read_tsc() - start;
	TRACE(TR_LOCKWAIT, thiscpu->cpu_env ? thiscpu->cpu_env->env_id : 0,
	      (uintptr_t) lk, read_tsc() - start);
}

// spin_lock's panic for a lock taken out of order (or again): name it
// and the lock of highest rank this CPU holds.
void
spin_lock_misordered(struct spinlock *lk)
{
	struct spinlock *held, *top = NULL;

	for (held = all_locks; held; held = held->next_lock)
		if (holding(held) && (!top || held->rank_bit > top->rank_bit))
			top = held;
	panic("spin_lock: CPU %d takes %s holding %s", cpunum(), lk->name,
	      top ? top->name : "the kernel lock shared");
}

/*
 * Wake one CPU sleeping on lk; the others wait for later releases.  The
 * turn goes round: the first waiter numbered above this CPU, else the
 * lowest.  Always waking the lowest starved the highest-numbered CPU
 * while the others kept the lock busy (stresssched, CPUS=4: CPU 3 ran
 * about a tenth of the envs, and sometimes none).
 *
 * The woken CPU's bit is cleared here, so later releases do not send it
 * more IPIs before it has run (fuzz, CPUS=4: 26,487 IPIs for 1,936
 * sleeps, against 1,737 so).  It announces itself again if it has to
 * sleep again; until then the IPI, pending or taken, is its wake-up.
 */
void
spin_unlock_wake(struct spinlock *lk)
{
	uint32_t waiters = lk->waiters, above;
	int next;

	if (!waiters)		// it has stopped waiting since spin_unlock looked
		return;
	above = waiters & ~((2u << cpunum()) - 1);
	next = __builtin_ctz(above ? above : waiters);
	atomic_and(&lk->waiters, ~(1u << next));
	lapic_ipi(cpus[next].cpu_id, IRQ_OFFSET + IRQ_WAKEUP);
}

void
spin_unlock_bad(struct spinlock *lk)
{
	panic("spin_unlock: CPU %d does not hold %s", cpunum(), lk->name);
}
