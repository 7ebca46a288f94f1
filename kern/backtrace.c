/*
 * Stack backtraces of the kernel: the call frames on a kernel stack,
 * each with the file, line and function of its return address (from
 * kern/kdebug.c), for the monitor's backtrace command and for traps in
 * the kernel.
 */
#include <inc/stdio.h>
#include <inc/memlayout.h>
#include <inc/trap.h>
#include <kern/backtrace.h>
#include <kern/kdebug.h>
#include <kern/cpu.h>
#include <kern/pmap.h>

// The top of the kernel stack that holds addr, or 0 if none does.
// Every stack is KSTKSIZE bytes: the boot stack, and each CPU's, which
// is in the kernel image and also mapped below KSTACKTOP_CPU(i).
static uintptr_t
kstack_top(uintptr_t addr)
{
	uintptr_t tops[1 + 2 * NCPU];
	int i, n = 0;

	tops[n++] = (uintptr_t) bootstacktop;
	for (i = 0; i < ncpu; i++) {
		tops[n++] = (uintptr_t) percpu_kstacks[i] + KSTKSIZE;
		tops[n++] = KSTACKTOP_CPU(i);
	}
	for (i = 0; i < n; i++)
		if (addr < tops[i] && addr >= tops[i] - KSTKSIZE)
			return tops[i];
	return 0;
}

// Print where eip is in the source, as "file:line: function+offset".
// A return address is looked up one byte back, in its call instruction:
// a call to a function that never returns can be the last instruction
// of its function, so the return address may start the next one.
static void
print_source(uintptr_t eip, bool is_return)
{
	struct Eipdebuginfo info;

	if (debuginfo_eip(is_return ? eip - 1 : eip, &info) < 0)
		info.eip_fn_addr = eip;
	cprintf("         %s:%d: %.*s+%d\n", info.eip_file, info.eip_line,
		info.eip_fn_namelen, info.eip_fn_name, eip - info.eip_fn_addr);
}

/*
 * Print the call frames from the one at ebp outward.  A frame holds the
 * caller's ebp, the return address, then the caller's arguments.  The
 * chain ends with ebp 0 (kern/entry.S); it is also cut where ebp leaves
 * the stack it started on or stops growing toward the top, as it does
 * at a trap from user mode: the monitor must not fault or loop on a bad
 * chain.
 * Argument words beyond the top of the stack are shown as 0.
 */
void
backtrace_from(uint32_t ebp)
{
	uintptr_t top = kstack_top(ebp), prev = 0;
	uint32_t *frame, args[5];
	int i;

	while (ebp != 0) {
		if (top == 0 || kstack_top(ebp) != top || ebp % 4 != 0
		    || ebp <= prev || ebp + 8 > top) {
			cprintf("  (ebp %08x: not a valid frame)\n", ebp);
			return;
		}
		frame = (uint32_t *) ebp;
		for (i = 0; i < 5; i++)
			args[i] = ebp + 12 + 4 * i <= top ? frame[2 + i] : 0;
		cprintf("ebp %08x eip %08x args %08x %08x %08x %08x %08x\n",
			ebp, frame[1], args[0], args[1], args[2], args[3],
			args[4]);
		print_source(frame[1], true);
		prev = ebp;
		ebp = frame[0];
	}
}

// Show the kernel code a trap interrupted: where, then its callers.
void
backtrace(struct Trapframe *tf)
{
	if ((tf->tf_cs & 3) != 0) {
		cprintf("backtrace: the trap came from user mode\n");
		return;
	}
	cprintf("Stack backtrace from eip %08x:\n", tf->tf_eip);
	print_source(tf->tf_eip, false);
	backtrace_from(tf->tf_regs.reg_ebp);
}
