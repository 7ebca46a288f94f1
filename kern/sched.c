/*
 * Fixed-priority scheduling, round-robin within a priority.
 *
 * Each env has a priority from 0 to NPRIO - 1 (inc/env.h); the highest
 * runnable one runs.  Runnable envs wait in one FIFO queue per
 * priority, and a bitmap says which queues are not empty, so picking
 * costs the same however many envs exist.  The env that gives up a CPU
 * goes to the tail of its queue.  Envs start at ENV_PRIO_DEFAULT, a
 * child at its parent's priority, so programs that never set one are
 * scheduled exactly round-robin, as before.
 *
 * An env made runnable that outranks what some CPU runs takes that CPU
 * at once: this CPU if its env ranks lowest (cpu_resched, seen on the
 * way back to user mode), else the lowest-ranked CPU, told by IPI.
 *
 * Starvation: the head of a lower queue that has waited AGING_TICKS
 * ticks of CPU 0's timer runs next, once, ahead of higher priorities,
 * then goes back to the tail of its own queue; each queue gets such a
 * turn at most once per AGING_TICKS.  So an env that can run always does
 * within a bounded time, however busy higher priorities keep the CPUs,
 * and they keep nearly all of it.
 *
 * Every status change goes through env_set_status, which keeps the
 * queues and the counts of live and blocked envs, or through the cuts
 * of it for the switch's hot cases, here beside it: the scheduler's
 * pick (choose), an IPC wait (sched_block) and its wake-up
 * (sched_wake), and the hand-over.  The caller holds the
 * kernel lock exclusive, or shared with sched_lock (kern/sched.h);
 * env_run releases them on the way to user mode, and sched_halt before
 * halting, so a CPU with nothing to run holds nothing.
 */
#include <inc/assert.h>
#include <inc/x86.h>
#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/sched.h>
#include <kern/cpu.h>
#include <kern/kernlock.h>
#include <kern/trap.h>
#include <kern/trace.h>

#define AGING_TICKS	10

struct spinlock sched_lock;

// struct Env's layout is fixed by the user ABI, so the queue's links and
// the priorities live beside envs[], indexed the same way.
static struct {
	struct Env *next, *prev;
	unsigned since;		// sched_ticks when it was queued
	uint8_t prio;
} runq_link[NENV];
static struct Env *runq_head[NPRIO], *runq_tail[NPRIO];
static uint32_t runq_levels;	// bit p: runq_head[p] is not NULL
static unsigned aged_at[NPRIO];	// sched_ticks when p's head last ran aged

static unsigned sched_ticks;	// CPU 0's timer ticks
static int nlive;	// envs not ENV_FREE
static int nblocked;	// envs ENV_NOT_RUNNABLE
static int nranked;	// envs not FREE at a priority but the default

static void sched_halt(void) __attribute__((noreturn));

// The trace's record of e made runnable by the current env (if any).
static inline void __attribute__((always_inline))
trace_wake(struct Env *e)
{
	TRACE(TR_WAKE, curenv ? curenv->env_id : 0, e->env_id, 0);
}

static inline int __attribute__((always_inline))
prio_of(struct Env *e)
{
	return runq_link[ENVX(e->env_id)].prio;
}

static inline void __attribute__((always_inline))
runq_append(struct Env *e)
{
	int i = ENVX(e->env_id), p = runq_link[i].prio;

	runq_link[i].next = NULL;
	runq_link[i].prev = runq_tail[p];
	runq_link[i].since = sched_ticks;
	if (runq_tail[p])
		runq_link[ENVX(runq_tail[p]->env_id)].next = e;
	else
		runq_head[p] = e;
	runq_tail[p] = e;
	runq_levels |= 1 << p;
}

// Take e, the head of queue p, off it: runq_remove knowing e has no
// prev (the scheduler's pick, on every switch).
static inline void __attribute__((always_inline))
runq_pop_head(struct Env *e, int p)
{
	struct Env *next = runq_link[ENVX(e->env_id)].next;

	runq_head[p] = next;
	if (next)
		runq_link[ENVX(next->env_id)].prev = NULL;
	else {
		runq_tail[p] = NULL;
		runq_levels &= ~(1 << p);
	}
}

static inline void __attribute__((always_inline))
runq_remove(struct Env *e)
{
	int i = ENVX(e->env_id), p = runq_link[i].prio;
	struct Env *next = runq_link[i].next, *prev = runq_link[i].prev;

	if (prev)
		runq_link[ENVX(prev->env_id)].next = next;
	else
		runq_head[p] = next;
	if (next)
		runq_link[ENVX(next->env_id)].prev = prev;
	else
		runq_tail[p] = prev;
	if (!runq_head[p])
		runq_levels &= ~(1 << p);
}

/*
 * A CPU halted in sched_halt would look for work only at its next timer
 * tick: wake one now that there is some.  cpu_woken keeps a CPU from
 * being sent a second IPI before it has woken from the first.  Returns
 * whether there was one to wake.
 */
static bool
wake_idle_cpu(void)
{
	struct CpuInfo *c;

	for (c = cpus; c < cpus + ncpu; c++)
		if (c->cpu_status == CPU_HALTED && !c->cpu_woken) {
			c->cpu_woken = true;
			lapic_ipi(c->cpu_id, IRQ_OFFSET + IRQ_WAKEUP);
			return true;
		}
	return false;
}

// How many CPUs have cpu_resched set: while none has, the trap path
// tests one global instead of its CPU's flag (sched_resched_here).
volatile int sched_resched_pending;

// Make CPU c choose again what to run, at its next return to user mode
// (at once, for another CPU: the IPI interrupts its env).
static void
resched_cpu(struct CpuInfo *c)
{
	if (!c->cpu_resched) {
		c->cpu_resched = true;
		sched_resched_pending++;
	}
	if (c != thiscpu) {
		c->cpu_preempted++;
		lapic_ipi(c->cpu_id, IRQ_OFFSET + IRQ_WAKEUP);
	}
}

/*
 * e has just become runnable and no CPU is idle: if e outranks the env
 * some CPU runs, preempt the lowest-ranked such CPU, this one first
 * among equals (it needs no IPI).
 */
static void
preempt_for(struct Env *e)
{
	struct CpuInfo *c, *low = NULL;
	int p, lowp = prio_of(e);

	if (curenv && prio_of(curenv) < lowp) {
		low = thiscpu;
		lowp = prio_of(curenv);
	}
	for (c = cpus; c < cpus + ncpu; c++)
		if (c->cpu_env && (p = prio_of(c->cpu_env)) < lowp) {
			low = c;
			lowp = p;
		}
	if (low)
		resched_cpu(low);
}

/*
 * The queue holds exactly the runnable envs that no CPU is running.  An
 * env a CPU is running stays ENV_RUNNING when made runnable, so it is
 * never queued (and run) twice; made not runnable, it leaves its CPU at
 * its next entry to the kernel.  ENV_DYING is final but for ENV_FREE.
 */
void
env_set_status(struct Env *e, unsigned status)
{
	unsigned old = e->env_status;

	assert(sched_owned());
	if (status == ENV_RUNNABLE && env_on_cpu(e))
		status = ENV_RUNNING;
	// A dying env only waits for its CPU to free it.
	if (old == status || (old == ENV_DYING && status != ENV_FREE))
		return;
	if (old == ENV_RUNNABLE)
		runq_remove(e);
	if (status == ENV_RUNNABLE) {
		if (old == ENV_NOT_RUNNABLE)
			trace_wake(e);
		runq_append(e);
		// With every priority the default, nothing outranks anything;
		// an env a CPU just set aside outranks nothing it runs instead.
		if (!(ncpu > 1 && wake_idle_cpu()) && nranked
		    && old != ENV_RUNNING)
			preempt_for(e);
	}
	if (old == ENV_FREE || status == ENV_FREE) {
		int born = status != ENV_FREE ? 1 : -1;

		nlive += born;
		if (prio_of(e) != ENV_PRIO_DEFAULT)
			nranked += born;
	}
	if (old == ENV_NOT_RUNNABLE)
		nblocked--;
	else if (status == ENV_NOT_RUNNABLE)
		nblocked++;
	e->env_status = status;
}

// How many envs are ENV_NOT_RUNNABLE.
int
sched_nblocked(void)
{
	assert(sched_owned());
	return nblocked;
}

// A new env's priority: its parent's, or the default.  Before its
// first status change.
void
sched_env_init(struct Env *e, struct Env *parent)
{
	runq_link[ENVX(e->env_id)].prio = parent ? prio_of(parent)
						 : ENV_PRIO_DEFAULT;
}

// e's priority.
int
sched_priority(struct Env *e)
{
	return prio_of(e);
}

// Run e at priority prio, in [0, NPRIO), from now on.
void
sched_set_priority(struct Env *e, int prio)
{
	int i = ENVX(e->env_id), was = runq_link[i].prio;
	bool queued = e->env_status == ENV_RUNNABLE;

	assert(prio >= 0 && prio < NPRIO);
	if (prio == was)	// nothing to move, no place in line to lose
		return;
	if (queued)
		runq_remove(e);
	nranked += (prio != ENV_PRIO_DEFAULT) - (was != ENV_PRIO_DEFAULT);
	runq_link[i].prio = prio;
	if (queued) {
		runq_append(e);
		preempt_for(e);
	} else if (env_on_cpu(e) && runq_levels >> (prio + 1)) {
		// Lowered below a waiting env, it gives up its CPU now.
		resched_cpu(&cpus[e->env_cpunum]);
	}
}

// A tick of this CPU's timer: CPU 0's are the clock aging counts in.
void
sched_tick(void)
{
	assert(sched_owned());
	if (thiscpu == cpus)
		sched_ticks++;
}

// Has the head of queue p waited AGING_TICKS, and queue p had no aged
// turn for as long?  (Once a queue holds AGING_TICKS envs, its head has
// always waited that long: without the second rule, that queue would
// run every tick, whatever outranked it.)
static bool
aged(int p)
{
	struct Env *e = runq_head[p];

	return e && sched_ticks - MAX(runq_link[ENVX(e->env_id)].since,
				      aged_at[p]) >= AGING_TICKS;
}

// The queue to run from, when one is not empty: the lowest whose head
// has aged (*by_age), else the highest.  Inline: on every switch, most
// often with no lower queue to look at.
static inline int __attribute__((always_inline))
next_level(bool *by_age)
{
	int best = 31 - __builtin_clz(runq_levels), p;
	uint32_t lower = runq_levels & ((1u << best) - 1);

	for (*by_age = true; lower; lower &= lower - 1)
		if (aged(p = __builtin_ctz(lower)))
			return p;
	*by_age = false;
	return best;
}

/*
 * Run the next env: the head of the highest queue (or an aged one), or
 * cur, this CPU's env, if cur_ok (it still may run) and it outranks it
 * (an equal one takes turns with it); if neither, halt this CPU.  Envs
 * running on other CPUs are ENV_RUNNING, never queued, so no env runs
 * on two CPUs at once.  Inline: sched_block knows cur_ok is false.
 */
static inline void __attribute__((noreturn, always_inline))
choose(struct CpuInfo *c, struct Env *cur, bool cur_ok)
{
	struct Env *e;
	bool by_age;
	int p;

	if (sched_resched_here()) {
		c->cpu_resched = false;
		sched_resched_pending--;
	}
	if (runq_levels) {
		p = next_level(&by_age);
		// cur, outranking the best waiting env, keeps the CPU unless
		// that env has aged.
		if (!by_age && cur_ok && p < prio_of(cur))
			by_age = aged(p);
		if (by_age)
			aged_at[p] = sched_ticks;
		if (by_age || !cur_ok || p >= prio_of(cur)) {
			// Off the queue and running before env_run sets cur
			// aside (which may queue cur behind it): the head is
			// known, so the generic env_set_status is not needed.
			e = runq_head[p];
			runq_pop_head(e, p);
			e->env_status = ENV_RUNNING;
			env_run(e);
		}
	}
	if (cur_ok)
		env_run(cur);
	sched_halt();
}

void
sched_yield(void)
{
	struct Env *cur = curenv;

	assert(sched_owned());
	choose(thiscpu, cur, cur && cur->env_status == ENV_RUNNING);
}

/*
 * The current env blocks (waiting in IPC) and this CPU runs another:
 * env_set_status(curenv, ENV_NOT_RUNNABLE) and sched_yield, cut to
 * what an env blocking needs, as it is on every IPC wait.  An env
 * stopped meanwhile (by sys_env_set_status, from another CPU) is
 * already not runnable, and goes the general way.
 */
void
sched_block(void)
{
	struct Env *cur = curenv;

	assert(sched_owned());
	if (cur->env_status == ENV_RUNNING) {
		// Running, it is on no queue; and it was counted live.
		cur->env_status = ENV_NOT_RUNNABLE;
		nblocked++;
	} else
		env_set_status(cur, ENV_NOT_RUNNABLE);
	choose(thiscpu, cur, false);
}

/*
 * e, blocked in IPC, may run again: env_set_status(e, ENV_RUNNABLE) cut
 * to that case, on every IPC delivery.  e is on no CPU: it gave its up
 * in sched_block or sched_hand_over before the lock was let go.
 */
void
sched_wake(struct Env *e)
{
	assert(sched_owned() && e->env_status == ENV_NOT_RUNNABLE);
	assert(!env_on_cpu(e));
	trace_wake(e);
	runq_append(e);
	nblocked--;
	e->env_status = ENV_RUNNABLE;
	if (!(ncpu > 1 && wake_idle_cpu()) && nranked)
		preempt_for(e);
}

/*
 * e is ENV_NOT_RUNNABLE and on no CPU, woken by the current env, which
 * blocks now waiting for it (an IPC call): run e here at once, with no
 * trip through the run queue, unless a waiting env outranks it, this
 * CPU must choose again, or the current env was stopped meanwhile; then
 * e queues like any env woken, and the scheduler chooses.  The
 * hand-over swaps the two envs' states, so the counts stay as they are.
 */
void
sched_hand_over(struct Env *e)
{
	struct Env *cur = curenv;

	assert(sched_owned() && e->env_status == ENV_NOT_RUNNABLE);
	// (A caller its parent stopped meanwhile is not ENV_RUNNING.  Most
	// often no env waits at all, and so none outranks e.)
	if (cur->env_status == ENV_RUNNING && !sched_resched_here()
	    && (!runq_levels || !(runq_levels >> (prio_of(e) + 1)))) {
		cur->env_status = ENV_NOT_RUNNABLE;
		e->env_status = ENV_RUNNING;
		trace_wake(e);
		env_run(e);
	}
	env_set_status(cur, ENV_NOT_RUNNABLE);
	env_set_status(e, ENV_RUNNABLE);
	sched_yield();
}

// What the system does once no env can run anywhere: i386_init's
// choice (sched_init).  Called with the kernel lock held exclusive.
static sched_idle_fn all_idle;

void
sched_init(sched_idle_fn fn)
{
	all_idle = fn;
	spin_init(&sched_lock, "sched_lock", LOCK_RANK_SCHED);
}

/*
 * Nothing to run here.  If no env can run anywhere (all are gone or
 * blocked), hand the CPU to all_idle, keeping the kernel lock, which
 * must be exclusive: the other CPUs then sleep on it.  Otherwise drop
 * the lock and wait, with interrupts on, for new work (wake_idle_cpu)
 * or the timer.
 */
static void
sched_halt(void)
{
	if (nlive == nblocked) {
		if (!kernel_alone()) {
			// Shared: ask again, alone.  The env leaves this CPU
			// first: once the locks are let go, another CPU may
			// destroy it (and must free it then) or wake it.
			env_leave_cpu();
			load_pgdir(kern_pgdir);
			sched_release(thiscpu);
			leave_kernel(thiscpu);
			lock_kernel(thiscpu);
			sched_yield();
		}
		env_leave_cpu();
		trace_flush_all();
		all_idle(nlive == 0);
	}

	env_leave_cpu();
	load_pgdir(kern_pgdir);
	thiscpu->cpu_woken = false;
	thiscpu->cpu_halts++;
	thiscpu->cpu_status = CPU_HALTED;
	TRACE(TR_IDLE, 0, 0, 0);
	sched_release(thiscpu);
	leave_kernel(thiscpu);
	trace_flush();		// holding no lock: it may take a while

	// Restart on an empty stack: nothing below is needed again.
	asm volatile(
		"movl $0, %%ebp\n"
		"movl %0, %%esp\n"
		"sti\n"
		"1:\n"
		"hlt\n"
		"jmp 1b\n"
		: : "a" (KSTACKTOP_CPU(cpunum())));
	for (;;)
		;
}
