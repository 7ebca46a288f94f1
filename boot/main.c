/*
 * Second half of the boot sector: load the kernel, an ELF image that
 * starts at disk sector 1, and jump to its entry point.
 *
 * The disk is read with programmed I/O on the primary IDE channel, many
 * sectors per command.  Everything here must fit, with boot.S, in 510
 * bytes, so there are no checks beyond the ELF magic.
 */
#include <inc/x86.h>
#include <inc/elf.h>

#define SECTSIZE	512
#define ELFHDR		((struct Elf *) 0x10000)	// scratch for the header
#define MULTIPLE	16	// sectors per block of READ MULTIPLE

static void readseg(uint32_t pa, uint32_t count, uint32_t offset);

void
bootmain(void)
{
	struct Proghdr *ph, *eph;

	// Blocks of MULTIPLE sectors for READ MULTIPLE, one interrupt's
	// worth (none: we poll) each, so fewer waits on the drive.
	outb(0x1F2, MULTIPLE);
	outb(0x1F6, 0xE0);
	outb(0x1F7, 0xC6);			// SET MULTIPLE MODE
	readseg((uint32_t) ELFHDR, SECTSIZE * 8, 0);
	if (ELFHDR->e_magic != ELF_MAGIC)
		return;

	ph = (struct Proghdr *) ((uint8_t *) ELFHDR + ELFHDR->e_phoff);
	eph = ph + ELFHDR->e_phnum;
	for (; ph < eph; ph++)
		readseg(ph->p_pa, ph->p_filesz, ph->p_offset);

	((void (*)(void)) (ELFHDR->e_entry))();
}

static void
waitdisk(void)
{
	// Wait until the drive is ready and not busy.
	while ((inb(0x1F7) & 0xC0) != 0x40)
		;
}

// Read 'count' bytes at kernel offset 'offset' to physical address 'pa'.
// Whole sectors are read, so up to a sector before pa may be written.
static void
readseg(uint32_t pa, uint32_t count, uint32_t offset)
{
	uint32_t end = pa + count;
	uint32_t sect = offset / SECTSIZE + 1;	// the kernel starts at sector 1
	uint32_t n, k;

	pa -= offset % SECTSIZE;
	while (pa < end) {
		n = (end - pa + SECTSIZE - 1) / SECTSIZE;
		if (n > 255)
			n = 255;
		waitdisk();
		outb(0x1F2, n);
		outb(0x1F3, sect);
		outb(0x1F4, sect >> 8);
		outb(0x1F5, sect >> 16);
		outb(0x1F6, (sect >> 24) | 0xE0);	// master, LBA mode
		outb(0x1F7, 0xC4);			// READ MULTIPLE
		sect += n;
		for (; n > 0; n -= k) {
			k = n < MULTIPLE ? n : MULTIPLE;
			waitdisk();
			insl(0x1F0, (void *) pa, k * SECTSIZE / 4);
			pa += k * SECTSIZE;
		}
	}
}
