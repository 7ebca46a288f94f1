/*
 * IPC with envs being destroyed.  The parent keeps NKIDS children, each
 * looping in ipc_recv, and in random order sends them values and pages
 * or destroys them -- blocked in ipc_recv, runnable, or (with several
 * CPUs) running -- and forks replacements, which usually reuse the dead
 * child's slot under a new id.  A send to a destroyed child must fail
 * once it is gone, and never reach the child that took its slot: every
 * child checks that each message names it, and that a page it gets
 * holds its id too.
 */
#include <inc/lib.h>

#define NKIDS		8
#define ROUNDS		600
#define PERM		(PTE_P | PTE_U | PTE_W)
#define PAGE		((volatile envid_t *) 0x10000000)	// sent
#define RECVVA		((volatile envid_t *) 0x20000000)	// got

static uint32_t rng = 0x2545f491;
static int nfail;

static uint32_t
rand32(void)
{
	return rand_next(&rng);
}

static void
fail(const char *what, envid_t id, int r)
{
	cprintf("ipcdying: FAIL: %s %08x: %e\n", what, id, r);
	nfail++;
}

// A child: every message and page must be for us.
static void __attribute__((noreturn))
serve(void)
{
	envid_t me = sys_getenvid(), from;
	int32_t v;
	int perm;

	for (;;) {
		v = ipc_recv(&from, (void *) RECVVA, &perm);
		if (v != me || from != thisenv->env_parent_id
		    || (perm && *RECVVA != me))
			cprintf("ipcdying: FAIL: %08x got %08x from %08x, "
				"page for %08x\n", me, v, from,
				perm ? *RECVVA : 0);
	}
}

static envid_t
spawn(void)
{
	envid_t id = fork();

	if (id < 0)
		panic("ipcdying: fork: %e", id);
	if (id == 0)
		serve();
	return id;
}

// Send kid its own id, with a new page holding it half the time (a
// page sent before may still be being checked).
static void
send(envid_t kid)
{
	int r;

	if ((r = sys_page_alloc(0, (void *) PAGE, PERM)) < 0)
		panic("ipcdying: page: %e", r);
	*PAGE = kid;
	r = sys_ipc_try_send(kid, kid, rand32() % 2 ? (void *) PAGE
				       : (void *) UTOP, PERM);
	if (r < 0 && r != -E_IPC_NOT_RECV)
		fail("sending to live child", kid, r);
}

/*
 * Destroy kid and send to it: until it is gone (it may be dying on
 * another CPU) the send finds it not receiving; after, it must find no
 * such env.  Returns its replacement.
 */
static envid_t
kill_and_replace(envid_t kid)
{
	int r;

	if ((r = sys_env_destroy(kid)) < 0)
		fail("destroying", kid, r);
	while (!env_gone(kid)) {
		r = sys_ipc_try_send(kid, kid, (void *) PAGE, PERM);
		if (r != -E_IPC_NOT_RECV && r != -E_BAD_ENV)
			fail("sending to dying child", kid, r);
		sys_yield();
	}
	r = sys_ipc_try_send(kid, kid, (void *) PAGE, PERM);
	if (r != -E_BAD_ENV)
		fail("sending to destroyed child", kid, r);
	return spawn();
}

void
umain(int argc, char **argv)
{
	envid_t kids[NKIDS], dead = 0;
	int i, round, r, nkilled = 0;

	if ((r = sys_page_alloc(0, (void *) PAGE, PERM)) < 0)
		panic("ipcdying: page: %e", r);
	for (i = 0; i < NKIDS; i++)
		kids[i] = spawn();
	for (round = 0; round < ROUNDS; round++) {
		i = rand32() % NKIDS;
		if (rand32() % 8 == 0) {
			dead = kids[i];
			kids[i] = kill_and_replace(kids[i]);
			nkilled++;
		} else
			send(kids[i]);
		if (dead && (r = sys_ipc_try_send(dead, 0, (void *) UTOP, 0))
			    != -E_BAD_ENV)
			fail("sending to an old id", dead, r);
		if (rand32() % 4 == 0)
			sys_yield();
	}
	for (i = 0; i < NKIDS; i++)
		sys_env_destroy(kids[i]);
	if (nfail == 0)
		cprintf("ipcdying: %d rounds, %d children destroyed and "
			"replaced\n", ROUNDS, nkilled);
	else
		cprintf("ipcdying: %d FAILED\n", nfail);
}
