/*
 * Round-robin scheduling.
 *
 * Runnable envs wait in a FIFO run queue: the env that gives up a CPU
 * goes to the tail, the head runs next.  Picking costs the same however
 * many envs exist.  Every status change goes through env_set_status,
 * which keeps the queue and the counts of live and blocked envs.
 *
 * The caller holds the kernel lock; env_run releases it on the way to
 * user mode, and sched_halt before halting, so a CPU with nothing to run
 * holds nothing.
 */
#include <inc/assert.h>
#include <inc/x86.h>
#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/sched.h>
#include <kern/cpu.h>
#include <kern/spinlock.h>
#include <kern/trap.h>

// struct Env's layout is fixed by the user ABI, so the queue's links
// live beside envs[], indexed the same way.
static struct {
	struct Env *next, *prev;
} runq_link[NENV];
static struct Env *runq_head, *runq_tail;

static int nlive;	// envs not ENV_FREE
static int nblocked;	// envs ENV_NOT_RUNNABLE

static void sched_halt(void) __attribute__((noreturn));

static void
runq_append(struct Env *e)
{
	int i = ENVX(e->env_id);

	runq_link[i].next = NULL;
	runq_link[i].prev = runq_tail;
	if (runq_tail)
		runq_link[ENVX(runq_tail->env_id)].next = e;
	else
		runq_head = e;
	runq_tail = e;
}

/*
 * A CPU halted in sched_halt would look for work only at its next timer
 * tick: wake one now that there is some.  cpu_woken keeps a CPU from
 * being sent a second IPI before it has woken from the first.
 */
static void
wake_idle_cpu(void)
{
	struct CpuInfo *c;

	for (c = cpus; c < cpus + ncpu; c++)
		if (c->cpu_status == CPU_HALTED && !c->cpu_woken) {
			c->cpu_woken = true;
			lapic_ipi(c->cpu_id, IRQ_OFFSET + IRQ_WAKEUP);
			return;
		}
}

static void
runq_remove(struct Env *e)
{
	int i = ENVX(e->env_id);
	struct Env *next = runq_link[i].next, *prev = runq_link[i].prev;

	if (prev)
		runq_link[ENVX(prev->env_id)].next = next;
	else
		runq_head = next;
	if (next)
		runq_link[ENVX(next->env_id)].prev = prev;
	else
		runq_tail = prev;
}

// Is e some CPU's current env?
bool
env_on_cpu(struct Env *e)
{
	return e->env_cpunum >= 0 && cpus[e->env_cpunum].cpu_env == e;
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

	if (status == ENV_RUNNABLE && env_on_cpu(e))
		status = ENV_RUNNING;
	// A dying env only waits for its CPU to free it.
	if (old == status || (old == ENV_DYING && status != ENV_FREE))
		return;
	if (old == ENV_RUNNABLE)
		runq_remove(e);
	if (status == ENV_RUNNABLE) {
		runq_append(e);
		if (ncpu > 1)
			wake_idle_cpu();
	}
	nlive += (status != ENV_FREE) - (old != ENV_FREE);
	nblocked += (status == ENV_NOT_RUNNABLE) - (old == ENV_NOT_RUNNABLE);
	e->env_status = status;
}

/*
 * Run the env at the head of the run queue; if none waits, keep running
 * the current one; if that is not possible either, halt this CPU.  Envs
 * running on other CPUs are ENV_RUNNING, never in the queue, so no env
 * runs on two CPUs at once.
 */
void
sched_yield(void)
{
	struct Env *cur = curenv;

	assert(holding(&kernel_lock));
	if (runq_head)
		env_run(runq_head);
	if (cur && cur->env_status == ENV_RUNNING)
		env_run(cur);
	sched_halt();
}

// What the system does once no env can run anywhere: i386_init's
// choice (sched_init).  Called with the kernel lock held.
static sched_idle_fn all_idle;

void
sched_init(sched_idle_fn fn)
{
	all_idle = fn;
}

/*
 * Nothing to run here.  If no env can run anywhere (all are gone or
 * blocked), hand the CPU to all_idle, keeping the kernel lock: the
 * other CPUs then sleep on it.  Otherwise drop the lock and wait, with
 * interrupts on, for new work (wake_idle_cpu) or the timer.
 */
static void
sched_halt(void)
{
	assert(holding(&kernel_lock));
	if (nlive == nblocked) {
		env_leave_cpu();
		all_idle(nlive == 0);
	}

	env_leave_cpu();
	load_pgdir(kern_pgdir);
	thiscpu->cpu_woken = false;
	thiscpu->cpu_halts++;
	thiscpu->cpu_status = CPU_HALTED;
	unlock_kernel();

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
