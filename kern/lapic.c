/*
 * The local APIC: every CPU has one, at the same physical address, and
 * each CPU sees its own there.  We use it for the scheduler's timer, for
 * inter-processor interrupts, and to start the other CPUs.
 *
 * Device interrupts (keyboard, serial) do not go through an I/O APIC.
 * The 8259A PICs stay in charge of them, in the MP specification's
 * "virtual wire" mode: the master PIC's output drives LINT0 of the boot
 * CPU's local APIC, which we program as ExtINT, so the CPU fetches the
 * vector from the PIC exactly as on a uniprocessor.  Such interrupts never
 * enter the local APIC's in-service register, so they need no lapic_eoi;
 * the master PIC acknowledges itself (auto-EOI, see kern/picirq.c).  The
 * other CPUs mask LINT0 and see only their timer and IPIs.
 */
#include <inc/types.h>
#include <inc/memlayout.h>
#include <inc/trap.h>
#include <inc/mmu.h>
#include <inc/x86.h>
#include <kern/cpu.h>
#include <kern/pmap.h>

// Register indices in lapic[] (32-bit words, 16 bytes apart).
enum {
	LAPIC_ID	= 0x020 / 4,	// this APIC's id, in bits 31-24
	LAPIC_VERSION	= 0x030 / 4,	// bits 23-16: number of LVT entries - 1
	LAPIC_TPR	= 0x080 / 4,	// task priority: lower classes wait
	LAPIC_EOI	= 0x0B0 / 4,	// write 0: end of interrupt
	LAPIC_SVR	= 0x0F0 / 4,	// spurious vector, software enable
	LAPIC_ESR	= 0x280 / 4,	// error status
	LAPIC_ICR_LO	= 0x300 / 4,	// interrupt command; writing sends
	LAPIC_ICR_HI	= 0x310 / 4,	// interrupt command: destination id
	LAPIC_LVT_TIMER	= 0x320 / 4,	// local vector table entries ...
	LAPIC_LVT_PERF	= 0x340 / 4,	// performance counter overflow
	LAPIC_LVT_LINT0	= 0x350 / 4,	// local interrupt pin 0
	LAPIC_LVT_LINT1	= 0x360 / 4,	// local interrupt pin 1
	LAPIC_LVT_ERROR	= 0x370 / 4,	// internal error
	LAPIC_TIMER_INIT = 0x380 / 4,	// timer initial count
	LAPIC_TIMER_DIV	= 0x3E0 / 4,	// timer divide configuration
};

#define SVR_ENABLE	0x00000100	// APIC on

// Local vector table entry bits.
#define LVT_EXTINT	0x00000700	// ExtINT: the PIC supplies the vector
#define LVT_MASKED	0x00010000	// do not deliver
#define LVT_PERIODIC	0x00020000	// timer: reload the count at zero

#define TIMER_DIV_1	0x0000000B	// count at the full bus clock

// Interrupt command bits.
#define ICR_FIXED	0x00000000	// deliver the vector as is
#define ICR_INIT	0x00000500	// reset the target
#define ICR_STARTUP	0x00000600	// start the target at vector << 12
#define ICR_PENDING	0x00001000	// read: not yet delivered
#define ICR_ASSERT	0x00004000	// level: assert (else de-assert)
#define ICR_LEVEL	0x00008000	// level triggered (INIT only)
#define ICR_ALL		0x00080000	// every CPU, self included
#define ICR_OTHERS	0x000C0000	// every CPU except self

/*
 * Timer ticks per scheduling quantum, at divide-by-1.  QEMU counts the
 * timer at 1 GHz of virtual time (one tick per nanosecond), so this is a
 * 10 ms quantum; on real hardware it depends on the bus clock.
 */
#define TIMER_QUANTUM	10000000

// The CMOS shutdown byte tells the BIOS what an INIT (reset) should do.
#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71
#define CMOS_SHUTDOWN	0x0F
#define SHUTDOWN_JUMP	0x0A	// jump through the warm reset vector

// The warm reset vector: a real-mode far pointer at 40:67.
#define WARM_RESET_VECTOR	((0x40 << 4) | 0x67)

volatile uint32_t *lapic;

// Write a register, then read one back so the write is done before we go on.
static void
lapic_write(int index, uint32_t value)
{
	lapic[index] = value;
	(void) lapic[LAPIC_ID];
}

/*
 * Wait about us microseconds.  A read of the unused POST port 0x80 takes
 * roughly a microsecond on ISA-era buses; under QEMU it costs next to
 * nothing, which is fine since QEMU's CPUs need no start-up delays.
 */
static void
microdelay(int us)
{
	while (us-- > 0)
		(void) inb(0x80);
}

// Send the interrupt command icr to APIC id apicid; wait until delivered.
static void
lapic_send(uint8_t apicid, uint32_t icr)
{
	lapic_write(LAPIC_ICR_HI, apicid << 24);
	lapic_write(LAPIC_ICR_LO, icr);
	while (lapic[LAPIC_ICR_LO] & ICR_PENDING)
		;
}

// Set up this CPU's local APIC.  Runs on every CPU, the boot CPU first.
void
lapic_init(void)
{
	// i386_init maps the registers, if there is an APIC; every CPU's
	// are at the same address.
	if (lapic == NULL)
		return;

	// Enable the APIC.  Its stray interrupts use the vector of the PIC's
	// spurious IRQ 7, so the trap code has one vector to ignore.
	lapic_write(LAPIC_SVR, SVR_ENABLE | (IRQ_OFFSET + IRQ_SPURIOUS));

	// The scheduler's clock: a tick every TIMER_QUANTUM, forever.
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_1);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | (IRQ_OFFSET + IRQ_TIMER));
	lapic_write(LAPIC_TIMER_INIT, TIMER_QUANTUM);

	// The PICs reach the boot CPU only (see the top of this file).
	// LINT1 carries NMIs, which we do not use.
	if (thiscpu == bootcpu)
		lapic_write(LAPIC_LVT_LINT0, LVT_EXTINT);
	else
		lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);

	// APICs with at least 5 LVT entries have a performance counter one.
	if (((lapic[LAPIC_VERSION] >> 16) & 0xFF) >= 4)
		lapic_write(LAPIC_LVT_PERF, LVT_MASKED);

	lapic_write(LAPIC_LVT_ERROR, IRQ_OFFSET + IRQ_ERROR);

	// The first write latches the error status, the second clears it.
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);

	// Retire any interrupt the BIOS left in service.
	lapic_write(LAPIC_EOI, 0);

	// A broadcast INIT de-assert makes every APIC reload its
	// arbitration id from its APIC id.
	lapic_send(0, ICR_ALL | ICR_INIT | ICR_LEVEL);

	// Priority 0: accept every interrupt.
	lapic_write(LAPIC_TPR, 0);
}

// This CPU's APIC id, read from the hardware.  For checks, not hot paths.
int
lapic_cpunum(void)
{
	if (lapic == NULL)
		return 0;
	return lapic[LAPIC_ID] >> 24;
}

// Acknowledge the local APIC interrupt being handled (timer, IPI).
void
lapic_eoi(void)
{
	if (lapic)
		lapic_write(LAPIC_EOI, 0);
}

/*
 * Start the CPU with APIC id apicid running 16-bit code at physical
 * address addr (page aligned, below 1 MiB): the MP specification's
 * INIT, STARTUP, STARTUP sequence.
 */
void
lapic_startap(uint8_t apicid, uint32_t addr)
{
	uint16_t *vector;
	int i;

	// Older processors take INIT as a reset into the BIOS, which then
	// jumps through the warm reset vector: point that at addr too.
	outb(CMOS_INDEX, CMOS_SHUTDOWN);
	outb(CMOS_DATA, SHUTDOWN_JUMP);
	vector = KADDR(WARM_RESET_VECTOR);
	vector[0] = 0;			// offset
	vector[1] = addr >> 4;		// segment

	// INIT: assert, then de-assert, leaves the target waiting for STARTUP.
	lapic_send(apicid, ICR_INIT | ICR_LEVEL | ICR_ASSERT);
	microdelay(200);
	lapic_send(apicid, ICR_INIT | ICR_LEVEL);
	microdelay(10000);

	// STARTUP carries the start page number.  The specification sends
	// it twice; a CPU already running ignores the second.
	for (i = 0; i < 2; i++) {
		lapic_send(apicid, ICR_STARTUP | (addr >> 12));
		microdelay(200);
	}
}

// Send vector to the CPU with APIC id apicid.
void
lapic_ipi(uint8_t apicid, int vector)
{
	lapic_send(apicid, ICR_FIXED | vector);
}
