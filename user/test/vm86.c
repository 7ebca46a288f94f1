/*
 * Virtual-8086 mode entered from user mode.  A real i386 ignores
 * EFLAGS.VM in an iret at CPL 3, but QEMU's emulation honours it (and
 * the IOPL that comes with it), so one iret takes a user program into
 * vm86 mode.  Only the program may suffer for it:
 *   1. a child tries to map `cli; jmp $' in low memory, where vm86 code
 *      runs from, and enters vm86 there: refused the page, it faults at
 *      once; given it (a kernel bug), it would run for good, and the
 *      parent unmaps a page in it and destroys it;
 *   2. a child enters vm86 at an address it never mapped;
 *   3. the first env itself does as the first child did.
 * Each must end only the env that did it.  The registers a trap frame
 * saves first hold 0x41414141, so a frame written outside its env
 * shows: a child's would run into the end of envs[0], the parent's, at
 * its IPC fields.
 */
#include <inc/lib.h>

#define PERM		(PTE_P | PTE_U | PTE_W)
#define LOWCODE		0x1000		// linear address of cs:ip 0100:0000
#define UNMAPPED_CS	0xffff		// ffff:0010 is linear 0x100000
#define UNMAPPED_IP	0x0010
#define SHARED		((volatile int *) 0x00300000)	// the child's mapping:
#define   MAPPED	1				//   it is about to run
#define   REFUSED	2				//   its entry must fault

// The iret frame into vm86 mode: popped eip, cs, eflags, esp, ss, then
// es, ds, fs, gs, as vm86 mode loads them.
struct Vm86Frame {
	uint32_t eip, cs, eflags, esp, ss, es, ds, fs, gs;
};

static void __attribute__((noreturn))
enter_vm86(uint16_t cs, uint16_t ip)
{
	static struct Vm86Frame f;

	f.eip = ip;
	f.cs = cs;
	f.eflags = FL_VM | FL_IOPL_3 | FL_IF | 0x2;
	f.esp = 0x7000;
	asm volatile("movl %0, %%esp\n"
		     "movl $0x41414141, %%eax\n"
		     "movl %%eax, %%ebx\n"
		     "movl %%eax, %%ecx\n"
		     "movl %%eax, %%edx\n"
		     "movl %%eax, %%esi\n"
		     "movl %%eax, %%edi\n"
		     "movl %%eax, %%ebp\n"
		     "iret\n" : : "r" (&f));
	for (;;)
		;
}

// Map cli; jmp $ at LOWCODE if the kernel lets us, and run it in vm86.
static void __attribute__((noreturn))
vm86_cli_loop(void)
{
	static const uint8_t code[] = { 0xfa, 0xeb, 0xfe };
	int r = sys_page_alloc(0, (void *) LOWCODE, PERM);

	cprintf("vm86: [%08x] mapping %08x: %s\n", thisenv->env_id, LOWCODE,
		r == -E_INVAL ? "refused" : r == 0 ? "mapped" : "failed");
	if (r == 0)
		memcpy((void *) LOWCODE, code, sizeof(code));
	SHARED[0] = r == 0 ? MAPPED : REFUSED;
	enter_vm86(LOWCODE >> 4, 0);
}

// A child's trap frame, written 16 bytes too low, would have put its
// registers in our IPC fields.
static void
check_own_env(void)
{
	const volatile struct Env *me = &envs[0];

	if ((uint32_t) me->env_ipc_dstva == 0x41414141
	    || me->env_ipc_value == 0x41414141
	    || me->env_ipc_from == 0x41414141
	    || me->env_ipc_perm == 0x41414141)
		cprintf("vm86: FAIL: a child's registers are in envs[0]\n");
}

static envid_t
child(void (*body)(void))
{
	envid_t kid = fork();

	if (kid < 0)
		panic("vm86: fork: %e", kid);
	if (kid == 0)
		body();
	return kid;
}

static void __attribute__((noreturn))
vm86_unmapped(void)
{
	enter_vm86(UNMAPPED_CS, UNMAPPED_IP);
}

void
umain(int argc, char **argv)
{
	envid_t kid;
	int i, r;

	if ((r = sys_page_alloc(0, (void *) SHARED, PERM | PTE_SHARE)) < 0)
		panic("vm86: page_alloc: %e", r);

	// 1: refused its page, the child must end by its own fault (on
	// another CPU that may take a while: no number of yields is enough);
	// given it, it runs for good, and is ended as a child that runs.
	kid = child(vm86_cli_loop);
	while (!SHARED[0] && !env_gone(kid))
		sys_yield();
	if (SHARED[0] == MAPPED) {
		for (i = 0; i < 5; i++)
			sys_yield();
		r = sys_page_unmap(kid, (void *) UTEMP);
		if (r != 0 && r != -E_BAD_ENV)
			cprintf("vm86: FAIL: unmap in the child: %e\n", r);
		r = sys_env_destroy(kid);
		if (r != 0 && r != -E_BAD_ENV)
			cprintf("vm86: FAIL: destroying the child: %e\n", r);
	}
	wait_env_gone(kid);
	check_own_env();

	// 2.
	kid = child(vm86_unmapped);
	wait_env_gone(kid);
	check_own_env();
	cprintf("vm86: both children gone\n");

	// 3.
	vm86_cli_loop();
}
