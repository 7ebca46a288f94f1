/*
 * The two ways into the kernel, sysenter and int $0x30, side by side
 * (lib/syscall.c, kern/trapentry.S).  In turn:
 *   - registers: hand-written calls by each entry with known values in
 *     every register and DF and AC set; what each entry promises to keep
 *     must come back, and the fifth argument comes from the stack under
 *     sysenter and from esi under int $0x30;
 *   - the fifth argument's word unmapped, in the kernel, across ULIM or
 *     the top of memory, across two pages of ours and on a region page
 *     not yet touched;
 *   - single steps over each entry: one trap, just past the return
 *     address, never in the kernel;
 *   - children mixing the entries at random, call by call, on every CPU,
 *     each checking its results and talking to the parent by ipc;
 *   - children that misuse sysenter (or sysexit) and must die alone, and
 *     one that enters with NT set, which goes on.
 * Every check counts; the last line says how many passed.
 */
#include <inc/lib.h>
#include <inc/x86.h>

#define SHARED		((volatile struct shared *) 0x00300000)
#define SRC		((char *) UTEMP)	// pages mapped and unmapped
#define DST		(SRC + PGSIZE)
#define UNMAPPED	0x10000000		// no page here, ever
#define KERNEL_TEXT	(KERNBASE + 0x100000)
#define FL_ARITH	(FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

// What a child that should have died writes when it did not.
struct shared {
	int survived;		// got past its misdeed
	int stepped;		// took a debug trap in user mode
	int nt_ok;		// NT child: checks passed
};

static int passed, failed, destroyed;

static void
check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	cprintf("sysenter: FAIL: ");
	va_start(ap, fmt);
	vcprintf(fmt, ap);
	va_end(ap);
	cprintf("\n");
}

/*
 * A call with every register chosen: raw_sysenter(in) and raw_int(in)
 * load eax, ebx, ecx, edx, esi, edi, ebp and eflags from *in (eflags
 * last, so that a TF in it traps after the entry itself) and enter the
 * kernel.  raw_out then holds every register as the call left it, esp
 * included; the caller's registers, stack and flags are put back.  No
 * instruction touches the stack between the entry and the restore: the
 * stack sysexit returns with is whatever ebp said.  raw_sysenter_ret is
 * the usual return address for sysenter; raw_*_next is just past the
 * first instruction there, where a single step stops.
 */
struct RawRegs {
	uint32_t eax, ebx, ecx, edx, esi, edi, ebp, esp, eflags;
};
static_assert(offsetof(struct RawRegs, eax) == 0
	      && offsetof(struct RawRegs, ebp) == 24
	      && offsetof(struct RawRegs, esp) == 28
	      && offsetof(struct RawRegs, eflags) == 32);

struct RawRegs raw_out;
uint32_t raw_saved_esp;
void raw_sysenter(const struct RawRegs *in);
void raw_int(const struct RawRegs *in);
extern char raw_sysenter_ret[], raw_sysenter_next[];
extern char raw_int_ret[], raw_int_next[], raw_push_ret[];

asm(".pushsection .text\n"
    ".macro raw_load\n"
    "	pushl %ebp\n"
    "	pushl %ebx\n"
    "	pushl %esi\n"
    "	pushl %edi\n"
    "	pushfl\n"
    "	movl %esp, raw_saved_esp\n"
    "	movl 24(%esp), %eax\n"		/* in */
    "	pushl 32(%eax)\n"
    "	movl 4(%eax), %ebx\n"
    "	movl 8(%eax), %ecx\n"
    "	movl 12(%eax), %edx\n"
    "	movl 16(%eax), %esi\n"
    "	movl 20(%eax), %edi\n"
    "	movl 24(%eax), %ebp\n"
    "	movl 0(%eax), %eax\n"
    "	popfl\n"
    ".endm\n"
    ".macro raw_store\n"
    "	movl %ebx, raw_out+4\n"
    "	movl %ecx, raw_out+8\n"
    "	movl %edx, raw_out+12\n"
    "	movl %esi, raw_out+16\n"
    "	movl %edi, raw_out+20\n"
    "	movl %ebp, raw_out+24\n"
    "	movl %esp, raw_out+28\n"
    "	movl raw_saved_esp, %esp\n"	/* our stack again */
    "	pushfl\n"
    "	popl raw_out+32\n"
    "	popfl\n"
    "	popl %edi\n"
    "	popl %esi\n"
    "	popl %ebx\n"
    "	popl %ebp\n"
    "	ret\n"
    ".endm\n"
    "raw_sysenter:\n"
    "	raw_load\n"
    "	sysenter\n"
    "raw_sysenter_ret:\n"
    "	movl %eax, raw_out\n"
    "raw_sysenter_next:\n"
    "	raw_store\n"
    /* A return address that uses the stack it comes back with. */
    "raw_push_ret:\n"
    "	pushl %eax\n"
    "	popl %eax\n"
    "	jmp raw_sysenter_ret\n"
    "raw_int:\n"
    "	raw_load\n"
    "	int $0x30\n"
    "raw_int_ret:\n"
    "	movl %eax, raw_out\n"
    "raw_int_next:\n"
    "	raw_store\n"
    ".popsection\n");

// A stack for raw calls whose top word is the fifth argument.
static uint32_t raw_stack[16];
#define RAW_STACK_TOP	((uint32_t) &raw_stack[8])

// A call num by sysenter with a value to recognize in each register,
// DF and AC set, returning to raw_sysenter_ret with the stack at ebp.
static struct RawRegs
sysenter_regs(uint32_t num, uint32_t ebp)
{
	return (struct RawRegs) {
		.eax = num, .ebx = 0x1b1b1b1b, .ecx = 0xc1c1c1c1,
		.edx = 0xd1d1d1d1, .esi = (uint32_t) raw_sysenter_ret,
		.edi = 0xd2d2d2d2, .ebp = ebp,
		.eflags = read_eflags() | FL_DF | FL_AC,
	};
}

// The same for int $0x30: esi is the fifth argument, ebp nothing.
static struct RawRegs
int_regs(uint32_t num)
{
	struct RawRegs in = sysenter_regs(num, 0xb0b0b0b0);

	in.esi = 0x51515151;
	return in;
}

static void
check_result(const char *how, int32_t want)
{
	check(raw_out.eax == want, "%s: eax %08x, want %08x", how,
	      raw_out.eax, want);
}

#define KEPT(field)							\
	check(raw_out.field == in->field, "%s: " #field " %08x, want %08x", \
	      how, raw_out.field, in->field)

// After a raw call with in: esp as esp, and the registers and flags the
// entries keep as they were (ecx and edx are the callee's under
// sysenter; int $0x30 keeps them, but no caller may count on that).
static void
check_kept(const char *how, const struct RawRegs *in, uint32_t esp)
{
	KEPT(ebx);
	KEPT(esi);
	KEPT(edi);
	KEPT(ebp);
	check(raw_out.esp == esp, "%s: esp %08x, want %08x", how,
	      raw_out.esp, esp);
	check((raw_out.eflags & ~FL_ARITH) == (in->eflags & ~FL_ARITH),
	      "%s: eflags %08x, want %08x", how, raw_out.eflags, in->eflags);
}

static void
alloc_or_die(void *va, int perm)
{
	int r;

	if ((r = sys_page_alloc(0, va, perm)) < 0)
		panic("sysenter: page_alloc %08x: %e", va, r);
}

// DST mapped from SRC with perm, as the call just made said?
static void
check_mapped(const char *how, int perm)
{
	pte_t pte = pte_of((uintptr_t) DST);

	check((pte & PTE_P) && (pte & PTE_SYSCALL) == perm
	      && *(volatile uint32_t *) DST == *(volatile uint32_t *) SRC,
	      "%s: DST has perm %03x, want %03x", how, pte & PTE_SYSCALL,
	      perm);
	sys_page_unmap(0, DST);
}

// in, with the first four arguments of sys_page_map(0, SRC, 0, DST,
// perm); the caller puts perm where the entry takes the fifth from.
static struct RawRegs
page_map_regs(struct RawRegs in)
{
	in.edx = 0;
	in.ecx = (uint32_t) SRC;
	in.ebx = 0;
	in.edi = (uint32_t) DST;
	return in;
}

// A call by each entry, with and without a fifth argument.
static void
check_registers(void)
{
	struct RawRegs in;
	int perm = PTE_P | PTE_U | PTE_SHARE, before = passed;

	in = sysenter_regs(SYS_getenvid, RAW_STACK_TOP);
	raw_sysenter(&in);
	check_result("sysenter getenvid", thisenv->env_id);
	check_kept("sysenter getenvid", &in, in.ebp);
	in = int_regs(SYS_getenvid);
	raw_int(&in);
	check_result("int getenvid", thisenv->env_id);
	check_kept("int getenvid", &in, raw_saved_esp);

	alloc_or_die(SRC, PTE_P | PTE_U | PTE_W);
	*(uint32_t *) SRC = 0x5a5a5a5a;
	raw_stack[8] = perm;
	in = page_map_regs(sysenter_regs(SYS_page_map, RAW_STACK_TOP));
	raw_sysenter(&in);
	check_result("sysenter page_map", 0);
	check_kept("sysenter page_map", &in, in.ebp);
	check_mapped("sysenter page_map", perm);
	in = page_map_regs(int_regs(SYS_page_map));
	in.esi = perm | PTE_W;
	raw_int(&in);
	check_result("int page_map", 0);
	check_kept("int page_map", &in, raw_saved_esp);
	check_mapped("int page_map", perm | PTE_W);
	cprintf("sysenter: registers, flags and the fifth argument kept "
		"by both entries: %d checks passed\n", passed - before);
}

// sysenter page_map with the stack, and so its fifth argument's word,
// at stack: the result must be want, the registers as they were.
static void
check_map_with_stack(uint32_t stack, int32_t want, const char *how)
{
	struct RawRegs in = page_map_regs(sysenter_regs(SYS_page_map, stack));

	raw_sysenter(&in);
	check_result(how, want);
	check_kept(how, &in, stack);
}

// The word two pages of ours share: the slow way in.
static void
check_straddling_arg5(void)
{
	uint32_t stack = (uint32_t) DST + 2 * PGSIZE - 2;
	int perm = PTE_P | PTE_U | PTE_W;

	alloc_or_die(DST + PGSIZE, PTE_P | PTE_U | PTE_W);
	alloc_or_die(DST + 2 * PGSIZE, PTE_P | PTE_U | PTE_W);
	memcpy((void *) stack, &perm, sizeof(perm));
	check_map_with_stack(stack, 0, "a word across two pages");
	check_mapped("a word across two pages", perm);
	sys_page_unmap(0, DST + PGSIZE);
	sys_page_unmap(0, DST + 2 * PGSIZE);
}

// A region page not touched yet comes in zeroed: perm 0 is refused.
static void
check_untouched_arg5(void)
{
	void *va = (void *) (UNMAPPED + PTSIZE);
	int r;

	if ((r = sys_region_map(0, &va, PGSIZE, PTE_P | PTE_U | PTE_W,
				REGION_FIXED)) < 0)
		panic("sysenter: region_map: %e", r);
	check_map_with_stack((uint32_t) va + 16, -E_INVAL,
			     "a word on an untouched page");
	sys_region_unmap(0, va, PGSIZE);
}

// Stacks the fifth argument cannot be read from: -E_FAULT, the env
// going on.  Then two that take the slow way to it.
static void
check_arg5(void)
{
	static const uint32_t bad[] = {
		UNMAPPED, KERNEL_TEXT, ULIM - 2, ULIM, 0xfffffffe, 0,
	};
	int before = passed, i;
	char how[40];

	if (pte_of(UNMAPPED) & PTE_P)
		panic("sysenter: %08x is mapped", UNMAPPED);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(how, sizeof(how), "fifth argument at %08x", bad[i]);
		check_map_with_stack(bad[i], -E_FAULT, how);
	}
	check_straddling_arg5();
	check_untouched_arg5();
	cprintf("sysenter: the fifth argument unmapped, in the kernel, across "
		"ULIM or the top of memory, across two pages and untouched: "
		"%d checks passed\n", passed - before);
}

// Where the first debug trap after a stepped entry came from.
static volatile int steps;
static volatile uint32_t step_eip;

static void
debug_handler(struct UExcframe *uxf)
{
	if (steps++ == 0)
		step_eip = uxf->uxf_utf.utf_eip;
	// _utf_resume itself would be stepped, trapping forever at its ret.
	uxf->uxf_utf.utf_eflags &= ~FL_TF;
}

static const struct stepped {
	const char *name;
	void (*enter)(const struct RawRegs *in);
	const char *next;	// where its first step must stop
	uint32_t num;
} stepped_calls[] = {
	{ "sysenter getenvid", raw_sysenter, raw_sysenter_next, SYS_getenvid },
	{ "sysenter yield", raw_sysenter, raw_sysenter_next, SYS_yield },
	{ "int getenvid", raw_int, raw_int_next, SYS_getenvid },
	{ "int yield", raw_int, raw_int_next, SYS_yield },
};

static void
step_one(const struct stepped *c)
{
	struct RawRegs in;

	if (c->enter == raw_sysenter)
		in = sysenter_regs(c->num, RAW_STACK_TOP);
	else
		in = int_regs(c->num);
	in.eflags |= FL_TF;
	steps = 0;
	c->enter(&in);
	check(steps == 1 && step_eip == (uint32_t) c->next,
	      "%s stepped: %d traps, the first at %08x, want 1 at %08x",
	      c->name, steps, step_eip, c->next);
	check(c->num != SYS_getenvid || raw_out.eax == thisenv->env_id,
	      "%s stepped: eax %08x", c->name, raw_out.eax);
	check(!(raw_out.eflags & FL_TF), "%s stepped: TF still set", c->name);
}

// TF set by the last instruction before each entry.
static void
check_single_step(void)
{
	int before = passed, i;

	set_exception_handler(debug_handler, 1 << T_DEBUG);
	for (i = 0; i < ARRAY_SIZE(stepped_calls); i++)
		step_one(&stepped_calls[i]);
	set_exception_handler(NULL, 0);
	cprintf("sysenter: %d calls stepped, each trapping once just past its "
		"return address: %d checks passed\n",
		ARRAY_SIZE(stepped_calls), passed - before);
}

/*
 * Mixers: children that pick the entry at random before every call.
 * Each reports to the parent every MIX_REPORT rounds and waits for the
 * echo, then says how many rounds went right.
 */
#define MIXERS		4
#define MIX_ROUNDS	300
#define MIX_REPORT	100
#define MSG_PROGRESS	(1 << 24)
#define MSG_DONE	(2 << 24)
#define MSG_COUNT	0xffffff

static const int map_perms[] = {
	PTE_P | PTE_U, PTE_P | PTE_U | PTE_W, PTE_P | PTE_U | PTE_SHARE,
	PTE_P | PTE_U | PTE_W | PTE_SHARE,
};

static uint32_t mix_seed;

static uint32_t
mix_random(void)
{
	mix_seed = mix_seed * 1103515245 + 12345;
	return mix_seed >> 16;
}

static void
mix_entry(void)
{
	syscall_entry = mix_random() & 1 ? SYSCALL_SYSENTER : SYSCALL_INT;
}

// One round: whether every call in it did what it should.
static bool
mix_round(void)
{
	int perm = map_perms[mix_random() % ARRAY_SIZE(map_perms)];
	uint32_t mark = mix_random();
	pte_t pte;

	mix_entry();
	if (sys_getenvid() != thisenv->env_id)
		return false;
	mix_entry();
	if (sys_page_alloc(0, SRC, PTE_P | PTE_U | PTE_W) < 0)
		return false;
	*(uint32_t *) SRC = mark;
	mix_entry();
	if (sys_page_map(0, SRC, 0, DST, perm) < 0)
		return false;
	pte = pte_of((uintptr_t) DST);
	if ((pte & PTE_SYSCALL) != perm || *(uint32_t *) DST != mark)
		return false;
	mix_entry();
	sys_page_unmap(0, DST);
	mix_entry();
	sys_page_unmap(0, SRC);
	if (pte_of((uintptr_t) DST) & PTE_P)
		return false;
	mix_entry();
	if (mix_random() % 4 == 0)
		sys_yield();
	return true;
}

static void
mixer(int i)
{
	envid_t parent = thisenv->env_parent_id, from;
	int good = 0, n;
	uint32_t echo;

	mix_seed = 0x5eed0000 + i;
	for (n = 1; n <= MIX_ROUNDS; n++) {
		good += mix_round();
		if (n % MIX_REPORT)
			continue;
		mix_entry();
		ipc_send(parent, MSG_PROGRESS | n, NULL, 0);
		mix_entry();
		echo = ipc_recv(&from, NULL, NULL);
		if (from != parent || echo != (MSG_PROGRESS | n))
			cprintf("sysenter: FAIL: mixer %d: echo %08x from "
				"%08x\n", i, echo, from);
	}
	ipc_send(parent, MSG_DONE | good, NULL, 0);
	exit();
}

static int
mixer_index(const envid_t *kids, envid_t id)
{
	int i;

	for (i = 0; i < MIXERS; i++)
		if (kids[i] == id)
			return i;
	return -1;
}

// Serve the mixers' messages until all are done.
static void
serve_mixers(const envid_t *kids)
{
	int reports[MIXERS] = { 0 }, done = 0, echoes = 0, rounds = 0, i;
	envid_t from;
	uint32_t msg;

	while (done < MIXERS) {
		msg = ipc_recv(&from, NULL, NULL);
		i = mixer_index(kids, from);
		if (i < 0 || reports[i] < 0) {
			check(false, "message %08x from %08x", msg, from);
			continue;
		}
		if (msg == (MSG_PROGRESS | (reports[i] + 1) * MIX_REPORT)) {
			reports[i]++;
			ipc_send(from, msg, NULL, 0);
			echoes++;
			continue;
		}
		check(msg == (MSG_DONE | MIX_ROUNDS)
		      && reports[i] == MIX_ROUNDS / MIX_REPORT,
		      "mixer %d: %08x after %d reports", i, msg, reports[i]);
		if ((msg & ~MSG_COUNT) == MSG_DONE)
			rounds += msg & MSG_COUNT;
		reports[i] = -1;
		done++;
	}
	cprintf("sysenter: %d children on mixed entries: %d rounds and %d "
		"ipc round trips right\n", MIXERS, rounds, echoes);
}

static envid_t
fork_or_die(void)
{
	envid_t id;

	if ((id = fork()) < 0)
		panic("sysenter: fork: %e", id);
	return id;
}

static void
check_mixed(void)
{
	envid_t kids[MIXERS];
	int i;

	for (i = 0; i < MIXERS; i++)
		if ((kids[i] = fork_or_die()) == 0)
			mixer(i);
	serve_mixers(kids);
	for (i = 0; i < MIXERS; i++)
		wait_env_gone(kids[i]);
}

/*
 * Misdeeds, each in a child with no page fault upcall, so that a fault
 * ends it.  A child that takes a debug trap in user mode says so rather
 * than reach the kernel monitor.
 */
static void
stepped_in_user(struct UExcframe *uxf)
{
	SHARED->stepped = 1;
	sys_env_destroy(0);
}

static void
return_to_kernel(void)
{
	struct RawRegs in = sysenter_regs(SYS_getenvid, RAW_STACK_TOP);

	in.esi = KERNEL_TEXT;
	raw_sysenter(&in);
}

static void
stack_in_kernel(void)
{
	struct RawRegs in = sysenter_regs(SYS_getenvid, KERNEL_TEXT);

	in.esi = (uint32_t) raw_push_ret;
	raw_sysenter(&in);
}

static void
garbage_return(void)
{
	struct RawRegs in = sysenter_regs(SYS_page_map, 0xcafebabe);

	in.esi = 0xdeadbeef;
	raw_sysenter(&in);
}

static void
stepping_to_kernel(void)
{
	struct RawRegs in = sysenter_regs(SYS_getenvid, RAW_STACK_TOP);

	in.esi = KERNEL_TEXT;
	in.eflags |= FL_TF;
	raw_sysenter(&in);
}

static void
sysexit_in_user(void)
{
	asm volatile("sysexit");
}

static const struct {
	const char *name;
	void (*fn)(void);
} misdeeds[] = {
	{ "a return address in the kernel", return_to_kernel },
	{ "a stack in the kernel", stack_in_kernel },
	{ "a garbage return address and stack", garbage_return },
	{ "stepping to a return address in the kernel", stepping_to_kernel },
	{ "sysexit in user mode", sysexit_in_user },
};

// fork left our pages copy-on-write: the ones a misdeed writes are made
// ours while the fault handler can still copy them.
static void
misbehave(int i)
{
	volatile uint32_t *stack = (uint32_t *) (USTACKTOP - PGSIZE);

	*stack = *stack;
	raw_saved_esp = 0;
	memset(&raw_out, 0, sizeof(raw_out));
	set_exception_handler(stepped_in_user, 1 << T_DEBUG);
	sys_env_set_pgfault_upcall(0, NULL);
	misdeeds[i].fn();
	SHARED->survived = 1;
	exit();
}

// NT set on the way in: the kernel clears it for itself; the env gets
// it back (as from int $0x30, whose iret restores it) and goes on.
static void
enter_with_nt(void)
{
	struct RawRegs in;
	int ok = 0;

	in = sysenter_regs(SYS_getenvid, RAW_STACK_TOP);
	in.eflags |= FL_NT;
	raw_sysenter(&in);
	ok += raw_out.eax == thisenv->env_id && (raw_out.eflags & FL_NT);
	in = int_regs(SYS_getenvid);
	in.eflags |= FL_NT;
	raw_int(&in);
	ok += raw_out.eax == thisenv->env_id && (raw_out.eflags & FL_NT);
	in = sysenter_regs(SYS_yield, RAW_STACK_TOP);
	in.eflags |= FL_NT;
	raw_sysenter(&in);
	ok += (raw_out.eflags & FL_NT) != 0;
	SHARED->nt_ok = ok;
	exit();
}

// The kernel still serves both entries.
static void
check_alive(const char *after)
{
	syscall_entry = SYSCALL_INT;
	check(sys_getenvid() == thisenv->env_id, "after %s: int", after);
	syscall_entry_init();
	check(sys_getenvid() == thisenv->env_id, "after %s: sysenter", after);
}

static void
check_hostile(void)
{
	envid_t kid;
	int i, r;

	if ((r = sys_page_alloc(0, (void *) SHARED,
				PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0)
		panic("sysenter: shared page: %e", r);
	for (i = 0; i < ARRAY_SIZE(misdeeds); i++) {
		SHARED->survived = SHARED->stepped = 0;
		if ((kid = fork_or_die()) == 0)
			misbehave(i);
		wait_env_gone(kid);
		check(!SHARED->survived && !SHARED->stepped, "%s: the child %s",
		      misdeeds[i].name, SHARED->survived ? "got past it"
		      : "took a debug trap");
		destroyed += !SHARED->survived && !SHARED->stepped;
		check_alive(misdeeds[i].name);
	}
	if ((kid = fork_or_die()) == 0)
		enter_with_nt();
	wait_env_gone(kid);
	check(SHARED->nt_ok == 3, "NT: %d of 3 calls came back right with NT",
	      SHARED->nt_ok);
	check_alive("NT");
	cprintf("sysenter: %d misusing children destroyed alone; with NT set "
		"an env went on, NT kept in %d of 3 calls\n", destroyed,
		SHARED->nt_ok);
}

void
umain(int argc, char **argv)
{
	if (syscall_entry != SYSCALL_SYSENTER)
		panic("sysenter: the processor has no sysenter");
	check_registers();
	check_arg5();
	check_single_step();
	check_mixed();
	check_hostile();
	cprintf("sysenter: %d checks passed, %d failed, %d children destroyed "
		"as expected\n", passed, failed, destroyed);
}
