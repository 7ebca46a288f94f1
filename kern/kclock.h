/* The MC146818 real-time clock's battery-backed CMOS memory. */
#ifndef JOS_KERN_KCLOCK_H
#define JOS_KERN_KCLOCK_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#define IO_RTC		0x070	// index register; data is at IO_RTC + 1

// CMOS bytes holding memory sizes in KiB, low byte first.
#define NVRAM_BASELO	0x15	// base memory (below 640 KiB)
#define NVRAM_EXTLO	0x17	// extended memory (1 MiB to 16 MiB)
#define NVRAM_EXT16LO	0x34	// memory above 16 MiB, in 64 KiB units

#include <inc/types.h>

size_t	cmos_memory_kib(size_t *base);	// memory in KiB; *base below 640 KiB

#endif
