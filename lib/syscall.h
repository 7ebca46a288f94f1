/*
 * The way into the kernel, inline, for lib/syscall.c's stubs and for the
 * library's hot paths that would otherwise pay a call to a stub
 * (ipc_call).  The registers each way uses: lib/syscall.c.
 */
#ifndef JOS_LIB_SYSCALL_H
#define JOS_LIB_SYSCALL_H

#include <inc/lib.h>

static inline int32_t
syscall_int(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3,
	    uint32_t a4, uint32_t a5)
{
	int32_t ret;

	// "memory": the kernel reads and writes our memory (cputs, ipc).
	asm volatile("int %1"
		     : "=a" (ret)
		     : "i" (T_SYSCALL), "a" (num), "d" (a1), "c" (a2),
		       "b" (a3), "D" (a4), "S" (a5)
		     : "cc", "memory");
	return ret;
}

// The way in by sysenter: the kernel returns to the label 1, with the
// stack as it was at sysenter (kern/trapentry.S).  ebp may be the frame
// pointer, which gcc will not give up: saved here.  esi comes back as
// the return address, then as it was.
#define SYSENTER_CALL \
	"pushl %%ebp\n\t" \
	"pushl %%esi\n\t" \
	"movl %%esp, %%ebp\n\t" \
	"movl $1f, %%esi\n\t" \
	"sysenter\n" \
	"1:\tpopl %%esi\n\t" \
	"popl %%ebp"

static inline int32_t
syscall_sysenter(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3,
		 uint32_t a4, uint32_t a5)
{
	int32_t ret;

	asm volatile(SYSENTER_CALL
		     : "=a" (ret), "+d" (a1), "+c" (a2)
		     : "a" (num), "b" (a3), "D" (a4), "S" (a5)
		     : "cc", "memory");
	return ret;
}

// Written out in each stub: a call costs no more than its way in.
static inline __attribute__((always_inline)) int32_t
syscall(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
	uint32_t a5)
{
	if (syscall_entry == SYSCALL_SYSENTER)
		return syscall_sysenter(num, a1, a2, a3, a4, a5);
	return syscall_int(num, a1, a2, a3, a4, a5);
}

/*
 * A call with one argument, a1, inline, for the hot paths: the kernel
 * reads no other argument of such a call, so the registers the others
 * go in are left as they are, with no zeros to load into them and no
 * callee-saved registers to keep for it (ipc_recv; with a1 0, the calls
 * that take none: sys_getenvid, sys_yield, sys_cgetc).
 */
static inline __attribute__((always_inline)) int32_t
syscall_1(uint32_t num, uint32_t a1)
{
	int32_t ret;

	if (syscall_entry == SYSCALL_SYSENTER)
		// As syscall_sysenter; the kernel changes ecx too.
		asm volatile(SYSENTER_CALL
			     : "=a" (ret), "+d" (a1)
			     : "a" (num)
			     : "ecx", "cc", "memory");
	else
		asm volatile("int %1"
			     : "=a" (ret)
			     : "i" (T_SYSCALL), "a" (num), "d" (a1)
			     : "cc", "memory");
	return ret;
}

// sys_ipc_call, inline.  The receive address, page-aligned (or UTOP,
// itself aligned), and the send's permissions share the fourth
// argument: a fifth would cost a read of the user stack after sysenter.
static inline __attribute__((always_inline)) int
syscall_ipc_call(envid_t envid, uint32_t value, void *srcva, int perm,
		 void *dstva)
{
	if (PGOFF(dstva) || PGOFF(perm) != perm)
		return -E_INVAL;
	return syscall(SYS_ipc_call, envid, value, (uint32_t) srcva,
		       (uint32_t) dstva | perm, 0);
}

#endif
