/* Traps, interrupts and the IDT. */
#ifndef JOS_KERN_TRAP_H
#define JOS_KERN_TRAP_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/trap.h>
#include <inc/mmu.h>

// Offsets kern/trapentry.S uses (checked in kern/trap.c).
#define TF_EAX		28	// offsetof(struct Trapframe, tf_regs.reg_eax)
#define TF_TRAPNO	40	// offsetof(struct Trapframe, tf_trapno)
#define TF_EIP		48	// offsetof(struct Trapframe, tf_eip)
#define TF_CS		52	// offsetof(struct Trapframe, tf_cs)
#define TF_EFLAGS	56	// offsetof(struct Trapframe, tf_eflags)
#define TF_ESP		60	// offsetof(struct Trapframe, tf_esp)
#define ENV_CPUNUM	92	// offsetof(struct Env, env_cpunum)

// IRQ_OFFSET + IRQ_WAKEUP: the IPI that wakes a CPU sleeping on the lock
// (spin_unlock) or halted with nothing to run (the scheduler, when an
// env becomes runnable).  IRQ_TLBFLUSH: the IPI that asks a CPU to flush
// its TLB (tlb_shootdown).
#define IRQ_WAKEUP	17
#define IRQ_TLBFLUSH	18

// A system call's tf_err says how it entered: by int $0x30 (the
// processor pushes no error code, so the stub's 0) or by sysenter.
#define TF_ERR_SYSENTER	1

// The call sysenter_unlocked serves, SYS_getenvid (checked in kern/trap.c).
#define SYSENTER_UNLOCKED	2

// sysenter: its CPUID bit (leaf 1, edx) and the MSRs it enters with.
#define CPUID_SEP		(1 << 11)
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176

#ifndef __ASSEMBLER__
#include <kern/cpu.h>

// Has this processor sysenter?  The same on every CPU; the library asks
// CPUID too, to choose its way in.
extern bool has_sysenter;

// The next trap, or sysenter, from user mode on c, this CPU, saves its
// frame just below top (env_run: past the env's env_tf).  Inline: it is
// on every switch, whose caller knows c already.
static inline void __attribute__((always_inline))
trap_set_frame_top(struct CpuInfo *c, uintptr_t top)
{
	c->cpu_ts.ts_esp0 = top;
	if (has_sysenter)
		wrmsr(MSR_SYSENTER_ESP, top);
}

void	trap_init(void);
void	trap_init_percpu(int cpu);
// Called from kern/trapentry.S with the frame of a trap from user mode
// (trap, which never returns) or from kernel mode (trap_kernel).
void	trap(struct Trapframe *tf) __attribute__((noreturn));
void	trap_kernel(struct Trapframe *tf);
void	sysenter_unlocked(struct Trapframe *tf);
void	sysenter_trap(struct Trapframe *tf) __attribute__((noreturn));
void	sysexit_to(struct Trapframe *tf) __attribute__((noreturn));
struct Vm86Frame;
void	trap_vm86(struct Vm86Frame *f) __attribute__((noreturn));
void	print_trapframe(struct Trapframe *tf);
#endif

#endif
