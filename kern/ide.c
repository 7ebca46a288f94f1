/*
 * The swap disk: the second drive (the slave) on the primary IDE
 * channel, by programmed I/O in 28-bit LBA mode, eight sectors (a page)
 * per data block (READ/WRITE MULTIPLE): QEMU serves a block with one
 * request to the file behind the disk, where a sector at a time would
 * cost eight.  The kernel polls; the drive's interrupt is switched off
 * (nIEN), and IRQ 14 stays masked.
 * A transfer moves whole sectors with rep insl / rep outsl: under
 * emulation each I/O instruction is a trip into QEMU, so a loop of one
 * word at a time would cost a trip per word, not per sector.
 *
 * Every wait is bounded: a drive that stops answering makes the
 * transfer fail (the caller's env fails cleanly), it does not hang the
 * kernel.
 */
#include <inc/x86.h>
#include <inc/error.h>
#include <inc/string.h>
#include <kern/ide.h>

#define IDE_DATA	0x1F0
#define IDE_ERROR	0x1F1
#define IDE_NSECT	0x1F2
#define IDE_LBA0	0x1F3	// LBA bits 0-7, then 8-15, 16-23
#define IDE_DRIVE	0x1F6	// LBA mode, drive, LBA bits 24-27
#define IDE_COMMAND	0x1F7	// written: a command; read: the status
#define IDE_CONTROL	0x3F6
#define   CONTROL_NIEN	0x02	//   no interrupts

#define STATUS_BSY	0x80
#define STATUS_DRDY	0x40
#define STATUS_DF	0x20
#define STATUS_DRQ	0x08
#define STATUS_ERR	0x01

#define CMD_READ_MULTIPLE	0xC4
#define CMD_WRITE_MULTIPLE	0xC5
#define CMD_SET_MULTIPLE	0xC6
#define CMD_IDENTIFY		0xEC

// Sectors per data block (one DRQ, one rep insl): a page's worth.
#define BLOCK_SECTORS	8

#define DRIVE_SLAVE	0xF0	// LBA mode (0xE0) with the slave bit

// How many status reads a wait may take before it gives up.
#define WAIT_LIMIT	1000000

static uint32_t nsectors;	// the swap disk's size; 0: there is none

// Wait until the drive is not busy (and, if drq, has data to move).
// Returns 0, or -E_UNSPECIFIED on an error or a drive that never answers.
static int
ide_wait(bool drq)
{
	uint8_t s;
	int i;

	for (i = 0; i < WAIT_LIMIT; i++) {
		s = inb(IDE_COMMAND);
		if (s & STATUS_BSY)
			continue;
		if (s & (STATUS_ERR | STATUS_DF))
			return -E_UNSPECIFIED;
		if (!drq || (s & STATUS_DRQ))
			return 0;
	}
	return -E_UNSPECIFIED;
}

// Select the slave drive and sector lba for a command on n sectors.
static void
ide_select(uint32_t lba, int n)
{
	outb(IDE_DRIVE, DRIVE_SLAVE | ((lba >> 24) & 0x0F));
	outb(IDE_NSECT, n);
	outb(IDE_LBA0, lba);
	outb(IDE_LBA0 + 1, lba >> 8);
	outb(IDE_LBA0 + 2, lba >> 16);
}

/*
 * Look for the swap disk: ask the slave drive to IDENTIFY itself.  A
 * missing drive reads as status 0 (or all ones: no channel); an ATAPI
 * device answers with a signature in the LBA registers instead.
 * Returns its size in sectors, 0 if there is none.
 */
uint32_t
ide_init(void)
{
	uint16_t id[256];
	uint8_t s;

	outb(IDE_CONTROL, CONTROL_NIEN);
	outb(IDE_DRIVE, DRIVE_SLAVE);
	s = inb(IDE_COMMAND);
	if (s == 0 || s == 0xFF)
		return 0;
	ide_select(0, 0);
	outb(IDE_COMMAND, CMD_IDENTIFY);
	if (inb(IDE_COMMAND) == 0 || ide_wait(false) < 0
	    || inb(IDE_LBA0 + 1) != 0 || inb(IDE_LBA0 + 2) != 0
	    || ide_wait(true) < 0)
		return 0;
	insl(IDE_DATA, id, sizeof(id) / 4);
	// A page per data block: the drive moves it with one request.
	ide_select(0, BLOCK_SECTORS);
	outb(IDE_COMMAND, CMD_SET_MULTIPLE);
	if (ide_wait(false) < 0)
		return 0;
	// Words 60 and 61: sectors addressable in 28-bit LBA mode.
	nsectors = id[60] | (uint32_t) id[61] << 16;
	return nsectors;
}

// Move n sectors (at most 256) at sector lba of the swap disk to (or,
// if write, from) buf, BLOCK_SECTORS at a time.  Returns 0 or
// -E_UNSPECIFIED.
static int
ide_transfer(uint32_t lba, void *buf, int n, bool write)
{
	int i, k;

	if (n <= 0 || n > 256 || lba + n > nsectors || lba + n < lba)
		return -E_INVAL;
	if (ide_wait(false) < 0)
		return -E_UNSPECIFIED;
	ide_select(lba, n & 0xFF);
	outb(IDE_COMMAND, write ? CMD_WRITE_MULTIPLE : CMD_READ_MULTIPLE);
	for (i = 0; i < n; i += k, buf = (char *) buf + k * IDE_SECTSIZE) {
		k = MIN(n - i, BLOCK_SECTORS);
		if (ide_wait(true) < 0)
			return -E_UNSPECIFIED;
		if (write)
			outsl(IDE_DATA, buf, k * IDE_SECTSIZE / 4);
		else
			insl(IDE_DATA, buf, k * IDE_SECTSIZE / 4);
	}
	return ide_wait(false);
}

int
ide_read(uint32_t lba, void *buf, int n)
{
	return ide_transfer(lba, buf, n, false);
}

int
ide_write(uint32_t lba, const void *buf, int n)
{
	return ide_transfer(lba, (void *) buf, n, true);
}
