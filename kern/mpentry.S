/*
 * Where the other CPUs (application processors) start.  The boot CPU
 * copies mpentry_start..mpentry_end to physical MPENTRY_PADDR, leaves the
 * top of the new CPU's kernel stack in mpentry_kstack, and sends it a
 * STARTUP IPI: the CPU begins in 16-bit real mode at CS:IP =
 * (MPENTRY_PADDR >> 4):0.
 *
 * The copy runs at MPENTRY_PADDR, not at its link address, so until we
 * jump into the kernel image every absolute address in it goes through
 * MPBOOTPHYS.
 *
 * One write to CR0 turns on protected mode and paging together (the
 * processor allows it), with kern/entry.S's boot page directory,
 * entry_pgdir, which maps low physical memory both at 0, where the copy
 * runs, and at KERNBASE, where the kernel is linked.  A far jump then
 * loads the 32-bit code segment, an absolute one moves into the kernel
 * image, and only there, with the kernel's data at its link address,
 * does the CPU switch to kern_pgdir, which maps its kernel stack.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>

// The address of sym in the copy at MPENTRY_PADDR.
#define MPBOOTPHYS(sym)	((sym) - mpentry_start + MPENTRY_PADDR)

.set CODE_SEL, 0x8		# code selector in the GDT below
.set DATA_SEL, 0x10		# data selector

.text
.globl mpentry_start
mpentry_start:
	.code16
	cli			# no interrupts: there is no IDT yet
	cld			# string instructions count upward

	# lgdt's operand is DS-relative: DS = 0 makes it physical.
	xorw	%ax, %ax
	movw	%ax, %ds

	# The boot page directory, whose 4 MiB pages need PSE, and the
	# flat GDT; then protected mode and paging in one step.  Execution
	# goes on at the same (identity-mapped) address, still 16-bit.
	movl	%cr4, %eax
	orl	$CR4_PSE, %eax
	movl	%eax, %cr4
	movl	$(entry_pgdir - KERNBASE), %eax
	movl	%eax, %cr3
	lgdt	MPBOOTPHYS(gdtdesc)
	movl	%cr0, %eax
	# AM as on the boot CPU (mem_init): user alignment checks work on
	# every CPU.  fpu_init_cpu sets the FPU's bits later.
	orl	$(CR0_PE | CR0_PG | CR0_WP | CR0_AM), %eax
	movl	%eax, %cr0
	ljmpl	$CODE_SEL, $MPBOOTPHYS(start32)

	.code32
start32:
	# 32-bit code; flat data segments (mp_main loads the kernel's GDT
	# and every segment register again).
	movw	$DATA_SEL, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss

	# Leave the copy for the kernel image's own instructions at their
	# link address: an absolute jump (a relative one would land in the
	# copy again).
	movl	$relocated, %eax
	jmp	*%eax

	.p2align 2
gdt:
	SEG_NULL
	SEG(STA_X|STA_R, 0x0, 0xffffffff)	# code
	SEG(STA_W, 0x0, 0xffffffff)		# data

gdtdesc:
	.word	gdtdesc - gdt - 1		# limit
	.long	MPBOOTPHYS(gdt)			# base

.globl mpentry_end
mpentry_end:

	# Not copied: runs only at its link address, under entry_pgdir.
relocated:
	# The kernel's own page tables, which map this CPU's stack.  The GDT
	# loaded above is not mapped there, so no segment register may be
	# loaded until mp_main loads the kernel's GDT.
	movl	kern_pgdir, %eax
	subl	$KERNBASE, %eax
	movl	%eax, %cr3

	# This CPU's kernel stack, from the boot CPU; no caller frame above.
	movl	mpentry_kstack, %esp
	movl	$0, %ebp

	# Code at link addresses now, so a relative call is fine.
	call	mp_main

	# mp_main does not return.
spin:
	hlt
	jmp	spin
