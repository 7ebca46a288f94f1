/*
 * Kernel entry.  The boot loader jumps here with paging off, running at
 * the physical address the kernel was loaded at (1 MiB), although the
 * kernel is linked at KERNBASE + 1 MiB.  We turn on paging with a tiny
 * page directory that maps the first 4 MiB both at 0 and at KERNBASE,
 * jump up to the linked addresses, set up a stack and call C.
 *
 * The same entry serves a multiboot loader such as QEMU's -kernel, which
 * the grader uses to skip the disk: it arrives in the same state (flat
 * protected mode, paging off), and nothing here depends on its registers.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>

// The physical address of a kernel symbol, valid before paging.
#define RELOC(x) ((x) - KERNBASE)

.globl _start
_start = RELOC(entry)

// The header a multiboot loader looks for in the image's first 8 KiB:
// magic, no feature requests, and a checksum making the three sum to 0.
#define MULTIBOOT_MAGIC	0x1BADB002

.text
	.p2align 2
	.long	MULTIBOOT_MAGIC, 0, -MULTIBOOT_MAGIC

.globl entry
entry:
	# CR3 = the boot page directory; CR4.PSE allows its 4 MiB pages.
	movl	$(RELOC(entry_pgdir)), %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$(CR4_PSE), %eax
	movl	%eax, %cr4

	# Paging on, and write protection honoured in ring 0 too.
	movl	%cr0, %eax
	orl	$(CR0_PE|CR0_PG|CR0_WP), %eax
	movl	%eax, %cr0

	# Still executing at the low alias; jump to the KERNBASE address.
	mov	$relocated, %eax
	jmp	*%eax
relocated:
	# ebp = 0 ends the backtrace's walk of saved frame pointers.
	movl	$0x0, %ebp
	movl	$(bootstacktop), %esp
	call	i386_init

spin:	jmp	spin

.data
	# The boot page directory: physical [0, ENTRY_MAPPED) at both 0 and
	# KERNBASE, writable, in 4 MiB pages.  It covers the kernel image
	# and what boot_alloc hands out; mem_init replaces it.
#define ENTRY_PDES	(ENTRY_MAPPED >> PDXSHIFT)
.macro entry_pdes
	.set pa, 0
	.rept ENTRY_PDES
	.long	pa | PTE_PS | PTE_W | PTE_P
	.set pa, pa + PTSIZE
	.endr
.endm
	.p2align PGSHIFT
	.globl entry_pgdir
entry_pgdir:
	entry_pdes
	.fill	(KERNBASE >> PDXSHIFT) - ENTRY_PDES, 4, 0
	entry_pdes
	.fill	NPDENTRIES - (KERNBASE >> PDXSHIFT) - ENTRY_PDES, 4, 0

	# The boot CPU's stack until it first runs an environment.
	.p2align PGSHIFT
	.globl bootstack
bootstack:
	.space	KSTKSIZE
	.globl bootstacktop
bootstacktop:
