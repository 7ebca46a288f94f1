/*
 * Traps, interrupts and system calls all arrive here.
 *
 * A trap from user mode runs on this CPU's kernel stack (from its TSS).
 * trap() takes the big kernel lock, copies the frame into curenv (so the
 * env can be resumed from any CPU later), and dispatches.  The kernel
 * itself runs with interrupts off; the only kernel-mode interrupts are
 * those that wake a CPU halted in sched_halt.
 */
#include <inc/mmu.h>
#include <inc/x86.h>
#include <inc/assert.h>

#include <kern/pmap.h>
#include <kern/trap.h>
#include <kern/console.h>
#include <kern/monitor.h>
#include <kern/env.h>
#include <kern/syscall.h>
#include <kern/sched.h>
#include <kern/picirq.h>
#include <kern/cpu.h>
#include <kern/spinlock.h>

struct Gatedesc idt[256] = { { 0 } };
struct Pseudodesc idt_pd = {
	sizeof(idt) - 1, (uint32_t) idt
};

extern struct Segdesc gdt[];

// The stubs in kern/trapentry.S, by vector; 0 where there is none.
extern uint32_t trap_entries[], trap_entries_end[];

// The last frame trap() dispatched, so print_trapframe knows when cr2
// belongs to it.
static struct Trapframe *last_tf;

static unsigned spurious_interrupts;

static const char *
trapname(int trapno)
{
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

	if (trapno < ARRAY_SIZE(excnames))
		return excnames[trapno];
	if (trapno == T_SYSCALL)
		return "System call";
	if (trapno >= IRQ_OFFSET && trapno < IRQ_OFFSET + 16)
		return "Hardware Interrupt";
	return "(unknown trap)";
}

void
trap_init(void)
{
	int n = trap_entries_end - trap_entries;
	int v, dpl;

	for (v = 0; v < n; v++) {
		if (!trap_entries[v])
			continue;
		// User code may raise only int3 and the system call.
		dpl = (v == T_BRKPT || v == T_SYSCALL) ? 3 : 0;
		// Interrupt gates: the kernel always starts with IF clear.
		SETGATE(idt[v], 0, GD_KT, trap_entries[v], dpl);
	}
	trap_init_percpu();
}

// Give this CPU its TSS (the stack for traps from user mode) and the IDT.
void
trap_init_percpu(void)
{
	int i = cpunum();
	struct Taskstate *ts = &thiscpu->cpu_ts;

	ts->ts_esp0 = KSTACKTOP_CPU(i);
	ts->ts_ss0 = GD_KD;
	ts->ts_iomb = sizeof(struct Taskstate);	// no I/O permission map

	gdt[(GD_TSS0 >> 3) + i] = SEG16(STS_T32A, (uint32_t) ts,
					sizeof(struct Taskstate) - 1, 0);
	gdt[(GD_TSS0 >> 3) + i].sd_s = 0;
	ltr(GD_TSS0 + (i << 3));
	lidt(&idt_pd);
}

void
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

static void
trap_dispatch(struct Trapframe *tf)
{
	struct PushRegs *r = &tf->tf_regs;

	switch (tf->tf_trapno) {
	case T_SYSCALL:
		r->reg_eax = syscall(r->reg_eax, r->reg_edx, r->reg_ecx,
				     r->reg_ebx, r->reg_edi, r->reg_esi);
		return;
	case T_PGFLT:
		page_fault_handler(tf);
		return;
	case T_BRKPT:
	case T_DEBUG:
		if ((tf->tf_cs & 3) == 0)
			break;
		monitor(tf);
		return;
	case IRQ_OFFSET + IRQ_TIMER:
		sched_yield();
	// These come from the 8259, which acknowledges itself (auto-EOI).
	case IRQ_OFFSET + IRQ_KBD:
		kbd_intr();
		return;
	case IRQ_OFFSET + IRQ_SERIAL:
		serial_intr();
		return;
	case IRQ_OFFSET + IRQ_SPURIOUS:
		// Not a real interrupt: no acknowledgement is owed.
		spurious_interrupts++;
		return;
	case IRQ_OFFSET + IRQ_WAKEUP:
		// Sent to a CPU that has since stopped waiting.
		return;
	case IRQ_OFFSET + IRQ_ERROR:
		cprintf("local APIC error on CPU %d\n", cpunum());
		return;
	}
	unexpected_trap(tf);
}

void
trap(struct Trapframe *tf)
{
	// The kernel may rely on the direction flag being clear.
	asm volatile("cld" ::: "cc");

	// Acknowledge local APIC interrupts at once: until then the APIC
	// holds back every interrupt of the same or lower priority, and
	// this CPU may sleep on the kernel lock waiting for one of them.
	if (tf->tf_trapno == IRQ_OFFSET + IRQ_TIMER
	    || tf->tf_trapno == IRQ_OFFSET + IRQ_WAKEUP
	    || tf->tf_trapno == IRQ_OFFSET + IRQ_ERROR)
		lapic_eoi();

	// An interrupt woke this CPU from its sleep in spin_lock: the only
	// kind of trap that returns, straight back to retry the lock.
	if (thiscpu->cpu_lockwait)
		return;

	// A CPU woken from sched_halt must take the lock it dropped there.
	if (thiscpu->cpu_status == CPU_HALTED) {
		thiscpu->cpu_status = CPU_STARTED;
		lock_kernel();
	}
	assert(!(read_eflags() & FL_IF));

	if ((tf->tf_cs & 3) == 3) {
		lock_kernel();
		assert(curenv);
		// Another CPU destroyed this env while it ran here.
		if (curenv->env_status == ENV_DYING) {
			env_free(curenv);
			curenv = NULL;
			sched_yield();
		}
		// Keep the frame in the env; the kernel stack is reused.
		curenv->env_tf = *tf;
		tf = &curenv->env_tf;
	}
	last_tf = tf;

	trap_dispatch(tf);

	if (curenv && curenv->env_status == ENV_RUNNING)
		env_run(curenv);
	sched_yield();
}

/*
 * A page fault.  In the kernel it is a kernel bug.  In user mode, an env
 * with an upcall gets a struct UTrapframe pushed on its exception stack
 * and resumes in the upcall; a nested fault (already on that stack)
 * pushes below the trap-time esp, leaving one empty word.  An env with
 * no upcall, no usable exception stack or a bad upcall is destroyed.
 */
void
page_fault_handler(struct Trapframe *tf)
{
	uint32_t fault_va = rcr2();
	struct UTrapframe *utf;
	uintptr_t top;

	if ((tf->tf_cs & 3) == 0) {
		print_trapframe(tf);
		backtrace(tf);
		panic("page fault in kernel at va %08x", fault_va);
	}

	if (!curenv->env_pgfault_upcall) {
		cprintf("[%08x] user fault va %08x ip %08x\n",
			curenv->env_id, fault_va, tf->tf_eip);
		print_trapframe(tf);
		env_destroy(curenv);
		return;
	}

	top = UXSTACKTOP;
	if (tf->tf_esp >= UXSTACKTOP - PGSIZE && tf->tf_esp < UXSTACKTOP)
		top = tf->tf_esp - sizeof(uint32_t);
	utf = (struct UTrapframe *) (top - sizeof(struct UTrapframe));

	// Both destroy the env (and do not return) if the check fails.
	user_mem_assert(curenv, utf, sizeof(*utf), PTE_W);
	user_mem_assert(curenv, curenv->env_pgfault_upcall, 1, 0);

	// The env's own page directory is loaded: write its stack directly.
	utf->utf_fault_va = fault_va;
	utf->utf_err = tf->tf_err;
	utf->utf_regs = tf->tf_regs;
	utf->utf_eip = tf->tf_eip;
	utf->utf_eflags = tf->tf_eflags;
	utf->utf_esp = tf->tf_esp;

	tf->tf_esp = (uintptr_t) utf;
	tf->tf_eip = (uintptr_t) curenv->env_pgfault_upcall;
}
