/* Watching envs come and go, through envs[]. */
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

// How many envs exist now, in any state but free.
int
count_envs(void)
{
	int i, n = 0;

	for (i = 0; i < NENV; i++)
		n += envs[i].env_status != ENV_FREE;
	return n;
}
