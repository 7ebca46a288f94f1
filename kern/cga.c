/* The CGA/VGA text screen: 80x25 characters in video memory. */
#include <inc/x86.h>
#include <inc/memlayout.h>
#include <inc/string.h>
#include <kern/console.h>

#define CRT_ROWS	25
#define CRT_COLS	80
#define CRT_SIZE	(CRT_ROWS * CRT_COLS)

#define MONO_BUF	0xB0000
#define MONO_BASE	0x3B4
#define CGA_BUF		0xB8000
#define CGA_BASE	0x3D4

#define ATTR_NORMAL	0x0700	// light grey on black

static unsigned addr_6845;	// CRT controller index port
static uint16_t *crt_buf;
static uint16_t crt_pos;
static uint16_t cursor_pos;	// where the screen shows the cursor

/*
 * Show the cursor at crt_pos.  Four port writes, each a costly exit to
 * the emulator, so it runs when the console waits for input rather than
 * after every character.
 */
void
cga_show_cursor(void)
{
	if (cursor_pos == crt_pos)
		return;
	cursor_pos = crt_pos;
	outb(addr_6845, 14);
	outb(addr_6845 + 1, crt_pos >> 8);
	outb(addr_6845, 15);
	outb(addr_6845 + 1, crt_pos);
}

void
cga_init(void)
{
	volatile uint16_t *cp = (uint16_t *) (KERNBASE + CGA_BUF);
	uint16_t was = *cp;

	// Colour memory that does not hold what we write means mono.
	*cp = 0xA55A;
	if (*cp != 0xA55A) {
		cp = (uint16_t *) (KERNBASE + MONO_BUF);
		addr_6845 = MONO_BASE;
	} else {
		*cp = was;
		addr_6845 = CGA_BASE;
	}
	crt_buf = (uint16_t *) cp;

	// Continue where the BIOS left the cursor.
	outb(addr_6845, 14);
	crt_pos = inb(addr_6845 + 1) << 8;
	outb(addr_6845, 15);
	crt_pos |= inb(addr_6845 + 1);
	if (crt_pos >= CRT_SIZE)
		crt_pos = 0;
	cursor_pos = crt_pos;
}

static void
cga_scroll(void)
{
	int i;

	memmove(crt_buf, crt_buf + CRT_COLS,
		(CRT_SIZE - CRT_COLS) * sizeof(uint16_t));
	for (i = CRT_SIZE - CRT_COLS; i < CRT_SIZE; i++)
		crt_buf[i] = ATTR_NORMAL | ' ';
	crt_pos -= CRT_COLS;
}

void
cga_putc(int c)
{
	if (!(c & ~0xFF))
		c |= ATTR_NORMAL;

	switch (c & 0xff) {
	case '\b':
		if (crt_pos > 0)
			crt_buf[--crt_pos] = (c & ~0xff) | ' ';
		break;
	case '\n':
		crt_pos += CRT_COLS;
		/* fall through: newline also returns the carriage */
	case '\r':
		crt_pos -= crt_pos % CRT_COLS;
		break;
	case '\t':
		do
			crt_buf[crt_pos++] = (c & ~0xff) | ' ';
		while (crt_pos % 8 != 0 && crt_pos < CRT_SIZE);
		break;
	default:
		crt_buf[crt_pos++] = c;
		break;
	}
	while (crt_pos >= CRT_SIZE)
		cga_scroll();
}
