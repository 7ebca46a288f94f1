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

#define CGA_CELLS	(32768 / 2)	// the colour adapter's text memory
#define MONO_CELLS	(4096 / 2)	// the mono adapter's

/*
 * The screen is CRT_SIZE cells of the adapter's memory, from crt_buf
 * on.  A scroll moves the screen down a row by the CRT controller's
 * start address, so nothing is copied, until the screen reaches the end
 * of memory: then it is copied back to the start, once every hundred and
 * eighty rows on a colour adapter (every row on a mono one, with no room
 * to move).  Under QEMU video memory is emulated device memory: each
 * cell of a copy is a trip to the emulator.
 */
static unsigned addr_6845;	// CRT controller index port
static uint16_t *crt_mem;	// the adapter's memory
static uint32_t crt_cells;	// its size in cells
static uint16_t *crt_buf;	// the screen's first cell
static uint16_t crt_pos;	// the next character's cell on the screen
static uint16_t cursor_at;	// the cell of memory the cursor shows

// Set the CRT controller's 16-bit register pair from index reg on.
static void
crtc_set(int reg, uint16_t value)
{
	outb(addr_6845, reg);
	outb(addr_6845 + 1, value >> 8);
	outb(addr_6845, reg + 1);
	outb(addr_6845 + 1, value);
}

/*
 * Show the cursor at crt_pos.  Four port writes, each a costly exit to
 * the emulator, so it runs when the console waits for input rather than
 * after every character.
 */
void
cga_show_cursor(void)
{
	uint16_t at = crt_buf - crt_mem + crt_pos;

	if (cursor_at == at)
		return;
	cursor_at = at;
	crtc_set(14, at);			// cursor location
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
		crt_cells = MONO_CELLS;
	} else {
		*cp = was;
		addr_6845 = CGA_BASE;
		crt_cells = CGA_CELLS;
	}
	crt_mem = crt_buf = (uint16_t *) cp;
	crtc_set(12, 0);			// start address: the top

	// Continue where the BIOS left the cursor.
	outb(addr_6845, 14);
	crt_pos = inb(addr_6845 + 1) << 8;
	outb(addr_6845, 15);
	crt_pos |= inb(addr_6845 + 1);
	if (crt_pos >= CRT_SIZE)
		crt_pos = 0;
	cursor_at = crt_pos;
}

static void
cga_scroll(void)
{
	uint16_t *line;
	int cells = CRT_COLS;

	if (crt_buf + CRT_SIZE + CRT_COLS <= crt_mem + crt_cells)
		crt_buf += CRT_COLS;
	else {
		memmove(crt_mem, crt_buf + CRT_COLS,
			(CRT_SIZE - CRT_COLS) * sizeof(uint16_t));
		crt_buf = crt_mem;
	}
	// A blank bottom line, one store a cell: printing a line of text
	// costs hundreds of instructions less than with a loop.
	line = crt_buf + CRT_SIZE - CRT_COLS;
	asm volatile("cld; rep stosw"
		     : "+D" (line), "+c" (cells)
		     : "a" (ATTR_NORMAL | ' ')
		     : "cc", "memory");
	crt_pos -= CRT_COLS;
	crtc_set(12, crt_buf - crt_mem);	// start address
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
