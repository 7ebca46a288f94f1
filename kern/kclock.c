/*
 * The MC146818 real-time clock's battery-backed CMOS memory, where the
 * BIOS leaves how much memory it found.
 */
#include <inc/x86.h>
#include <kern/kclock.h>

// The 16-bit value in CMOS bytes reg (low) and reg + 1 (high).
static unsigned
cmos_read16(unsigned reg)
{
	unsigned lo, hi;

	outb(IO_RTC, reg);
	lo = inb(IO_RTC + 1);
	outb(IO_RTC, reg + 1);
	hi = inb(IO_RTC + 1);
	return lo | hi << 8;
}

/*
 * Memory in KiB, counted from address 0: as far as it reaches without
 * a gap (the BIOS reports memory above 16 MiB and between 1 and 16 MiB
 * apart, and the second only matters when there is no first).  *base
 * gets the memory below 640 KiB.
 */
size_t
cmos_memory_kib(size_t *base)
{
	size_t above16m = cmos_read16(NVRAM_EXT16LO) * 64;
	size_t above1m = cmos_read16(NVRAM_EXTLO);

	*base = cmos_read16(NVRAM_BASELO);
	if (above16m != 0)
		return 16 * 1024 + above16m;
	if (above1m != 0)
		return 1024 + above1m;
	return *base;
}
