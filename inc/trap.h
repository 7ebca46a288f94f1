/* Trap numbers and the frames the kernel saves and hands to user handlers. */
#ifndef JOS_INC_TRAP_H
#define JOS_INC_TRAP_H

// Processor exceptions.
#define T_DIVIDE     0		// divide error
#define T_DEBUG      1		// debug exception
#define T_NMI        2		// non-maskable interrupt
#define T_BRKPT      3		// breakpoint (int3)
#define T_OFLOW      4		// overflow
#define T_BOUND      5		// bound range exceeded
#define T_ILLOP      6		// invalid opcode
#define T_DEVICE     7		// device not available
#define T_DBLFLT     8		// double fault
/* #define T_COPROC  9 */	// reserved on modern processors
#define T_TSS       10		// invalid task-state segment
#define T_SEGNP     11		// segment not present
#define T_STACK     12		// stack fault
#define T_GPFLT     13		// general protection
#define T_PGFLT     14		// page fault
/* #define T_RES    15 */	// reserved
#define T_FPERR     16		// x87 floating-point error
#define T_ALIGN     17		// alignment check
#define T_MCHK      18		// machine check
#define T_SIMDERR   19		// SIMD floating-point error

// Software-raised vectors.
#define T_SYSCALL   48		// system call
#define T_DEFAULT   500		// catch-all

#define IRQ_OFFSET	32	// IRQ n arrives as vector IRQ_OFFSET + n

#define IRQ_TIMER        0
#define IRQ_KBD          1
#define IRQ_SERIAL       4
#define IRQ_SPURIOUS     7
#define IRQ_IDE         14
#define IRQ_ERROR       19

#ifndef __ASSEMBLER__

#include <inc/types.h>

// General registers in the order pushal stores them.
struct PushRegs {
	uint32_t reg_edi;
	uint32_t reg_esi;
	uint32_t reg_ebp;
	uint32_t reg_oesp;		// esp at pushal time: not restored
	uint32_t reg_ebx;
	uint32_t reg_edx;
	uint32_t reg_ecx;
	uint32_t reg_eax;
} __attribute__((packed));

// Everything the trap entry saves, lowest address first.
struct Trapframe {
	struct PushRegs tf_regs;
	uint16_t tf_es;
	uint16_t tf_padding1;
	uint16_t tf_ds;
	uint16_t tf_padding2;
	uint32_t tf_trapno;
	// From here on the processor pushes.
	uint32_t tf_err;
	uintptr_t tf_eip;
	uint16_t tf_cs;
	uint16_t tf_padding3;
	uint32_t tf_eflags;
	// Only for a trap from user mode.
	uintptr_t tf_esp;
	uint16_t tf_ss;
	uint16_t tf_padding4;
} __attribute__((packed));

// What the kernel pushes on the user exception stack for a page fault.
struct UTrapframe {
	uint32_t utf_fault_va;
	uint32_t utf_err;
	struct PushRegs utf_regs;
	uintptr_t utf_eip;
	uint32_t utf_eflags;
	uintptr_t utf_esp;
} __attribute__((packed));

// What the kernel pushes for an exception an env takes itself
// (sys_env_set_exception_upcall): the trap number, then the same frame
// as a page fault's, with utf_fault_va 0 and utf_err the processor's
// error code (0 for an exception that has none).
struct UExcframe {
	uint32_t uxf_trapno;
	struct UTrapframe uxf_utf;
} __attribute__((packed));

// The exceptions an env may take itself, as a mask of 1 << trap number.
// Page faults have their own upcall; device-not-available is the FPU's
// (kern/fpu.c).  Breakpoint and debug go to the monitor unless asked for.
#define UEXC_TRAPS	((1 << T_DIVIDE) | (1 << T_DEBUG) | (1 << T_BRKPT) \
			 | (1 << T_OFLOW) | (1 << T_BOUND) | (1 << T_ILLOP) \
			 | (1 << T_STACK) | (1 << T_GPFLT) | (1 << T_FPERR) \
			 | (1 << T_ALIGN) | (1 << T_SIMDERR))

#endif /* !__ASSEMBLER__ */

#endif
