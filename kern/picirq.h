/* The two 8259A programmable interrupt controllers. */
#ifndef JOS_KERN_PICIRQ_H
#define JOS_KERN_PICIRQ_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#define MAX_IRQS	16	// IRQs the two PICs handle

#define IO_PIC1		0x20	// master
#define IO_PIC2		0xA0	// slave
#define IRQ_SLAVE	2	// the master input the slave is wired to

#ifndef __ASSEMBLER__
#include <inc/types.h>

extern uint16_t irq_mask_8259A;
void	pic_init(void);
void	irq_setmask_8259A(uint16_t mask);
#endif

#endif
