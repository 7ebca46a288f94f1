/* The kernel lock's two ways of holding it: see kern/kernlock.h. */
#include <inc/types.h>
#include <inc/x86.h>
#include <kern/cpu.h>
#include <kern/kernlock.h>
#include <kern/trap.h>

struct spinlock kernel_lock;
bool kernel_big_lock;

// i386_init's, before any lock is taken: .bss is clear, so list it now.
void
kernel_lock_init(void)
{
	spin_init(&kernel_lock, "kernel_lock", LOCK_RANK_KERNEL);
}

#define NO_SLEEPER	(~0u)
static volatile uint32_t io_sleeper = NO_SLEEPER;	// the CPU in sleep_for_io

// c holds the kernel lock shared and waits for the swap disk: sleep
// until it is done (kernel_io_end's IPI), rather than take a host core
// from it, with interrupts on (the disk's may be this CPU's to pass
// on, kern/ide.c).  Announce, then look again: kernel_io_end fences
// between its drop of the flag and its look, so one sees the other.
static void
sleep_for_io(struct CpuInfo *c)
{
	xchg(&io_sleeper, cpunum());
	if (c->cpu_io_wait)
		cpu_sleep();
	io_sleeper = NO_SLEEPER;
}

// lock_kernel's second half: wait until no other CPU holds the lock
// shared.  None can start to (kernel_lock is held), and those that do
// leave within a bounded path: the longest, a sys_cputs step, prints a
// chunk of 1 KiB; one waiting for the swap disk is slept through.
void
kernel_wait_sharers(void)
{
	struct CpuInfo *c, *me = thiscpu;

	for (c = cpus; c < cpus + ncpu; c++)
		while (c->cpu_shared && c != me) {
			if (c->cpu_io_wait)
				sleep_for_io(c);
			else
				asm volatile("pause");
		}
}

// c, this CPU, holding the kernel lock shared, waits for the swap disk
// (ide_lock, then a transfer) from kernel_io_begin to kernel_io_end: an
// exclusive holder waiting for it sleeps meanwhile.
void
kernel_io_begin(struct CpuInfo *c)
{
	c->cpu_io_wait = 1;
}

void
kernel_io_end(struct CpuInfo *c)
{
	uint32_t w;

	xchg(&c->cpu_io_wait, 0);
	if ((w = io_sleeper) != NO_SLEEPER)
		lapic_ipi(cpus[w].cpu_id, IRQ_OFFSET + IRQ_WAKEUP);
}

// lock_kernel_shared found kernel_lock held: drop the flag, so that the
// holder may go on, and wait for it to let go as an exclusive waiter
// would (sleeping, interrupts on), then try again.
void
lock_kernel_shared_wait(struct CpuInfo *c)
{
	do {
		c->cpu_shared = 0;
		spin_lock(&kernel_lock);
		spin_unlock(&kernel_lock);
		xchg(&c->cpu_shared, 1);
	} while (kernel_lock.locked);
}

/*
 * A panic on this CPU ends what it was doing; rank order no longer
 * applies.  The other CPUs are to stop at their next entry: this CPU
 * keeps the kernel lock, taking its word without waiting for anyone if
 * it held it shared or not at all.  If another CPU holds it, waiting
 * for sharers, this one stays a sharer, so that CPU waits for good.
 */
void
kernel_lock_panicking(void)
{
	struct CpuInfo *c = thiscpu;

	c->cpu_locks = 0;
	if (kernel_lock.cpu == c)
		return;
	if (xchg(&kernel_lock.locked, 1) == 0) {
		kernel_lock.cpu = c;
		c->cpu_shared = 0;
	}
}
