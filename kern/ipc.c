/*
 * Inter-process communication: a 32-bit value, and maybe a page, from a
 * sender to a receiver blocked in sys_ipc_recv.
 *
 * sys_ipc_try_send, the course's call, delivers only to an env already
 * waiting in sys_ipc_recv, and otherwise fails with -E_IPC_NOT_RECV, so
 * a sender that must get through has to try again and again.
 * sys_ipc_send waits instead: a sender whose receiver is not waiting
 * blocks (ENV_NOT_RUNNABLE, costing no CPU) at the tail of that
 * receiver's queue of senders.  The receiver's next sys_ipc_recv takes
 * the message at the head at once, without blocking, and the sender
 * wakes with the result try_send would have had at that moment: 0, or
 * its own error.  So senders get through in the order they came.
 *
 * Costs: a send to a waiting receiver, and a receive that finds no
 * sender queued, cost what the course's calls did, plus one load (the
 * receiver's queue head).  A send that queues and the receive that
 * takes it cost a queue append and pop, and a switch to the sender.
 *
 * Which page travels: the one mapped at the sender's srcva when the
 * receiver takes the message, looked up and checked then as try_send
 * does.  That is the page the course's ipc_send sent, retrying try_send
 * until the receiver was there; and a queued message holds no page,
 * so the page audit, swap and the freeing of a queued sender have
 * nothing extra to account for.  The arguments are also checked when
 * the send is made, so a bad one fails at once, not after the wait.  A
 * blocked sender does not touch its memory; its page can change only
 * by its parent unmapping or replacing it, and the send then fails
 * when the message is taken.  A snapshot of a queued sender must not
 * make a page it sends writable copy-on-write (its send would fail):
 * kern/checkpoint.c copies that page outright (ipc_send_page).
 *
 * Invariants:
 *   - A queued sender is ENV_NOT_RUNNABLE, on no CPU, and its receiver
 *     is alive: freeing a receiver fails its senders with -E_BAD_ENV.
 *   - An env waiting in sys_ipc_recv has no queued sender: a send to it
 *     completes at once.
 *   - A sender leaves its queue when its message is taken, when it is
 *     woken by sys_env_set_status (the send fails, -E_IPC_NOT_RECV, as a
 *     woken receive does), restored from a snapshot, or freed.
 *
 * A send to oneself could never be taken: it fails with -E_INVAL.
 * Senders that wait for each other in a cycle wait for good, as the
 * course's polling ipc_send would have spun for good.
 */
#include <inc/error.h>
#include <inc/assert.h>

#include <kern/env.h>
#include <kern/sched.h>
#include <kern/kernlock.h>
#include <kern/syscall.h>
#include <kern/ipc.h>
#include <kern/trace.h>

/*
 * What IPC keeps of each env beyond struct Env (whose layout is the
 * user ABI), indexed as envs[].  Every field is read and written only
 * with the kernel lock held exclusive, or shared with sched_lock (a
 * message without a page: see syscall_shared_how); user programs never
 * see them.  A queue is
 * singly linked through its senders, with a tail for appending.
 */
static struct {
	struct Env *to;		// the receiver it waits for, or NULL
	struct Env *next;	// the sender queued after it for to
	uint32_t value;		// its message
	void *srcva;
	unsigned perm;
	bool call;		// sys_ipc_call's, not sys_ipc_send's
} senders[NENV];		// envs blocked in sys_ipc_send or _call
static struct Env *queue_head[NENV], *queue_tail[NENV];	// by receiver

#define SENDER(e)	(senders[ENVX((e)->env_id)])

// Queue sender s for the receiver to.
static void
queue_append(struct Env *to, struct Env *s)
{
	int t = ENVX(to->env_id);

	assert(sched_owned());
	SENDER(s).to = to;
	SENDER(s).next = NULL;
	if (queue_tail[t])
		SENDER(queue_tail[t]).next = s;
	else
		queue_head[t] = s;
	queue_tail[t] = s;
}

// Take the first sender off to's queue: NULL if none.
static struct Env *
queue_pop(struct Env *to)
{
	int t = ENVX(to->env_id);
	struct Env *s = queue_head[t];

	if (s) {
		queue_head[t] = SENDER(s).next;
		if (!queue_head[t])
			queue_tail[t] = NULL;
		SENDER(s).to = NULL;
	}
	return s;
}

// Take s, a queued sender, off its receiver's queue, wherever it is in
// it: a walk of the queue, on the slow paths only (cancel, free).
static void
queue_remove(struct Env *s)
{
	int t = ENVX(SENDER(s).to->env_id);
	struct Env *prev = NULL, *e;

	assert(sched_owned());
	for (e = queue_head[t]; e != s; e = SENDER(e).next) {
		assert(e);
		prev = e;
	}
	if (prev)
		SENDER(prev).next = SENDER(s).next;
	else
		queue_head[t] = SENDER(s).next;
	if (queue_tail[t] == s)
		queue_tail[t] = prev;
	SENDER(s).to = NULL;
}

// Let e, blocked in sys_ipc_send (and off every queue now) or in
// sys_ipc_recv, run again, its call returning r.  (sched_wake asserts
// e is blocked.)  Inline: on every delivery.
static inline void __attribute__((always_inline))
wake(struct Env *e, int r)
{
	e->env_tf.tf_regs.reg_eax = r;
	sched_wake(e);
}

/*
 * Give dst, which is waiting for a message with a page wanted at dstva
 * (if below UTOP), src's value, and the page src has at srcva (if below
 * UTOP) mapped with perm.  Returns 0, or src's error, with dst untouched.
 */
static inline int __attribute__((always_inline))
deliver(struct Env *src, struct Env *dst, void *dstva, uint32_t value,
	void *srcva, unsigned perm)
{
	struct PageInfo *pp;
	unsigned got = 0;
	int r;

	// (A page found is never NULL.)
	if ((uintptr_t) srcva < UTOP) {
		if ((r = lookup_for_map(src, srcva, perm, &pp)) < 0)
			return r;
		if ((uintptr_t) dstva < UTOP) {
			if ((r = insert_held(dst, pp, dstva, perm)) < 0)
				return r;
			got = perm;
		}
	}
	dst->env_ipc_perm = got;
	dst->env_ipc_recving = false;
	dst->env_ipc_from = src->env_id;
	dst->env_ipc_value = value;
	if (__builtin_expect(trace_on, 0))
		trace_message(src->env_id, dst->env_id, value);
	return 0;
}

// Deliver the caller's message to e, blocked in sys_ipc_recv, and wake
// it with 0 from that call.  Returns 0 or the caller's error.
static inline int __attribute__((always_inline))
send_now(struct Env *e, uint32_t value, void *srcva, unsigned perm)
{
	int r;

	if ((r = deliver(curenv, e, e->env_ipc_dstva, value, srcva, perm)) < 0)
		return r;
	wake(e, 0);
	return 0;
}

// Block the current env, a sender (a caller, if call), at the tail of
// e's queue, once its arguments pass try_send's checks (else return the
// error), which bring no page in: the page is looked up when the message
// is taken.
static int __attribute__((noinline))
wait_for_receiver(struct Env *e, uint32_t value, void *srcva,
		  unsigned perm, bool call)
{
	struct Env *cur = curenv;
	int r;

	if (e == cur)
		return -E_INVAL;
	if ((uintptr_t) srcva < UTOP
	    && (r = map_source_ok(cur, srcva, perm)) < 0)
		return r;
	SENDER(cur).value = value;
	SENDER(cur).srcva = srcva;
	SENDER(cur).perm = perm;
	SENDER(cur).call = call;
	queue_append(e, cur);
	sched_block();
}

// The two sends: to envid if it is receiving; if not, -E_IPC_NOT_RECV,
// or wait in its queue.
static inline int __attribute__((always_inline))
send(envid_t envid, uint32_t value, void *srcva, unsigned perm, bool wait)
{
	struct Env *e;
	int r;

	if ((r = envid2env(envid, &e, 0)) < 0)
		return r;
	if (e->env_ipc_recving)
		return send_now(e, value, srcva, perm);
	if (!wait)
		return -E_IPC_NOT_RECV;
	return wait_for_receiver(e, value, srcva, perm, false);
}

/*
 * Deliver value (and the page at srcva, if srcva < UTOP and the receiver
 * wants one) to envid, which must be blocked in sys_ipc_recv, else
 * -E_IPC_NOT_RECV.  Any env may send to any env.
 */
int
sys_ipc_try_send(envid_t envid, uint32_t value, void *srcva, unsigned perm)
{
	return send(envid, value, srcva, perm, false);
}

/*
 * As sys_ipc_try_send, but if envid is not receiving, block in its
 * queue until it takes the message (see the top of the file).  Returns
 * at once only when envid was receiving or an argument is bad; a
 * blocked sender's result is written when it is woken.
 */
int
sys_ipc_send(envid_t envid, uint32_t value, void *srcva, unsigned perm)
{
	return send(envid, value, srcva, perm, true);
}

// May a receive map a page at dstva?  Below UTOP it must be page-aligned
// and at least UMINADDR; at or above UTOP it asks for no page.
static bool
ipc_dstva_ok(uintptr_t dstva)
{
	return dstva >= UTOP || (PGOFF(dstva) == 0 && dstva >= UMINADDR);
}

// Block cur, the current env, in sys_ipc_recv, its queue empty.
// Inline: on every receive that waits.
static inline void __attribute__((noreturn, always_inline))
wait_for_sender(struct Env *cur, void *dstva)
{
	cur->env_ipc_recving = true;
	cur->env_ipc_dstva = dstva;
	sched_block();
}

/*
 * Take the first queued sender's message that goes through (a sender
 * whose message fails wakes with its error), and return 0 from the
 * receive; if none goes through, block.  Either way the receiver gives
 * up its CPU: the sender it woke runs now.  A reply to that sender then
 * finds it receiving and completes at once, rather than queueing behind
 * its next send: two envs taking turns settle into that cheap path
 * (ipc-round-trip in make bench, whose first send finds its receiver
 * not yet there, costs 1,627 instructions without this, 1,440 with it).
 */
// A page to map needs the exclusive lock: a call holding it shared
// that would take a queued message with a page starts over (before it
// has changed anything).  Only the queue's head matters: a message
// without a page always goes through.  Inline: every sys_ipc_call asks.
// s is the head of the caller's queue.
static inline void __attribute__((always_inline))
exclusive_for_queued_page(struct Env *s)
{
	if (s && (uintptr_t) SENDER(s).srcva < UTOP && !kernel_alone())
		syscall_restart_exclusive();
}

static void __attribute__((noinline, noreturn))
take_from_queue(void *dstva)
{
	struct Env *cur = curenv, *s;
	int r;

	exclusive_for_queued_page(queue_head[ENVX(cur->env_id)]);
	while ((s = queue_pop(cur))) {
		r = deliver(s, cur, dstva, SENDER(s).value,
			    SENDER(s).srcva, SENDER(s).perm);
		// A caller whose message went receives with a call of its
		// own (the library's ipc_call): its queue may hold senders.
		wake(s, r == 0 && SENDER(s).call ? IPC_CALL_SENT : r);
		if (r == 0) {
			cur->env_tf.tf_regs.reg_eax = 0;
			sched_yield();
		}
	}
	wait_for_sender(cur, dstva);
}

/*
 * Wait for a message, with a page at dstva if it is below UTOP.  A
 * queued sender's message is taken at once (take_from_queue); otherwise
 * the env blocks, and sees 0 once a sender wakes it (a cancel by
 * sys_env_set_status says otherwise).  Returns here only -E_INVAL, for
 * a bad dstva.
 */
int
sys_ipc_recv(void *dstva)
{
	struct Env *cur = curenv;

	if (!ipc_dstva_ok((uintptr_t) dstva))
		return -E_INVAL;
	if (queue_head[ENVX(cur->env_id)])
		take_from_queue(dstva);
	wait_for_sender(cur, dstva);
}

/*
 * Send to envid as sys_ipc_send does, then receive as sys_ipc_recv(dstva)
 * does, in one call: a client's request and the wait for its answer, or
 * a server's answer and the wait for the next request (Liedtke's "call"
 * and "reply and wait").  When envid is receiving, as a client's server
 * or a server's client is, the message goes at once, the caller blocks
 * receiving, and envid runs here and now, unless a waiting env outranks
 * it (sched_hand_over): no trip through the run queue, no other CPU
 * woken.  Returns 0 once a message has come, an error (nothing sent),
 * or, if envid was not receiving and the caller had to queue,
 * IPC_CALL_SENT once its message has been taken: the caller receives
 * with sys_ipc_recv (its own queue may hold senders meanwhile).  (The
 * system call's fourth argument carries both dstva, page-aligned, and
 * perm, in its low 12 bits: see lib/syscall.c.)
 */
int
sys_ipc_call(envid_t envid, uint32_t value, void *srcva, unsigned perm,
	     void *dstva)
{
	struct Env *cur = curenv, *e;
	// Looked at once: the queue changes only under sched_lock or the
	// exclusive lock, which this CPU holds, and deliver frees no env.
	struct Env *queued = queue_head[ENVX(cur->env_id)];
	int r;

	if (!ipc_dstva_ok((uintptr_t) dstva))
		return -E_INVAL;
	exclusive_for_queued_page(queued);
	if ((r = envid2env(envid, &e, 0)) < 0)
		return r;
	if (!e->env_ipc_recving)
		return wait_for_receiver(e, value, srcva, perm, true);
	if ((r = deliver(cur, e, e->env_ipc_dstva, value, srcva, perm)) < 0)
		return r;
	e->env_tf.tf_regs.reg_eax = 0;
	// A sender already waits for us: take its message, and let e run
	// when a CPU is free.
	if (queued) {
		env_set_status(e, ENV_RUNNABLE);
		take_from_queue(dstva);
	}
	cur->env_ipc_recving = true;
	cur->env_ipc_dstva = dstva;
	sched_hand_over(e);
}

uintptr_t
ipc_send_page(struct Env *e)
{
	if (SENDER(e).to && (uintptr_t) SENDER(e).srcva < UTOP
	    && (SENDER(e).perm & PTE_W))
		return (uintptr_t) SENDER(e).srcva;
	return UTOP;
}

bool
ipc_blocked(struct Env *e)
{
	return e->env_ipc_recving || SENDER(e).to;
}

void
ipc_cancel(struct Env *e)
{
	if (!ipc_blocked(e))
		return;
	ipc_forget(e);
	e->env_tf.tf_regs.reg_eax = -E_IPC_NOT_RECV;
}

void
ipc_forget(struct Env *e)
{
	e->env_ipc_recving = false;
	if (SENDER(e).to)
		queue_remove(e);
}

void
ipc_env_free(struct Env *e)
{
	struct Env *s;

	ipc_forget(e);
	while ((s = queue_pop(e)))
		wake(s, -E_BAD_ENV);
}
