/* Exceptions an env handles itself (kern/uexcept.c). */
#ifndef JOS_KERN_UEXCEPT_H
#define JOS_KERN_UEXCEPT_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

struct Env;

void	uexcept_env_init(struct Env *e);
void	uexcept_env_copy(struct Env *dst, struct Env *src);
void	*uexcept_upcall(struct Env *e, int trapno);
int	sys_env_set_exception_upcall(envid_t envid, void *upcall,
				     uint32_t traps);

#endif
