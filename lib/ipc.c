/* Inter-process communication on top of sys_ipc_send/sys_ipc_recv. */
#include <inc/lib.h>

// Wait for a message.  If pg is not NULL, a page sent along is mapped
// there.  Stores the sender's id in *from_env_store and the page's
// permissions (0 if no page came) in *perm_store, when those are not
// NULL.  Returns the value sent, or a negative error with both stores
// zeroed.
int32_t
ipc_recv(envid_t *from_env_store, void *pg, int *perm_store)
{
	int r;

	// An address at UTOP or above tells the kernel we want no page.
	r = sys_ipc_recv(pg != NULL ? pg : (void *) UTOP);
	if (r < 0) {
		if (from_env_store)
			*from_env_store = 0;
		if (perm_store)
			*perm_store = 0;
		return r;
	}
	if (from_env_store)
		*from_env_store = thisenv->env_ipc_from;
	if (perm_store)
		*perm_store = thisenv->env_ipc_perm;
	return thisenv->env_ipc_value;
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

	if (pg == NULL)
		pg = (void *) UTOP;
	while ((r = sys_ipc_send(to_env, value, pg, perm)) == -E_IPC_NOT_RECV)
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
