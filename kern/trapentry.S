/*
 * Trap entry.  Each vector's stub pushes a zero error code if the
 * processor pushed none (so every frame has the same shape), then the
 * vector number, and joins alltraps, which completes a struct Trapframe
 * on the kernel stack and calls trap().
 *
 * The stubs' addresses are collected in trap_entries[], indexed by
 * vector, for trap_init to install in the IDT.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>
#include <inc/trap.h>
#include <kern/cpu.h>
#include <kern/trap.h>

.macro vector num, has_errcode=0
	.text
	.globl vector\num
	.type vector\num, @function
	.p2align 2
vector\num:
	.ifeq \has_errcode
	pushl	$0
	.endif
	pushl	$\num
	jmp	alltraps
	.data
	.long	vector\num
.endm

	.data
	.p2align 2
	.globl trap_entries
trap_entries:
	vector	0
	vector	1
	vector	2
	vector	3
	vector	4
	vector	5
	vector	6
	vector	7
	vector	8, 1
	vector	9
	vector	10, 1
	vector	11, 1
	vector	12, 1
	vector	13, 1
	vector	14, 1
	vector	15
	vector	16
	vector	17, 1
	vector	18
	vector	19
	.fill	IRQ_OFFSET - 20, 4, 0	# vectors 20-31: reserved, no gate
	vector	32			# IRQ 0, the timer
	vector	33			# IRQ 1, the keyboard
	vector	34
	vector	35
	vector	36			# IRQ 4, the serial port
	vector	37
	vector	38
	vector	39			# IRQ 7, spurious
	vector	40
	vector	41
	vector	42
	vector	43
	vector	44
	vector	45
	vector	46			# IRQ 14, IDE
	vector	47
	vector	48			# T_SYSCALL
	vector	49			# IRQ_WAKEUP (kern/trap.h)
	vector	50			# IRQ_TLBFLUSH (kern/trap.h)
	vector	51			# IRQ 19, local APIC error
	.globl trap_entries_end
trap_entries_end:

# Finish a frame from tf_trapno down: the segment registers, then all
# general registers; then load the kernel's data segments.
.macro finish_frame
	pushl	%ds
	pushl	%es
	pushal
	movw	$GD_KD, %ax
	movw	%ax, %ds
	movw	%ax, %es
.endm

# ebx = curenv->env_tf, just filled in: move to the kernel stack of the
# CPU the env runs on, KSTACKTOP - cpu * (KSTKSIZE + KSTKGAP).
.macro to_kernel_stack
	movl	ENV_CPUNUM(%ebx), %eax
	shll	$KSTKSHIFT, %eax
	negl	%eax
	leal	KSTACKTOP(%eax), %esp
.endm

	.text
alltraps:
	# A trap from virtual-8086 mode (QEMU lets user code iret into it)
	# pushed four words more than a trap from protected mode: es, ds, fs
	# and gs, above ss.  Its frame so far reaches 16 bytes further down
	# env_tf, and pushing the rest would write past env_tf's start into
	# the env before it.  EFLAGS lies 16 bytes above the vector number
	# in every kind of frame, and has VM set only in this one.
	testl	$FL_VM, 16(%esp)
	jnz	from_vm86

	# CS and SS came from the gate and the TSS.  String instructions
	# count upward, whatever the trapped code set.
	finish_frame
	cld

	# esp = ebx = tf.  From kernel mode the frame is on this CPU's
	# kernel stack already: trap_kernel(tf), unless the trap came at
	# sysenter_entry (see sysenter_stepped).
	movl	%esp, %ebx
	testb	$3, TF_CS(%esp)
	jz	from_kernel

	# From user mode the frame is curenv->env_tf itself: the TSS's esp0
	# points just past it (env_run), so nothing is copied.
	to_kernel_stack
	pushl	%ebx
	call	trap			# trap(tf): leaves through env_pop_tf

from_kernel:
	cmpl	$sysenter_entry, TF_EIP(%esp)
	je	.Lmaybe_stepped
.Lnot_stepped:
	pushl	%ebx
	call	trap_kernel
	# trap_kernel returns only for an interrupt taken while waiting for
	# a lock in the kernel: resume there.  env_pop_tf also ends here.
	addl	$4, %esp

	# esp = a struct Trapframe.  Restore it and return to its eip.
	# %fs and %gs are the env's own: the kernel never changes them.
	.globl trapret
trapret:
	popal
	popl	%es
	popl	%ds
	addl	$8, %esp		# tf_trapno and tf_err
	iret				# eip, cs, eflags (and esp, ss to user)

	# From virtual-8086 mode: push nothing more here.  The processor
	# left ds, es, fs and gs null.  The frame's layout is not the one
	# alltraps reads the CPU from, so take this CPU's kernel stack from
	# its task register (GD_TSS0 + 8 * cpu, as cpunum() does), and hand
	# the processor's frame to trap_vm86, which destroys the env.
from_vm86:
	movl	%esp, %ebx
	movw	$GD_KD, %ax
	movw	%ax, %ds
	movw	%ax, %es
	cld
	str	%ax
	movzwl	%ax, %eax
	subl	$GD_TSS0, %eax
	shll	$(KSTKSHIFT - 3), %eax
	negl	%eax
	leal	KSTACKTOP(%eax), %esp
	pushl	%ebx
	call	trap_vm86		# does not return

/*
 * System calls by sysenter (the library's choice where the processor
 * has it: lib/syscall.c).  The caller passes the call number in eax and
 * its first four arguments in edx, ecx, ebx and edi, as for int $0x30;
 * esi holds the address to return to, and ebp the stack pointer to
 * return with, the fifth argument (if the call takes one) the word on
 * top of that stack.  The processor takes cs and eip from its SYSENTER
 * MSRs, and esp from SYSENTER_ESP, which env_run points just past
 * curenv->env_tf, as it does the TSS's esp0 (trap_set_frame_top).  So
 * the frame pushed here, with interrupts off (sysenter clears IF), is
 * the one int $0x30 leaves, save tf_err (TF_ERR_SYSENTER): any later
 * path (a switch, exofork's copy, the monitor, gdb) finds an ordinary
 * trap frame.  sysenter comes only from protected mode: no vm86 code
 * ever runs (see trap_vm86).
 */
.macro sysenter_frame_top flags
	pushl	$(GD_UD | 3)		# tf_ss
	pushl	%ebp			# tf_esp
	pushfl				# tf_eflags, less what sysenter cleared
	orl	$(\flags), (%esp)
.endm

	# Where a #DB at sysenter_entry resumes (sysenter_stepped): the
	# env's TF goes back into its frame.
sysenter_entry_stepped:
	sysenter_frame_top FL_IF | FL_TF
	jmp	sysenter_frame_rest

	.globl sysenter_entry
	.type sysenter_entry, @function
	.p2align 4
sysenter_entry:
	sysenter_frame_top FL_IF
sysenter_frame_rest:
	pushl	$(GD_UT | 3)		# tf_cs
	pushl	%esi			# tf_eip
	pushl	$TF_ERR_SYSENTER	# tf_err
	pushl	$T_SYSCALL		# tf_trapno
	finish_frame
	movl	%esp, %ebx
	to_kernel_stack
	# Flags as the int $0x30 path has them: DF clear for the string
	# instructions (alltraps's cld), NT clear (the gate clears it; with
	# it an iret is a task return), and AC clear.
	pushl	$0
	popfl
	pushl	%ebx
	cmpl	$SYSENTER_UNLOCKED, TF_EAX(%ebx)
	jne	1f
	call	sysenter_unlocked	# returns if it may not serve the call,
	movl	%ebx, (%esp)		# free to have reused its argument's slot
1:	call	sysenter_trap		# sysenter_trap(tf): does not return

	# sysenter keeps EFLAGS.TF: an env stepping with it traps before
	# sysenter_entry's first instruction, in kernel mode, with the #DB
	# frame in its env_tf (esp was SYSENTER_ESP).  alltraps sends that
	# trap here: resume at sysenter_entry_stepped, with TF clear, to
	# build the env's frame over this one.
	# Only a #DB is the env's step: an NMI or machine check taken there
	# (interrupts are off) is the kernel's, as anywhere else.
.Lmaybe_stepped:
	cmpl	$T_DEBUG, TF_TRAPNO(%esp)
	jne	.Lnot_stepped
sysenter_stepped:
	movl	$sysenter_entry_stepped, TF_EIP(%esp)
	andl	$~FL_TF, TF_EFLAGS(%esp)
	jmp	trapret

/*
 * sysexit_to(tf): back to curenv, whose frame tf, entered by sysenter,
 * it resumes by sysexit: eip from edx, esp from ecx (which the library
 * takes as clobbered), cs and ss from SYSENTER_CS.  The flags are
 * restored by popfl, with interrupts on only once sysexit is done (sti
 * waits one instruction); the caller makes sure TF is clear.
 */
	.globl sysexit_to
sysexit_to:
	movl	4(%esp), %eax
	pushl	TF_EFLAGS(%eax)
	andl	$~FL_IF, (%esp)
	popfl
	movl	%eax, %esp
	popal
	popl	%es
	popl	%ds			# esp = &tf->tf_trapno
	movl	TF_EIP - TF_TRAPNO(%esp), %edx
	movl	TF_ESP - TF_TRAPNO(%esp), %ecx
	sti
	sysexit
