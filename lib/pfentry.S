/*
 * _pgfault_upcall: where the kernel sends a user page fault.
 *
 * The kernel switches to the user exception stack, pushes a struct
 * UTrapframe there and jumps here with esp pointing at it:
 *
 *	48(%esp)  utf_esp	trap-time stack pointer
 *	44(%esp)  utf_eflags
 *	40(%esp)  utf_eip	the faulting instruction
 *	 8(%esp)  utf_regs	pushal image: edi esi ebp oesp ebx edx ecx eax
 *	 4(%esp)  utf_err
 *	 0(%esp)  utf_fault_va
 *
 * We call the C handler, then resume at utf_eip with every register,
 * the flags and the stack exactly as they were at the fault, without
 * entering the kernel.  No register is free for the final jump, so the
 * return address goes onto the trap-time stack and `ret' consumes it.
 * The word it takes is one the program was not using: below a normal
 * stack's esp, or the empty word the kernel leaves below the previous
 * frame when the fault happened on the exception stack itself.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>

	.text
	.globl _pgfault_upcall
_pgfault_upcall:
	/* esp -> UTrapframe.  Call _pgfault_handler(utf). */
	pushl	%esp
	movl	_pgfault_handler, %eax
	call	*%eax
	addl	$4, %esp
	/* esp -> UTrapframe again; the handler may have used any
	   caller-saved register, all of which we restore below.
	   _exception_upcall (lib/excentry.S) resumes here too. */
	.globl	_utf_resume
_utf_resume:

	/* Push utf_eip onto the trap-time stack: store it in the word
	   below utf_esp and make utf_esp point at it. */
	movl	48(%esp), %eax
	subl	$4, %eax
	movl	40(%esp), %ecx
	movl	%ecx, (%eax)
	movl	%eax, 48(%esp)
	/* Trap-time stack: esp - 4 -> return address (utf_eip). */

	/* Skip utf_fault_va and utf_err: esp -> utf_regs. */
	addl	$8, %esp
	/* Restore the general registers (popal skips the oesp slot);
	   from here on no general register may change. */
	popal
	/* esp -> utf_eip, already copied; skip it: esp -> utf_eflags. */
	addl	$4, %esp
	/* Restore eflags; nothing below changes a flag. */
	popfl
	/* esp -> utf_esp: switch to the trap-time stack, now pointing at
	   the saved return address. */
	popl	%esp
	/* Pop utf_eip: eip and esp are both as at the fault. */
	ret
