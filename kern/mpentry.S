/*
 * Where the other CPUs (application processors) start.  The boot CPU
 * copies mpentry_start..mpentry_end to physical MPENTRY_PADDR, leaves the
 * top of the new CPU's kernel stack in mpentry_kstack, and sends it a
 * STARTUP IPI: the CPU begins in 16-bit real mode at CS:IP =
 * (MPENTRY_PADDR >> 4):0.
 *
 * The copy runs at MPENTRY_PADDR, not at its link address, so until we
 * jump back into the kernel image every absolute address goes through
 * MPBOOTPHYS, and kernel data is reached at its physical address (RELOC).
 *
 * Paging comes in two steps.  kern_pgdir does not map the low address the
 * copy runs at, so we first turn paging on with kern/entry.S's boot page
 * directory, entry_pgdir, which maps low physical memory both at 0 and at
 * KERNBASE; jump to the rest of this code in the kernel image, at its link
 * address; and only there switch to kern_pgdir.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>

// The address of sym in the copy at MPENTRY_PADDR.
#define MPBOOTPHYS(sym)	((sym) - mpentry_start + MPENTRY_PADDR)
// The physical address of a kernel symbol (loaded at link address
// minus KERNBASE).
#define RELOC(sym)	((sym) - KERNBASE)

.set CODE_SEL, 0x8		# code selector in the GDT below
.set DATA_SEL, 0x10		# data selector

.text
.globl mpentry_start
mpentry_start:
	.code16
	cli			# no interrupts: there is no IDT yet
	cld			# string instructions count upward

	# Real mode at CS = MPENTRY_PADDR >> 4; DS = ES = SS = 0, so the
	# data addresses below are physical.
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss

	# Protected mode with flat segments; the code stays 16-bit until
	# the far jump loads the 32-bit code segment.
	lgdt	MPBOOTPHYS(gdtdesc)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$CODE_SEL, $MPBOOTPHYS(start32)

	.code32
start32:
	# 32-bit protected mode, paging off: every segment flat.
	movw	$DATA_SEL, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs

	# Fetch kern_pgdir's physical address while kernel data is still
	# reachable at physical addresses; keep it in %ebx.
	movl	RELOC(kern_pgdir), %ebx
	subl	$KERNBASE, %ebx

	# Paging on with the boot page directory (its 4 MiB pages need
	# PSE).  Low memory stays mapped at 0, so execution continues here.
	movl	%cr4, %eax
	orl	$CR4_PSE, %eax
	movl	%eax, %cr4
	movl	$RELOC(entry_pgdir), %eax
	movl	%eax, %cr3
	movl	%cr0, %eax
	orl	$(CR0_PE|CR0_PG|CR0_WP), %eax
	movl	%eax, %cr0

	# An absolute jump: leave the copy for the kernel image's own
	# instructions at their link address (a relative jump would land
	# in the copy again).
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

	# Not copied: runs only at its link address.
relocated:
	# The kernel's own page tables.  The GDT loaded above is no longer
	# mapped, so no segment register may be loaded until mp_main loads
	# the kernel's GDT.
	movl	%ebx, %cr3

	# This CPU's kernel stack, from the boot CPU; no caller frame above.
	movl	mpentry_kstack, %esp
	movl	$0, %ebp

	# Code at link addresses now, so a relative call is fine.
	call	mp_main

	# mp_main does not return.
spin:
	hlt
	jmp	spin
