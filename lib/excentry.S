/*
 * _exception_upcall: where the kernel sends the exceptions an env takes
 * itself (sys_env_set_exception_upcall).  The kernel pushes a struct
 * UExcframe on the user exception stack and jumps here with esp
 * pointing at it: the trap number, then a struct UTrapframe laid out as
 * for a page fault (lib/pfentry.S).
 *
 * We call the C handler, which may change the saved registers (skip the
 * faulting instruction, fix a register), drop the trap number, and
 * resume through the page fault upcall's code, which restores every
 * register, the flags and the stack from the UTrapframe.
 */
	.text
	.globl _exception_upcall
_exception_upcall:
	pushl	%esp			/* _exception_handler(uxf) */
	movl	_exception_handler, %eax
	call	*%eax
	addl	$8, %esp		/* the argument and uxf_trapno */
	jmp	_utf_resume
