/*
 * The kernel monitor: a small command line for looking at the machine
 * after boot, after a panic, or when a user program hits a breakpoint.
 *
 * Each command gets the words typed (argv[0] is its name) and the trap
 * frame that entered the monitor, or NULL.  A command that returns a
 * negative value ends the monitor; continue and stepi leave it without
 * returning, by running the interrupted environment again.
 */
#include <inc/stdio.h>
#include <inc/string.h>
#include <inc/memlayout.h>
#include <inc/assert.h>
#include <inc/x86.h>

#include <kern/monitor.h>
#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/cpu.h>
#include <kern/trap.h>
#include <kern/backtrace.h>
#include <kern/kernlock.h>
#include <kern/trace.h>
#include <kern/pmap_check.h>
#include <kern/region.h>
#include <kern/swap.h>
#include <kern/swapslot.h>
#include <kern/sched.h>

#define WHITESPACE	"\t\r\n "
#define MAXARGS		16	// words in one command line
#define MAXMAPPINGS	1024	// pages one showmappings prints at most

// A command: the words typed and the trap frame, if any.  A negative
// result leaves the monitor.
typedef int command_fn(int argc, char **argv, struct Trapframe *tf);

static command_fn mon_help, mon_kerninfo, mon_backtrace, mon_showmappings,
	mon_continue, mon_stepi, mon_audit, mon_regions, mon_vmstat,
	mon_cpus, mon_locks, mon_trace;

struct Command {
	const char *name;
	const char *alias;	// a shorter name, or NULL
	const char *desc;
	command_fn *func;
};

static const struct Command commands[] = {
	{ "help", NULL, "List the commands", mon_help },
	{ "kerninfo", NULL, "Show the kernel's special symbols and size",
	  mon_kerninfo },
	{ "backtrace", NULL, "List the calls active on this kernel stack",
	  mon_backtrace },
	{ "showmappings", NULL,
	  "Show the kernel page mappings of the pages in [START, END]",
	  mon_showmappings },
	{ "continue", "c", "Resume the user program stopped at a breakpoint",
	  mon_continue },
	{ "stepi", "si", "Run one instruction of the stopped user program",
	  mon_stepi },
	{ "audit", NULL, "Check every page's reference count against its "
	  "holders", mon_audit },
	{ "regions", NULL, "List an env's memory regions and page-fault "
	  "counts: regions ENVID", mon_regions },
	{ "vmstat", NULL, "Show the paging counts, the machine's and each "
	  "env's: vmstat [ENVID]", mon_vmstat },
	{ "cpus", NULL, "Show each CPU's state, env, and how often it "
	  "switched envs, halted and was preempted", mon_cpus },
	{ "locks", NULL, "Show each lock's holder, acquisitions, contended "
	  "acquisitions and cycles spent waiting", mon_locks },
	{ "trace", NULL, "Show each CPU's trace counts and last events "
	  "(make TRACE=1): trace [N]", mon_trace },
};

static int
mon_help(int argc, char **argv, struct Trapframe *tf)
{
	const struct Command *c;

	for (c = commands; c < commands + ARRAY_SIZE(commands); c++) {
		cprintf("%s - %s", c->name, c->desc);
		if (c->alias)
			cprintf(" (alias %s)", c->alias);
		cprintf("\n");
	}
	return 0;
}

static void
print_symbol(const char *name, uintptr_t va)
{
	cprintf("  %-6s %08x (virt)  %08x (phys)\n", name, va, va - KERNBASE);
}

static int
mon_kerninfo(int argc, char **argv, struct Trapframe *tf)
{
	// From kern/entry.S (_start, entry) and kern/kernel.ld.
	extern char _start[], entry[], etext[], edata[], end[];

	cprintf("Special kernel symbols:\n");
	cprintf("  _start                  %08x (phys)\n", (uintptr_t) _start);
	print_symbol("entry", (uintptr_t) entry);
	print_symbol("etext", (uintptr_t) etext);
	print_symbol("edata", (uintptr_t) edata);
	print_symbol("end", (uintptr_t) end);
	cprintf("Kernel executable memory footprint: %dKB\n",
		ROUNDUP(end - entry, 1024) / 1024);
	return 0;
}

static int
mon_backtrace(int argc, char **argv, struct Trapframe *tf)
{
	cprintf("Stack backtrace:\n");
	backtrace_from(read_ebp());
	return 0;
}

// Parse s, 1 to 8 hex digits after an optional 0x, into *val.  Returns
// 0, or -1 if s is anything else.  (strtol's long cannot hold a kernel
// address.)
static int
parse_hex(const char *s, uint32_t *val)
{
	int n, c;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	*val = 0;
	for (n = 0; s[n] != '\0'; n++) {
		c = s[n] | 0x20;	// lower case for letters
		if (s[n] >= '0' && s[n] <= '9')
			*val = *val << 4 | (s[n] - '0');
		else if (c >= 'a' && c <= 'f')
			*val = *val << 4 | (c - 'a' + 10);
		else
			return -1;
	}
	return n >= 1 && n <= 8 ? 0 : -1;
}

static void
print_mapping(uintptr_t va)
{
	pte_t *pte = pgdir_walk(kern_pgdir, (void *) va, 0);

	if (pte == NULL || !(*pte & PTE_P)) {
		cprintf("%08x -> unmapped\n", va);
		return;
	}
	cprintf("%08x -> %08x  P %c %c  (%s %s)\n", va, PTE_ADDR(*pte),
		*pte & PTE_W ? 'W' : '-', *pte & PTE_U ? 'U' : '-',
		*pte & PTE_U ? "user" : "kernel", *pte & PTE_W ? "rw" : "r-");
}

static int
mon_showmappings(int argc, char **argv, struct Trapframe *tf)
{
	uint32_t start, end, npages, i;

	if (argc != 3 || parse_hex(argv[1], &start) < 0
	    || parse_hex(argv[2], &end) < 0) {
		cprintf("Usage: showmappings START END (hex addresses)\n");
		return 0;
	}
	if (end < start) {
		cprintf("showmappings: END %08x is below START %08x\n",
			end, start);
		return 0;
	}
	if (kern_pgdir == NULL) {
		cprintf("showmappings: no kernel page directory yet\n");
		return 0;
	}
	start = ROUNDDOWN(start, PGSIZE);
	npages = (ROUNDDOWN(end, PGSIZE) - start) / PGSIZE + 1;
	for (i = 0; i < npages && i < MAXMAPPINGS; i++)
		print_mapping(start + i * PGSIZE);
	if (npages > MAXMAPPINGS)
		cprintf("(%u more pages not shown)\n", npages - MAXMAPPINGS);
	return 0;
}

// The env whose id is id, if it exists; if not, command cmd says so.
static struct Env *
live_env(const char *cmd, uint32_t id)
{
	struct Env *e = &envs[ENVX(id)];

	if (e->env_status != ENV_FREE && e->env_id == (envid_t) id)
		return e;
	cprintf("%s: no env %08x\n", cmd, id);
	return NULL;
}

static bool
count_present(pte_t *pte, uintptr_t va, void *arg)
{
	(*(unsigned *) arg)++;
	return true;
}

// One line for region r of e: range, permissions, kind, pages present.
static void
print_region(struct Env *e, struct Region *r)
{
	static const char *const kinds[] = {
		[REGION_ANON] = "anon", [REGION_IMAGE] = "image",
		[REGION_STACK] = "stack",
	};
	unsigned resident = 0;

	pgdir_each(e->env_pgdir, r->start, r->end, count_present, &resident);
	cprintf("  %08x-%08x %c%c%c%s %-5s %u of %u pages present\n",
		r->start, r->end, 'r', r->perm & PTE_W ? 'w' : '-',
		r->exec ? 'x' : '-', r->perm & PTE_SHARE ? " shared" : "",
		kinds[r->kind], resident, (r->end - r->start) / PGSIZE);
}

static int
mon_regions(int argc, char **argv, struct Trapframe *tf)
{
	struct RegionSet *s;
	struct Env *e;
	uint32_t id;
	uint32_t i;

	if (argc != 2 || parse_hex(argv[1], &id) < 0) {
		cprintf("Usage: regions ENVID (in hex)\n");
		return 0;
	}
	if (!(e = live_env(argv[0], id)))
		return 0;
	s = env_regions(e);
	cprintf("env %08x: %u regions; page faults: %u served by the kernel, "
		"%u sent to the upcall\n", e->env_id, s->n, s->kfaults,
		s->ufaults);
	for (i = 0; i < s->n; i++)
		print_region(e, s->sorted[i]);
	return 0;
}

// Is tf a user environment stopped at a breakpoint or single step?
// If not, say so for command cmd.
static bool
can_resume(struct Trapframe *tf, const char *cmd)
{
	if (tf != NULL && (tf->tf_cs & 3) == 3
	    && (tf->tf_trapno == T_BRKPT || tf->tf_trapno == T_DEBUG))
		return true;
	cprintf("%s: no user environment to resume\n", cmd);
	return false;
}

// Run that environment again, trapping after one instruction if step.
static void __attribute__((noreturn))
resume_env(struct Trapframe *tf, bool step)
{
	// trap() hands us the frame saved in curenv: env_run resumes
	// from exactly this copy.
	assert(tf == &curenv->env_tf);
	if (step)
		tf->tf_eflags |= FL_TF;
	else
		tf->tf_eflags &= ~FL_TF;
	// Its parent may have stopped it (or another CPU destroyed it) as
	// it trapped: then it waits like any env that may not run.
	if (curenv->env_status == ENV_RUNNING)
		env_run(curenv);
	sched_yield();
}

static int
mon_continue(int argc, char **argv, struct Trapframe *tf)
{
	if (can_resume(tf, argv[0]))
		resume_env(tf, false);
	return 0;
}

static int
mon_stepi(int argc, char **argv, struct Trapframe *tf)
{
	if (can_resume(tf, argv[0]))
		resume_env(tf, true);
	return 0;
}

// The page audit and vmstat read what only the kernel lock holder may
// change.  The monitor holds the lock when a breakpoint or an idle
// system enters it, but not always after a panic: then take it.
// Returns whether it did, for let_go_kernel_lock.
static bool
hold_kernel_lock(void)
{
	if (holding(&kernel_lock))
		return false;
	lock_kernel(thiscpu);
	return true;
}

static void
let_go_kernel_lock(bool taken)
{
	if (taken)
		unlock_kernel(thiscpu);
}

static int
mon_audit(int argc, char **argv, struct Trapframe *tf)
{
	bool taken = hold_kernel_lock();

	page_audit();
	let_go_kernel_lock(taken);
	return 0;
}

// The machine's paging: frames, swap slots, and every env's counts and
// evictions since boot.
static void
print_vm_totals(void)
{
	int p;

	cprintf("frames   %u free of %u\n", page_free_count(), npages);
	if (swap_enabled())
		cprintf("swap     %u of %u slots used\n", swapslot_used(),
			swapslot_total());
	else
		cprintf("swap     no swap disk\n");
	cprintf("paging   %u faults, %u swap-ins, %u swap-outs, "
		"%u dropped clean\n", vm_totals.faults, vm_totals.swapins,
		vm_totals.swapouts, vm_totals.dropped);
	cprintf("evicted ");
	for (p = 1; p < NSWAPPOLICY; p++)
		cprintf(" %s %u%s", swap_policy_name(p), vm_evictions[p],
			p + 1 < NSWAPPOLICY ? "," : "\n");
}

#define VM_HEADER \
	"env       policy  limit  resident  swapped  faults  swapins  " \
	"swapouts  dropped\n"

// One env's line under VM_HEADER.  Its faults are those the kernel
// served (first touches and swap-ins), as regions counts them.
static void
print_vm_env(struct Env *e)
{
	struct SwapEnv *se = env_swap(e);
	char limit[12] = "-";

	if (se->limit)
		snprintf(limit, sizeof(limit), "%u", se->limit);
	cprintf("%08x  %-6s  %5s  %8u  %7u  %6u  %7u  %8u  %7u\n",
		e->env_id, swap_policy_name(se->policy), limit,
		swap_resident(e), se->swapped, env_regions(e)->kfaults,
		se->counts.swapins, se->counts.swapouts, se->counts.dropped);
}

static int
mon_vmstat(int argc, char **argv, struct Trapframe *tf)
{
	struct Env *e;
	uint32_t id;
	bool taken;

	if (argc > 2 || (argc == 2 && parse_hex(argv[1], &id) < 0)) {
		cprintf("Usage: vmstat [ENVID] (in hex)\n");
		return 0;
	}
	taken = hold_kernel_lock();
	if (argc == 2) {
		if ((e = live_env(argv[0], id))) {
			cprintf(VM_HEADER);
			print_vm_env(e);
		}
	} else {
		print_vm_totals();
		cprintf(VM_HEADER);
		for (e = envs; e < envs + NENV; e++)
			if (e->env_status != ENV_FREE)
				print_vm_env(e);
	}
	let_go_kernel_lock(taken);
	return 0;
}

static int
mon_cpus(int argc, char **argv, struct Trapframe *tf)
{
	static const char *const state[] = {
		[CPU_UNUSED] = "unused", [CPU_STARTED] = "started",
		[CPU_HALTED] = "halted"
	};
	struct CpuInfo *c;
	bool taken = hold_kernel_lock();

	for (c = cpus; c < cpus + ncpu; c++) {
		cprintf("CPU %d: %-7s %u env switches, %u halts, %u preempted "
			"by IPI, ", c - cpus, state[c->cpu_status],
			c->cpu_switches, c->cpu_halts, c->cpu_preempted);
		if (c->cpu_env)
			cprintf("running %08x\n", c->cpu_env->env_id);
		else
			cprintf("no env\n");
	}
	let_go_kernel_lock(taken);
	return 0;
}

// Who holds lk, into holder: a CPU's number, s and the numbers of the
// CPUs holding the kernel lock shared (kern/kernlock.h), or - if none.
static void
lock_holder(struct spinlock *lk, char *holder, size_t size)
{
	struct CpuInfo *c;
	const char *sep = "s";
	int n = 0;

	if (lk->cpu) {
		snprintf(holder, size, "%d", lk->cpu - cpus);
		return;
	}
	strcpy(holder, "-");
	for (c = cpus; lk == &kernel_lock && c < cpus + ncpu; c++)
		if (c->cpu_shared) {
			n += snprintf(holder + n, size - n, "%s%d", sep, c - cpus);
			sep = ",";
		}
}

// One line under mon_locks's header: the name, who holds the lock (see
// lock_holder) and its counts since boot.
static void
print_lock(struct spinlock *lk)
{
	char cpu[2 * NCPU + 1];

	lock_holder(lk, cpu, sizeof(cpu));
	cprintf("%-16s  %6s  %12llu  %10llu  %14llu\n", lk->name, cpu,
		lk->acquisitions, lk->contended, lk->wait_cycles);
}

// Takes no lock, so it works after a panic whoever holds what.  A lock
// other CPUs take meanwhile may show a holder and counts a moment apart.
static int
mon_locks(int argc, char **argv, struct Trapframe *tf)
{
	struct spinlock *lk;

	cprintf("lock              holder  acquisitions   contended  "
		"wait cycles\n");
	for (lk = all_locks; lk; lk = lk->next_lock)
		print_lock(lk);
	return 0;
}

#define TRACE_SHOWN	8	// events trace shows per CPU unless told

// Takes no lock, as locks does.
static int
mon_trace(int argc, char **argv, struct Trapframe *tf)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : TRACE_SHOWN;

	if (argc > 2 || n < 0) {
		cprintf("usage: trace [N]\n");
		return 0;
	}
	trace_print(n);
	return 0;
}

// Cut buf into words at whitespace, in place, into argv, NULL after
// the last.  Returns how many, or -1 if there are more than MAXARGS.
static int
split_words(char *buf, char **argv)
{
	bool in_word = false;
	int argc = 0;

	for (; *buf != '\0'; buf++) {
		if (strchr(WHITESPACE, *buf)) {
			*buf = '\0';
			in_word = false;
		} else if (!in_word) {
			if (argc == MAXARGS)
				return -1;
			argv[argc++] = buf;
			in_word = true;
		}
	}
	argv[argc] = NULL;
	return argc;
}

// The command called name (or by the alias name), or NULL.
static const struct Command *
find_command(const char *name)
{
	const struct Command *c;

	for (c = commands; c < commands + ARRAY_SIZE(commands); c++)
		if (strcmp(name, c->name) == 0
		    || (c->alias && strcmp(name, c->alias) == 0))
			return c;
	return NULL;
}

// Run the command line buf.  Returns the command's result, or 0 if
// there is none to run.
static int
runcmd(char *buf, struct Trapframe *tf)
{
	char *argv[MAXARGS + 1];
	const struct Command *c;
	int argc = split_words(buf, argv);

	if (argc < 0) {
		cprintf("Too many arguments (max %d)\n", MAXARGS);
		return 0;
	}
	if (argc == 0)
		return 0;
	if (!(c = find_command(argv[0]))) {
		cprintf("Unknown command '%s'\n", argv[0]);
		return 0;
	}
	return c->func(argc, argv, tf);
}

void
monitor(struct Trapframe *tf)
{
	char *buf;

	cprintf("Welcome to the JOS kernel monitor!\n");
	cprintf("Type 'help' for a list of commands.\n");
	if (tf != NULL)
		print_trapframe(tf);

	// Until a command says to leave (continue and stepi do not come
	// back: they resume the env).
	do
		buf = readline("K> ");
	while (buf == NULL || runcmd(buf, tf) >= 0);
}
