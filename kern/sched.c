/*
 * Round-robin scheduling over envs[].  The caller holds the kernel lock;
 * env_run releases it on the way to user mode, and sched_halt before
 * halting, so a CPU with nothing to run holds nothing.
 */
#include <inc/assert.h>
#include <inc/x86.h>
#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/monitor.h>
#include <kern/sched.h>
#include <kern/cpu.h>
#include <kern/spinlock.h>

static void sched_halt(void) __attribute__((noreturn));

/*
 * Run the next runnable env after the current one, wrapping around; if
 * none, keep running the current one; if that is not possible either,
 * halt this CPU.  Envs running on other CPUs are ENV_RUNNING, never
 * ENV_RUNNABLE, so no env runs on two CPUs at once.
 */
void
sched_yield(void)
{
	struct Env *cur = curenv;
	int start = cur ? ENVX(cur->env_id) + 1 : 0;
	int i;

	for (i = 0; i < NENV; i++) {
		struct Env *e = &envs[(start + i) % NENV];
		if (e->env_status == ENV_RUNNABLE)
			env_run(e);
	}
	if (cur && cur->env_status == ENV_RUNNING)
		env_run(cur);
	sched_halt();
}

// Is any env left that could ever run again?
static bool
any_env_alive(bool *any_exists)
{
	int i;

	*any_exists = false;
	for (i = 0; i < NENV; i++) {
		switch (envs[i].env_status) {
		case ENV_RUNNABLE:
		case ENV_RUNNING:
		case ENV_DYING:
			return true;
		case ENV_NOT_RUNNABLE:
			*any_exists = true;
		}
	}
	return false;
}

/*
 * Nothing to run here.  If no env can run anywhere, the first CPU to
 * notice enters the monitor, without the lock so the others can still
 * wake, look, and halt again.  Otherwise drop the lock and wait, with
 * interrupts on, for the timer to look again.
 */
static void
sched_halt(void)
{
	static bool monitor_started;
	bool any_exists;

	if (!any_env_alive(&any_exists) && !monitor_started) {
		monitor_started = true;
		if (!any_exists)
			env_check_leaks();
		cprintf("No runnable environments in the system!\n");
		curenv = NULL;
		unlock_kernel();
		for (;;)
			monitor(NULL);
	}

	curenv = NULL;
	lcr3(PADDR(kern_pgdir));
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
		: : "a" (thiscpu->cpu_ts.ts_esp0));
	for (;;)
		;
}
