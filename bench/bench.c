/*
 * Kernel path benchmarks.  Each one times an operation n times with
 * rdtsc and prints
 *
 *	bench-start NAME
 *	bench NAME n cycles
 *
 * Under QEMU's -icount shift=0 the time stamp counter counts guest
 * instructions, so cycles/n is instructions per operation, the same on
 * every run.  Without -icount it follows the host's clock; the
 * `bench clock` lines at the start and the end let bench/bench.py
 * convert cycles to nanoseconds.  Run alone, on one CPU: `make bench`.
 */
#include <inc/lib.h>
#include <inc/x86.h>

// Fresh memory for the fault and fork benchmarks, well above the program.
#define SCRATCH		((char *) 0x10000000)

static uint64_t t0;
static const char *current;

static void
start(const char *name)
{
	current = name;
	cprintf("bench-start %s\n", name);
	t0 = read_tsc();
}

static void
report(int n, uint64_t cycles)
{
	cprintf("bench %s %d %u\n", current, n, (uint32_t) cycles);
}

static void
stop(int n)
{
	report(n, read_tsc() - t0);
}

// The cheapest call, by one way into the kernel (lib/syscall.c).  The
// other benchmarks use the library's choice, sysenter.
static void
bench_null_syscall(const char *name, int entry)
{
	int i, n = 2000, chosen = syscall_entry;

	syscall_entry = entry;
	start(name);
	for (i = 0; i < n; i++)
		sys_getenvid();
	stop(n);
	syscall_entry = chosen;
}

static void
bench_yield_alone(void)
{
	int i, n = 2000;

	start("yield-alone");
	for (i = 0; i < n; i++)
		sys_yield();
	stop(n);
}

// An x87 instruction: after a switch, the env's first one traps to have
// its FPU registers restored.
static inline void
touch_fpu(bool fpu)
{
	if (fpu)
		asm volatile("fld1; fstp %st(0)");
}

// Two envs yield to each other: each of our yields is two switches.
// With fpu, both use the FPU between yields, so every switch also saves
// one env's FPU registers and restores the other's.
static void
yield_pair(const char *name, bool fpu)
{
	int i, n = 1000;
	envid_t child;

	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0) {
		for (i = 0; i < n + 2; i++) {
			sys_yield();
			touch_fpu(fpu);
		}
		exit();
	}
	sys_yield();			// let the child start
	start(name);
	for (i = 0; i < n; i++) {
		sys_yield();
		touch_fpu(fpu);
	}
	stop(2 * n);
	wait_env_gone(child);
}

static void
zero_fill(struct UTrapframe *utf)
{
	void *page = (void *) ROUNDDOWN(utf->utf_fault_va, PGSIZE);
	int r;

	if ((r = sys_page_alloc(0, page, PTE_P | PTE_U | PTE_W)) < 0)
		panic("zero_fill: %e", r);
}

static void
unmap_scratch(int npages)
{
	int i;

	for (i = 0; i < npages; i++)
		sys_page_unmap(0, SCRATCH + i * PGSIZE);
}

static void
bench_demand_zero(void)
{
	int i, n = 256;

	set_pgfault_handler(zero_fill);
	start("demand-zero-fault");
	for (i = 0; i < n; i++)
		SCRATCH[i * PGSIZE] = 1;
	stop(n);
	unmap_scratch(n);
}

// The child writes pages it shares copy-on-write with us.
static void
bench_cow_fault(void)
{
	int i, n = 256;
	envid_t child;

	for (i = 0; i < n; i++)
		sys_page_alloc(0, SCRATCH + i * PGSIZE, PTE_P | PTE_U | PTE_W);
	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0) {
		start("cow-fault");
		for (i = 0; i < n; i++)
			SCRATCH[i * PGSIZE] = 1;
		stop(n);
		exit();
	}
	wait_env_gone(child);
	unmap_scratch(n);
}

// fork, timed in the parent until fork returns, with npages extra pages
// touched.
static void
bench_fork(const char *name, int npages, envid_t (*forkfn)(void))
{
	int i, n = 20;
	envid_t child[20];
	uint64_t total = 0, t;

	for (i = 0; i < npages; i++)
		sys_page_alloc(0, SCRATCH + i * PGSIZE, PTE_P | PTE_U | PTE_W);
	start(name);
	for (i = 0; i < n; i++) {
		t = read_tsc();
		if ((child[i] = forkfn()) < 0)
			panic("fork: %e", child[i]);
		if (child[i] == 0)
			exit();
		total += read_tsc() - t;
		wait_env_gone(child[i]);
	}
	t0 = read_tsc() - total;
	stop(n);
	unmap_scratch(npages);
}

/*
 * The course's two other forks, measured beside lib's fork (which maps
 * the whole address space with one sys_page_cow_range):
 *
 *   - fork-pagemap-small: lib's fork_with, but the memory mapped page by
 *     page as the course does it, walking uvpd/uvpt: one sys_page_map
 *     for a shared or read-only page, two for a copy-on-write one.  The
 *     child's setup and the faults that follow are the same as
 *     fork-small's, so the difference is the mapping alone.
 *   - dumbfork-small: user/dumbfork.c's way, a fresh copy of every page
 *     of the program and of the stack in use, made at once.
 */

#define RW		(PTE_P | PTE_U | PTE_W)

// The permissions fork gives our page both here and in the child:
// PTE_SHARE and read-only pages keep theirs, the rest turn copy-on-write.
static int
fork_perm(pte_t pte)
{
	int perm = pte & PTE_SYSCALL;

	if ((pte & PTE_SHARE) || !(perm & (PTE_W | PTE_COW)))
		return perm;
	return (perm & ~PTE_W) | PTE_COW;
}

// Map our page at va into child, then remap ours if it turned
// copy-on-write.  The child's first: were ours remapped first, a write
// to it in between (the stack page is written by the very next call)
// would give us a private copy, and the child would share that one,
// writable on our side.
static int
map_page(envid_t child, void *va, pte_t pte)
{
	int perm = fork_perm(pte);
	int r;

	if ((r = sys_page_map(0, va, child, va, perm)) < 0
	    || !(perm & PTE_COW))
		return r;
	return sys_page_map(0, va, 0, va, perm);
}

// fork_with's map, page by page: every present page below the exception
// stack, skipping the page tables that are absent.
static int
map_pages(envid_t child)
{
	uintptr_t table, va, limit;
	pte_t pte;
	int r;

	for (table = 0; table < UTOP; table += PTSIZE) {
		if (!(uvpd[PDX(table)] & PTE_P))
			continue;
		limit = MIN(table + PTSIZE, UXSTACKTOP - PGSIZE);
		for (va = table; va < limit; va += PGSIZE) {
			pte = uvpt[PGNUM(va)];
			if ((pte & PTE_P)
			    && (r = map_page(child, (void *) va, pte)) < 0)
				return r;
		}
	}
	return 0;
}

static envid_t
pagemap_fork(void)
{
	return fork_with(map_pages);
}

// Give child a copy of each of our pages in [from, to), written
// through UTEMP.
static int
copy_pages(envid_t child, uintptr_t from, uintptr_t to)
{
	uintptr_t va;
	int r;

	for (va = from; va < to; va += PGSIZE) {
		if ((r = sys_page_alloc(child, (void *) va, RW)) < 0
		    || (r = sys_page_map(child, (void *) va, 0, UTEMP, RW)) < 0)
			return r;
		memmove(UTEMP, (void *) va, PGSIZE);
		if ((r = sys_page_unmap(0, UTEMP)) < 0)
			return r;
	}
	return 0;
}

// The child gets a copy of the program and of our stack from the page
// we run on up (the pages below are demand-zero to it).  It needs no
// fault handler: none of its pages is shared.
static envid_t
dumbfork(void)
{
	uintptr_t stack = ROUNDDOWN(read_esp(), PGSIZE);
	envid_t child;
	int r;

	if ((child = sys_exofork()) == 0)
		thisenv = &envs[ENVX(sys_getenvid())];
	if (child <= 0)
		return child;
	if ((r = copy_pages(child, UTEXT, (uintptr_t) end)) < 0
	    || (r = copy_pages(child, stack, USTACKTOP)) < 0
	    || (r = sys_env_set_status(child, ENV_RUNNABLE)) < 0)
		panic("dumbfork: %e", r);
	return child;
}

static void
bench_ipc(void)
{
	int i, n = 1000;
	envid_t child, who;

	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0) {
		for (;;) {
			i = ipc_recv(&who, 0, 0);
			ipc_send(who, i + 1, 0, 0);
			if (i < 0)
				exit();
		}
	}
	start("ipc-round-trip");
	for (i = 0; i < n; i++) {
		ipc_send(child, i, 0, 0);
		ipc_recv(0, 0, 0);
	}
	stop(n);
	ipc_send(child, -1, 0, 0);
	ipc_recv(0, 0, 0);
	wait_env_gone(child);
}

// The same round trips by ipc_call: the client's request and the wait
// for the answer in one call, and the server's answer and the wait for
// the next request in another, each switching straight to the other.
static void
bench_ipc_call(void)
{
	int i, n = 1000;
	envid_t child, who;

	if ((child = fork()) < 0)
		panic("fork: %e", child);
	if (child == 0) {
		i = ipc_recv(&who, 0, 0);
		while (i >= 0)
			i = ipc_call(who, i + 1, 0, 0, &who, 0, 0);
		ipc_send(who, 0, 0, 0);
		exit();
	}
	start("ipc-call-round-trip");
	for (i = 0; i < n; i++)
		if (ipc_call(child, i, 0, 0, 0, 0, 0) != i + 1)
			panic("ipc_call: a wrong answer");
	stop(n);
	ipc_call(child, -1, 0, 0, 0, 0, 0);
	wait_env_gone(child);
}

// fork, the child exits, the parent sees its slot free.
static void
bench_fork_exit(void)
{
	int i, n = 20;
	envid_t child;

	start("fork-exit-reap");
	for (i = 0; i < n; i++) {
		if ((child = fork()) < 0)
			panic("fork: %e", child);
		if (child == 0)
			exit();
		wait_env_gone(child);
	}
	stop(n);
}

// A demand-zero fault the kernel serves: the first write to each page
// of a region.
static void
bench_demand_zero_kernel(void)
{
	int i, n = 256;
	void *va = SCRATCH;
	int r;

	if ((r = sys_region_map(0, &va, n * PGSIZE, PTE_P | PTE_U | PTE_W,
				REGION_FIXED)) < 0)
		panic("region_map: %e", r);
	start("demand-zero-kernel");
	for (i = 0; i < n; i++)
		((volatile char *) va)[i * PGSIZE] = 1;
	stop(n);
	sys_region_unmap(0, va, n * PGSIZE);
}

// fork-small again, with a 1 GiB region the parent never touched.
static void
bench_fork_untouched(void)
{
	void *va = SCRATCH;
	int r;

	if ((r = sys_region_map(0, &va, 1 << 30, PTE_P | PTE_U | PTE_W,
				REGION_FIXED)) < 0)
		panic("region_map: %e", r);
	bench_fork("fork-1GiB-untouched", 0, fork);
	sys_region_unmap(0, va, 1 << 30);
}

/*
 * A page out to swap and another back in: under a frame limit of one
 * page, writes to two pages in turn each bring one in and send the
 * other out.  The program's own pages are locked, out of the limit's
 * way.  Instructions count the kernel's work only: the time stamp
 * cycles the kernel spent in transfers (io_cycles) are taken off.
 */
static void
bench_swap_roundtrip(void)
{
	volatile char *page = (volatile char *) SCRATCH;
	void *va = SCRATCH;
	int i, n = 200, r;
	struct VmStat st;
	uint64_t io, end;

	if (sys_vm_stat(0, &st) < 0 || st.slots == 0) {
		cprintf("bench: no swap disk, no swap-roundtrip\n");
		return;
	}
	lock_self();
	if ((r = sys_region_map(0, &va, 2 * PGSIZE, PTE_P | PTE_U | PTE_W,
				REGION_FIXED)) < 0
	    || (r = sys_env_set_frame_limit(0, 1)) < 0)
		panic("swap-roundtrip: %e", r);
	page[0] = page[PGSIZE] = 1;	// the second sends the first out
	sys_vm_stat(0, &st);
	io = st.io_cycles;
	start("swap-roundtrip");
	for (i = 0; i < n; i++)
		page[i % 2 * PGSIZE] = i;
	end = read_tsc();
	sys_vm_stat(0, &st);
	report(n, end - t0 - (st.io_cycles - io));
	sys_env_set_frame_limit(0, 0);
	sys_region_unmap(0, va, 2 * PGSIZE);
}

static void
skip_ud2(struct UExcframe *uxf)
{
	uxf->uxf_utf.utf_eip += 2;
}

// An invalid opcode the program handles itself: the kernel's delivery,
// the handler, and the resume through lib/excentry.S.
static void
bench_uexcept(void)
{
	int i, n = 1000;

	set_exception_handler(skip_ud2, 1 << T_ILLOP);
	start("uexcept-roundtrip");
	for (i = 0; i < n; i++)
		asm volatile("ud2");
	stop(n);
	set_exception_handler(skip_ud2, 0);
}

void
umain(int argc, char **argv)
{
	cprintf("bench clock %llu\n", read_tsc());
	bench_null_syscall("null-syscall", SYSCALL_INT);
	if (syscall_entry == SYSCALL_SYSENTER)
		bench_null_syscall("null-syscall-sysenter", SYSCALL_SYSENTER);
	bench_yield_alone();
	yield_pair("yield-switch", false);
	bench_demand_zero();
	bench_cow_fault();
	bench_uexcept();
	bench_fork("fork-small", 0, fork);
	bench_fork("sfork-small", 0, sfork);
	bench_fork("fork-pagemap-small", 0, pagemap_fork);
	bench_fork("fork-1MiB", 256, fork);
	bench_fork("fork-4MiB", 1024, fork);
	bench_ipc();
	bench_ipc_call();
	bench_fork_exit();
	bench_demand_zero_kernel();
	bench_fork_untouched();
	// The last fork timed: its window at UTEMP leaves a page table
	// behind, which every later fork would walk.
	bench_fork("dumbfork-small", 0, dumbfork);
	// After the forks: from here on the program has FPU registers for
	// each fork to copy.
	yield_pair("fpu-yield-switch", true);
	bench_swap_roundtrip();		// last: it locks the program's pages
	cprintf("bench clock %llu\n", read_tsc());
	cprintf("bench done\n");
}
