/* The system call dispatcher. */
#ifndef JOS_KERN_SYSCALL_H
#define JOS_KERN_SYSCALL_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/syscall.h>
#include <inc/mmu.h>
#include <inc/trap.h>

struct Env;

int32_t	syscall(struct Trapframe *tf);

// May the call tf makes run holding the kernel lock shared
// (kern/kernlock.h)?  Only one that reads nothing but the caller.
static inline bool
syscall_shared_ok(struct Trapframe *tf)
{
	return tf->tf_regs.reg_eax == SYS_getenvid;
}

void	syscall_copy_progress(struct Env *dst, struct Env *src);
// Fork's copy-on-write (or shared) mapping of one page (kern/syscall.c).
int	share_page(struct Env *child, pte_t *pte, pte_t *cpte, uintptr_t va,
		   bool cow);
// The source page of a mapping into another env, checked, and its
// insertion there (kern/syscall.c; IPC uses them too).
struct PageInfo;
int	lookup_for_map(struct Env *src, void *srcva, int perm,
		       struct PageInfo **pp);
int	map_source_ok(struct Env *src, void *srcva, int perm);
int	insert_held(struct Env *dst, struct PageInfo *pp, void *va, int perm);

#endif
