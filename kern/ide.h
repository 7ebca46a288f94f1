/* The swap disk: the primary IDE channel's second drive (kern/ide.c). */
#ifndef JOS_KERN_IDE_H
#define JOS_KERN_IDE_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <kern/spinlock.h>

#define IDE_SECTSIZE	512
#define IDE_MAX_PAGES	32	// in one transfer: 256 sectors, a command's most

/*
 * ide_lock covers the drive, from a transfer's command to its end, and
 * the DMA descriptor table, for CPUs holding the kernel lock shared (a
 * page coming back from swap, kern/swap.c); with it, the time transfers
 * take (swap's vm_io_cycles).  The exclusive holder is alone and needs
 * it not (kern/kernlock.h).
 */
extern struct spinlock ide_lock;

uint32_t ide_init(void);	// its size in sectors; 0: no swap disk
const char *ide_method(void);	// how data moves: "DMA" or "PIO"
void	ide_intr(void);		// IRQ 14, from the trap entry
int	ide_transfer(uint32_t lba, void *const pages[], int n, bool write);

#endif
