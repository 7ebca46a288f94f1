/* Watching other envs end, through envs[]. */
#include <inc/lib.h>

// Is env id gone: freed, or its slot taken by another env since?
bool
env_gone(envid_t id)
{
	const volatile struct Env *e = &envs[ENVX(id)];

	return e->env_id != id || e->env_status == ENV_FREE;
}

// Yield until env id is gone.
void
wait_env_gone(envid_t id)
{
	while (!env_gone(id))
		sys_yield();
}
