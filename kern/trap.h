/* Traps, interrupts and the IDT. */
#ifndef JOS_KERN_TRAP_H
#define JOS_KERN_TRAP_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/trap.h>
#include <inc/mmu.h>

// Offsets kern/trapentry.S uses (checked in kern/trap.c).
#define TF_CS		52	// offsetof(struct Trapframe, tf_cs)
#define ENV_CPUNUM	92	// offsetof(struct Env, env_cpunum)

// IRQ_OFFSET + IRQ_WAKEUP: the IPI that wakes a CPU sleeping on the lock
// (spin_unlock) or halted with nothing to run (the scheduler, when an
// env becomes runnable).  IRQ_TLBFLUSH: the IPI that asks a CPU to flush
// its TLB (tlb_shootdown).
#define IRQ_WAKEUP	17
#define IRQ_TLBFLUSH	18

#ifndef __ASSEMBLER__
void	trap_init(void);
void	trap_init_percpu(int cpu);
// Called from kern/trapentry.S with the frame of a trap from user mode
// (trap, which never returns) or from kernel mode (trap_kernel).
void	trap(struct Trapframe *tf) __attribute__((noreturn));
void	trap_kernel(struct Trapframe *tf);
struct Vm86Frame;
void	trap_vm86(struct Vm86Frame *f) __attribute__((noreturn));
void	print_trapframe(struct Trapframe *tf);
#endif

#endif
