/*
 * Measurements the kernel takes of itself when booted for `make bench`
 * (QEMU's -fw_cfg name=opt/jos/bench), of what no user program can time
 * alone: a region lookup, creating an env from a program.  Each prints a
 * line as bench/bench.c's do: "bench NAME n cycles".
 */
#ifndef JOS_KERN_KBENCH_H
#define JOS_KERN_KBENCH_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <inc/stdio.h>

extern bool kernel_bench;	// set from fw_cfg by kern/init.c

static inline void
kbench_report(const char *name, int n, uint64_t cycles)
{
	if (kernel_bench)
		cprintf("bench %s %d %u\n", name, n, (uint32_t) cycles);
}

#endif
