/*
 * Fork until the environment table is full, then let every child go and
 * wait until all are gone.  Each child just waits for one ipc message.
 * A kernel that leaks an env slot or a page on the way shows up as fewer
 * forks, a different error, or children that never leave.
 */
#include <inc/lib.h>

// Whether the slot holds a live child of parent.
static bool
is_child(const volatile struct Env *e, envid_t parent)
{
	return e->env_status != ENV_FREE && e->env_parent_id == parent;
}

void
umain(int argc, char **argv)
{
	envid_t me = sys_getenvid(), r;
	int n, i, left;

	for (n = 0; (r = fork()) > 0; n++)
		;
	if (r == 0) {
		ipc_recv(0, 0, 0);
		return;
	}
	cprintf("forkstress: table full after %d forks\n", n);
	cprintf("forkstress: fork returned %e\n", r);

	for (i = 0; i < NENV; i++)
		if (is_child(&envs[i], me))
			ipc_send(envs[i].env_id, 0, 0, 0);
	do {
		sys_yield();
		for (left = 0, i = 0; i < NENV; i++)
			left += is_child(&envs[i], me);
	} while (left > 0);
	cprintf("forkstress: all children gone\n");
}
