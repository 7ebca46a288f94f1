/*
 * Hostile programs: a child per misdeed, each of which must end with the
 * kernel destroying that child -- never a kernel panic, a hang, or the
 * misdeed working.  Misdeeds: system calls on kernel memory or with
 * huge lengths, privileged instructions, interrupts only the kernel may
 * raise, far transfers to kernel segments, jumps and stacks into the
 * kernel, every sort of bad page fault upcall, and children that block
 * or spin until their parent destroys them.
 *
 * A child that gets past its misdeed says so in a shared page, and the
 * parent reports it.  (int3 and the trap flag are left out: they stop
 * the kernel in its monitor, by design.)
 */
#include <inc/lib.h>

#define SHARED		((volatile struct shared *) 0x00300000)
#define WAIT_YIELDS	100000	// how long a child may take to die

struct shared {
	int survived;		// the child got past its misdeed
};

enum { DIES, BLOCKS, SPINS };

// Each misdeed runs in a child with no page fault upcall.
static void
cputs_kernel(void)
{
	sys_cputs((const char *) KERNBASE + 0x100000, 16);
}

static void
cputs_huge(void)
{
	char c = 'x';

	sys_cputs(&c, 0xfffffff0);
}

static void
cputs_past_ulim(void)
{
	sys_cputs((const char *) ULIM - 8, 16);
}

static void
int_pgflt(void)
{
	asm volatile("int $14");
}

static void
int_timer(void)
{
	asm volatile("int $32");
}

static void
int_255(void)
{
	asm volatile("int $255");
}

static void
cli(void)
{
	asm volatile("cli");
}

static void
hlt(void)
{
	asm volatile("hlt");
}

static void
inb_serial(void)
{
	asm volatile("inb %w0, %%al" : : "d" (0x3f8) : "eax");
}

static void
outb_pic(void)
{
	asm volatile("outb %%al, %w0" : : "d" (0x21), "a" (0xff));
}

static void
lgdt_zero(void)
{
	static uint16_t pd[3];

	asm volatile("lgdt %0" : : "m" (pd));
}

static void
load_cr3(void)
{
	asm volatile("movl %0, %%cr3" : : "r" (0));
}

static void
rdmsr_zero(void)
{
	asm volatile("xorl %%ecx, %%ecx; rdmsr" : : : "eax", "ecx", "edx");
}

static void
sysenter(void)
{
	asm volatile("sysenter");
}

static void
lcall_kernel(void)
{
	asm volatile("lcall $0x08, $0");
}

static void
ljmp_null(void)
{
	asm volatile("ljmp $0, $0");
}

static void
null_ss(void)
{
	asm volatile("movw $0, %%ax; movw %%ax, %%ss" : : : "eax");
}

// An iret whose frame names the kernel's code segment.
static void
iret_ring0(void)
{
	asm volatile("pushfl; pushl $0x08; pushl $0; iret");
}

static void
jump_kernel(void)
{
	asm volatile("jmp *%0" : : "r" (KERNBASE + 0x100000));
}

static void
stack_in_kernel(void)
{
	asm volatile("movl %0, %%esp; pushl $0" : : "i" (KERNBASE));
}

// A system call must not care where esp points; the push after it does.
static void
syscall_kernel_stack(void)
{
	asm volatile("movl %0, %%esp; movl %1, %%eax; int $0x30; pushl $0"
		     : : "i" (KERNBASE), "i" (SYS_getenvid) : "eax");
}

static void
write_text(void)
{
	*(volatile char *) umain = 0;
}

static void
ud2(void)
{
	asm volatile("ud2");
}

// In assembly: the compiler turns a division it can see into tests.
static void
divide_zero(void)
{
	asm volatile("xorl %%ecx, %%ecx; divl %%ecx" : : : "eax", "ecx", "edx");
}

static void
fault(void)
{
	*(volatile int *) 0 = 0;
}

static void
xstack(int perm)
{
	sys_page_alloc(0, (void *) (UXSTACKTOP - PGSIZE), perm);
}

static void
upcall_kernel(void)
{
	xstack(PTE_P | PTE_U | PTE_W);
	sys_env_set_pgfault_upcall(0, (void *) KERNBASE + 0x100000);
	fault();
}

static void
upcall_unmapped(void)
{
	xstack(PTE_P | PTE_U | PTE_W);
	sys_env_set_pgfault_upcall(0, (void *) 0x10000000);
	fault();
}

static void
xstack_missing(void)
{
	sys_page_unmap(0, (void *) (UXSTACKTOP - PGSIZE));
	sys_env_set_pgfault_upcall(0, _pgfault_upcall);
	fault();
}

static void
xstack_readonly(void)
{
	xstack(PTE_P | PTE_U);
	sys_env_set_pgfault_upcall(0, _pgfault_upcall);
	fault();
}

// Fault with esp at the bottom of the exception stack: the frame would
// have to go below it.
static void
xstack_full(void)
{
	xstack(PTE_P | PTE_U | PTE_W);
	sys_env_set_pgfault_upcall(0, _pgfault_upcall);
	asm volatile("movl %0, %%esp; movl $0, 0"
		     : : "i" (UXSTACKTOP - PGSIZE + 8));
}

static void
block(void)
{
	sys_ipc_recv((void *) UTOP);
}

static void
spin(void)
{
	for (;;)
		;
}

static const struct {
	const char *name;
	void (*fn)(void);
	int ends;
} misdeeds[] = {
	{ "sys_cputs from a kernel address", cputs_kernel, DIES },
	{ "sys_cputs with a huge length", cputs_huge, DIES },
	{ "sys_cputs running past ULIM", cputs_past_ulim, DIES },
	{ "int $14", int_pgflt, DIES },
	{ "int $32", int_timer, DIES },
	{ "int $255", int_255, DIES },
	{ "cli", cli, DIES },
	{ "hlt", hlt, DIES },
	{ "inb from the serial port", inb_serial, DIES },
	{ "outb to the PIC", outb_pic, DIES },
	{ "lgdt", lgdt_zero, DIES },
	{ "mov to cr3", load_cr3, DIES },
	{ "rdmsr", rdmsr_zero, DIES },
	{ "sysenter", sysenter, DIES },
	{ "far call to the kernel code segment", lcall_kernel, DIES },
	{ "far jump to the null selector", ljmp_null, DIES },
	{ "null stack segment", null_ss, DIES },
	{ "iret to ring 0", iret_ring0, DIES },
	{ "jump into the kernel", jump_kernel, DIES },
	{ "stack in the kernel", stack_in_kernel, DIES },
	{ "system call with esp in the kernel", syscall_kernel_stack, DIES },
	{ "write to its own text", write_text, DIES },
	{ "ud2", ud2, DIES },
	{ "divide by zero", divide_zero, DIES },
	{ "fault with a kernel upcall", upcall_kernel, DIES },
	{ "fault with an unmapped upcall", upcall_unmapped, DIES },
	{ "fault with no exception stack", xstack_missing, DIES },
	{ "fault with a read-only exception stack", xstack_readonly, DIES },
	{ "fault with a full exception stack", xstack_full, DIES },
	{ "block in ipc_recv", block, BLOCKS },
	{ "spin", spin, SPINS },
};

// In the child: make the stack page our own (fork shares it
// copy-on-write), then give up the upcall, so faults end us.
static void
misbehave(int i)
{
	volatile uint32_t *stack = (uint32_t *) (USTACKTOP - PGSIZE);

	*stack = *stack;
	sys_env_set_pgfault_upcall(0, NULL);
	misdeeds[i].fn();
	SHARED->survived = 1;
	sys_env_destroy(0);
}

// Wait for child i to die, destroying it once it blocks or has spun a
// while.  Returns whether it died as it should.
static bool
await(int i, envid_t kid)
{
	int n;

	for (n = 0; n < WAIT_YIELDS && !env_gone(kid); n++) {
		if ((misdeeds[i].ends == BLOCKS
		     && envs[ENVX(kid)].env_ipc_recving)
		    || (misdeeds[i].ends == SPINS && n == 10))
			sys_env_destroy(kid);
		sys_yield();
	}
	if (!env_gone(kid)) {
		sys_env_destroy(kid);
		return false;
	}
	return !SHARED->survived;
}

void
umain(int argc, char **argv)
{
	envid_t kid;
	int i, nfail = 0, r;

	if ((r = sys_page_alloc(0, (void *) SHARED,
				PTE_P | PTE_U | PTE_W | PTE_SHARE)) < 0)
		panic("hostile: shared page: %e", r);
	for (i = 0; i < ARRAY_SIZE(misdeeds); i++) {
		SHARED->survived = 0;
		if ((kid = fork()) < 0)
			panic("hostile: fork: %e", kid);
		if (kid == 0)
			misbehave(i);
		if (await(i, kid))
			continue;
		cprintf("hostile: FAIL: %s: the child %s\n", misdeeds[i].name,
			SHARED->survived ? "got past it" : "did not die");
		nfail++;
	}
	if (nfail == 0)
		cprintf("hostile: all %d misbehaving children destroyed\n",
			ARRAY_SIZE(misdeeds));
	else
		cprintf("hostile: %d FAILED\n", nfail);
}
