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

	# Finish the frame: segment registers, then all general registers.
	pushl	%ds
	pushl	%es
	pushal

	# Kernel data segments; CS and SS came from the gate and the TSS.
	# String instructions count upward, whatever the trapped code set.
	movw	$GD_KD, %ax
	movw	%ax, %ds
	movw	%ax, %es
	cld

	# esp = ebx = tf.  From kernel mode the frame is on this CPU's
	# kernel stack already: trap_kernel(tf).
	movl	%esp, %ebx
	testb	$3, TF_CS(%esp)
	jz	from_kernel

	# From user mode the frame is curenv->env_tf itself: the TSS's esp0
	# points just past it (env_run), so nothing is copied.  Move to this
	# CPU's kernel stack, KSTACKTOP - cpu * (KSTKSIZE + KSTKGAP), where
	# the env's env_cpunum says which CPU this is.
	movl	ENV_CPUNUM(%ebx), %eax
	shll	$KSTKSHIFT, %eax
	negl	%eax
	leal	KSTACKTOP(%eax), %esp
	pushl	%ebx
	call	trap			# trap(tf): leaves through env_pop_tf

from_kernel:
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
