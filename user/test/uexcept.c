/*
 * Exceptions an env handles itself (sys_env_set_exception_upcall).  The
 * program raises eight kinds in turn; the handler checks the trap number
 * and error code it is given, makes the instruction able to go on (fixes
 * a register, skips the instruction, clears a flag or an FPU exception)
 * and the program resumes where it was.  (Of UEXC_TRAPS, a stack fault
 * needs segment limits, which flat segments do not have, and QEMU 7's
 * TCG raises neither alignment checks nor SIMD exceptions.)
 * Then four children die as the page-fault upcall's rules say: one
 * whose handler faults itself (its nested frames run off the exception
 * stack), one whose upcall is a kernel address, one with no handler, and
 * one whose frame does not fit on its exception stack.
 * Run on 1 CPU and on several.
 */
#include <inc/lib.h>

#define FCW_ZE_OPEN	(0x037F & ~0x0004)	// x87 zero divide unmasked

struct kind {
	const char *name;
	int trapno;
	void (*raise)(void);
	void (*fix)(struct UExcframe *uxf);
};

static const struct kind *expected;	// what the next exception must be
static int caught, failures;

static void
failure(const char *what)
{
	cprintf("uexcept: FAIL: %s: %s\n", expected->name, what);
	failures++;
}

static void
handler(struct UExcframe *uxf)
{
	if (!expected) {
		cprintf("uexcept: FAIL: trap %d unexpected\n", uxf->uxf_trapno);
		exit();
	}
	if (uxf->uxf_trapno != expected->trapno)
		failure("wrong trap number");
	else if (uxf->uxf_utf.utf_err != 0 || uxf->uxf_utf.utf_fault_va != 0)
		failure("error code or address not 0");
	expected->fix(uxf);
	caught++;
}

// Divide by zero; the handler makes the divisor 1.
static void
raise_divide(void)
{
	uint32_t q;

	asm volatile("xorl %%edx, %%edx; divl %%ecx"
		     : "=a" (q) : "a" (1234), "c" (0) : "edx", "cc");
	if (q != 1234)
		failure("divl did not go on with the divisor fixed");
}

static void
fix_divide(struct UExcframe *uxf)
{
	uxf->uxf_utf.utf_regs.reg_ecx = 1;
}

// An instruction to skip: ud2 and hlt are 2 and 1 bytes long.
static void
raise_illop(void)
{
	asm volatile("ud2");
}

static void
skip2(struct UExcframe *uxf)
{
	uxf->uxf_utf.utf_eip += 2;
}

static void
raise_privileged(void)
{
	asm volatile("hlt");
}

static void
skip1(struct UExcframe *uxf)
{
	uxf->uxf_utf.utf_eip += 1;
}

// Traps, after which the env simply goes on: int3 and into.
static void
raise_breakpoint(void)
{
	asm volatile("int3");
}

static void
raise_overflow(void)
{
	asm volatile("movl $0x7fffffff, %%eax; addl $1, %%eax; into"
		     : : : "eax", "cc");
}

static void
resume(struct UExcframe *uxf)
{
}

// bound with an index below the bounds; the handler moves it in.
static void
raise_bound(void)
{
	static int32_t bounds[2] = { 10, 20 };
	int32_t i = 3;

	asm volatile("bound %0, %1" : "+a" (i) : "m" (bounds));
	if (i != 10)
		failure("bound did not go on with the index fixed");
}

static void
fix_bound(struct UExcframe *uxf)
{
	uxf->uxf_utf.utf_regs.reg_eax = 10;
}

// Single-step one instruction; the handler stops stepping.
static void
raise_debug(void)
{
	asm volatile("pushfl; orl %0, (%%esp); popfl; nop"
		     : : "i" (FL_TF) : "cc");
}

static void
clear_tf(struct UExcframe *uxf)
{
	uxf->uxf_utf.utf_eflags &= ~FL_TF;
}

// 1/0 in x87 with zero-divide unmasked: the error is raised at the next
// waiting instruction (fwait), which runs again once the handler has
// cleared it.
static void
raise_x87(void)
{
	static const double zero = 0;
	uint16_t open = FCW_ZE_OPEN;
	double r;

	asm volatile("fldcw %1; fld1; fdivl %2; fwait; fstpl %0"
		     : "=m" (r) : "m" (open), "m" (zero));
}

static void
fix_x87(struct UExcframe *uxf)
{
	uint16_t clean = 0x037F;

	asm volatile("fnclex; fldcw %0" : : "m" (clean));
}

static const struct kind kinds[] = {
	{ "divide error", T_DIVIDE, raise_divide, fix_divide },
	{ "invalid opcode", T_ILLOP, raise_illop, skip2 },
	{ "general protection", T_GPFLT, raise_privileged, skip1 },
	{ "breakpoint", T_BRKPT, raise_breakpoint, resume },
	{ "overflow", T_OFLOW, raise_overflow, resume },
	{ "bound", T_BOUND, raise_bound, fix_bound },
	{ "debug", T_DEBUG, raise_debug, clear_tf },
	{ "x87 error", T_FPERR, raise_x87, fix_x87 },
};

static void
check_arguments(void)
{
	static const uint32_t bad_traps[] = {
		1 << T_PGFLT, 1 << T_DEVICE, 1 << T_NMI, 1 << T_DBLFLT,
		1u << 31, 1 << T_MCHK,
	};
	int i, r;

	for (i = 0; i < ARRAY_SIZE(bad_traps); i++)
		if ((r = sys_env_set_exception_upcall(0, _exception_upcall,
						      bad_traps[i])) != -E_INVAL)
			cprintf("uexcept: FAIL: traps %08x gave %e\n",
				bad_traps[i], r);
	if ((r = sys_env_set_exception_upcall(0x7fff1000, _exception_upcall,
					      1 << T_DIVIDE)) != -E_BAD_ENV)
		cprintf("uexcept: FAIL: a bad env gave %e\n", r);
	cprintf("uexcept: bad arguments refused\n");
}

// Each child raises an exception it asked for, and must die of it.
static void
faulting_handler(struct UExcframe *uxf)
{
	raise_divide();
}

// The exception stack all but full, and a region's page below it: the
// frame would run into a page the kernel must not bring in to write.
static void
raise_on_full_stack(void)
{
	void *below = (void *) (UXSTACKTOP - 2 * PGSIZE);
	int r;

	if ((r = sys_region_map(0, &below, PGSIZE, PTE_P | PTE_U | PTE_W,
				REGION_FIXED)) < 0)
		panic("uexcept: region below the exception stack: %e", r);
	asm volatile("movl %%esp, %%ebx; movl %0, %%esp; ud2; movl %%ebx, %%esp"
		     : : "i" (UXSTACKTOP - PGSIZE + 8) : "ebx", "memory");
}

static envid_t
doomed_child(void (*handler)(struct UExcframe *uxf), void *upcall,
	     void (*raise)(void))
{
	uint32_t traps = 1 << T_DIVIDE | 1 << T_ILLOP;
	envid_t id;

	if ((id = fork()) < 0)
		panic("uexcept: fork: %e", id);
	if (id)
		return id;
	if (handler)
		set_exception_handler(handler, traps);
	if (upcall)
		sys_env_set_exception_upcall(0, upcall, traps);
	raise();
	cprintf("uexcept: FAIL: [%08x] survived its exception\n",
		thisenv->env_id);
	exit();
}

void
umain(int argc, char **argv)
{
	uint32_t all = 0;
	envid_t kids[4];
	int i;

	check_arguments();
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		all |= 1 << kinds[i].trapno;
	set_exception_handler(handler, all);
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		expected = &kinds[i];
		kinds[i].raise();
		if (caught != i + 1)
			failure("not caught once");
	}
	expected = NULL;
	cprintf("uexcept: %d exceptions caught and resumed, %d failures\n",
		caught, failures);

	kids[0] = doomed_child(faulting_handler, NULL, raise_divide);
	kids[1] = doomed_child(NULL, (void *) KERNBASE, raise_divide);
	kids[2] = doomed_child(NULL, NULL, raise_divide);
	kids[3] = doomed_child(handler, NULL, raise_on_full_stack);
	for (i = 0; i < ARRAY_SIZE(kids); i++)
		wait_env_gone(kids[i]);
	cprintf("uexcept: a faulting handler, a kernel upcall, no handler and "
		"a full exception stack: 4 children killed\n");
}
