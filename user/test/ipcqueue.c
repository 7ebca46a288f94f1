/*
 * Senders that wait in the kernel (sys_ipc_send, and lib's ipc_send over
 * it): queued per receiver, first come first served, costing no CPU.
 *
 * 1. NKIDS children send NMSGS messages each to us at once, while we
 *    are slow to receive (we yield between messages).  Every message
 *    must come once, each child's in order; each child then reports its
 *    env_runs, which must stay small: a sender that polled would run at
 *    each of our yields.
 * 2. The order of arrival: we let the children send one at a time, each
 *    only once the one before is queued, then receive; they must come
 *    in that order.
 * 3. A queued sender destroyed mid-wait, a page in its message: its
 *    message never comes (and the page audit at the end finds its page
 *    freed).
 * 4. A receiver destroyed with senders queued: each fails, -E_BAD_ENV.
 * 5. A queued sender woken by sys_env_set_status: its send fails,
 *    -E_IPC_NOT_RECV, and its message never comes.
 * 6. A snapshot of a queued sender is in no queue: run, it sends its
 *    message again (ipc_send retries a cancelled send).  The message
 *    carries a writable page, which both must still send.
 * A check that fails prints "ipcqueue: FAIL".
 */
#include <inc/lib.h>

#define NKIDS		6
#define NMSGS		20		// messages per child in part 1
#define YIELDS		4		// our yields per message received
#define MAXRUNS		(2 * NMSGS + 20)	// a child's bound in part 1
#define REPORT		0x8000		// in a message's low half: a report
#define PAGE		((volatile uint32_t *) 0x10000000)
#define RECVPAGE	((volatile uint32_t *) 0x20000000)
#define PERM		(PTE_P | PTE_U | PTE_W)


// Is id blocked in a send?  (Status first: the kernel sets
// env_ipc_recving before the status of an env that blocks receiving.)
static bool
queued(envid_t id)
{
	const volatile struct Env *e = &envs[ENVX(id)];

	return e->env_id == id && e->env_status == ENV_NOT_RUNNABLE
		&& !e->env_ipc_recving;
}

static void
wait_queued(envid_t id)
{
	while (!queued(id))
		sys_yield();
}

// A child: wait for go if asked, send n messages, report our runs.
static void __attribute__((noreturn))
sender(int idx, bool wait_go, int n)
{
	envid_t parent = thisenv->env_parent_id;
	int seq;

	if (wait_go)
		ipc_recv(NULL, NULL, NULL);
	for (seq = 0; seq < n; seq++)
		ipc_send(parent, idx << 16 | seq, NULL, 0);
	ipc_send(parent, idx << 16 | REPORT | thisenv->env_runs, NULL, 0);
	exit();
}

static envid_t
spawn_sender(int idx, bool wait_go, int n)
{
	envid_t id = fork();

	if (id < 0)
		panic("ipcqueue: fork: %e", id);
	if (id == 0)
		sender(idx, wait_go, n);
	return id;
}

// Receive from kids until each has reported after n messages; check
// each message's sender and order, yielding after each.  Returns the
// largest run count reported.
static uint32_t
receive_all(envid_t kids[], int n, int yields, bool print)
{
	int next[NKIDS] = { 0 }, reported = 0, idx, i;
	uint32_t v, maxruns = 0;
	envid_t from;

	while (reported < NKIDS) {
		v = ipc_recv(&from, NULL, NULL);
		idx = v >> 16;
		if (idx >= NKIDS || from != kids[idx]) {
			test_fail("message %08x from %08x", v, from);
			continue;
		}
		if (v & REPORT) {
			if (next[idx] != n)
				test_fail("child %d reported after %d messages",
				     idx, next[idx]);
			if (print)
				cprintf("ipcqueue: sender %d: %d runs\n", idx,
					v & (REPORT - 1));
			maxruns = MAX(maxruns, v & (REPORT - 1));
			reported++;
		} else if ((v & 0xffff) != next[idx]++)
			test_fail("child %d sent message %d out of turn", idx,
			     v & 0xffff);
		for (i = 0; i < yields; i++)
			sys_yield();
	}
	return maxruns;
}

// Part 1: everyone at once, while we dawdle.
static void
all_at_once(void)
{
	envid_t kids[NKIDS];
	uint32_t maxruns;
	int i;

	for (i = 0; i < NKIDS; i++)
		kids[i] = spawn_sender(i, false, NMSGS);
	for (i = 0; i < 10 * YIELDS; i++)
		sys_yield();
	maxruns = receive_all(kids, NMSGS, YIELDS, true);
	if (maxruns > MAXRUNS)
		test_fail("a blocked sender ran %d times (at most %d)", maxruns,
		     MAXRUNS);
	else
		cprintf("ipcqueue: %d senders, %d messages each, every one "
			"once and in order; at most %d runs each\n", NKIDS,
			NMSGS, maxruns);
	for (i = 0; i < NKIDS; i++)
		wait_env_gone(kids[i]);
}

// Part 2: the children queue one after another; they must be taken in
// that order.
static void
in_order_of_arrival(void)
{
	envid_t kids[NKIDS], from;
	uint32_t v;
	int i;

	for (i = 0; i < NKIDS; i++)
		kids[i] = spawn_sender(i, true, 1);
	for (i = 0; i < NKIDS; i++) {
		ipc_send(kids[i], 0, NULL, 0);
		wait_queued(kids[i]);
	}
	for (i = 0; i < NKIDS; i++) {
		v = ipc_recv(&from, NULL, NULL);
		if (from != kids[i] || v != (uint32_t) i << 16) {
			test_fail("message %08x from %08x out of order", v, from);
			return;
		}
	}
	receive_all(kids, 0, 0, false);	// the reports
	cprintf("ipcqueue: %d queued senders taken in order of arrival\n",
		NKIDS);
}

// A child that sends the page at PAGE, holding its id, and reports the
// result of the send.
static envid_t
spawn_page_sender(envid_t to, uint32_t value)
{
	envid_t id = fork(), me;
	int r;

	if (id < 0)
		panic("ipcqueue: fork: %e", id);
	if (id > 0)
		return id;
	me = sys_getenvid();
	if ((r = sys_page_alloc(0, (void *) PAGE, PERM)) < 0)
		panic("ipcqueue: page: %e", r);
	*PAGE = me;
	r = sys_ipc_send(to ? to : thisenv->env_parent_id, value,
			 (void *) PAGE, PERM);
	ipc_send(thisenv->env_parent_id, REPORT | -r, NULL, 0);
	exit();
}

// The next message must be a report of error err from id.
static void
expect_report(envid_t id, int err, const char *what)
{
	envid_t from;
	uint32_t v = ipc_recv(&from, (void *) RECVPAGE, NULL);

	if (from != id || v != (uint32_t) (REPORT | err))
		test_fail("%s: got %08x", what, v);
	wait_env_gone(id);
}

// Parts 3 to 5.
static void
destroyed_and_woken(void)
{
	envid_t victim, recver, kids[3], other, from;
	uint32_t v;
	int i, j, r;

	victim = spawn_page_sender(0, 0xdead);
	wait_queued(victim);
	if ((r = sys_env_destroy(victim)) < 0)
		test_fail("destroying a queued sender: %e", r);
	other = spawn_page_sender(0, 0x600d);
	v = ipc_recv(&from, (void *) RECVPAGE, NULL);
	if (v != 0x600d || from != other || *RECVPAGE != other)
		test_fail("after a queued sender died, got %08x from %08x", v, from);
	expect_report(other, 0, "the sender after it");
	cprintf("ipcqueue: a queued sender destroyed, its message and page "
		"never came\n");

	if ((recver = fork()) == 0) {
		sys_env_set_status(0, ENV_NOT_RUNNABLE);
		panic("ipcqueue: a stopped receiver ran");
	}
	for (i = 0; i < 3; i++)
		kids[i] = spawn_page_sender(recver, i);
	for (i = 0; i < 3; i++)
		wait_queued(kids[i]);
	wait_queued(recver);
	sys_env_destroy(recver);
	// Woken together, they report in any order.
	for (i = 0; i < 3; i++) {
		v = ipc_recv(&from, NULL, NULL);
		for (j = 0; j < 3 && from != kids[j]; j++)
			;
		if (j == 3 || v != (REPORT | E_BAD_ENV))
			test_fail("a sender to a destroyed env: %08x from %08x", v,
			     from);
	}
	for (i = 0; i < 3; i++)
		wait_env_gone(kids[i]);
	cprintf("ipcqueue: 3 senders to a destroyed receiver failed: %e\n",
		-E_BAD_ENV);

	other = spawn_page_sender(0, 0xca);
	wait_queued(other);
	sys_env_set_status(other, ENV_RUNNABLE);
	expect_report(other, E_IPC_NOT_RECV, "a woken sender");
	cprintf("ipcqueue: a woken sender's send cancelled: %e\n",
		-E_IPC_NOT_RECV);
}

// Part 6.  The message carries a page, writable: the snapshot must not
// leave it copy-on-write, or the original's send would fail as it is
// taken, and the snapshot's own when it sends again.
static void
snapshot_of_a_sender(void)
{
	envid_t kid, snap, from;
	uint32_t v;
	int i, perm, r;

	if ((kid = fork()) == 0) {
		if ((r = sys_page_alloc(0, (void *) PAGE, PERM)) < 0)
			panic("ipcqueue: page: %e", r);
		*PAGE = 0x5a;
		ipc_send(thisenv->env_parent_id, 0x5a, (void *) PAGE, PERM);
		exit();
	}
	wait_queued(kid);
	// Just blocked, it may not have left its CPU yet.
	while ((snap = sys_env_snapshot(kid)) == -E_INVAL)
		sys_yield();
	if (snap < 0) {
		test_fail("snapshot: %e", snap);
		return;
	}
	sys_env_set_status(snap, ENV_RUNNABLE);
	for (i = 0; i < 2; i++) {
		v = ipc_recv(&from, (void *) RECVPAGE, &perm);
		if (v != 0x5a || from != (i == 0 ? kid : snap) || perm != PERM
		    || *RECVPAGE != 0x5a)
			test_fail("snapshot: got %08x from %08x, page perm %x",
			     v, from, perm);
		sys_page_unmap(0, (void *) RECVPAGE);
	}
	wait_env_gone(kid);
	wait_env_gone(snap);
	cprintf("ipcqueue: a snapshot of a queued sender sent again, and "
		"both sent their page writable\n");
}

void
umain(int argc, char **argv)
{
	binaryname = "ipcqueue";
	all_at_once();
	in_order_of_arrival();
	destroyed_and_woken();
	snapshot_of_a_sender();
	if (test_failures)
		cprintf("ipcqueue: %d FAILED\n", test_failures);
	else
		cprintf("ipcqueue: done\n");
}
