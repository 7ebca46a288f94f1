/*
 * Which exceptions an env takes itself, and where.  An env (or its
 * parent) names an upcall and a mask of trap numbers from UEXC_TRAPS;
 * an exception from user mode in that mask goes to the upcall with a
 * struct UExcframe on the exception stack (kern/trap.c pushes it, as
 * for a page fault), every other one does what it did before: kills the
 * env, or for a breakpoint enters the monitor.  The upcall's address is
 * checked when an exception is delivered, as the page-fault upcall's is.
 *
 * struct Env's layout is the user ABI, so the settings live beside
 * envs[], in the env's slot; they are used with the kernel lock held.
 */
#include <inc/error.h>
#include <inc/trap.h>
#include <kern/env.h>
#include <kern/uexcept.h>

static struct {
	void *upcall;
	uint32_t traps;
} env_uexc[NENV];

// A new env takes no exception itself (as it has no page-fault upcall).
void
uexcept_env_init(struct Env *e)
{
	env_uexc[ENVX(e->env_id)].traps = 0;
}

// dst takes the same exceptions as src, at the same upcall.
void
uexcept_env_copy(struct Env *dst, struct Env *src)
{
	env_uexc[ENVX(dst->env_id)] = env_uexc[ENVX(src->env_id)];
}

// Where e takes exception trapno, or NULL if it does not.
void *
uexcept_upcall(struct Env *e, int trapno)
{
	int i = ENVX(e->env_id);

	if (trapno >= 32 || !(env_uexc[i].traps & (1u << trapno)))
		return NULL;
	return env_uexc[i].upcall;
}

/*
 * Send envid's exceptions in traps (a mask of 1 << T_..., within
 * UEXC_TRAPS) to upcall; traps 0 sends none.  Returns 0, -E_INVAL for a
 * trap outside UEXC_TRAPS, or -E_BAD_ENV.
 */
int
sys_env_set_exception_upcall(envid_t envid, void *upcall, uint32_t traps)
{
	struct Env *e;
	int r;

	if (traps & ~UEXC_TRAPS)
		return -E_INVAL;
	if ((r = envid2env(envid, &e, 1)) < 0)
		return r;
	env_uexc[ENVX(e->env_id)].upcall = upcall;
	env_uexc[ENVX(e->env_id)].traps = traps;
	return 0;
}
