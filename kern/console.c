/*
 * The console: output goes to both the serial port and the CGA screen
 * (graders read serial); input from either the keyboard or the serial
 * port lands in one ring buffer, filled by their interrupt handlers or
 * by polling when interrupts are off.
 */
#include <inc/stdio.h>
#include <inc/trap.h>
#include <kern/console.h>
#include <kern/picirq.h>
#include <kern/cpu.h>

#define CONSBUFSIZE 512

static struct {
	uint8_t buf[CONSBUFSIZE];
	uint32_t rpos;
	uint32_t wpos;
} cons;

// Move every character the device proc has ready into the buffer.
static void
cons_intr(int (*proc)(void))
{
	int c;

	while ((c = proc()) != -1) {
		if (c == 0)
			continue;
		cons.buf[cons.wpos++] = c;
		if (cons.wpos == CONSBUFSIZE)
			cons.wpos = 0;
	}
}

void
kbd_intr(void)
{
	cons_intr(kbd_getc);
}

void
serial_intr(void)
{
	cons_intr(serial_getc);
}

int
cons_getc(void)
{
	int c;

	// Poll too, so the monitor works with interrupts off.
	serial_intr();
	kbd_intr();
	cga_show_cursor();

	if (cons.rpos == cons.wpos)
		return 0;
	c = cons.buf[cons.rpos++];
	if (cons.rpos == CONSBUFSIZE)
		cons.rpos = 0;
	return c;
}

void
cons_init(void)
{
	cga_init();
	kbd_init();
	serial_init();
	// Input interrupts reach the boot CPU through the 8259 (kern/lapic.c).
	irq_setmask_8259A(irq_mask_8259A & ~(1 << IRQ_KBD) & ~(1 << IRQ_SERIAL));
}

// The console interface shared with user code (inc/stdio.h).

void
cputchar(int c)
{
	serial_putc(c);
	cga_putc(c);
}

// Write n bytes exactly as they are, NULs included (sys_cputs).
void
cons_write(const char *s, size_t n)
{
	while (n-- > 0)
		cputchar(*s++);
}

// Wait for a character.  Once interrupts are set up (lapic_init), sleep
// between looks rather than spin: input or the timer wakes the CPU.
int
getchar(void)
{
	int c;

	while ((c = cons_getc()) == 0)
		if (lapic)
			cpu_sleep();
	return c;
}

int
iscons(int fdnum)
{
	return 1;
}
