/*
 * The kernel lock held shared, hammered.  Some traps run beside each
 * other on several CPUs (kern/kernlock.h): sys_getenvid, sys_yield,
 * page-less IPC, first touches of private region pages, page faults
 * that go straight to the upcall, and the page and region calls on an
 * env's own memory or a child it is building (fork's).  Everything else
 * takes the lock exclusive, waiting
 * for the sharers to leave.  Eight workers,
 * started together, each run a different mix of both for a fixed
 * number of rounds, so that a race between two shared CPUs, or between
 * a shared and an exclusive one, shows up here as wrong data, a lost or
 * reordered message, a panic, a leak (the page audit after the run) or
 * a hang (the grader's timeout):
 *
 *   - two region workers map a fresh region each round, read some of
 *     its pages first (the zero page, shared), write every page (a
 *     first touch, shared; the zero page replaced, exclusive), check
 *     that each page came zeroed and holds only what they wrote, and
 *     unmap it (shared; exclusive, with TLB shootdowns, if another CPU
 *     still has the page directory loaded);
 *   - two copy-on-write workers fork children each round; parent and
 *     children write the same pages at once (faults to the upcall,
 *     shared; the copies, shared too), and each must see its own values
 *     only;
 *   - two ping-pong pairs trade bursts of numbered messages, most
 *     without a page (shared), some sent by sys_ipc_try_send, and every
 *     few a page whose contents the receiver checks (exclusive).
 *
 * Every worker also calls sys_getenvid and sys_yield often, maps a
 * fresh page of its own at a second address now and then (exclusive),
 * and switches
 * between int $0x30 and sysenter each round.  A worker reports to the
 * parent by IPC; the parent, which also notices a worker that dies
 * without reporting, prints one summary line.  A failed check prints
 * "sharedrace: FAIL".
 */
#include <inc/lib.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define BOARD		((struct board *) 0x0f000000)	// PTE_SHARE
#define SCRATCH		((volatile uint32_t *) 0x0f400000)
#define SCRATCH2	((volatile uint32_t *) 0x0f401000)
#define SENDPG		((volatile uint32_t *) 0x0f800000)
#define RECVPG		((volatile uint32_t *) 0x0fc00000)
#define REGIONS		0x10000000	// region worker i's at + i * 64 MiB
#define COWPAGES_AT	0x30000000	// each copy-on-write worker's
#define WORDS		(PGSIZE / 4)
#define MAXPRINT	8		// FAIL lines per env, the rest counted

// Region workers: a region of RPAGES pages, mapped anew each round at
// one of three places, the second across a page-table boundary.
#define RROUNDS		96
#define RPAGES		32
// Copy-on-write workers: CROUNDS forks of CKIDS children each, sharing
// CPAGES pages.
#define CROUNDS		16
#define CKIDS		2
#define CPAGES		8
// Ping-pong pairs: IROUNDS rounds of a burst each way.
#define IROUNDS		96
#define BURST		8
#define PAGE_EVERY	5		// every fifth message carries a page

enum role { REGION, COW, PING, PONG };

static const struct {
	enum role role;
	const char *name;
} workers[] = {
	{ REGION, "region" }, { COW, "cow" }, { PING, "ping" },
	{ PONG, "pong" }, { REGION, "region" }, { COW, "cow" },
	{ PING, "ping" }, { PONG, "pong" },
};
#define NWORKERS	((int) ARRAY_SIZE(workers))

// What a worker says it did, written by it alone, once done.
struct slot {
	envid_t id;		// written by the parent before go
	uint32_t faults, messages, errors;
	volatile int done;
};

struct board {
	volatile int arrived;	// workers at the start barrier
	volatile int go;	// every slot's id is written
	struct slot slots[NWORKERS];
};

// This env's own (a copy-on-write child gets copies, and zeroes them).
static int self;		// index in workers[]
static envid_t myid;
static uint32_t nfaults, nmessages, nerrors;
static int entry_first;		// syscall_entry as libmain chose it

static void
fail(const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	if (nerrors++ >= MAXPRINT)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cprintf("sharedrace: FAIL: [%08x] %s %d: %s\n", myid,
		workers[self].name, self, buf);
}

// ---------------------------------------------------------------------
// Calls every worker mixes in.

// An exclusive entry between the shared ones: a fresh page of our own,
// which must come zeroed, mapped at a second address by sys_page_map
// (which kern/syscall.c's syscall_sharing leaves exclusive), where it
// must be the same page; then both go again.
static void
exclusive_page(void)
{
	int r;

	if ((r = sys_page_alloc(0, (void *) SCRATCH, RW)) < 0) {
		fail("page_alloc: %e", r);
		return;
	}
	if ((r = sys_page_map(0, (void *) SCRATCH, 0, (void *) SCRATCH2,
			      RW)) < 0)
		fail("page_map: %e", r);
	else if (SCRATCH2[0] != 0 || SCRATCH2[WORDS - 1] != 0)
		fail("fresh page holds %08x ... %08x", SCRATCH2[0],
		     SCRATCH2[WORDS - 1]);
	else {
		SCRATCH2[0] = myid;
		if (SCRATCH[0] != myid)
			fail("the second mapping is another page");
	}
	if ((r = sys_page_unmap(0, (void *) SCRATCH2)) < 0
	    || (r = sys_page_unmap(0, (void *) SCRATCH)) < 0)
		fail("page_unmap: %e", r);
}

// Step i of some loop: a getenvid, a yield or an exclusive call, by
// turns that differ, so that the workers do not fall into step.
static void
sprinkle(unsigned i)
{
	envid_t id;

	if (i % 3 == 0 && (id = sys_getenvid()) != myid)
		fail("sys_getenvid says %08x", id);
	if (i % 4 == 1)
		sys_yield();
	if (i % 13 == 7)
		exclusive_page();
}

// Round r enters the kernel by int $0x30 when odd, else as libmain
// chose (sysenter if the processor has it).
static void
pick_entry(int r)
{
	syscall_entry = r % 2 ? SYSCALL_INT : entry_first;
}

// ---------------------------------------------------------------------
// Region workers.

static uint32_t
region_word(int round, int page, int word)
{
	return (uint32_t) (self + 1) << 28 | round << 16 | page << 8
		| (word & 0xff);
}

// Where round r maps the region: three places, the second straddling a
// page-table boundary so that a first touch there may need a new table.
static volatile uint32_t *
region_at(int round)
{
	uintptr_t va = REGIONS + self * 0x04000000u;

	va += (round % 3) * (PTSIZE - RPAGES / 2 * PGSIZE);
	return (volatile uint32_t *) va;
}

static volatile uint32_t *
rpage(volatile uint32_t *base, int page)
{
	return base + page * WORDS;
}

// The words of a page a round writes, in order.
static const int written[] = { 0, 1, WORDS - 1 };

// Check that all of page reads zero but the first nwritten words of
// written[].
static void
check_zero(volatile uint32_t *page, int nwritten, const char *when,
	   int round, int pg)
{
	int w, i;

	for (w = 0; w < WORDS; w++) {
		for (i = 0; i < nwritten && written[i] != w; i++)
			;
		if (i == nwritten && page[w] != 0) {
			fail("round %d page %d %s: word %d is %08x", round,
			     pg, when, w, page[w]);
			return;
		}
	}
}

// The first write is the page's first touch (or replaces the zero
// page): the rest must read zero then.
static void
write_page(volatile uint32_t *page, int round, int pg)
{
	int i;

	page[0] = region_word(round, pg, 0);
	check_zero(page, 1, "after its first touch", round, pg);
	for (i = 1; i < ARRAY_SIZE(written); i++)
		page[written[i]] = region_word(round, pg, written[i]);
}

static void
check_page(volatile uint32_t *page, int round, int pg)
{
	int i, w;

	for (i = 0; i < ARRAY_SIZE(written); i++) {
		w = written[i];
		if (page[w] != region_word(round, pg, w))
			fail("round %d page %d: word %d is %08x, want %08x",
			     round, pg, w, page[w], region_word(round, pg, w));
	}
	check_zero(page, ARRAY_SIZE(written), "at the end", round, pg);
}

static void
region_round(int round)
{
	volatile uint32_t *base = region_at(round);
	void *va = (void *) base;
	int pg, r;

	if ((r = sys_region_map(0, &va, RPAGES * PGSIZE, RW,
				REGION_FIXED)) < 0) {
		fail("round %d: region_map %08x: %e", round, base, r);
		return;
	}
	// A quarter of the pages read first: the zero page, read-only.
	for (pg = round % 4; pg < RPAGES; pg += 4, nfaults++)
		check_zero(rpage(base, pg), 0, "read first", round, pg);
	for (pg = 0; pg < RPAGES; pg++, nfaults++) {
		write_page(rpage(base, pg), round, pg);
		sprinkle(pg + round);
	}
	for (pg = 0; pg < RPAGES; pg++)
		check_page(rpage(base, pg), round, pg);
	if ((r = sys_region_unmap(0, (void *) base, RPAGES * PGSIZE)) < 0)
		fail("round %d: region_unmap: %e", round, r);
}

static void
region_worker(void)
{
	int round;

	for (round = 0; round < RROUNDS; round++) {
		pick_entry(round);
		region_round(round);
	}
}

// ---------------------------------------------------------------------
// Copy-on-write workers.

static volatile uint32_t *
cpage(int page)
{
	return (volatile uint32_t *) (COWPAGES_AT + page * PGSIZE);
}

// Who writes what: the worker before a fork (BEFORE) and after it
// (PARENT), and each child (its number).
enum { BEFORE = CKIDS, PARENT };

static uint32_t
cow_word(int round, int who, int page)
{
	return 0xc0000000 | (self << 20) | (round << 12) | (who << 8) | page;
}

// A child: it must see the worker's values from before the fork,
// whatever the worker writes meanwhile, and then its own.  Reports its
// errors to the worker.
static void __attribute__((noreturn))
cow_child(int round, int kid, envid_t worker)
{
	int pg;

	myid = sys_getenvid();
	nerrors = 0;
	for (pg = 0; pg < CPAGES; pg++) {
		if (cpage(pg)[0] != cow_word(round, BEFORE, pg))
			fail("child %d round %d page %d: %08x, want %08x", kid,
			     round, pg, cpage(pg)[0],
			     cow_word(round, BEFORE, pg));
		cpage(pg)[0] = cow_word(round, kid, pg);
		sprinkle(pg + kid);
	}
	for (pg = 0; pg < CPAGES; pg++)
		if (cpage(pg)[0] != cow_word(round, kid, pg))
			fail("child %d round %d page %d: our %08x became "
			     "%08x", kid, round, pg, cow_word(round, kid, pg),
			     cpage(pg)[0]);
	ipc_send(worker, kid << 16 | MIN(nerrors, 0xffff), 0, 0);
	exit();
}

// Write every page at once with the children, then take their reports.
static void
cow_round(int round)
{
	envid_t kids[CKIDS], from;
	int pg, k, n;
	int32_t v;

	for (pg = 0; pg < CPAGES; pg++, nfaults++)
		cpage(pg)[0] = cow_word(round, BEFORE, pg);
	for (k = 0; k < CKIDS; k++) {
		if ((kids[k] = fork()) < 0) {
			fail("round %d: fork: %e", round, kids[k]);
			return;
		}
		if (kids[k] == 0)
			cow_child(round, k, myid);
	}
	for (pg = 0; pg < CPAGES; pg++, nfaults++) {
		cpage(pg)[0] = cow_word(round, PARENT, pg);
		sprinkle(pg);
	}
	for (n = 0; n < CKIDS; n++) {
		v = ipc_recv(&from, 0, 0);
		k = v >> 16;
		if (v < 0 || k >= CKIDS || from != kids[k]) {
			fail("round %d: report %08x from %08x", round, v, from);
			continue;
		}
		nerrors += v & 0xffff;
		nfaults += CPAGES;
	}
	for (pg = 0; pg < CPAGES; pg++)
		if (cpage(pg)[0] != cow_word(round, PARENT, pg))
			fail("round %d page %d: our %08x became %08x", round,
			     pg, cow_word(round, PARENT, pg), cpage(pg)[0]);
	for (k = 0; k < CKIDS; k++)
		wait_env_gone(kids[k]);
}

static void
cow_worker(void)
{
	void *va = (void *) COWPAGES_AT;
	int round, r;

	if ((r = sys_region_map(0, &va, CPAGES * PGSIZE, RW,
				REGION_FIXED)) < 0) {
		fail("region_map: %e", r);
		return;
	}
	for (round = 0; round < CROUNDS; round++) {
		pick_entry(round);
		cow_round(round);
	}
}

// ---------------------------------------------------------------------
// Ping-pong pairs.

static envid_t peer;
static uint32_t sent, received;	// messages each way so far

// Message seq from worker w: its number in the high byte.
static uint32_t
message(int w, uint32_t seq)
{
	return (uint32_t) (w + 1) << 24 | seq;
}

static bool
carries_page(uint32_t seq)
{
	return seq % PAGE_EVERY == PAGE_EVERY - 1;
}

static uint32_t
page_word(int w, uint32_t seq, int word)
{
	return message(w, seq) ^ word * 0x9e3779b9u;
}

// Send a page of message seq's words, by sys_ipc_send or, for odd
// seq, sys_ipc_try_send; the receiver has it then, we do not.
static int
send_page(uint32_t seq)
{
	int w, r;

	if ((r = sys_page_alloc(0, (void *) SENDPG, RW)) < 0)
		return r;
	for (w = 0; w < WORDS; w++)
		SENDPG[w] = page_word(self, seq, w);
	if (seq % 2)
		while ((r = sys_ipc_try_send(peer, message(self, seq),
					     (void *) SENDPG, RW))
		       == -E_IPC_NOT_RECV)
			sys_yield();
	else
		r = sys_ipc_send(peer, message(self, seq), (void *) SENDPG, RW);
	sys_page_unmap(0, (void *) SENDPG);
	return r;
}

// A page-less message, by sys_ipc_try_send for every third seq.
static int
send_plain(uint32_t seq)
{
	int r;

	if (seq % 3 == 0) {
		while ((r = sys_ipc_try_send(peer, message(self, seq),
					     (void *) UTOP, 0))
		       == -E_IPC_NOT_RECV)
			sys_yield();
		return r;
	}
	return sys_ipc_send(peer, message(self, seq), (void *) UTOP, 0);
}

static void
send_burst(void)
{
	int k, r;

	for (k = 0; k < BURST; k++, sent++) {
		r = carries_page(sent) ? send_page(sent) : send_plain(sent);
		if (r < 0)
			fail("send %u: %e", sent, r);
		sprinkle(sent);
	}
}

// Check the page that came with message seq from our peer, and let it
// go.
static void
check_received_page(uint32_t seq, int perm)
{
	int w;

	if (!(perm & PTE_P)) {
		fail("message %u came without its page", seq);
		return;
	}
	for (w = 0; w < WORDS; w++)
		if (RECVPG[w] != page_word(self ^ 1, seq, w)) {
			fail("message %u: page word %d is %08x, want %08x",
			     seq, w, RECVPG[w], page_word(self ^ 1, seq, w));
			break;
		}
	sys_page_unmap(0, (void *) RECVPG);
}

// Receive BURST messages: from our peer, numbered in order, each with a
// page just when it should have one.
static void
recv_burst(void)
{
	envid_t from;
	int32_t v;
	int k, perm;

	for (k = 0; k < BURST; k++, received++) {
		v = ipc_recv(&from, (void *) RECVPG, &perm);
		if (v < 0 || from != peer) {
			fail("receive %u: %e from %08x", received, v, from);
			continue;
		}
		if ((uint32_t) v != message(self ^ 1, received)) {
			fail("got message %08x, want %08x", v,
			     message(self ^ 1, received));
			received = v & 0xffffff;	// no cascade
		}
		if (carries_page(received))
			check_received_page(received, perm);
		else if (perm) {
			fail("message %u came with a page", received);
			sys_page_unmap(0, (void *) RECVPG);
		}
		nmessages++;
	}
}

static void
ipc_worker(bool pinging)
{
	int round;

	// Pairs are adjacent, ping at an even index.
	peer = BOARD->slots[self ^ 1].id;
	for (round = 0; round < IROUNDS; round++) {
		pick_entry(round);
		if (pinging) {
			send_burst();
			recv_burst();
		} else {
			recv_burst();
			send_burst();
		}
	}
}

// ---------------------------------------------------------------------
// The parent and the start.

static void __attribute__((noreturn))
worker(int index, envid_t parent)
{
	struct slot *me = &BOARD->slots[index];

	self = index;
	myid = sys_getenvid();
	entry_first = syscall_entry;
	__sync_fetch_and_add(&BOARD->arrived, 1);
	while (!BOARD->go || BOARD->arrived < NWORKERS)
		sys_yield();
	switch (workers[index].role) {
	case REGION:
		region_worker();
		break;
	case COW:
		cow_worker();
		break;
	case PING:
	case PONG:
		ipc_worker(workers[index].role == PING);
		break;
	}
	me->faults = nfaults;
	me->messages = nmessages;
	me->errors = nerrors;
	me->done = 1;
	ipc_send(parent, index, 0, 0);
	exit();
}

// Take the workers' reports, noticing one that is gone without one.
// Returns the errors they counted and the parent found.
static uint32_t
collect(void)
{
	bool reported[NWORKERS] = { false }, lost[NWORKERS] = { false };
	int nreported = 0, ndone, i;
	uint32_t errors = 0;
	envid_t from;
	int32_t v;

	while (nreported < NWORKERS) {
		for (i = ndone = 0; i < NWORKERS; i++)
			ndone += BOARD->slots[i].done || lost[i];
		if (ndone == nreported) {
			for (i = 0; i < NWORKERS; i++)
				if (!BOARD->slots[i].done && !lost[i]
				    && env_gone(BOARD->slots[i].id)) {
					cprintf("sharedrace: FAIL: %s %d "
						"[%08x] gone without a "
						"report\n", workers[i].name,
						i, BOARD->slots[i].id);
					lost[i] = true;
					nreported++;
					errors++;
				}
			sys_yield();
			continue;
		}
		v = ipc_recv(&from, 0, 0);
		if (v < 0 || v >= NWORKERS || from != BOARD->slots[v].id
		    || reported[v] || !BOARD->slots[v].done) {
			cprintf("sharedrace: FAIL: report %08x from %08x\n", v,
				from);
			errors++;
			continue;
		}
		reported[v] = true;
		nreported++;
		errors += BOARD->slots[v].errors;
	}
	return errors;
}

void
umain(int argc, char **argv)
{
	uint32_t faults = 0, messages = 0, errors;
	envid_t parent = sys_getenvid(), id;
	int i, r;

	if ((r = sys_page_alloc(0, BOARD, RW | PTE_SHARE)) < 0)
		panic("sharedrace: page_alloc: %e", r);
	for (i = 0; i < NWORKERS; i++) {
		if ((id = fork()) < 0)
			panic("sharedrace: fork: %e", id);
		if (id == 0)
			worker(i, parent);
		BOARD->slots[i].id = id;
	}
	BOARD->go = 1;
	errors = collect();
	for (i = 0; i < NWORKERS; i++) {
		faults += BOARD->slots[i].faults;
		messages += BOARD->slots[i].messages;
		wait_env_gone(BOARD->slots[i].id);
	}
	cprintf("sharedrace: %d workers, %u faults, %u messages, %u errors\n",
		NWORKERS, faults, messages, errors);
}
