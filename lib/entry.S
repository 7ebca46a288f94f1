/*
 * Every user program starts here, at the link address UTEXT + 0x20.
 * The kernel enters with esp at the top of the program's stack, which
 * holds argc and argv if it was given any.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>

/*
 * Read-only views the kernel maps into every address space, named as
 * absolute symbols so that C code reads them like ordinary arrays.
 * uvpd is the page of uvpt that maps the page tables themselves: the
 * page directory.
 */
	.globl envs
	.set envs, UENVS
	.globl pages
	.set pages, UPAGES
	.globl uvpt
	.set uvpt, UVPT
	.globl uvpd
	.set uvpd, (UVPT + (UVPT >> 12) * 4)

	.text
	.globl _start
_start:
	/* An empty stack (esp still at USTACKTOP) means no arguments:
	   push argc = 0 and argv = NULL so libmain sees none. */
	cmpl	$USTACKTOP, %esp
	jne	1f
	pushl	$0			/* argv */
	pushl	$0			/* argc */
1:
	/* esp -> argc, argv: the frame of libmain(argc, argv). */
	call	libmain

	/* libmain ends with exit() and should not return: stay put. */
2:
	jmp	2b
