/*
 * Traps, interrupts and system calls all arrive here.
 *
 * A trap from user mode saves the env's registers straight into
 * curenv->env_tf (see kern/trapentry.S), then runs on this CPU's kernel
 * stack; trap() takes the kernel lock, shared for the few traps that
 * may run beside others (trap_shared) and exclusive for the rest, and
 * dispatches.  The kernel itself runs with interrupts off but in four
 * waits: a CPU halted in sched_halt, one sleeping on a lock, one waiting
 * for console input (cpu_sleep, from getchar), and one waiting for the
 * swap disk (cpu_sleep, in kern/ide.c); the only kernel-mode interrupts
 * are those that end such a wait.
 */
#include <inc/mmu.h>
#include <inc/x86.h>
#include <inc/assert.h>

#include <kern/pmap.h>
#include <kern/trap.h>
#include <kern/backtrace.h>
#include <kern/console.h>
#include <kern/monitor.h>
#include <kern/env.h>
#include <kern/syscall.h>
#include <kern/sched.h>
#include <kern/picirq.h>
#include <kern/cpu.h>
#include <kern/kernlock.h>
#include <kern/region.h>
#include <kern/demand.h>
#include <kern/swap.h>
#include <kern/ide.h>
#include <kern/fpu.h>
#include <kern/uexcept.h>
#include <kern/trace.h>
#include <inc/error.h>

static struct Gatedesc idt[256] = { { 0 } };
static struct Pseudodesc idt_pd = {
	sizeof(idt) - 1, (uint32_t) idt
};

extern struct Segdesc gdt[];

// The stubs in kern/trapentry.S, by vector; 0 where there is none.
extern uint32_t trap_entries[], trap_entries_end[];

// The frame of the page fault being handled, so print_trapframe knows
// when cr2 belongs to the frame it prints.
static struct Trapframe *last_tf;

static unsigned spurious_interrupts;

// The exception names, by vector.  At file scope so that gdb can read
// them too (conf/gdb-jos.py names traps as the kernel does).
static const char * const excnames[] = {
	"Divide error",
	"Debug",
	"Non-Maskable Interrupt",
	"Breakpoint",
	"Overflow",
	"BOUND Range Exceeded",
	"Invalid Opcode",
	"Device Not Available",
	"Double Fault",
	"Coprocessor Segment Overrun",
	"Invalid TSS",
	"Segment Not Present",
	"Stack Fault",
	"General Protection",
	"Page Fault",
	"(unknown trap)",
	"x87 FPU Floating-Point Error",
	"Alignment Check",
	"Machine-Check",
	"SIMD Floating-Point Exception"
};

static const char *
trapname(int trapno)
{
	if (trapno < ARRAY_SIZE(excnames))
		return excnames[trapno];
	if (trapno == T_SYSCALL)
		return "System call";
	if (trapno >= IRQ_OFFSET && trapno < IRQ_OFFSET + 16)
		return "Hardware Interrupt";
	return "(unknown trap)";
}

// May sysenter_unlocked serve sys_getenvid?  Not when the trace records
// every call (the locked path does that) nor under the big lock, which
// every entry takes.  Both are set before trap_init, once for the boot,
// so the call tests one flag for the two.
static bool getenvid_unlocked;

void
trap_init(void)
{
	int n = trap_entries_end - trap_entries;
	int v, dpl;

	for (v = 0; v < n; v++) {
		if (!trap_entries[v])
			continue;
		// User code may raise only int3, into (overflow) and the
		// system call; any other int n is a general protection fault.
		dpl = (v == T_BRKPT || v == T_OFLOW || v == T_SYSCALL) ? 3 : 0;
		// Interrupt gates: the kernel always starts with IF clear.
		SETGATE(idt[v], 0, GD_KT, trap_entries[v], dpl);
	}
	getenvid_unlocked = !trace_on && !kernel_big_lock;
}

bool has_sysenter;

extern char sysenter_entry[];

// sysenter enters at sysenter_entry (kern/trapentry.S) in GD_KT, with
// ss GD_KT + 8 = GD_KD; sysexit leaves in GD_KT + 16 = GD_UT and
// GD_KT + 24 = GD_UD, at privilege 3: the GDT's order.
static void
sysenter_init_cpu(int i)
{
	uint32_t eax, ebx, ecx, edx;

	static_assert(GD_KD == GD_KT + 8 && GD_UT == GD_KT + 16
		      && GD_UD == GD_KT + 24);
	cpuid(1, &eax, &ebx, &ecx, &edx);
	has_sysenter = edx & CPUID_SEP;
	if (!has_sysenter)
		return;
	wrmsr(MSR_SYSENTER_CS, GD_KT);
	wrmsr(MSR_SYSENTER_EIP, (uintptr_t) sysenter_entry);
	wrmsr(MSR_SYSENTER_ESP, KSTACKTOP_CPU(i));
}

// Give this CPU, CPU i, its TSS and the IDT.  The TSS gives the stack for
// traps from user mode, and its selector tells cpunum() which CPU this is.
void
trap_init_percpu(int i)
{
	struct Taskstate *ts = &cpus[i].cpu_ts;

	ts->ts_esp0 = KSTACKTOP_CPU(i);		// env_run points it at an env
	ts->ts_ss0 = GD_KD;
	ts->ts_iomb = sizeof(struct Taskstate);	// no I/O permission map
	sysenter_init_cpu(i);

	gdt[(GD_TSS0 >> 3) + i] = SEG16(STS_T32A, (uint32_t) ts,
					sizeof(struct Taskstate) - 1, 0);
	gdt[(GD_TSS0 >> 3) + i].sd_s = 0;
	ltr(GD_TSS0 + (i << 3));
	lidt(&idt_pd);
}

static void
print_regs(struct PushRegs *regs)
{
	cprintf("  edi  0x%08x\n", regs->reg_edi);
	cprintf("  esi  0x%08x\n", regs->reg_esi);
	cprintf("  ebp  0x%08x\n", regs->reg_ebp);
	cprintf("  oesp 0x%08x\n", regs->reg_oesp);
	cprintf("  ebx  0x%08x\n", regs->reg_ebx);
	cprintf("  edx  0x%08x\n", regs->reg_edx);
	cprintf("  ecx  0x%08x\n", regs->reg_ecx);
	cprintf("  eax  0x%08x\n", regs->reg_eax);
}

void
print_trapframe(struct Trapframe *tf)
{
	cprintf("TRAP frame at %p from CPU %d\n", tf, cpunum());
	print_regs(&tf->tf_regs);
	cprintf("  es   0x----%04x\n", tf->tf_es);
	cprintf("  ds   0x----%04x\n", tf->tf_ds);
	cprintf("  trap 0x%08x %s\n", tf->tf_trapno, trapname(tf->tf_trapno));
	// cr2 is only meaningful for the page fault being handled.
	if (tf == last_tf && tf->tf_trapno == T_PGFLT)
		cprintf("  cr2  0x%08x\n", rcr2());
	cprintf("  err  0x%08x", tf->tf_err);
	if (tf->tf_trapno == T_PGFLT)
		cprintf(" [%s, %s, %s]\n",
			tf->tf_err & FEC_U ? "user" : "kernel",
			tf->tf_err & FEC_WR ? "write" : "read",
			tf->tf_err & FEC_PR ? "protection" : "not-present");
	else if (tf->tf_trapno == T_SYSCALL && tf->tf_err == TF_ERR_SYSENTER)
		cprintf(" [sysenter]\n");
	else
		cprintf("\n");
	cprintf("  eip  0x%08x\n", tf->tf_eip);
	cprintf("  cs   0x----%04x\n", tf->tf_cs);
	cprintf("  flag 0x%08x\n", tf->tf_eflags);
	if ((tf->tf_cs & 3) != 0) {
		cprintf("  esp  0x%08x\n", tf->tf_esp);
		cprintf("  ss   0x----%04x\n", tf->tf_ss);
	}
}

// A trap nothing handles: fatal for the kernel, for an env only for it.
static void
unexpected_trap(struct Trapframe *tf)
{
	print_trapframe(tf);
	if ((tf->tf_cs & 3) == 0) {
		backtrace(tf);
		panic("unhandled trap %d in kernel", tf->tf_trapno);
	}
	env_destroy(curenv);
}

static_assert(offsetof(struct Trapframe, tf_regs.reg_eax) == TF_EAX);
static_assert(offsetof(struct Trapframe, tf_trapno) == TF_TRAPNO);
static_assert(offsetof(struct Trapframe, tf_eip) == TF_EIP);
static_assert(offsetof(struct Trapframe, tf_cs) == TF_CS);
static_assert(offsetof(struct Trapframe, tf_eflags) == TF_EFLAGS);
static_assert(offsetof(struct Trapframe, tf_esp) == TF_ESP);
static_assert(offsetof(struct Env, env_cpunum) == ENV_CPUNUM);

/*
 * The interrupts whose handling depends on nothing that was running:
 * device input, and IPIs or errors with nothing left to do.  Returns
 * whether trapno was one.
 */
static bool
device_interrupt(uint32_t trapno)
{
	switch (trapno) {
	// These come from the 8259, which acknowledges itself (auto-EOI).
	case IRQ_OFFSET + IRQ_KBD:
		kbd_intr();
		return true;
	case IRQ_OFFSET + IRQ_SERIAL:
		serial_intr();
		return true;
	case IRQ_OFFSET + IRQ_SPURIOUS:
		// Not a real interrupt: no acknowledgement is owed.
		spurious_interrupts++;
		return true;
	case IRQ_OFFSET + IRQ_WAKEUP:
	case IRQ_OFFSET + IRQ_TLBFLUSH:
		// Handled on entry, or sent to a CPU that since moved on.
		return true;
	case IRQ_OFFSET + IRQ_ERROR:
		cprintf("local APIC error on CPU %d\n", cpunum());
		return true;
	}
	return false;
}

static void deliver_exception(struct Trapframe *tf, void *upcall);

// Interrupts and exceptions but the two hot ones, system calls and
// user page faults, which trap() handles itself.  A user exception the
// env takes itself goes to it first.
static void
trap_dispatch(struct Trapframe *tf)
{
	void *upcall;

	TRACE(TR_TRAP, curenv ? curenv->env_id : 0, tf->tf_trapno, tf->tf_err);
	if (tf->tf_trapno < IRQ_OFFSET && (tf->tf_cs & 3)
	    && (upcall = uexcept_upcall(curenv, tf->tf_trapno))) {
		deliver_exception(tf, upcall);
		return;
	}
	switch (tf->tf_trapno) {
	case T_BRKPT:
	case T_DEBUG:
		if ((tf->tf_cs & 3) == 0)
			break;
		monitor(tf);
		return;
	case IRQ_OFFSET + IRQ_TIMER:
		sched_tick();
		sched_yield();		// does not return
	case T_DEVICE:
		if ((tf->tf_cs & 3) && fpu_claim())
			return;
		break;
	}
	if (!device_interrupt(tf->tf_trapno))
		unexpected_trap(tf);
}

/*
 * What an interrupt needs before anything else, even the kernel lock.
 * Local APIC interrupts are acknowledged: until then the APIC holds back
 * every interrupt of the same or lower priority, and this CPU may sleep
 * on the kernel lock waiting for one of them.  A TLB flush is done: the
 * CPU that asked waits for it holding the kernel lock.  The swap disk's
 * interrupt wakes the CPU that waits for it, also holding the lock.
 * Returns whether the trap was one of those two, which then need
 * nothing more: whatever this CPU was doing (an env, a halt) goes on.
 */
static inline bool __attribute__((always_inline))
ack_interrupt(uint32_t trapno)
{
	if (__builtin_expect(trapno == T_SYSCALL, 1) || trapno < IRQ_OFFSET)
		return false;
	if (trapno == IRQ_OFFSET + IRQ_TIMER
	    || trapno == IRQ_OFFSET + IRQ_WAKEUP
	    || trapno == IRQ_OFFSET + IRQ_TLBFLUSH
	    || trapno == IRQ_OFFSET + IRQ_ERROR)
		lapic_eoi();
	if (trapno == IRQ_OFFSET + IRQ_TLBFLUSH) {
		tlb_flush_ack();
		return true;
	}
	if (trapno == IRQ_OFFSET + IRQ_IDE) {
		ide_intr();
		return true;
	}
	return false;
}

static void page_fault_handler(struct Trapframe *tf);
static int kernel_fault_how(struct Env *e, uintptr_t va);
static bool push_fault_frame_shared(struct Env *e, struct Trapframe *tf,
				    uintptr_t va);

// Free the current env if another CPU destroyed it while it ran here,
// and run something else.  Caller holds the kernel lock.
static inline void
reap_if_dying(struct Env *cur)
{
	if (cur->env_status == ENV_DYING)
		env_free_current();
}

// May cur, the env that trapped here, go on at once?  Not if another CPU
// destroyed it or asked this one to choose again meanwhile.
static inline bool __attribute__((always_inline))
goes_on(struct Env *cur)
{
	return cur->env_status == ENV_RUNNING && !sched_resched_here();
}

// Count a page fault the kernel served for e.
static inline void __attribute__((always_inline))
count_kernel_fault(struct Env *e)
{
	env_regions(e)->kfaults++;
	__sync_fetch_and_add(&vm_totals.faults, 1);
}

/*
 * The traps served holding the kernel lock shared (kern/kernlock.h),
 * unless the kernel was booted with the big lock: the system calls
 * syscall_shared_how allows (those that switch envs leave the kernel
 * from inside, through sched_release and leave_kernel), and a page
 * fault that demand_fault_shared serves or that goes to an upcall ready
 * for it.  Each returns whether it served tf; if not, nothing has
 * changed, and the trap is the exclusive lock's.
 */
static inline bool __attribute__((always_inline))
syscall_shared(struct CpuInfo *c, struct Trapframe *tf)
{
	int how = syscall_shared_how(tf);

	if (!how || kernel_big_lock)
		return false;
	lock_kernel_shared(c);
	// A dying env is for the exclusive lock to free, before its call
	// does anything (prints, maps, switches).  A stopped one's call is
	// made, as it is under the exclusive lock (a stop may land after
	// this look in any case), and then it leaves the CPU (yield_shared).
	if (c->cpu_env->env_status == ENV_DYING) {
		unlock_kernel_shared(c);
		return false;
	}
	if (how == SHARED_SCHED)
		sched_lock_take(c);
	tf->tf_regs.reg_eax = syscall(tf);
	if (how == SHARED_SCHED)
		sched_lock_give(c);
	unlock_kernel_shared(c);
	return true;
}

static inline bool __attribute__((always_inline))
page_fault_shared(struct CpuInfo *c, struct Trapframe *tf)
{
	struct Env *e = c->cpu_env;
	uintptr_t va = rcr2();
	bool done;
	int how, r;

	if (kernel_big_lock)
		return false;
	lock_kernel_shared(c);
	how = trace_on ? kernel_fault_how(e, va) : 0;
	if ((r = demand_fault_shared(e, va, tf->tf_err & FEC_WR)) == 0) {
		count_kernel_fault(e);
		TRACE(TR_FAULT, e->env_id, va, how);
	}
	done = r == 0 || (r == -E_FAULT && push_fault_frame_shared(e, tf, va));
	unlock_kernel_shared(c);
	return done;
}

/*
 * Choose what this CPU runs next as a yield does (SHARED_SCHED): holding
 * the kernel lock shared, with sched_lock for the queues.  For a timer
 * tick (tick, which the trace records and sched_tick counts), so that
 * every CPU's ticks do not stop the others; and for an
 * env a shared trap served that may not go on at once (stopped by its
 * parent meanwhile, or this CPU asked to choose again).  Returns only if
 * the env is dying, for the exclusive lock to free.
 */
static inline void __attribute__((always_inline))
yield_shared(struct CpuInfo *c, struct Trapframe *tick)
{
	if (kernel_big_lock)
		return;
	lock_kernel_shared(c);
	if (c->cpu_env->env_status == ENV_DYING) {
		unlock_kernel_shared(c);
		return;
	}
	sched_lock_take(c);
	if (tick) {
		TRACE(TR_TRAP, c->cpu_env->env_id, tick->tf_trapno,
		      tick->tf_err);
		sched_tick();
	}
	sched_yield();
}

// c is this CPU, which the trap paths look up once.
static inline bool __attribute__((always_inline))
trap_shared(struct CpuInfo *c, struct Trapframe *tf)
{
	if (tf->tf_trapno == T_SYSCALL)
		return syscall_shared(c, tf);
	if (tf->tf_trapno == IRQ_OFFSET + IRQ_TIMER)
		yield_shared(c, tf);
	return tf->tf_trapno == T_PGFLT && page_fault_shared(c, tf);
}

// Do what a trap from user mode asks for.  The system call comes first:
// it is the hot path.
static inline void
handle_user_trap(struct Trapframe *tf)
{
	if (tf->tf_trapno == T_SYSCALL)
		tf->tf_regs.reg_eax = syscall(tf);
	else if (tf->tf_trapno == T_PGFLT)
		page_fault_handler(tf);
	else
		trap_dispatch(tf);
}

// The rest of a trap from cur, tf, on c (this CPU), holding the kernel
// lock exclusive: serve it unless it was already (shared), then back to
// cur or on to the next env.
static inline void __attribute__((noreturn, always_inline))
trap_exclusive(struct CpuInfo *c, struct Env *cur, struct Trapframe *tf,
	       bool served)
{
	lock_kernel(c);
	reap_if_dying(cur);
	if (!served)
		handle_user_trap(tf);
	if (goes_on(cur))
		env_resume(c, cur);
	sched_yield();
}

/*
 * A trap from user mode.  tf is curenv->env_tf, filled in by the
 * processor and kern/trapentry.S, so resuming the env later, on any CPU,
 * needs no copy.  Back to the env that trapped if it may still run
 * (nothing to switch), else to the next one.
 */
void
trap(struct Trapframe *tf)
{
	struct CpuInfo *c;
	struct Env *cur;
	bool shared;

	// Done with at once: resume, unless an IPI also asked this CPU to
	// choose again what to run (kern/sched.c).  Kept apart from the path
	// below: a flag carried across it costs every system call.
	if (ack_interrupt(tf->tf_trapno)) {
		if (!sched_resched_here())
			env_pop_tf(tf);
		lock_kernel(thiscpu);
		reap_if_dying(curenv);
		sched_yield();
	}
	c = thiscpu;
	cur = c->cpu_env;
	if ((shared = trap_shared(c, tf)) && goes_on(cur)) {
		cur->env_runs++;
		env_pop_tf(tf);
	}
	if (shared)
		yield_shared(c, NULL);
	trap_exclusive(c, cur, tf, shared);
}

void
syscall_restart_exclusive(void)
{
	struct CpuInfo *c = thiscpu;

	// Its TR_SYSCALL has been recorded, and will be again.
	TRACE(TR_RESTART, c->cpu_env->env_id,
	      c->cpu_env->env_tf.tf_regs.reg_eax, 0);
	if (sched_lock.cpu == c)	// a SHARED_SCHED call's
		sched_lock_give(c);
	leave_kernel(c);
	trap_exclusive(c, c->cpu_env, &c->cpu_env->env_tf, false);
}

// May a sysenter call that came from caller leave by sysexit (see
// sysenter_trap)?
static inline bool __attribute__((always_inline))
sysexit_ok(struct Trapframe *tf, uintptr_t caller)
{
	return tf->tf_eip == caller && !(tf->tf_eflags & FL_TF);
}

/*
 * A system call by sysenter.  tf is curenv->env_tf, the frame int $0x30
 * would have left (kern/trapentry.S).  Back to the caller by sysexit
 * when it goes on at once, as trap() would resume it, and to where it
 * called from: sysexit gives ecx and edx new values, which a call made
 * again (a long call's next step, kern/syscall.c) would take for its
 * arguments.  Nor when the env steps with TF: sysexit_to restores the
 * flags with popfl, which would then trap in the kernel.  Then a call
 * served shared goes back by iret, as trap() would resume it; any other
 * way out is trap()'s.
 */
void
sysenter_trap(struct Trapframe *tf)
{
	uintptr_t caller = tf->tf_eip;
	struct CpuInfo *c = thiscpu;
	struct Env *cur = c->cpu_env;
	bool shared;

	if ((shared = syscall_shared(c, tf)) && goes_on(cur)) {
		cur->env_runs++;
		if (sysexit_ok(tf, caller))
			sysexit_to(tf);
		env_pop_tf(tf);		// a long call's next step, as trap()
	}
	if (shared)
		yield_shared(c, NULL);
	lock_kernel(c);
	reap_if_dying(cur);
	if (!shared)
		tf->tf_regs.reg_eax = syscall(tf);
	if (goes_on(cur)) {
		if (!sysexit_ok(tf, caller))
			env_resume(c, cur);
		cur->env_runs++;
		leave_kernel(c);
		sysexit_to(tf);
	}
	sched_yield();
}

/*
 * sys_getenvid by sysenter, holding no lock: kern/trapentry.S sends the
 * call here before sysenter_trap.  It reads the caller's id, status and
 * flags and writes its frame and run count, which no other CPU writes
 * while the caller runs (the processor and the trap entry write the
 * frame on every entry before a lock is taken): to kernel_lock's
 * holders it is as if the caller had stayed in user mode
 * (kern/kernlock.h).  Interrupts stay off until sysexit, so an
 * IPI waits these few instructions for it, as for any entry, and is
 * taken from user mode.  Returns, for sysenter_trap to serve the call
 * the locked way, when the env may not go on at once (dying or stopped:
 * the locked path frees or parks it, as on any entry), when it steps
 * with TF (sysexit_ok), and when getenvid_unlocked is false.
 */
static_assert(SYS_getenvid == SYSENTER_UNLOCKED);
static_assert(offsetof(struct Env, env_tf) == 0);

void
sysenter_unlocked(struct Trapframe *tf)
{
	struct Env *e = (struct Env *) tf;	// tf is curenv->env_tf

	// Not goes_on: another CPU that asks this one to choose again sends
	// an IPI, taken once sysexit is done.
	if (!getenvid_unlocked || !sysexit_ok(tf, tf->tf_eip)
	    || e->env_status != ENV_RUNNING)
		return;
	tf->tf_regs.reg_eax = e->env_id;
	e->env_runs++;
	sysexit_to(tf);
}

/*
 * A trap in kernel mode: an interrupt that ended one of the kernel's
 * waits with interrupts on (halted in sched_halt, or in cpu_sleep on the
 * kernel lock, for console input or for the swap disk), or a kernel bug.
 */
void
trap_kernel(struct Trapframe *tf)
{
	// Done with at once, or woken from cpu_sleep (waiting for a lock,
	// input or the disk): the only traps that return, straight back to
	// the halt or the wait.
	if (ack_interrupt(tf->tf_trapno) || thiscpu->cpu_sleeping)
		return;

	if (thiscpu->cpu_status != CPU_HALTED) {
		last_tf = tf;		// so a page fault's cr2 is printed
		print_trapframe(tf);
		backtrace(tf);
		panic("trap %d (%s) in kernel", tf->tf_trapno,
		      trapname(tf->tf_trapno));
	}
	// Woken from sched_halt: take back the lock dropped there.  A
	// wake-up IPI only asks this CPU to look for work, as a shared yield
	// does (kern/kernlock.h): the others need not stop for it.
	thiscpu->cpu_status = CPU_STARTED;
	if (tf->tf_trapno == IRQ_OFFSET + IRQ_WAKEUP && !kernel_big_lock) {
		lock_kernel_shared(thiscpu);
		sched_lock_take(thiscpu);
		TRACE(TR_RESUME, 0, 0, 0);
		sched_yield();
	}
	lock_kernel(thiscpu);
	TRACE(TR_RESUME, 0, 0, 0);
	trap_dispatch(tf);
	sched_yield();
}

/*
 * A trap from virtual-8086 mode.  A real i386 ignores EFLAGS.VM in an
 * iret at CPL 3; QEMU's emulation honours it, so a user program can
 * enter vm86 mode (with IOPL 3) in one iret.  Nothing it could do there
 * is wanted: kern/trapentry.S sends every trap from it here, with the
 * processor's frame left where it was pushed, and the env dies.  No
 * user page lies below UMINADDR, so vm86 code never runs: the first
 * instruction fetch faults.
 */
struct Vm86Frame {
	uint32_t trapno, err;		// pushed by the vector's stub
	uint32_t eip, cs, eflags, esp, ss, es, ds, fs, gs;
};

void
trap_vm86(struct Vm86Frame *f)
{
	ack_interrupt(f->trapno);
	lock_kernel(thiscpu);
	device_interrupt(f->trapno);	// input that came in meanwhile
	cprintf("[%08x] trap %d from virtual-8086 mode at %04x:%04x\n",
		curenv->env_id, f->trapno, f->cs & 0xffff, f->eip & 0xffff);
	env_destroy(curenv);
	panic("trap_vm86: the env survived");
}

// Can e's user code write the page at va once the kernel has brought it
// in, if it is a region's?
static bool
writable_now(struct Env *e, uintptr_t va)
{
	return user_page_ok(e->env_pgdir, va, PTE_U | PTE_W)
		|| (demand_fault(e, va, true) == 0
		    && user_page_ok(e->env_pgdir, va, PTE_U | PTE_W));
}

// Where tf's upcall frame goes: a struct UTrapframe at the top of the
// exception stack, or below the trap-time esp if that is on it already
// (a nested fault, leaving one empty word), `below` bytes for the caller
// under it, from *bottom up.
static struct UTrapframe *
upcall_frame(struct Trapframe *tf, size_t below, uintptr_t *bottom)
{
	uintptr_t top = UXSTACKTOP;
	struct UTrapframe *utf;

	if (tf->tf_esp >= UXSTACKTOP - PGSIZE && tf->tf_esp < UXSTACKTOP)
		top = tf->tf_esp - sizeof(uint32_t);
	utf = (struct UTrapframe *) (top - sizeof(struct UTrapframe));
	*bottom = (uintptr_t) utf - below;
	return utf;
}

// Save tf in utf, e's upcall frame from bottom up (checked), and switch
// tf to run upcall on it.
static void
fill_upcall_frame(struct UTrapframe *utf, struct Trapframe *tf,
		  uintptr_t bottom, void *upcall)
{
	// The env's own page directory is loaded: write its stack directly.
	utf->utf_err = tf->tf_err;
	// Field by field: in these packed structs a struct copy is compiled
	// as a cautious byte-aligned loop, and this is a hot path.
	utf->utf_regs.reg_edi = tf->tf_regs.reg_edi;
	utf->utf_regs.reg_esi = tf->tf_regs.reg_esi;
	utf->utf_regs.reg_ebp = tf->tf_regs.reg_ebp;
	utf->utf_regs.reg_oesp = tf->tf_regs.reg_oesp;
	utf->utf_regs.reg_ebx = tf->tf_regs.reg_ebx;
	utf->utf_regs.reg_edx = tf->tf_regs.reg_edx;
	utf->utf_regs.reg_ecx = tf->tf_regs.reg_ecx;
	utf->utf_regs.reg_eax = tf->tf_regs.reg_eax;
	utf->utf_eip = tf->tf_eip;
	utf->utf_eflags = tf->tf_eflags;
	utf->utf_esp = tf->tf_esp;

	tf->tf_esp = bottom;
	tf->tf_eip = (uintptr_t) upcall;
	// The upcall starts as C code expects, not single-stepping (it
	// would trap at once, and again in each nested frame) and with no
	// alignment checks; utf_eflags keeps what the env had.
	tf->tf_eflags &= ~(FL_TF | FL_DF | FL_AC);
}

/*
 * Switch tf to upcall on e's exception stack, with a struct UTrapframe
 * of tf there and `below` bytes under it for the caller to fill (esp
 * points at them); returns the frame, whose utf_fault_va is the
 * caller's too.  An env with no usable exception stack or a bad upcall
 * is destroyed: user_mem_fail and user_mem_assert name the bad address
 * and do not return.
 */
static struct UTrapframe *
push_upcall_frame(struct Env *e, struct Trapframe *tf, void *upcall,
		  size_t below)
{
	uintptr_t bottom;
	struct UTrapframe *utf = upcall_frame(tf, below, &bottom);

	// The frame must lie in the exception stack page, user-writable now
	// (the kernel writes it directly: a page that a region would bring in
	// later will not do), and the upcall in a user page.
	if (bottom < UXSTACKTOP - PGSIZE || !writable_now(e, bottom))
		user_mem_fail(e, bottom);
	if (!user_page_ok(e->env_pgdir, (uintptr_t) upcall, PTE_U)
	    && !demand_page_ok(e, (uintptr_t) upcall, PTE_U))
		user_mem_assert(e, upcall, 1, 0);
	fill_upcall_frame(utf, tf, bottom, upcall);
	return utf;
}

// For the trace: how a page fault at va of e's that the kernel serves
// will go, and one it sends to the upcall went.
static int
kernel_fault_how(struct Env *e, uintptr_t va)
{
	pte_t *pte = va < UTOP ? pte_lookup(e->env_pgdir, va) : NULL;

	return pte && pte_is_swap(*pte) ? TRF_SWAPIN : TRF_REGION;
}

static int
upcall_fault_how(struct Env *e, uintptr_t va)
{
	pte_t *pte = va < UTOP ? pte_lookup(e->env_pgdir, va) : NULL;

	return pte && (*pte & PTE_P) && (*pte & PTE_COW) ? TRF_COW : TRF_UPCALL;
}

/*
 * push_upcall_frame for a page fault at va, holding the kernel lock
 * shared: only if e's exception stack page and its upcall's are there
 * already, and no checks can fail.  Returns whether it pushed the
 * frame; if not, nothing has changed.
 */
static bool
push_fault_frame_shared(struct Env *e, struct Trapframe *tf, uintptr_t va)
{
	void *upcall = e->env_pgfault_upcall;
	uintptr_t bottom;
	struct UTrapframe *utf = upcall_frame(tf, 0, &bottom);

	if (!upcall || bottom < UXSTACKTOP - PGSIZE
	    || !user_page_ok(e->env_pgdir, bottom, PTE_U | PTE_W)
	    || !user_page_ok(e->env_pgdir, (uintptr_t) upcall, PTE_U))
		return false;
	env_regions(e)->ufaults++;
	TRACE(TR_FAULT, e->env_id, va, upcall_fault_how(e, va));
	fill_upcall_frame(utf, tf, bottom, upcall);
	utf->utf_fault_va = va;
	return true;
}

/*
 * A page fault in user mode (in the kernel it is a bug: trap_kernel
 * panics).  The first touch of a region page is the kernel's to serve
 * (kern/demand.c), and the env resumes as if nothing happened.  For any
 * other fault, an env with an upcall resumes there with a struct
 * UTrapframe on its exception stack (push_upcall_frame).  An env with no
 * upcall, no usable exception stack or a bad upcall is destroyed, as is
 * one the kernel has no page left for.
 */
static void
page_fault_handler(struct Trapframe *tf)
{
	uint32_t fault_va = rcr2();
	struct Env *e = curenv;
	struct RegionSet *s = env_regions(e);
	int how = trace_on ? kernel_fault_how(e, fault_va) : 0;
	int r;

	if ((r = demand_fault(e, fault_va, tf->tf_err & FEC_WR)) == 0) {
		count_kernel_fault(e);
		TRACE(TR_FAULT, e->env_id, fault_va, how);
		return;
	}
	last_tf = tf;
	if (r == -E_NO_MEM) {
		cprintf("[%08x] out of memory for a page at va %08x\n",
			e->env_id, fault_va);
		TRACE(TR_FAULT, e->env_id, fault_va, TRF_KILLED);
		env_destroy(e);
		return;
	}
	s->ufaults++;
	if (!e->env_pgfault_upcall) {
		cprintf("[%08x] user fault va %08x ip %08x\n",
			e->env_id, fault_va, tf->tf_eip);
		print_trapframe(tf);
		TRACE(TR_FAULT, e->env_id, fault_va, TRF_KILLED);
		env_destroy(e);
		return;
	}
	TRACE(TR_FAULT, e->env_id, fault_va, upcall_fault_how(e, fault_va));
	push_upcall_frame(e, tf, e->env_pgfault_upcall, 0)->utf_fault_va =
		fault_va;
}

// An exception from user mode that e asked for: resume in upcall with a
// struct UExcframe.
static void
deliver_exception(struct Trapframe *tf, void *upcall)
{
	struct UTrapframe *utf;

	utf = push_upcall_frame(curenv, tf, upcall, sizeof(uint32_t));
	utf->utf_fault_va = 0;
	((struct UExcframe *) tf->tf_esp)->uxf_trapno = tf->tf_trapno;
}
