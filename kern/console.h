/* The kernel's console: CGA screen, serial port COM1 and PS/2 keyboard. */
#ifndef JOS_KERN_CONSOLE_H
#define JOS_KERN_CONSOLE_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

void	cons_init(void);
int	cons_getc(void);	// next input character, 0 if none
void	cons_write(const char *s, size_t n);

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
