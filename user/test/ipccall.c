/*
 * sys_ipc_call and lib's ipc_call over it: a send and a receive in one
 * call, for a client's request and its answer, or a server's answer and
 * the next request ("reply and wait").  A call to an env that is
 * receiving goes at once and runs that env straight away; one to an env
 * that is not queues as sys_ipc_send does, and then receives.
 *
 * 1. One server, NCLIENTS clients calling at once, NCALLS calls each.
 *    A request names its client and its number; the server answers each
 *    with ANSWER(request) and checks that each client's requests come
 *    in order and from one env; each client checks every answer and who
 *    sent it.  The server dawdles before every LATE-th answer until a
 *    counting client has queued; every PAUSE calls the clients all wait
 *    a while for the server to be receiving, so that its queue drains
 *    and calls go straight through.  The odd clients make their calls
 *    by sys_ipc_call itself and count those that had to queue
 *    (IPC_CALL_SENT): some must.  How many more is the timing's to say
 *    (part 2 takes each path for certain).  The even ones use ipc_call.
 * 2. Pages both ways: a request with a page (the server checks its
 *    words, and writes one back: the page is shared, not copied) and an
 *    answer with a read-only page (we check its words, its perm and
 *    our mapping); once with the server receiving, once with it busy,
 *    so that ipc_call queues and then receives the page by
 *    sys_ipc_recv, and once more as it comes.
 * 3. Errors, returned at once with nothing sent: a dead env, ourselves
 *    (by id and as 0), a receive address unaligned or below UMINADDR,
 *    and pages the send may not map, both to a receiving server and to
 *    one that never receives (a call that queued would hang).  After
 *    each, a good call is answered, and the server's count of requests
 *    shows none of the bad ones came.
 * 4. Peers destroyed: a client queued on a server that is destroyed
 *    fails with -E_BAD_ENV (ipc_env_free fails the queued senders), and
 *    then calls another server fine; a server whose answer is queued on
 *    a client that is destroyed gets -E_BAD_ENV from its call, and goes
 *    on serving.  (A client whose request the server had taken waits
 *    on when the server dies, as any receiver does: it waits for a
 *    message from anyone, and ipc_env_free fails only queued senders.)
 * The last line sums up, with the number of failed checks (children
 * report theirs by IPC); each failure also prints "ipccall: FAIL".
 */
#include <inc/lib.h>

#define NCLIENTS	4
#define NCALLS		200		// per client, in part 1
#define ANSWER(v)	((uint32_t) (v) * 3 + 1)
#define LATE		5		// the server dawdles on every fifth
#define PAUSE		16		// the clients pause after every 16th
#define REQUEST(i, s)	((uint32_t) (i) << 16 | (s))

// Pages sent, received and answered with; one read-only, one unmapped.
#define SEND_VA		((volatile uint32_t *) 0x10000000)
#define RECV_VA		((volatile uint32_t *) 0x20000000)
#define REPLY_VA	((volatile uint32_t *) 0x30000000)
#define RO_VA		((volatile uint32_t *) 0x11000000)
#define UNMAPPED_VA	((void *) 0x40000000)
#define PERM		(PTE_P | PTE_U | PTE_W)
#define RO_PERM		(PTE_P | PTE_U)
#define WORDS		(PGSIZE / 4)
// Requests of parts 3 and 4: a bad call's (never to arrive), and the
// plain server's two commands.
#define POISON		0xbad0bad
#define QUERY		0x51e5
#define STOP		0x5709


// Blocked receiving, or blocked in a send?  (Status first: the kernel
// sets env_ipc_recving before the status of an env that blocks.)
static bool
blocked(envid_t id, bool recving)
{
	const volatile struct Env *e = &envs[ENVX(id)];

	return e->env_id == id && e->env_status == ENV_NOT_RUNNABLE
		&& e->env_ipc_recving == recving;
}

// Wait until id is blocked, seen so twice a yield apart: a look on one
// CPU may fall between another's delivering to id (env_ipc_recving
// cleared) and its waking id, and see a receiver as a sender.
static void
wait_blocked(envid_t id, bool recving)
{
	do {
		while (!blocked(id, recving))
			sys_yield();
		sys_yield();
	} while (!blocked(id, recving));
}

// The servers children call, set before they are forked (but for part
// 1's clients, which the parent tells once the server is there).
static envid_t server1, deaf;
// Part 1's clients, forked before its server, which looks at them.
static envid_t clients[NCLIENTS];

static envid_t
spawn(void (*child)(int), int arg)
{
	envid_t id = fork();

	if (id < 0)
		panic("ipccall: fork: %e", id);
	if (id == 0) {
		test_failures = 0;	// a child reports its own failures
		child(arg);
		exit();
	}
	return id;
}

// ---- Part 1 ----

// The server's dawdle before a late answer to client now: until one of
// the odd clients, which count their calls that queue, is queued on it
// (blocked in a send: the server is all they call), if one other than
// now still has calls to make; it will, as the server is not receiving.
// Whatever the timing, some counted calls queue.  next is the server's
// count of each client's requests so far.
static void
await_counted_caller(const int *next, uint32_t now)
{
	bool waiting;
	int i;

	for (;;) {
		waiting = false;
		for (i = 1; i < NCLIENTS; i += 2) {
			if (i == (int) now || next[i] == NCALLS)
				continue;
			if (blocked(clients[i], false))
				return;
			waiting = true;
		}
		if (!waiting)
			return;
		sys_yield();
	}
}

// The server: answer every request, checking each client's order;
// dawdle before every LATE-th answer so that callers pile up.  Report
// the failed checks to the parent once all are served.
static void
busy_server(int unused)
{
	int next[NCLIENTS] = { 0 }, total, i;
	envid_t ids[NCLIENTS] = { 0 }, who;
	int32_t v = ipc_recv(&who, NULL, NULL);
	uint32_t idx, seq;

	for (total = 1; ; total++) {
		idx = (uint32_t) v >> 16;
		seq = v & 0xffff;
		if (v < 0 || idx >= NCLIENTS || seq != next[idx]
		    || (ids[idx] && ids[idx] != who))
			test_fail("server: request %08x from %08x", v, who);
		else {
			ids[idx] = who;
			next[idx]++;
		}
		if (total == NCLIENTS * NCALLS)
			break;
		if (total % LATE == 0)
			await_counted_caller(next, idx);
		v = ipc_call(who, ANSWER(v), NULL, 0, &who, NULL, NULL);
	}
	// The last answer waits for no request.
	ipc_send(who, ANSWER(v), NULL, 0);
	for (i = 0; i < NCLIENTS; i++)
		if (next[i] != NCALLS)
			test_fail("server: client %d made %d calls", i, next[i]);
	ipc_send(thisenv->env_parent_id, test_failures, NULL, 0);
}

// What ipc_call does, by the system calls, counting the calls that had
// to queue.
static int32_t
counted_call(envid_t to, uint32_t value, envid_t *from, int *nqueued)
{
	int r = sys_ipc_call(to, value, (void *) UTOP, 0, (void *) UTOP);

	if (r == IPC_CALL_SENT) {
		(*nqueued)++;
		r = sys_ipc_recv((void *) UTOP);
	}
	*from = r < 0 ? 0 : thisenv->env_ipc_from;
	return r < 0 ? r : thisenv->env_ipc_value;
}

// Client idx of part 1.
static void
client(int idx)
{
	int seq, nqueued = 0, i;
	uint32_t v, got;
	envid_t from;

	server1 = ipc_recv(NULL, NULL, NULL);
	for (seq = 0; seq < NCALLS; seq++) {
		v = REQUEST(idx, seq);
		if (idx % 2)
			got = counted_call(server1, v, &from, &nqueued);
		else
			got = ipc_call(server1, v, NULL, 0, &from, NULL, NULL);
		if (got != ANSWER(v) || from != server1)
			test_fail("client %d: %08x answered %08x by %08x", idx, v,
			     got, from);
		// Every client pauses at the same points, so the server's
		// queue drains and the next calls find it receiving.
		if (seq % PAUSE == PAUSE - 1)
			for (i = 0; i < 30 && !blocked(server1, true); i++)
				sys_yield();
	}
	ipc_send(thisenv->env_parent_id, test_failures << 16 | nqueued, NULL, 0);
}

// Returns how many of the odd clients' calls queued.
static int
many_clients(void)
{
	envid_t from;
	int i, got = 0, nqueued = 0, ncounted = 0, before = test_failures;
	uint32_t v;

	for (i = 0; i < NCLIENTS; i++)
		clients[i] = spawn(client, i);
	server1 = spawn(busy_server, 0);
	for (i = 0; i < NCLIENTS; i++)
		ipc_send(clients[i], server1, NULL, 0);
	while (got < NCLIENTS + 1) {
		v = ipc_recv(&from, NULL, NULL);
		got++;
		if (from == server1) {
			test_failures += v;
			continue;
		}
		for (i = 0; i < NCLIENTS && from != clients[i]; i++)
			;
		if (i == NCLIENTS) {
			test_fail("part 1: %08x from %08x", v, from);
			continue;
		}
		test_failures += v >> 16;
		if (i % 2) {
			nqueued += v & 0xffff;
			ncounted += NCALLS;
		}
	}
	if (nqueued == 0)
		test_fail("0 of %d counted calls queued", ncounted);
	wait_env_gone(server1);
	for (i = 0; i < NCLIENTS; i++)
		wait_env_gone(clients[i]);
	if (test_failures == before)
		cprintf("ipccall: %d clients, %d calls each, every answer "
			"right and in order; %d of %d counted calls queued\n",
			NCLIENTS, NCALLS, nqueued, ncounted);
	return nqueued;
}

// ---- Part 2 ----

static uint32_t
req_word(uint32_t v, int i)
{
	return v * 0x10001 + i;
}

static uint32_t
reply_word(uint32_t v, int i)
{
	return (v * 0x20003) ^ (i * 0x9e3779b9);
}

// Does the page at va hold word(v, i) at each i?
static bool
holds(volatile uint32_t *va, uint32_t (*word)(uint32_t, int), uint32_t v)
{
	int i;

	for (i = 0; i < WORDS; i++)
		if (va[i] != word(v, i))
			return false;
	return true;
}

// A new page at va, holding word(v, i) at each i.
static void
fill(volatile uint32_t *va, uint32_t (*word)(uint32_t, int), uint32_t v)
{
	int i, r;

	if ((r = sys_page_alloc(0, (void *) va, PERM)) < 0)
		panic("ipccall: page_alloc: %e", r);
	for (i = 0; i < WORDS; i++)
		va[i] = word(v, i);
}

// Check request v and its page (arrived with perm), mark the page as
// seen, and make the answer page: returns the answer, ~0 if the check
// failed (the client counts that).
static uint32_t
take_request(uint32_t v, int perm, uint32_t want)
{
	bool ok = v == want && perm == PERM && holds(RECV_VA, req_word, v);

	if (!ok)
		test_fail("page server: request %x, perm %x", v, perm);
	RECV_VA[0] = ~v;
	fill(REPLY_VA, reply_word, v);
	return ok ? v + 100 : ~0u;
}

// Three requests with pages: the first is answered by ipc_send, and we
// then wait until the client's next call has queued before receiving
// it; that one is answered by ipc_call, which takes the third.
static void
page_server(int unused)
{
	envid_t who;
	int perm;
	uint32_t v, a;

	v = ipc_recv(&who, (void *) RECV_VA, &perm);
	a = take_request(v, perm, 0);
	ipc_send(who, a, (void *) REPLY_VA, RO_PERM);
	wait_blocked(who, false);
	v = ipc_recv(&who, (void *) RECV_VA, &perm);
	a = take_request(v, perm, 1);
	v = ipc_call(who, a, (void *) REPLY_VA, RO_PERM, &who,
		     (void *) RECV_VA, &perm);
	a = take_request(v, perm, 2);
	ipc_send(who, a, (void *) REPLY_VA, RO_PERM);
}

static void
pages_both_ways(void)
{
	envid_t server = spawn(page_server, 0), from;
	uint32_t v, got;
	int perm, before = test_failures;

	for (v = 0; v < 3; v++) {
		if (v == 0)
			wait_blocked(server, true);
		fill(SEND_VA, req_word, v);
		got = ipc_call(server, v, (void *) SEND_VA, PERM, &from,
			       (void *) RECV_VA, &perm);
		if (got != v + 100 || from != server || perm != RO_PERM
		    || (uvpt[PGNUM(RECV_VA)] & PTE_W)
		    || !holds(RECV_VA, reply_word, v)
		    || SEND_VA[0] != ~v)
			test_fail("page call %d: %x from %08x, perm %x", v, got,
			     from, perm);
	}
	wait_env_gone(server);
	sys_page_unmap(0, (void *) SEND_VA);
	sys_page_unmap(0, (void *) RECV_VA);
	if (test_failures == before)
		cprintf("ipccall: pages both ways, the server receiving and "
			"busy\n");
}

// ---- Parts 3 and 4 ----

/*
 * Answer each request with ANSWER(v), a QUERY with what we saw:
 * requests served << 16 | answers that failed -E_BAD_ENV << 8 | bad
 * requests and other errors; stop at STOP.  A failed answer's client is
 * gone: receive again.
 */
static void
plain_server(int unused)
{
	int served = 0, gone = 0, bad = 0;
	envid_t who;
	int32_t v = ipc_recv(&who, NULL, NULL);
	uint32_t a;

	while (v != STOP) {
		if (v < 0) {
			if (v == -E_BAD_ENV)
				gone++;
			else
				bad++;
			v = ipc_recv(&who, NULL, NULL);
			continue;
		}
		if (v == QUERY)
			a = served << 16 | gone << 8 | bad;
		else {
			if (v == POISON)
				bad++;
			served++;
			a = ANSWER(v);
		}
		v = ipc_call(who, a, NULL, 0, &who, NULL, NULL);
	}
}

// Stop ourselves: we never receive.
static void
deaf_server(int unused)
{
	sys_env_set_status(0, ENV_NOT_RUNNABLE);
	test_fail("a stopped server ran");
}

// A good call to server: its answer must come, from it.
static void
good_call(envid_t server, uint32_t v, const char *after)
{
	envid_t from;
	uint32_t got = ipc_call(server, v, NULL, 0, &from, NULL, NULL);

	if (got != ANSWER(v) || from != server)
		test_fail("after %s: %x answered %x by %08x", after, v, got, from);
}

// What the server has seen (a QUERY), as served << 16 | gone << 8 | bad.
static uint32_t
query(envid_t server)
{
	return ipc_call(server, QUERY, NULL, 0, NULL, NULL, NULL);
}

enum target { DEAD, SELF, ZERO, SERVERS };

static const struct bad_call {
	const char *what;
	enum target to;
	void *pg;
	int perm;
	void *rcv;
	int err;
} bad_calls[] = {
	{ "a dead env", DEAD, NULL, 0, NULL, -E_BAD_ENV },
	{ "ourselves", SELF, NULL, 0, NULL, -E_INVAL },
	{ "envid 0", ZERO, NULL, 0, NULL, -E_INVAL },
	{ "an unaligned receive address", SERVERS, NULL, 0,
	  (void *) RECV_VA + 4, -E_INVAL },
	{ "a receive address below UMINADDR", SERVERS, NULL, 0,
	  (void *) PGSIZE, -E_INVAL },
	{ "an unmapped page", SERVERS, UNMAPPED_VA, RO_PERM, NULL,
	  -E_INVAL },
	{ "an unaligned page", SERVERS, (void *) SEND_VA + 8, PERM, NULL,
	  -E_INVAL },
	{ "a perm without PTE_U", SERVERS, (void *) SEND_VA, PTE_P, NULL,
	  -E_INVAL },
	{ "a read-only page sent writable", SERVERS, (void *) RO_VA, PERM,
	  NULL, -E_INVAL },
};

// Make call c to `to`: it must fail with c's error, the stores zeroed.
static void
bad_call(const struct bad_call *c, envid_t to, const char *to_what)
{
	envid_t from = -1;
	int perm = -1, r;

	r = ipc_call(to, POISON, c->pg, c->perm, &from, c->rcv, &perm);
	if (r != c->err || from != 0 || perm != 0)
		test_fail("a call with %s to %s: %e, from %08x perm %x", c->what,
		     to_what, r, from, perm);
}

static envid_t
dead_env(void)
{
	envid_t id = fork();

	if (id < 0)
		panic("ipccall: fork: %e", id);
	if (id == 0)
		exit();
	wait_env_gone(id);
	return id;
}

// Part 3: every bad call, each followed by a good one.  Returns the
// number of good calls, all server1 has served.
static int
errors(void)
{
	envid_t ids[] = { dead_env(), sys_getenvid(), 0 };
	uint32_t n, seen;
	unsigned i, nbad = 0, before = test_failures;
	const struct bad_call *c;

	fill(SEND_VA, req_word, 0);
	if (sys_page_alloc(0, (void *) RO_VA, RO_PERM) < 0)
		panic("ipccall: page_alloc");
	for (i = n = 0; i < ARRAY_SIZE(bad_calls); i++) {
		c = &bad_calls[i];
		if (c->to == SERVERS) {
			// Checked as the message goes, and as it would queue.
			wait_blocked(server1, true);
			bad_call(c, server1, "a receiving server");
			bad_call(c, deaf, "a server not receiving");
			nbad += 2;
		} else {
			bad_call(c, ids[c->to], c->what);
			nbad++;
		}
		good_call(server1, n++, c->what);
	}
	if ((seen = query(server1)) != n << 16)
		test_fail("after the bad calls the server saw %08x, not %08x", seen,
		     n << 16);
	sys_page_unmap(0, (void *) SEND_VA);
	sys_page_unmap(0, (void *) RO_VA);
	if (test_failures == before)
		cprintf("ipccall: %d bad calls failed at once, nothing sent; "
			"the good call after each answered\n", nbad);
	return n;
}

// Part 4's first client: a call to the deaf server, queued until the
// parent destroys it, must fail (reported to the parent); then a call
// to a live server must go through.
static void
stranded_client(int unused)
{
	envid_t parent = thisenv->env_parent_id, from = -1;
	int perm = -1;
	int32_t r = ipc_call(deaf, 1, NULL, 0, &from, NULL, &perm);

	if (from != 0 || perm != 0)
		test_fail("a failed call left from %08x perm %x", from, perm);
	ipc_send(parent, r, NULL, 0);
	good_call(server1, 2, "its server destroyed");
	ipc_send(parent, test_failures, NULL, 0);
}

// Part 4's second client: send a request (not a call), then stop, never
// receiving the answer.
static void
vanishing_client(int unused)
{
	ipc_send(server1, 3, NULL, 0);
	sys_env_set_status(0, ENV_NOT_RUNNABLE);
	test_fail("a stopped client ran");
}

// The next message must be v from id.
static void
expect(envid_t id, int32_t v, const char *what)
{
	envid_t from;
	int32_t got = ipc_recv(&from, NULL, NULL);

	if (got != v || from != id)
		test_fail("%s: %08x from %08x, not %08x from %08x", what, got, from,
		     v, id);
}

// Part 4.  server1 has served the calls of part 3: nserved.
static void
peers_destroyed(int nserved)
{
	envid_t kid;
	uint32_t seen, want;
	int before = test_failures;

	kid = spawn(stranded_client, 0);
	wait_blocked(kid, false);
	sys_env_destroy(deaf);
	expect(kid, -E_BAD_ENV, "a client whose server was destroyed");
	expect(kid, 0, "its failed checks");
	wait_env_gone(kid);
	if (test_failures == before)
		cprintf("ipccall: a client queued on a destroyed server: "
			"%e\n", -E_BAD_ENV);
	before = test_failures;

	// Once the server has taken the request, its answer queues.
	kid = spawn(vanishing_client, 0);
	wait_blocked(server1, false);
	sys_env_destroy(kid);
	good_call(server1, 4, "a client destroyed");
	want = (nserved + 3) << 16 | 1 << 8;	// 2, 3 and 4; 1 gone
	if ((seen = query(server1)) != want)
		test_fail("the server saw %08x, not %08x", seen, want);
	if (test_failures == before)
		cprintf("ipccall: a server whose client was destroyed went "
			"on serving\n");
}

void
umain(int argc, char **argv)
{
	int nqueued, ncalls;

	binaryname = "ipccall";
	nqueued = many_clients();
	pages_both_ways();
	server1 = spawn(plain_server, 0);
	deaf = spawn(deaf_server, 0);
	ncalls = errors();
	peers_destroyed(ncalls);
	ipc_send(server1, STOP, NULL, 0);
	wait_env_gone(server1);
	if (test_failures)
		cprintf("ipccall: FAIL: %d checks failed (%d clients, %d "
			"calls, %d queued)\n", test_failures, NCLIENTS,
			NCLIENTS * NCALLS, nqueued);
	else
		cprintf("ipccall: %d clients, %d calls, %d queued, 0 errors\n",
			NCLIENTS, NCLIENTS * NCALLS, nqueued);
}
