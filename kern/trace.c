/*
 * The event trace: see kern/trace.h.
 *
 * Each CPU writes only its own ring, so a record takes no lock: a time
 * stamp, a few stores and a look at how full the ring is.  Nothing in
 * the kernel that records can be interrupted by something else that
 * records (it runs with interrupts off, and the waits that turn them on
 * record nothing until they are over).
 *
 * Streaming (opt/jos/trace=stream, make TRACE=1) sends the records out
 * on QEMU's debug console, port 0xe9, which make points at a file of
 * its own, never the console the grader reads.  A CPU sends its records
 * in batches: when half its ring waits, and when it halts with nothing
 * to do; the CPU that finds no env can run anywhere sends every CPU's.
 * One CPU sends at a time (port_busy); one that records and finds the
 * port busy sends at its next chance, so recording never waits for the
 * stream (only trace_flush_all does, from the CPU that found nothing to
 * run anywhere).  A panic sends its own CPU's records if it can.  With
 * opt/jos/trace=ring nothing is sent: the rings keep the last records
 * for the monitor and gdb.
 *
 * A ring full of records not sent yet drops its oldest, counting them,
 * and the next batch begins with a TR_DROPPED record saying how many.
 */
#include <inc/string.h>
#include <inc/stdio.h>
#include <inc/assert.h>
#include <inc/x86.h>
#include <inc/env.h>
#include <kern/trace.h>
#include <kern/fwcfg.h>
#include <kern/programs.h>
#include <kern/kbench.h>

#define DEBUGCON_PORT	0xe9

struct TraceRing trace_rings[NCPU];
bool trace_on, trace_streaming;

static volatile uint32_t port_busy;	// a CPU is sending (xchg)
static uint32_t clock_mhz;		// the time stamp counter's rate
static char names[NENV][8];		// each env's program, by ENVX

#define PIT_HZ		1193182	// the 8254 timer's input clock
#define PIT_CH2		0x42
#define PIT_MODE	0x43
#define PIT_GATE	0x61	// bit 0: channel 2's gate; bit 5: its output
#define CALIBRATE_MS	10

// The time stamp counter's rate in MHz, for the trace's time axis:
// counted over CALIBRATE_MS of the 8254's channel 2, which in mode 0
// raises its output once its count has run down.
static uint32_t
tsc_mhz(void)
{
	uint32_t count = PIT_HZ / (1000 / CALIBRATE_MS);
	uint64_t start;

	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
	outb(PIT_MODE, 0xb0);		// channel 2, both bytes, mode 0
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	start = read_tsc();
	while (!(inb(PIT_GATE) & 0x20))
		;
	return (read_tsc() - start) / (CALIBRATE_MS * 1000);
}

// Tracing is on if the boot asks for it: opt/jos/trace is "ring" (keep
// the records) or anything else (keep and stream them).
void
trace_init(void)
{
	char how[8];
	int i;

	if (fwcfg_read_string("opt/jos/trace", how, sizeof(how)) < 0)
		return;
	trace_streaming = strcmp(how, "ring") != 0;
	for (i = 0; i < NCPU; i++) {
		cpus[i].cpu_trace = &trace_rings[i];
		trace_rings[i].limit = trace_streaming ? TRACE_RING / 2 : ~0u;
	}
	clock_mhz = tsc_mhz();
	trace_on = true;
}

/*
 * Streaming, ring r of this CPU has reached its limit, record r->head
 * about to be made: send the records waiting (trace_flush sets the next
 * limit, half a ring on).  If another CPU is sending, try again at the
 * next record, losing the oldest one not sent if this one replaces it.
 */
static void
ring_at_limit(struct TraceRing *r)
{
	trace_flush();
	if (r->head == r->sent)
		return;
	if (r->head - r->sent == TRACE_RING) {
		r->sent++;
		r->dropped++;
	}
	r->limit = r->head + 1;
}

// What a trace point costs when on, so kept short: arguments in
// registers, the ring found from this CPU's CpuInfo, the time stamp read
// last (rdtsc takes two of the registers), the CPU left for send_ring
// and the readers, who know whose ring it is.
void __attribute__((regparm(3), optimize("O2", "omit-frame-pointer")))
trace_record(uint32_t env, uint32_t a, uint32_t b, uint32_t type)
{
	struct TraceRing *r = thiscpu->cpu_trace;
	struct TraceRec *t;

	if (r->head == r->limit)
		ring_at_limit(r);
	t = &r->rec[r->head % TRACE_RING];
	t->env = env;
	t->a = a;
	t->b = b;
	t->tag = type;		// the CPU is filled in when it is sent
	t->tsc = read_tsc();
	r->head++;
}

static void
send(const void *p, size_t n)
{
	asm volatile("cld; rep outsb"
		     : "+S" (p), "+c" (n)
		     : "d" (DEBUGCON_PORT)
		     : "memory");
}

// Send what ring r (CPU cpu's) has not sent: first, if it lost records
// since its last batch, a TR_DROPPED record dated as the first record
// that follows.  The caller holds the port.
static void
send_ring(struct TraceRing *r, int cpu)
{
	struct TraceRec lost;
	uint32_t i, n, sent = r->sent;

	if (r->dropped != r->dropped_told && r->sent != r->head) {
		memset(&lost, 0, sizeof(lost));
		lost.tsc = r->rec[r->sent % TRACE_RING].tsc;
		lost.a = r->dropped - r->dropped_told;
		lost.type = TR_DROPPED;
		lost.cpu = cpu;
		send(&lost, sizeof(lost));
		r->dropped_told = r->dropped;
	}
	for (; r->sent != r->head; r->sent++)
		r->rec[r->sent % TRACE_RING].cpu = cpu;
	while (sent != r->head) {
		i = sent % TRACE_RING;
		n = MIN(r->head - sent, TRACE_RING - i);
		send(&r->rec[i], n * sizeof(struct TraceRec));
		sent += n;
	}
}

// Send this CPU's records not sent yet, unless another CPU is sending.
void
trace_flush(void)
{
	struct TraceRing *r = &trace_rings[cpunum()];

	if (!trace_streaming || xchg(&port_busy, 1))
		return;
	send_ring(r, cpunum());
	r->limit = r->head + TRACE_RING / 2;
	xchg(&port_busy, 0);
}

// Send every CPU's records: from the CPU that found no env can run, the
// others halted or asleep on the kernel lock, recording nothing.
void
trace_flush_all(void)
{
	int i;

	if (!trace_streaming)
		return;
	while (xchg(&port_busy, 1))
		asm volatile("pause");
	for (i = 0; i < ncpu; i++) {
		send_ring(&trace_rings[i], i);
		trace_rings[i].limit = trace_rings[i].head + TRACE_RING / 2;
	}
	xchg(&port_busy, 0);
}

#define BENCH_POINTS	1000

// make bench, traced: what a trace point costs, its loop's own cost
// (an empty loop's) taken off; then a clean ring.
void
trace_bench(void)
{
	struct TraceRing *r = thiscpu->cpu_trace;
	uint64_t t, loop;
	int i;

	if (!trace_on || !kernel_bench)
		return;
	t = read_tsc();
	for (i = 0; i < BENCH_POINTS; i++)
		asm volatile("" : : "r" (i));
	loop = read_tsc() - t;
	t = read_tsc();
	for (i = 0; i < BENCH_POINTS; i++)
		TRACE(TR_DROPPED, 0, i, 0);
	kbench_report("trace-point", BENCH_POINTS, read_tsc() - t - loop);
	r->head = r->sent = 0;
	r->limit = trace_streaming ? TRACE_RING / 2 : ~0u;
}

// src's message value went to dst: the sender's record and the
// receiver's.
void
trace_message(uint32_t src, uint32_t dst, uint32_t value)
{
	trace_record(src, dst, value, TR_SEND);
	trace_record(dst, src, value, TR_RECV);
}

// env's program is now name: note it and record a TR_NAME.
static void
name_env(uint32_t env, const char *name)
{
	char *n = names[ENVX(env)];
	uint32_t ab[2];

	memset(n, 0, sizeof(names[0]));
	strncpy(n, name, sizeof(names[0]));
	memcpy(ab, n, sizeof(ab));
	trace_record(env, ab[0], ab[1], TR_NAME);
}

// env was just created to run the embedded program at binary.
void
trace_program(uint32_t env, const uint8_t *binary)
{
	const struct UserProgram *p;

	if (!trace_on)
		return;
	// The rate goes with the first env, not at boot: a reader's time
	// starts at its first record.  So does the number of CPUs: one may
	// record nothing in a whole run (asleep on the kernel lock while the
	// host runs the others), and still has its lane in a picture.
	if (clock_mhz) {
		trace_record(0, clock_mhz, ncpu, TR_CLOCK);
		clock_mhz = 0;
	}
	for (p = user_programs; p->name && p->binary != binary; p++)
		;
	name_env(env, p->name ? p->name : "?");
}

// child, just made by parent, runs parent's program.
void
trace_inherit(uint32_t child, uint32_t parent)
{
	char name[sizeof(names[0]) + 1];

	if (!trace_on)
		return;
	memcpy(name, names[ENVX(parent)], sizeof(names[0]));
	name[sizeof(names[0])] = '\0';
	name_env(child, name);
}

// Ring r's records lost, and those it holds not sent yet (kept only,
// every record it holds).
static uint32_t
ring_dropped(struct TraceRing *r)
{
	if (trace_streaming)
		return r->dropped;
	return r->head > TRACE_RING ? r->head - TRACE_RING : 0;
}

static uint32_t
ring_waiting(struct TraceRing *r)
{
	return trace_streaming ? r->head - r->sent : MIN(r->head, TRACE_RING);
}

static const char *const type_names[] = {
	[TR_SWITCH] = "switch",		[TR_SYSCALL] = "syscall",
	[TR_SYSRET] = "sysret",		[TR_TRAP] = "trap",
	[TR_FAULT] = "fault",		[TR_SEND] = "send",
	[TR_RECV] = "recv",		[TR_WAKE] = "wake",
	[TR_IDLE] = "idle",		[TR_RESUME] = "resume",
	[TR_LOCKWAIT] = "lockwait",	[TR_SWAPIO] = "swapio",
	[TR_NAME] = "name",		[TR_DROPPED] = "dropped",
	[TR_EXIT] = "exit",		[TR_CLOCK] = "clock",
	[TR_RESTART] = "restart",
};

// The monitor's trace: each CPU's counts, and its last n records, oldest
// first.  Reads the rings as they are: after a panic, other CPUs may
// still be writing theirs.
void
trace_print(int n)
{
	struct TraceRing *r;
	struct TraceRec *t;
	uint32_t k;
	int i;

	if (!trace_on) {
		cprintf("tracing is off (make TRACE=1 turns it on)\n");
		return;
	}
	for (i = 0; i < ncpu; i++) {
		r = &trace_rings[i];
		cprintf("CPU %d: %u records, %u dropped, %u not sent\n", i,
			r->head, ring_dropped(r), ring_waiting(r));
		for (k = r->head - MIN(r->head, MIN((uint32_t) n, TRACE_RING));
		     k != r->head; k++) {
			t = &r->rec[k % TRACE_RING];
			cprintf("  %016llx  %08x  %-8s  %08x  %08x\n", t->tsc,
				t->env, t->type < ARRAY_SIZE(type_names)
				&& type_names[t->type] ? type_names[t->type]
				: "?", t->a, t->b);
		}
	}
}
