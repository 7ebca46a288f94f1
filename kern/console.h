/* The kernel's console: CGA screen, serial port COM1 and PS/2 keyboard. */
#ifndef JOS_KERN_CONSOLE_H
#define JOS_KERN_CONSOLE_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <kern/spinlock.h>

/*
 * cons_lock guards the console's output: the screen's cells and cursor
 * (kern/cga.c) and the serial port's transmitter.  Output from a CPU
 * alone in the kernel (holding the kernel lock exclusive) needs no
 * lock, as no other CPU is in the kernel to print; from any other CPU
 * (holding it shared, or an AP not yet in the kernel's locking) it is
 * made under cons_lock, a cprintf or a cons_write at a time, so lines
 * never mix.  The input ring, and the cursor's port writes when input
 * is waited for, stay the exclusive lock's.
 */
extern struct spinlock cons_lock;

void	cons_init(void);
int	cons_getc(void);	// next input character, 0 if none
void	cons_write(const char *s, size_t n);
bool	cons_output_begin(void);
void	cons_output_end(bool took);

// Device back ends (kern/cga.c, kern/serial.c, kern/kbd.c).
void	cga_init(void);
void	cga_putc(int c);
void	cga_show_cursor(void);
void	serial_init(void);
void	serial_putc(int c);
int	serial_getc(void);	// -1 if no character waits
void	kbd_init(void);
int	kbd_getc(void);		// -1 if no character waits

// Interrupt handlers: move waiting input into the console buffer.
void	kbd_intr(void);
void	serial_intr(void);

#endif
