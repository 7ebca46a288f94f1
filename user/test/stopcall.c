/*
 * A client calling a server with ipc_call while its parent stops and
 * restarts it again and again (sys_env_set_status), on several CPUs: a
 * stop may land after the client has entered the kernel and before its
 * call hands its CPU to the server, which must then queue the server
 * instead.  The kernel once asserted there that the caller was running,
 * and panicked.  Answers are checked: each from the server, each higher
 * than the last and none ahead of the request (a call cancelled by a
 * stop may have its answer taken by the next call).
 */
#include <inc/lib.h>

#define ROUNDS	3000

static void
serve(void)
{
	envid_t from;
	int32_t v;

	for (;;) {
		v = ipc_recv(&from, 0, 0);
		sys_ipc_try_send(from, v + 1, (void *) UTOP, 0);
	}
}

// Call forever, counting on the board the calls that returned, those
// answered and the wrong answers.
static void
call(envid_t server, volatile uint32_t *board)
{
	int32_t i, r, last = 0;
	envid_t from;

	for (i = 0; ; i++) {
		r = ipc_call(server, i, 0, 0, &from, 0, 0);
		board[0]++;
		if (r < 0)
			continue;	// cancelled by a stop
		if (from != server || r <= last || r > i + 1)
			board[2]++;
		board[1]++;
		last = r;
	}
}

// Stop the client, then start it again.
static void
restart(envid_t client)
{
	sys_env_set_status(client, ENV_NOT_RUNNABLE);
	sys_yield();
	sys_env_set_status(client, ENV_RUNNABLE);
	sys_yield();
}

// Yield until the client has had one more call answered, restarting it
// now and then: a call whose answer a stop lost (the server's try_send
// came before the client was receiving again) waits for good otherwise.
static void
wait_answer(envid_t client, volatile uint32_t *board)
{
	uint32_t n = board[1];
	int i;

	for (i = 1; board[1] == n; i++)
		if (i % 1000 == 0)
			restart(client);
		else
			sys_yield();
}

void
umain(int argc, char **argv)
{
	// A page both children share with us: their counts.
	volatile uint32_t *board = (volatile uint32_t *) 0x10000000;
	envid_t server, client;
	int i, r;

	if ((r = sys_page_alloc(0, (void *) board, PTE_P | PTE_U | PTE_W
				| PTE_SHARE)) < 0)
		panic("stopcall: page_alloc: %e", r);
	if ((server = fork()) == 0)
		serve();
	if ((client = fork()) == 0)
		call(server, board);
	// A stop cancels a call blocked waiting (-E_IPC_NOT_RECV), and the
	// server's answer to it is lost (the client is not receiving then):
	// what matters is that calls go on, and answers are right.  The
	// stops begin once the client is calling (the rounds may be over
	// before another CPU first runs it), and end with a call answered
	// after the last.
	wait_answer(client, board);
	for (i = 0; i < ROUNDS; i++)
		restart(client);
	wait_answer(client, board);
	sys_env_destroy(client);
	sys_env_destroy(server);
	cprintf("stopcall: %d stops, %u calls, %u answered, %u errors\n",
		ROUNDS, board[0], board[1], board[2]);
}
