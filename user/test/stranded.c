/*
 * Children that can never run again go with their parent, wherever they
 * are.  The root forks a middle env, which forks NKIDS children that
 * keep yielding, stops each one (on several CPUs, some are running on
 * another CPU at that moment, and are only marked dying there) and
 * exits.  Nobody may start or destroy them now: each must be freed,
 * once, by the middle env's exit or by its own CPU soon after, and then
 * the page audit must find every page.
 */
#include <inc/lib.h>

#define NKIDS		6
#define PATIENCE	100000	// yields to wait for a child to go

static envid_t root;

static void
middle_env(void)
{
	envid_t kid;
	int i, r;

	for (i = 0; i < NKIDS; i++) {
		if ((kid = fork()) < 0)
			panic("stranded: fork: %e", kid);
		if (kid == 0)
			for (;;)
				sys_yield();
		if ((r = sys_env_set_status(kid, ENV_NOT_RUNNABLE)) < 0)
			panic("stranded: stopping a child: %e", r);
		ipc_send(root, kid, NULL, 0);
	}
}

// Has id gone, within PATIENCE yields?
static bool
gone_soon(envid_t id)
{
	const volatile struct Env *e = &envs[ENVX(id)];
	int n;

	for (n = 0; n < PATIENCE; n++) {
		if (e->env_id != id || e->env_status == ENV_FREE)
			return true;
		sys_yield();
	}
	return false;
}

void
umain(int argc, char **argv)
{
	envid_t middle, kids[NKIDS];
	int i, left = 0;

	root = sys_getenvid();
	if ((middle = fork()) < 0)
		panic("stranded: fork: %e", middle);
	if (middle == 0) {
		middle_env();
		return;
	}
	for (i = 0; i < NKIDS; i++)
		kids[i] = ipc_recv(NULL, NULL, NULL);
	wait_env_gone(middle);
	for (i = 0; i < NKIDS; i++)
		if (!gone_soon(kids[i])) {
			cprintf("stranded: FAIL: stopped child %08x left "
				"alive\n", kids[i]);
			left++;
		}
	cprintf("stranded: %d stopped children went with their parent, "
		"%d left\n", NKIDS - left, left);
}
