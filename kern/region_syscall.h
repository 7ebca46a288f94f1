/* The region system calls (kern/region_syscall.c). */
#ifndef JOS_KERN_REGION_SYSCALL_H
#define JOS_KERN_REGION_SYSCALL_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <inc/env.h>

int32_t	sys_region_map(envid_t envid, uintptr_t want, size_t len, int perm,
		       int flags);
int	sys_region_unmap(envid_t envid, uintptr_t va, size_t len);
int	sys_region_protect(envid_t envid, uintptr_t va, size_t len, int perm);
int	sys_region_query(envid_t envid, uintptr_t va, uintptr_t info);

#endif
