/*
 * The event trace (kern/trace.c): what each CPU did and when, recorded
 * in a ring of its own, for a student to look at as a picture
 * (conf/trace.py), in the monitor (trace) or from gdb (jos trace).
 *
 * Off unless the kernel is booted with fw_cfg opt/jos/trace (make
 * TRACE=1): then each trace point costs a single predictable branch,
 * the test of trace_on.
 */
#ifndef JOS_KERN_TRACE_H
#define JOS_KERN_TRACE_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <kern/cpu.h>

// Event types, and what env, a and b mean for each (conf/trace.py and
// conf/gdb-jos.py's TRACE_TYPES read them by these numbers: change them
// together).
enum {
	TR_SWITCH = 1,	// the CPU now runs env (0: nothing); a: the one before
	TR_SYSCALL,	// env enters system call a
	TR_SYSRET,	// env's system call a returns b
	TR_TRAP,	// env took trap a (not a call, not a page fault); b: err
	TR_FAULT,	// page fault of env at va a, handled as b (TRF_*)
	TR_SEND,	// env's message b went to env a
	TR_RECV,	// env received message b from env a
	TR_WAKE,	// env made env a runnable
	TR_IDLE,	// the CPU halts with nothing to run
	TR_RESUME,	// the halted CPU woke
	TR_LOCKWAIT,	// the CPU waited b cycles for the lock at a
	TR_SWAPIO,	// swap slot a moved, b: 1 out to the disk, 0 back in
	TR_NAME,	// env runs the program named by the 8 bytes in a and b
	TR_DROPPED,	// a records of this CPU were lost before this one
	TR_EXIT,	// env was freed
	TR_CLOCK,	// the time stamp counter runs at a MHz; b CPUs run
	TR_RESTART,	// env's system call a, begun holding the kernel lock
			// shared, starts over under the exclusive lock
};

// How a page fault went (TR_FAULT's b).
enum {
	TRF_REGION,	// the kernel mapped a region's page
	TRF_UPCALL,	// sent to the env's page fault upcall
	TRF_SWAPIN,	// brought back from swap
	TRF_KILLED,	// the env was destroyed
	TRF_COW,	// sent to the upcall, the page copy-on-write
};

// One event, as it is streamed too: 24 bytes, little-endian.
struct TraceRec {
	uint64_t tsc;		// time stamp counter
	uint32_t env;		// the env it is about, 0 for none
	uint32_t a, b;
	union {
		struct {
			uint16_t type;	// TR_*
			uint8_t cpu;	// filled in as it is sent
			uint8_t flags;	// 0
		};
		uint32_t tag;	// all three, written at once
	};
} __attribute__((packed));

static_assert(sizeof(struct TraceRec) == 24);

#define TRACE_RING	2048	// records each CPU keeps (a power of 2)

// CPU i's ring, written only by CPU i.  Record n (counting from boot)
// is rec[n % TRACE_RING], kept until record n + TRACE_RING replaces it.
// Streaming, a record replaced before it was sent is lost (dropped);
// kept in the ring only, every record older than the last TRACE_RING is.
struct TraceRing {
	struct TraceRec rec[TRACE_RING];
	uint32_t head;		// records made since boot
	uint32_t limit;		// head at which the ring needs seeing to
	uint32_t sent;		// streaming: records sent or given up for lost
	uint32_t dropped;	// streaming: lost, replaced before being sent
	uint32_t dropped_told;	// of those, reported in the stream
};

extern struct TraceRing trace_rings[NCPU];
extern bool trace_on;		// opt/jos/trace was given
extern bool trace_streaming;	// ... and the stream goes out on port 0xe9

void	trace_init(void);
// (type last: the three in registers are stored at once.)
void	trace_record(uint32_t env, uint32_t a, uint32_t b, uint32_t type)
	__attribute__((regparm(3)));
void	trace_flush(void);
void	trace_flush_all(void);
void	trace_program(uint32_t env, const uint8_t *binary);
void	trace_inherit(uint32_t child, uint32_t parent);
void	trace_print(int n);
void	trace_message(uint32_t src, uint32_t dst, uint32_t value);
void	trace_bench(void);

// Record an event if tracing: one branch when it is off.
#define TRACE(type, env, a, b)						\
	do {								\
		if (__builtin_expect(trace_on, 0))			\
			trace_record((env), (a), (b), (type));		\
	} while (0)

#endif
