/*
 * The BIOS loads this sector at 0x7C00 and jumps to it in 16-bit real
 * mode with CS:IP = 0:7C00.  We switch the CPU to 32-bit protected mode
 * with flat segments and call bootmain() in C to load the kernel.
 */
#include <inc/mmu.h>

.set CODE_SEL, 0x8		# code selector in the GDT below
.set DATA_SEL, 0x10		# data selector

.globl start
start:
	.code16
	cli			# no interrupts: there is no IDT yet
	cld			# string instructions count upward

	# DS, ES, SS = 0: the BIOS may leave anything in them.
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss

	# Open the A20 gate through the keyboard controller, so addresses
	# above 1 MiB do not wrap to 0.
wait_kbd1:
	inb	$0x64, %al
	testb	$0x2, %al	# input buffer still full?
	jnz	wait_kbd1
	movb	$0xd1, %al	# command: write output port
	outb	%al, $0x64
wait_kbd2:
	inb	$0x64, %al
	testb	$0x2, %al
	jnz	wait_kbd2
	movb	$0xdf, %al	# output port value with A20 on
	outb	%al, $0x60

	# Load the GDT and set CR0.PE: protected mode, still 16-bit code
	# until the far jump reloads CS with a 32-bit code segment.
	lgdt	gdtdesc
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmp	$CODE_SEL, $start32

	.code32
start32:
	# Every data segment register: the flat 4 GiB data segment.
	movw	$DATA_SEL, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss

	# Stack grows down from just below this code.
	movl	$start, %esp
	call	bootmain

	# bootmain returns only if the disk held no kernel.
spin:
	hlt
	jmp	spin

	.p2align 2
gdt:
	SEG_NULL
	SEG(STA_X|STA_R, 0x0, 0xffffffff)	# code
	SEG(STA_W, 0x0, 0xffffffff)		# data

gdtdesc:
	.word	gdtdesc - gdt - 1	# limit
	.long	gdt			# base
