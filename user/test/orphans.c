/*
 * Children that outlive their parents.  The root forks a middle env,
 * which forks NGRAND grandchildren and exits.  The root then forks a
 * new child, which takes the middle env's slot under a new id.  Nobody
 * but an env's parent may act on it, whatever ids and slots say:
 *   - the new child may not act on the grandchildren (their parent id
 *     is the old id of its slot);
 *   - the root may not act on its grandchildren;
 *   - the grandchildren may not act on the root, on the new child, or on
 *     their dead parent, whose id now names nobody.
 * The grandchildren report to the root, which exits; they outlive it
 * too, check its id is dead as well, and go.
 *
 * The exceptions are the middle env's children that can never run again
 * once it is gone, as nobody else may start or destroy them: one it was
 * still building (made by its exofork, given a page, never set running)
 * and one that stopped itself.  They go with the middle env rather than
 * wait for good, their pages out of the page audit's count.  So does a
 * grandchild that stops itself after its parent died.  (user/test/
 * stranded.c has children stopped by their parent while they run.)
 */
#include <inc/lib.h>

#define NGRAND		3
#define PERM		(PTE_P | PTE_U | PTE_W)
#define VA		((void *) 0x10000000)

#define NSTRANDED	2	// the middle env's children that go with it

static envid_t root, middle;
static int nfail;

static void
check(const char *what, envid_t id, int got, int want)
{
	if (got == want)
		return;
	cprintf("orphans: FAIL: [%08x] %s %08x: got %d, want %d\n",
		sys_getenvid(), what, id, got, want);
	nfail++;
}

// Everything only a parent may do to id must fail.
static void
check_hands_off(envid_t id)
{
	check("page_alloc in", id, sys_page_alloc(id, VA, PERM), -E_BAD_ENV);
	check("page_unmap in", id, sys_page_unmap(id, VA), -E_BAD_ENV);
	check("set_status of", id,
	      sys_env_set_status(id, ENV_NOT_RUNNABLE), -E_BAD_ENV);
	check("set_pgfault_upcall of", id,
	      sys_env_set_pgfault_upcall(id, NULL), -E_BAD_ENV);
	check("env_destroy of", id, sys_env_destroy(id), -E_BAD_ENV);
}

// The grandchildren, children of middle.
static int
find_grandchildren(envid_t *ids)
{
	int i, n = 0;

	for (i = 0; i < NENV; i++)
		if (envs[i].env_status != ENV_FREE
		    && envs[i].env_parent_id == middle)
			ids[n++] = envs[i].env_id;
	return n;
}

// Grandchild i: once the root says go (sending the new child's id),
// check what we may not touch, report, and outlive the root.  The last
// then stops itself, which nobody could undo.
static void
grandchild(int i)
{
	envid_t newchild = ipc_recv(NULL, NULL, NULL);

	check_hands_off(root);
	check_hands_off(newchild);
	check_hands_off(middle);
	check("ipc to", middle,
	      sys_ipc_try_send(middle, 0, (void *) UTOP, 0), -E_BAD_ENV);
	ipc_send(root, nfail, NULL, 0);
	wait_env_gone(root);
	check("ipc to", root, sys_ipc_try_send(root, 0, (void *) UTOP, 0),
	      -E_BAD_ENV);
	if (nfail == 0)
		cprintf("orphans: [%08x] outlived its parent and "
			"grandparent\n", sys_getenvid());
	if (i == NGRAND - 1) {
		sys_env_set_status(0, ENV_NOT_RUNNABLE);
		cprintf("orphans: FAIL: an orphan stopped itself and ran on\n");
	}
}

// kid, just made by exofork or fork, or a panic.
static envid_t
made(envid_t kid)
{
	if (kid < 0)
		panic("orphans: making a child: %e", kid);
	return kid;
}

// The middle env's last acts, each telling the root of a child that will
// never run once the middle env is gone: begin a child, never to start
// it (it never runs, so exofork returns 0 nowhere); start one that stops
// itself, and wait until it has (it is then on no CPU: its stop and its
// CPU's next choice are one exclusive step, which ours waits for).
static void
leave_stranded(void)
{
	envid_t kid;
	int r;

	kid = made(sys_exofork());
	if ((r = sys_page_alloc(kid, VA, PERM)) < 0)
		panic("orphans: page_alloc in the unstarted child: %e", r);
	ipc_send(root, kid, NULL, 0);

	if ((kid = made(fork())) == 0) {
		sys_env_set_status(0, ENV_NOT_RUNNABLE);
		cprintf("orphans: FAIL: a stopped child ran on\n");
		exit();
	}
	while (envs[ENVX(kid)].env_status != ENV_NOT_RUNNABLE)
		sys_yield();
	ipc_send(root, kid, NULL, 0);
}

static void
middle_env(void)
{
	int i;

	middle = sys_getenvid();	// fork returned 0 here
	for (i = 0; i < NGRAND; i++)
		if (fork() == 0) {
			grandchild(i);
			return;
		}
	leave_stranded();
}

// Is id a live env, not destroyed?
static bool
alive(envid_t id)
{
	const volatile struct Env *e = &envs[ENVX(id)];

	return e->env_id == id && e->env_status != ENV_FREE
		&& e->env_status != ENV_DYING;
}

// The root's new child, in the middle env's old slot.
static void
new_child(void)
{
	envid_t g[NGRAND];
	int i, n = find_grandchildren(g);

	check("grandchildren found", 0, n, NGRAND);
	for (i = 0; i < n; i++)
		check_hands_off(g[i]);
	ipc_send(root, nfail, NULL, 0);
}

void
umain(int argc, char **argv)
{
	envid_t newchild, stranded[NSTRANDED], from, g[NGRAND];
	int i, n;

	root = sys_getenvid();
	if ((middle = fork()) == 0) {
		middle_env();
		return;
	}
	for (i = 0; i < NSTRANDED; i++) {
		stranded[i] = ipc_recv(&from, NULL, NULL);
		check("message from", from, from, middle);
	}
	wait_env_gone(middle);
	for (i = 0, n = 0; i < NSTRANDED; i++)
		if (alive(stranded[i]))
			check("child that could never run left alive by",
			      stranded[i], 1, 0);
		else
			n++;
	if (n == NSTRANDED)
		cprintf("orphans: the children it had not started or that "
			"had stopped went with it\n");
	if ((newchild = fork()) == 0) {
		new_child();
		return;
	}
	check("slot of the new child", newchild, ENVX(newchild), ENVX(middle));
	nfail += ipc_recv(NULL, NULL, NULL);

	n = find_grandchildren(g);
	for (i = 0; i < n; i++) {
		check_hands_off(g[i]);
		ipc_send(g[i], newchild, NULL, 0);
	}
	for (i = 0; i < n; i++)
		nfail += ipc_recv(NULL, NULL, NULL);
	if (nfail == 0)
		cprintf("orphans: %d grandchildren outlived their parent, "
			"nobody else could touch them\n", n);
	else
		cprintf("orphans: %d FAILED\n", nfail);
}
