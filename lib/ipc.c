/*
 * Inter-process communication on top of sys_ipc_send, sys_ipc_recv and
 * sys_ipc_call.
 */
#include <inc/lib.h>
#include <lib/syscall.h>

// An address at UTOP or above tells the kernel no page goes (or is
// wanted).
static void *
page_or_none(void *pg)
{
	return pg != NULL ? pg : (void *) UTOP;
}

// What ipc_recv and ipc_call return for r, the receive's result: the
// value received, with the stores filled; or r, an error, with both
// zeroed.  Inline: on every ipc_call.
static inline __attribute__((always_inline)) int32_t
received(int r, envid_t *from_env_store, int *perm_store)
{
	// Looked up once: the stores below might alias thisenv.
	const volatile struct Env *e = thisenv;

	if (r < 0) {
		if (from_env_store)
			*from_env_store = 0;
		if (perm_store)
			*perm_store = 0;
		return r;
	}
	if (from_env_store)
		*from_env_store = e->env_ipc_from;
	if (perm_store)
		*perm_store = e->env_ipc_perm;
	return e->env_ipc_value;
}

// Wait for a message.  If pg is not NULL, a page sent along is mapped
// there.  Stores the sender's id in *from_env_store and the page's
// permissions (0 if no page came) in *perm_store, when those are not
// NULL.  Returns the value sent, or a negative error with both stores
// zeroed.
int32_t
ipc_recv(envid_t *from_env_store, void *pg, int *perm_store)
{
	// The stub's code inline (lib/syscall.h): a call less each way.
	return received(syscall_1(SYS_ipc_recv, (uint32_t) page_or_none(pg)),
			from_env_store, perm_store);
}

/*
 * ipc_send(to_env, value, pg, perm), then ipc_recv(from_env_store,
 * rcv_pg, perm_store), in one system call when to_env is waiting for
 * us: a client's request and its answer, or a server's answer and the
 * next request.  The kernel then runs to_env at once on this CPU.
 * Returns what ipc_recv would; an error in sending (a bad to_env, say)
 * is returned, not panicked on, nothing having been sent; so is
 * -E_IPC_NOT_RECV when the call was cancelled (sys_env_set_status), and
 * then it is not known whether the message went.
 */
int32_t
ipc_call(envid_t to_env, uint32_t value, void *pg, int perm,
	 envid_t *from_env_store, void *rcv_pg, int *perm_store)
{
	int r = syscall_ipc_call(to_env, value, page_or_none(pg), perm,
				 page_or_none(rcv_pg));

	// We had to wait to send, and our own senders may be queued.
	if (r == IPC_CALL_SENT)
		r = sys_ipc_recv(page_or_none(rcv_pg));
	return received(r, from_env_store, perm_store);
}

// Send value (and the page at pg with perm, if pg is not NULL) to
// to_env, waiting until it is receiving.  Panics on any other error.
// The kernel does the waiting: we sleep in its queue of senders for
// to_env.  -E_IPC_NOT_RECV says the wait was cancelled (we were woken
// by sys_env_set_status, or are a snapshot of a waiting sender), not
// that the message went: send it again.
void
ipc_send(envid_t to_env, uint32_t value, void *pg, int perm)
{
	int r;

	// sys_ipc_send, inline as in ipc_recv.
	while ((r = syscall(SYS_ipc_send, to_env, value,
			    (uint32_t) page_or_none(pg), perm, 0))
	       == -E_IPC_NOT_RECV)
		;
	if (r < 0)
		panic("ipc_send: %e", r);
}

// The id of the first live environment of the given type, or 0.
envid_t
ipc_find_env(enum EnvType type)
{
	int i;

	for (i = 0; i < NENV; i++)
		if (envs[i].env_status != ENV_FREE && envs[i].env_type == type)
			return envs[i].env_id;
	return 0;
}
