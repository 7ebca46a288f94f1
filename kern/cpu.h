/*
 * Per-CPU state.  A CPU finds its own CpuInfo from its task register:
 * CPU i loads the TSS selector GD_TSS0 + 8*i at start-up, and `str'
 * reads it back with no memory or MMIO access.  CPU i's kernel stack
 * lies just below KSTACKTOP - i*(KSTKSIZE+KSTKGAP).
 */
#ifndef JOS_KERN_CPU_H
#define JOS_KERN_CPU_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/memlayout.h>

#define NCPU	8

// log2(KSTKSIZE + KSTKGAP): CPU i's stack top is KSTACKTOP - (i << KSTKSHIFT).
#define KSTKSHIFT	16

#ifndef __ASSEMBLER__
#include <inc/types.h>
#include <inc/mmu.h>
#include <inc/env.h>
#include <inc/x86.h>
#include <inc/assert.h>

enum {
	CPU_UNUSED = 0,
	CPU_STARTED,
	CPU_HALTED,
};

// Aligned so that cpus[i] is a shift away (see mycpu).
struct CpuInfo {
	uint8_t cpu_id;			// local APIC id; also the index in cpus[]
	volatile unsigned cpu_status;	// CPU_UNUSED, CPU_STARTED or CPU_HALTED
	struct Env *cpu_env;		// the env this CPU runs, or NULL
	pde_t *cpu_pgdir;		// the page directory it has loaded
	volatile bool cpu_sleeping;	// in cpu_sleep: waiting for an interrupt
	volatile bool cpu_tlb_flush;	// asked to flush its TLB
	bool cpu_woken;			// halted, but sent a wake-up IPI
	struct Env *cpu_fpu_env;	// whose state its FPU registers hold
	volatile bool cpu_resched;	// choose again before user mode
	uint32_t cpu_locks;		// bit r: holds a lock of rank r
					// (kern/spinlock.h)
	volatile uint32_t cpu_shared;	// holds the kernel lock shared
					// (kern/kernlock.h)
	volatile uint32_t cpu_io_wait;	// holds it shared and waits for
					// the swap disk (kernel_io_begin)
	struct TraceRing *cpu_trace;	// its ring (kern/trace.h)
	// Counts since boot, each written by this CPU only, under the
	// kernel lock (the monitor's cpus shows them):
	unsigned cpu_switches;		// times it switched to an env
	unsigned cpu_halts;		// times it halted with nothing to run
	unsigned cpu_preempted;		// times another CPU made it choose
					// again (by IPI; the one exception:
					// that CPU writes it)
	struct Taskstate cpu_ts;	// gives the kernel stack for user traps
} __attribute__((aligned(128)));

// kern/mpconfig.c
extern struct CpuInfo cpus[NCPU];
extern int ncpu;			// CPUs found and in use
extern struct CpuInfo *bootcpu;		// the CPU that booted
extern physaddr_t lapicaddr;		// physical address of the local APIC

// Kernel stacks, one per CPU (kern/pmap.c maps them below KSTACKTOP).
extern unsigned char percpu_kstacks[NCPU][KSTKSIZE];

// The top of CPU i's kernel stack.
#define KSTACKTOP_CPU(i)	(KSTACKTOP - ((i) << KSTKSHIFT))

static_assert(KSTKSIZE + KSTKGAP == 1 << KSTKSHIFT);

static inline struct CpuInfo *
mycpu(void)
{
	uint32_t tr;

	// Not volatile: the answer never changes, so the compiler may
	// reuse it.
	asm("str %0" : "=r" (tr));
	// tr is GD_TSS0 + 8 * i exactly, so scaling the byte offset saves
	// the shift down and up of &cpus[(tr - GD_TSS0) >> 3]: this is on
	// every trap, several times.
	return (struct CpuInfo *) ((char *) cpus
		+ (tr - GD_TSS0) * (sizeof(struct CpuInfo) / 8));
}

static_assert(sizeof(struct CpuInfo) % 8 == 0);

#define thiscpu		(mycpu())

/*
 * Wait in the kernel, halted, for any interrupt: a wake-up IPI, the
 * timer, input.  trap_kernel sees cpu_sleeping and just returns here.
 * sti takes effect only after the next instruction, so an interrupt
 * already pending wakes the hlt instead of slipping past it.
 */
static inline void
cpu_sleep(void)
{
	thiscpu->cpu_sleeping = true;
	asm volatile("sti; hlt; cli" ::: "memory");
	thiscpu->cpu_sleeping = false;
}

static inline int
cpunum(void)
{
	return mycpu() - cpus;
}

// kern/mpconfig.c: find the CPUs in the BIOS's MP configuration table.
void mp_init(void);

// kern/lapic.c
void lapic_init(void);
void lapic_startap(uint8_t apicid, uint32_t addr);
void lapic_eoi(void);
void lapic_ipi(uint8_t apicid, int vector);
int lapic_cpunum(void);		// from the APIC id register: for checks only
extern volatile uint32_t *lapic;

#endif /* !__ASSEMBLER__ */
#endif
