/*
 * An env id that comes back after its slot's generation count wraps
 * around must bring no authority with it.  The root forks a middle env,
 * which forks a grandchild and exits.  The root then forks again and
 * again, each child taking the middle env's slot under the next id,
 * until one child gets the middle env's very id.  That child must not
 * be able to act on the grandchild, whose parent id it now carries.
 *
 * A slot's ids repeat after 2^19 reuses; the grader boots with
 * opt/jos/idcycle (kern/env.c) so that they repeat after a few.
 */
#include <inc/lib.h>

#define PERM		(PTE_P | PTE_U | PTE_W)
#define VA		((void *) 0x10000000)
#define MAXFORKS	64
#define SHARED		((volatile envid_t *) 0x00300000)

static int nfail;

static void
check(const char *what, int got)
{
	if (got == -E_BAD_ENV)
		return;
	cprintf("idwrap: FAIL: [%08x] %s the grandchild: got %d\n",
		thisenv->env_id, what, got);
	nfail++;
}

// The child holding the dead middle env's id: try what only the
// grandchild's real parent may do.
static void
impostor(envid_t grandchild)
{
	check("page_alloc in", sys_page_alloc(grandchild, VA, PERM));
	check("page_map from", sys_page_map(grandchild, (void *) UTEXT, 0, VA,
					    PTE_P | PTE_U));
	check("page_map into", sys_page_map(0, (void *) UTEXT, grandchild, VA,
					    PTE_P | PTE_U));
	check("page_unmap in", sys_page_unmap(grandchild, (void *) UTEXT));
	check("page_copy into", sys_page_copy(grandchild, (void *) UTEXT, VA,
					      PERM));
	check("set_status of", sys_env_set_status(grandchild,
						  ENV_NOT_RUNNABLE));
	check("set_pgfault_upcall of",
	      sys_env_set_pgfault_upcall(grandchild, NULL));
	check("destroy of", sys_env_destroy(grandchild));
	ipc_send(thisenv->env_parent_id, nfail, NULL, 0);
}

static envid_t
fork_or_die(void)
{
	envid_t id = fork();

	if (id < 0)
		panic("idwrap: fork: %e", id);
	return id;
}

// The middle env: fork the grandchild, which waits for the root's word
// to exit, and exit at once.
static void
middle(void)
{
	if (fork_or_die() == 0)
		ipc_recv(NULL, NULL, NULL);
	exit();
}

void
umain(int argc, char **argv)
{
	envid_t mid, grandchild = 0, kid;
	int i, n;

	if (sys_page_alloc(0, (void *) SHARED, PERM | PTE_SHARE) < 0)
		panic("idwrap: no shared page");
	if ((mid = fork_or_die()) == 0)
		middle();
	wait_env_gone(mid);
	for (i = 0; i < NENV; i++)
		if (envs[i].env_status != ENV_FREE
		    && envs[i].env_parent_id == mid)
			grandchild = envs[i].env_id;
	if (!grandchild)
		panic("idwrap: no grandchild of %08x", mid);
	SHARED[0] = grandchild;

	for (n = 1; n <= MAXFORKS; n++) {
		if ((kid = fork_or_die()) == 0) {
			if (thisenv->env_id == mid)
				impostor(SHARED[0]);
			exit();
		}
		if (ENVX(kid) != ENVX(mid))
			panic("idwrap: fork used slot %d, not %d", ENVX(kid),
			      ENVX(mid));
		if (kid == mid)
			break;
		wait_env_gone(kid);
	}
	if (n > MAXFORKS) {
		cprintf("idwrap: FAIL: no id came back in %d forks\n", MAXFORKS);
		return;
	}
	nfail = ipc_recv(NULL, NULL, NULL);
	cprintf("idwrap: [%08x] came back after %d forks; it %s the "
		"grandchild [%08x]\n", kid, n, nfail ? "could touch" :
		"could not touch", grandchild);
	ipc_send(grandchild, 0, NULL, 0);
}
