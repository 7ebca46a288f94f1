/* The first serial port, COM1: 115200 baud, 8 data bits, no parity. */
#include <inc/x86.h>
#include <kern/console.h>

#define COM1		0x3F8

#define COM_RX		0	// in: receive buffer (DLAB = 0)
#define COM_TX		0	// out: transmit buffer (DLAB = 0)
#define COM_DLL		0	// out: divisor latch low (DLAB = 1)
#define COM_DLM		1	// out: divisor latch high (DLAB = 1)
#define COM_IER		1	// out: interrupt enable
#define   COM_IER_RDI	0x01	//   interrupt when data arrives
#define COM_FCR		2	// out: FIFO control
#define COM_IIR		2	// in: interrupt identification
#define COM_LCR		3	// out: line control
#define   COM_LCR_DLAB	0x80	//   divisor latch access
#define   COM_LCR_WLEN8	0x03	//   8 data bits
#define COM_MCR		4	// out: modem control
#define   COM_MCR_OUT2	0x08	//   gates the interrupt line to the PIC
#define COM_LSR		5	// in: line status
#define   COM_LSR_DATA	0x01	//   a byte waits in COM_RX
#define   COM_LSR_TXRDY	0x20	//   COM_TX can take a byte

static bool serial_exists;

void
serial_init(void)
{
	outb(COM1 + COM_FCR, 0);			// no FIFO
	outb(COM1 + COM_LCR, COM_LCR_DLAB);
	outb(COM1 + COM_DLL, 1);			// 115200 / 1 baud
	outb(COM1 + COM_DLM, 0);
	outb(COM1 + COM_LCR, COM_LCR_WLEN8);		// DLAB off, 8N1
	outb(COM1 + COM_MCR, COM_MCR_OUT2);
	outb(COM1 + COM_IER, COM_IER_RDI);

	// A missing port reads as all ones.
	serial_exists = (inb(COM1 + COM_LSR) != 0xFF);
	(void) inb(COM1 + COM_IIR);
	(void) inb(COM1 + COM_RX);
}

void
serial_putc(int c)
{
	if (!serial_exists)
		return;
	// Wait as long as it takes: a port drains at its baud rate, and
	// under QEMU as fast as the reader of its output reads.  A byte
	// written before the last one has left overwrites it, so giving up
	// after a while (when a busy host is slow to read, say) would
	// silently lose output.
	while (!(inb(COM1 + COM_LSR) & COM_LSR_TXRDY))
		asm volatile("pause");
	outb(COM1 + COM_TX, c);
}

int
serial_getc(void)
{
	if (!serial_exists || !(inb(COM1 + COM_LSR) & COM_LSR_DATA))
		return -1;
	return inb(COM1 + COM_RX);
}
