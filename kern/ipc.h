/* Inter-process communication (kern/ipc.c). */
#ifndef JOS_KERN_IPC_H
#define JOS_KERN_IPC_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

struct Env;

int	sys_ipc_try_send(envid_t envid, uint32_t value, void *srcva,
			 unsigned perm);
int	sys_ipc_send(envid_t envid, uint32_t value, void *srcva,
		     unsigned perm);
int	sys_ipc_recv(void *dstva);
int	sys_ipc_call(envid_t envid, uint32_t value, void *srcva, unsigned perm,
		     void *dstva);

// The page e, queued in sys_ipc_send, sends writable, or UTOP.
uintptr_t ipc_send_page(struct Env *e);
// Is e blocked in sys_ipc_recv or sys_ipc_send?
bool	ipc_blocked(struct Env *e);
// e, about to be made runnable, gives up the receive or send it is
// blocked in, which returns -E_IPC_NOT_RECV.
void	ipc_cancel(struct Env *e);
// e's registers are being replaced (a restore): the receive or send it
// was blocked in is dropped, writing nothing.
void	ipc_forget(struct Env *e);
// e is being freed: it leaves any queue, and its own senders fail.
void	ipc_env_free(struct Env *e);

#endif
