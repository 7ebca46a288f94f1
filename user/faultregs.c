/*
 * Check that a user page fault sees, and then gets back, exactly the
 * registers the program had when it faulted.
 *
 * fault_with_pattern (assembly below) loads distinctive values into every
 * register it may change, records them in `before', writes to UTEMP
 * (unmapped, so it faults), then records the registers again in `after'.
 * The handler compares its UTrapframe with `before' and maps UTEMP so the
 * write succeeds when retried; umain then compares `after' with `before'.
 */
#include <inc/lib.h>

// A register snapshot, laid out like the tail of a UTrapframe.  The
// assembly below knows these offsets.
struct regs {
	struct PushRegs r;	// 0: edi esi ebp oesp ebx edx ecx eax
	uintptr_t eip;		// 32
	uint32_t eflags;	// 36
	uintptr_t esp;		// 40
};
static_assert(sizeof(struct regs) == 44);

struct regs before, after;

void fault_with_pattern(void);

/*
 * A snapshot uses only moves, pushfl and popl: it changes no flag and
 * leaves esp where it found it.  Before the first one the flags get CF,
 * PF, AF, ZF, SF and OF set, so that a handler clobbering them shows; DF
 * stays clear, as C code expects.
 */
#define SNAPSHOT(s)						\
	"	movl %edi, " s "+0\n"				\
	"	movl %esi, " s "+4\n"				\
	"	movl %ebp, " s "+8\n"				\
	"	movl %ebx, " s "+16\n"				\
	"	movl %edx, " s "+20\n"				\
	"	movl %ecx, " s "+24\n"				\
	"	movl %eax, " s "+28\n"				\
	"	movl %esp, " s "+40\n"				\
	"	pushfl\n"					\
	"	popl " s "+36\n"

asm(
"	.text\n"
"	.globl fault_with_pattern\n"
"fault_with_pattern:\n"
"	pushal\n"			/* every register is ours to change */
"	movl $0x0bad0ed1, %edi\n"
"	movl $0x0bad0e51, %esi\n"
"	movl $0x0bad0eb9, %ebp\n"
"	movl $0x0bad0eb8, %ebx\n"
"	movl $0x0bad0ed8, %edx\n"
"	movl $0x0bad0ec8, %ecx\n"
"	movl $0x0bad0ea8, %eax\n"
"	pushfl\n"
"	orl $0x8d5, (%esp)\n"
"	popfl\n"
	SNAPSHOT("before")
"	movl $1f, before+32\n"
"1:	movl $42, 0x400000\n"		/* UTEMP: faults the first time */
	SNAPSHOT("after")
"	popal\n"
"	ret\n"
);

static const struct {
	const char *name;
	size_t off;
} fields[] = {
	{ "edi", offsetof(struct regs, r.reg_edi) },
	{ "esi", offsetof(struct regs, r.reg_esi) },
	{ "ebp", offsetof(struct regs, r.reg_ebp) },
	{ "ebx", offsetof(struct regs, r.reg_ebx) },
	{ "edx", offsetof(struct regs, r.reg_edx) },
	{ "ecx", offsetof(struct regs, r.reg_ecx) },
	{ "eax", offsetof(struct regs, r.reg_eax) },
	{ "eip", offsetof(struct regs, eip) },
	{ "eflags", offsetof(struct regs, eflags) },
	{ "esp", offsetof(struct regs, esp) },
};

// Print each register of got against want and a verdict line for the
// whole set.  The resume flag is left out: the processor sets it in the
// flags it saves for a fault.
static void
compare(const char *what, const struct regs *want, const struct regs *got,
	bool with_eip)
{
	bool ok = true;
	uint32_t w, g;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (!with_eip && fields[i].off == offsetof(struct regs, eip))
			continue;
		w = *(const uint32_t *) ((const char *) want + fields[i].off);
		g = *(const uint32_t *) ((const char *) got + fields[i].off);
		if (fields[i].off == offsetof(struct regs, eflags)) {
			w &= ~FL_RF;
			g &= ~FL_RF;
		}
		cprintf("  %-6s want %08x got %08x%s\n", fields[i].name, w, g,
			w == g ? "" : "  MISMATCH");
		ok = ok && w == g;
	}
	cprintf("%s %s\n", what, ok ? "OK" : "MISMATCH");
}

static void
pgfault(struct UTrapframe *utf)
{
	struct regs trap;
	int r;

	if (utf->utf_fault_va != (uintptr_t) UTEMP)
		panic("unexpected fault at va %08x ip %08x",
		      utf->utf_fault_va, utf->utf_eip);
	trap.r = utf->utf_regs;
	trap.eip = utf->utf_eip;
	trap.eflags = utf->utf_eflags;
	trap.esp = utf->utf_esp;
	compare("Registers in UTrapframe", &before, &trap, true);

	if ((r = sys_page_alloc(0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_page_alloc: %e", r);
}

void
umain(int argc, char **argv)
{
	set_pgfault_handler(pgfault);
	fault_with_pattern();
	compare("Registers after page-fault", &before, &after, false);
	sys_page_unmap(0, UTEMP);
}
