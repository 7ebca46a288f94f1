/*
 * Kernel start-up: the boot CPU sets up each subsystem in turn, starts
 * the other CPUs, creates the first environments and schedules.
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/monitor.h>
#include <kern/console.h>
#include <kern/pmap.h>
#include <kern/env.h>
#include <kern/trap.h>
#include <kern/sched.h>
#include <kern/picirq.h>
#include <kern/cpu.h>
#include <kern/kernlock.h>
#include <kern/trace.h>
#include <kern/fwcfg.h>
#include <kern/pmap_check.h>
#include <kern/kbench.h>
#include <kern/region.h>
#include <kern/demand.h>
#include <kern/swap.h>
#include <kern/programs.h>
#include <kern/fpu.h>

// What plain `make qemu` runs: a few envs taking turns on the CPUs.
#define DEMO_PROGRAMS	"yield yield yield"

static void boot_aps(void);
static void cpu_setup(int cpu);
static void start_first_envs(void);
static void no_env_can_run(bool all_gone) __attribute__((noreturn));
static void read_test_options(void);

static bool exit_when_done;	// opt/jos/exit

#define DEBUG_EXIT_PORT	0xf4	// QEMU's isa-debug-exit device

void
i386_init(void)
{
	extern char edata[], end[];

	// The boot loader loads only the file-backed part: clear .bss.
	memset(edata, 0, end - edata);
	kernel_lock_init();

	cpu_setup(0);			// segments and TSS: cpunum() works
	lock_kernel(thiscpu);		// before any other CPU can run
	cons_init();			// console, so cprintf works
	cprintf("6828 decimal is %o octal!\n", 6828);

	read_test_options();		// the grader's settings, if any
	mem_init();			// page allocator and kern_pgdir
	fpu_init_cpu();			// CR0 and CR4 final: FPU state per env
	region_init();			// region descriptors
	check_regions();
	demand_init();			// the zero page
	swap_init();			// the swap disk, if there is one
	env_init();			// envs[] and the free list
	trace_bench();			// make bench, traced: a trace point
	sched_init(no_env_can_run);	// what to do once nothing can run
	trap_init();			// the IDT

	mp_init();			// find the other CPUs
	if (lapicaddr)			// this CPU's interrupt controller
		lapic = mmio_map_region(lapicaddr, PGSIZE);
	lapic_init();
	pic_init();			// the legacy 8259 PICs

	boot_aps();

	start_first_envs();
	sched_yield();
}

/*
 * No env can run on any CPU: if none is left, check that every page
 * came back; then run the monitor for good.  The kernel lock stays
 * held, so the monitor has the console to itself: interrupt handlers on
 * other CPUs, which would feed it input meanwhile, sleep on the lock.
 */
static void
no_env_can_run(bool all_gone)
{
	if (all_gone)
		page_audit();
	if (all_gone && exit_when_done)
		outw(DEBUG_EXIT_PORT, 0);	// QEMU exits with status 1
	cprintf("No runnable environments in the system!\n");
	for (;;)
		monitor(NULL);
}

// Load the GDT, segment registers, TSS and IDT of CPU i, this one.
static void
cpu_setup(int i)
{
	env_init_percpu();
	trap_init_percpu(i);
}

// The top of the kernel stack for the CPU being started; kern/mpentry.S
// loads it.
void *mpentry_kstack;

// Start every other CPU, one at a time.
static void
boot_aps(void)
{
	extern unsigned char mpentry_start[], mpentry_end[];
	void *code = KADDR(MPENTRY_PADDR);
	struct CpuInfo *c;

	memmove(code, mpentry_start, mpentry_end - mpentry_start);
	for (c = cpus; c < cpus + ncpu; c++) {
		if (c == bootcpu)
			continue;
		mpentry_kstack = (void *) KSTACKTOP_CPU(c - cpus);
		lapic_startap(c->cpu_id, PADDR(code));
		while (c->cpu_status != CPU_STARTED)
			;
	}
}

// Where a newly started CPU continues, in C, on its own stack.
void
mp_main(void)
{
	// Which CPU this is, from the stack boot_aps gave it; from now on
	// cpunum() knows.
	cpu_setup((KSTACKTOP - 1 - read_esp()) >> KSTKSHIFT);
	load_pgdir(kern_pgdir);
	fpu_init_cpu();
	cprintf("SMP: CPU %d starting\n", cpunum());

	lapic_init();
	// cpunum() trusts that APIC ids are the indexes in cpus[].
	assert(lapic_cpunum() == cpunum());
	xchg(&thiscpu->cpu_status, CPU_STARTED);	// tell boot_aps

	lock_kernel(thiscpu);
	sched_yield();
}

bool kernel_bench;

// opt/jos/misorder: take a lock of the memory rank, then the kernel
// lock, against the lock order, for the grader to see spin_lock panic.
static void
take_locks_misordered(void)
{
	static struct spinlock probe;

	spin_init(&probe, "misorder_probe", LOCK_RANK_MEM);
	unlock_kernel(thiscpu);
	spin_lock(&probe);
	lock_kernel(thiscpu);
}

// Settings a test may pass through fw_cfg: opt/jos/idcycle=N makes
// env ids repeat after N generations of a slot (user/test/idwrap.c);
// opt/jos/bench has the kernel time itself (kern/kbench.h);
// opt/jos/bkl makes the kernel lock exclusive always (kern/kernlock.h);
// opt/jos/misorder checks the lock order check; opt/jos/exit ends QEMU
// once no env is left (isa-debug-exit, for make trace-NAME);
// opt/jos/trace turns on the event trace (kern/trace.h).
static void
read_test_options(void)
{
	char buf[16];

	if (fwcfg_read_string("opt/jos/idcycle", buf, sizeof(buf)) > 0)
		env_set_id_cycle(strtol(buf, NULL, 0));
	kernel_bench = fwcfg_read_string("opt/jos/bench", buf, sizeof(buf)) >= 0;
	kernel_big_lock = fwcfg_read_string("opt/jos/bkl", buf, sizeof(buf)) >= 0;
	exit_when_done = fwcfg_read_string("opt/jos/exit", buf, sizeof(buf)) >= 0;
	trace_init();
	if (fwcfg_read_string("opt/jos/misorder", buf, sizeof(buf)) >= 0)
		take_locks_misordered();
}

// Create an env running the program at binary, timing it for make
// bench.
static void
create_timed(uint8_t *binary)
{
	uint64_t t = read_tsc();

	env_create(binary, ENV_TYPE_USER);
	kbench_report("env-create", 1, read_tsc() - t);
}

// Create an env for each program named in the space-separated list.
static void
start_programs(char *names)
{
	const struct UserProgram *p;
	char *name;

	while (*names) {
		while (*names == ' ')
			names++;
		name = names;
		while (*names && *names != ' ')
			names++;
		if (*names)
			*names++ = '\0';
		if (!*name)
			continue;
		for (p = user_programs; p->name; p++)
			if (strcmp(p->name, name) == 0)
				break;
		if (p->name)
			create_timed(p->binary);
		else
			cprintf("no program named '%s'\n", name);
	}
}

/*
 * The first environments: the programs named by QEMU's fw_cfg file
 * opt/jos/test if there is one (the grader's way to pick tests from one
 * image), else the TEST that `make run-NAME` compiled in, else the demo.
 */
static void
start_first_envs(void)
{
	static char names[256];

	if (fwcfg_read_string("opt/jos/test", names, sizeof(names)) >= 0) {
		start_programs(names);
		return;
	}
#ifdef TEST
	ENV_CREATE(TEST, ENV_TYPE_USER);
#else
	strcpy(names, DEMO_PROGRAMS);
	start_programs(names);
#endif
}
