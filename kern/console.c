/*
 * The console: output goes to both the serial port and the CGA screen
 * (graders read serial); input from either the keyboard or the serial
 * port lands in one ring, filled by their interrupt handlers or by
 * polling when interrupts are off.
 */
#include <inc/stdio.h>
#include <inc/trap.h>
#include <kern/console.h>
#include <kern/picirq.h>
#include <kern/cpu.h>
#include <kern/kernlock.h>

struct spinlock cons_lock;

/*
 * Input typed but not read yet: a ring of bytes.  in and out count every
 * byte ever put in and taken out (wrapping is harmless: only their
 * difference matters), so in - out bytes wait.  A full ring drops new
 * input rather than old.
 */
#define INPUT_SIZE	512

static struct {
	uint8_t byte[INPUT_SIZE];
	unsigned in, out;
} input;

// Move every byte the device read_byte has ready into the ring.  A NUL
// from a device means no character.
static void
input_drain(int (*read_byte)(void))
{
	int c;

	while ((c = read_byte()) != -1)
		if (c != 0 && input.in - input.out < INPUT_SIZE)
			input.byte[input.in++ % INPUT_SIZE] = c;
}

void
kbd_intr(void)
{
	input_drain(kbd_getc);
}

void
serial_intr(void)
{
	input_drain(serial_getc);
}

// The next byte of input, or 0 if none waits.  Polls the devices too,
// so the monitor works with interrupts off.
int
cons_getc(void)
{
	serial_intr();
	kbd_intr();
	cga_show_cursor();
	if (input.in == input.out)
		return 0;
	return input.byte[input.out++ % INPUT_SIZE];
}

void
cons_init(void)
{
	spin_init(&cons_lock, "cons_lock", LOCK_RANK_CONS);
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

/*
 * Output begins: a CPU not alone in the kernel takes cons_lock (see
 * kern/console.h), unless it holds it already: a panic in the middle of
 * a line prints the rest of its report.  Returns whether it took it,
 * for cons_output_end.
 */
bool
cons_output_begin(void)
{
	if (kernel_alone() || holding(&cons_lock))
		return false;
	spin_lock(&cons_lock);
	return true;
}

void
cons_output_end(bool took)
{
	if (took)
		spin_unlock(&cons_lock);
}

// Write n bytes exactly as they are, NULs included (sys_cputs).
void
cons_write(const char *s, size_t n)
{
	bool took = cons_output_begin();

	while (n-- > 0)
		cputchar(*s++);
	cons_output_end(took);
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
