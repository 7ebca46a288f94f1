/* The swap disk: the primary IDE channel's second drive (kern/ide.c). */
#ifndef JOS_KERN_IDE_H
#define JOS_KERN_IDE_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

#define IDE_SECTSIZE	512
#define IDE_MAX_PAGES	32	// in one transfer: 256 sectors, a command's most

uint32_t ide_init(void);	// its size in sectors; 0: no swap disk
const char *ide_method(void);	// how data moves: "DMA" or "PIO"
void	ide_intr(void);		// IRQ 14, from the trap entry
int	ide_transfer(uint32_t lba, void *const pages[], int n, bool write);

#endif
