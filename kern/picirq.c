/*
 * The two cascaded 8259A interrupt controllers.  They carry the device
 * interrupts (keyboard, serial, the swap disk's IRQ 14) to the boot CPU:
 * see kern/lapic.c for how they reach it.  IRQ n arrives as vector
 * IRQ_OFFSET + n.
 *
 * Both chips run in auto-EOI mode: each retires an interrupt as the CPU
 * takes it, so no handler sends either of them anything.
 */
#include <inc/types.h>
#include <inc/trap.h>
#include <inc/x86.h>
#include <inc/stdio.h>
#include <kern/picirq.h>

// Initialization command words.  ICW1 leaves bits 3 and 1 clear:
// edge triggered, cascaded.
#define ICW1_INIT	0x10	// start initialization
#define ICW1_ICW4	0x01	// an ICW4 follows
#define ICW4_8086	0x01	// 8086 mode: the PIC supplies a vector
#define ICW4_AUTO_EOI	0x02	// retire the interrupt on acknowledge

// Masked IRQs, one bit each; all but the line the slave cascades on.
uint16_t irq_mask_8259A = 0xFFFF & ~(1 << IRQ_SLAVE);

// Until pic_init runs, irq_setmask_8259A only records the mask.
static bool pic_ready;

// Program one chip: vectors from offset, cascade word, mode word.
static void
pic_setup(int port, uint8_t offset, uint8_t cascade, uint8_t mode)
{
	outb(port, ICW1_INIT | ICW1_ICW4);
	outb(port + 1, offset);		// ICW2: vector of line 0
	outb(port + 1, cascade);	// ICW3
	outb(port + 1, mode);		// ICW4
}

void
pic_init(void)
{
	// ICW3: the master learns which input has a slave (a bit mask),
	// the slave which master input it drives (a number).
	pic_setup(IO_PIC1, IRQ_OFFSET, 1 << IRQ_SLAVE,
		  ICW4_8086 | ICW4_AUTO_EOI);
	pic_setup(IO_PIC2, IRQ_OFFSET + 8, IRQ_SLAVE,
		  ICW4_8086 | ICW4_AUTO_EOI);

	// Initialization cleared both masks: apply ours.
	pic_ready = true;
	irq_setmask_8259A(irq_mask_8259A);
}

// Mask exactly the IRQs whose bits are set in mask.
void
irq_setmask_8259A(uint16_t mask)
{
	int i;

	irq_mask_8259A = mask;
	if (!pic_ready)
		return;
	outb(IO_PIC1 + 1, mask & 0xFF);
	outb(IO_PIC2 + 1, mask >> 8);
	cprintf("enabled interrupts:");
	for (i = 0; i < MAX_IRQS; i++)
		if (!(mask & (1 << i)))
			cprintf(" %d", i);
	cprintf("\n");
}
