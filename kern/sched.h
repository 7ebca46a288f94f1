/* The scheduler: fixed priorities, round-robin within each. */
#ifndef JOS_KERN_SCHED_H
#define JOS_KERN_SCHED_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <kern/cpu.h>
#include <kern/kernlock.h>
#include <kern/rmap.h>

struct Env;

/*
 * sched_lock covers what envs' status changes touch: env_status, the
 * run queues and counts of kern/sched.c, each CPU's cpu_env and resched
 * flag, IPC's queues and env_ipc_* fields (kern/ipc.c), and the env
 * table's free slots (kern/env.c), for CPUs holding the kernel lock
 * shared.  The exclusive holder is alone and
 * needs it not (kern/kernlock.h).  A CPU holding the kernel lock shared
 * and sched_lock lets go of sched_lock (sched_release) as soon as the
 * statuses and queues are as they must be: env_run, before it loads the
 * env it switches to; then of the kernel lock (leave_kernel).
 */
extern struct spinlock sched_lock;

// Take and let go of sched_lock with its rank bit a constant, as the
// kernel lock's is (kern/kernlock.h): both are on every switch.
#define SCHED_RANK_BIT	(1u << LOCK_RANK_SCHED)	// sched_lock.rank_bit

static inline void __attribute__((always_inline))
sched_lock_take(struct CpuInfo *c)
{
	spin_lock_ranked(&sched_lock, SCHED_RANK_BIT, c);
}

static inline void __attribute__((always_inline))
sched_lock_give(struct CpuInfo *c)
{
	spin_unlock_ranked(&sched_lock, SCHED_RANK_BIT, c);
}

// May this CPU change env status and the queues now?  (Asserted on the
// hand-over path: one thiscpu for both looks.)
static inline bool __attribute__((always_inline))
sched_owned(void)
{
	struct CpuInfo *c = thiscpu;

	return kernel_lock.cpu == c || sched_lock.cpu == c;
}

// Done with env status and the queues: let go of sched_lock, if c,
// this CPU, holds the kernel lock shared (the exclusive holder took
// none).
static inline void __attribute__((always_inline))
sched_release(struct CpuInfo *c)
{
	if (c->cpu_shared)
		sched_lock_give(c);
}

// c, this CPU, lets go of the kernel lock on the way to user mode,
// however it holds it (sched_lock let go of already).  Exclusive, it
// first sends out what an env holds over its frame limit, as far as it
// can (swap_trim).
static inline void __attribute__((always_inline))
leave_kernel(struct CpuInfo *c)
{
	if (c->cpu_shared)
		unlock_kernel_shared(c);
	else {
		if (swap_trim_due)
			swap_trim();
		unlock_kernel(c);
	}
}

// What to run, with the kernel lock held, when no env can run on any
// CPU: all_gone says no env is left at all.  Does not return.
typedef void (*sched_idle_fn)(bool all_gone) __attribute__((noreturn));
void	sched_init(sched_idle_fn fn);

// Run some other runnable env, or this one, or halt.  Does not return.
void	sched_yield(void) __attribute__((noreturn));
// The current env blocks (in IPC) and another runs.  No return.
void	sched_block(void) __attribute__((noreturn));
// e, blocked in IPC and on no CPU, becomes runnable.
void	sched_wake(struct Env *e);
// Run e, just woken, here in place of the current env, which blocks
// now; or if that would not be fair, as sched_yield.  No return.
void	sched_hand_over(struct Env *e) __attribute__((noreturn));

// Change e's status.  The only way to outside kern/sched.c (whose fast
// paths do what it would): it keeps the run queue right.
void	env_set_status(struct Env *e, unsigned status);

// Priorities (inc/env.h): a new env's, and changing one; the clock of
// aging (kern/sched.c).
void	sched_env_init(struct Env *e, struct Env *parent);
void	sched_set_priority(struct Env *e, int prio);
int	sched_priority(struct Env *e);
int	sched_nblocked(void);
void	sched_tick(void);

// Is e the current env of some CPU (this one included)?
static inline bool
env_on_cpu(struct Env *e)
{
	return e->env_cpunum >= 0 && cpus[e->env_cpunum].cpu_env == e;
}

// Must this CPU choose again what to run before it returns to user mode
// (an env that outranks its own was made runnable)?  Cheap while no CPU
// must: this is on every trap's way out.
extern volatile int sched_resched_pending;

static inline bool __attribute__((always_inline))
sched_resched_here(void)
{
	return __builtin_expect(sched_resched_pending != 0, 0)
		&& thiscpu->cpu_resched;
}

#endif
