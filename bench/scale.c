/*
 * Multiprocessor scaling, for `make bench`: COPIES independent copies
 * of a workload run at once, and the program prints per workload and
 * repetition
 *
 *	scale NAME COPIES CYCLES CPUS...
 *
 * CYCLES is the time stamp counter's span from the moment every env
 * has passed the start barrier to the moment the last one is done;
 * CPUS, one word per env, is the set of CPUs the env was seen on, as
 * a bit mask.  bench/bench.py boots `scale` (one copy) on one CPU and
 * `scale2` (two) on two, without -icount so that the counter follows
 * the host clock, and divides the spans: 1.0 is perfect scaling.
 *
 * The copies share nothing but the board below, written only at the
 * start and the end.  The parent does no work and sleeps in ipc_recv
 * while they run, so it takes no CPU or kernel lock from them.
 */
#include <inc/lib.h>
#include <inc/x86.h>

#ifndef COPIES
#define COPIES		1
#endif
#define MAXROLES	2	// envs per copy of a workload
#define MAXENVS		(COPIES * MAXROLES)
#define REPEATS		3	// bench.py takes the median

#define BOARD		((struct board *) 0x0f000000)	// PTE_SHARE
#define SCRATCH		((char *) 0x10000000)	// each env's own region
#define FAULT_PAGES	256
#define PING_STOP	(-1)	// tells a ping-pong server to finish
#define RW		(PTE_P | PTE_U | PTE_W)

// What one env reports; it writes only its own slot.
struct slot {
	uint64_t start, end;	// time stamp counter
	uint32_t cpus;		// bit i: seen running on CPU i
};

struct board {
	volatile int arrived;	// envs at the start barrier
	struct slot slots[MAXENVS];
};

static envid_t parent;
static envid_t peer;		// the env forked just before us: ping's pong
static struct slot *me;

static void
note_cpu(void)
{
	me->cpus |= 1u << thisenv->env_cpunum;
}

// Yield until all nenvs envs have arrived; the clock starts after.
static void
start_barrier(int nenvs)
{
	__sync_fetch_and_add(&BOARD->arrived, 1);
	while (BOARD->arrived < nenvs)
		sys_yield();
	note_cpu();
	me->start = read_tsc();
}

static void
finish(void)
{
	note_cpu();
	me->end = read_tsc();
	ipc_send(parent, 0, 0, 0);
	exit();
}

// 409,600 null calls: some 0.2 s by sysenter on one CPU.
static void
null_syscalls(void)
{
	int round, i;

	for (round = 0; round < 1600; round++) {
		for (i = 0; i < 256; i++)
			sys_getenvid();
		note_cpu();
	}
}

// 30,720 demand-zero faults served by the kernel, in batches of one
// fresh region each (mapped and unmapped with the batch: the time
// includes one sys_region_map and one sys_region_unmap per 256 faults).
static void
region_faults(void)
{
	int round, i, r;
	void *va;

	for (round = 0; round < 120; round++) {
		va = SCRATCH;
		if ((r = sys_region_map(0, &va, FAULT_PAGES * PGSIZE, RW,
					REGION_FIXED)) < 0)
			panic("scale: region_map: %e", r);
		for (i = 0; i < FAULT_PAGES; i++)
			((volatile char *) va)[i * PGSIZE] = 1;
		sys_region_unmap(0, va, FAULT_PAGES * PGSIZE);
		note_cpu();
	}
}

// The server of a ping-pong pair: answer each value with the next one
// until told to stop.
static void
pong(void)
{
	envid_t who;
	int32_t v;

	while ((v = ipc_recv(&who, 0, 0)) != PING_STOP) {
		ipc_send(who, v + 1, 0, 0);
		note_cpu();
	}
}

// The client: 8,000 round trips with the server, peer.
static void
ping(void)
{
	int round, i;

	for (round = 0; round < 125; round++) {
		for (i = 0; i < 64; i++) {
			ipc_send(peer, i, 0, 0);
			ipc_recv(0, 0, 0);
		}
		note_cpu();
	}
	ipc_send(peer, PING_STOP, 0, 0);
}

// A workload: the envs of one copy, forked in this order; each role
// after the first has the one before it as its peer.
struct workload {
	const char *name;
	void (*roles[MAXROLES])(void);
};

static const struct workload workloads[] = {
	{ "syscall", { null_syscalls } },
	{ "fault", { region_faults } },
	{ "ipc", { pong, ping } },
};

static int
roles_of(const struct workload *w)
{
	int n = 0;

	while (n < MAXROLES && w->roles[n])
		n++;
	return n;
}

// Fork the env for board slot index, running role; returns its id.
static envid_t
fork_worker(void (*role)(void), int index, int nenvs)
{
	envid_t id;

	if ((id = fork()) < 0)
		panic("scale: fork: %e", id);
	if (id == 0) {
		me = &BOARD->slots[index];
		start_barrier(nenvs);
		role();
		finish();
	}
	return id;
}

// Span of the run from the first start to the last end.
static uint64_t
span(int nenvs)
{
	uint64_t first = ~0ull, last = 0;
	int i;

	for (i = 0; i < nenvs; i++) {
		first = MIN(first, BOARD->slots[i].start);
		last = MAX(last, BOARD->slots[i].end);
	}
	return last - first;
}

// One line, printed by one call: another CPU's env may be exiting, and
// the kernel's line about it must not land inside ours (bench.py would
// lose the run).
static void
report(const struct workload *w, int nenvs)
{
	char line[128];
	int i, n;

	n = snprintf(line, sizeof(line), "scale %s %d %llu", w->name, COPIES,
		     span(nenvs));
	for (i = 0; i < nenvs; i++)
		n += snprintf(line + n, sizeof(line) - n, " %x",
			      BOARD->slots[i].cpus);
	cprintf("%s\n", line);
}

static void
run_workload(const struct workload *w)
{
	int nroles = roles_of(w), nenvs = COPIES * nroles, i;
	envid_t ids[MAXENVS];

	memset(BOARD, 0, sizeof(*BOARD));
	for (i = 0; i < nenvs; i++) {
		ids[i] = fork_worker(w->roles[i % nroles], i, nenvs);
		peer = ids[i];
	}
	for (i = 0; i < nenvs; i++)
		ipc_recv(0, 0, 0);
	report(w, nenvs);
	for (i = 0; i < nenvs; i++)
		wait_env_gone(ids[i]);
}

void
umain(int argc, char **argv)
{
	int r, i, rep;

	parent = thisenv->env_id;
	if ((r = sys_page_alloc(0, BOARD, RW | PTE_SHARE)) < 0)
		panic("scale: page_alloc: %e", r);
	for (i = 0; i < ARRAY_SIZE(workloads); i++)
		for (rep = 0; rep < REPEATS; rep++)
			run_workload(&workloads[i]);
	cprintf("scale done\n");
}
