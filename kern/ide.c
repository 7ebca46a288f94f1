/*
 * The swap disk: the second drive (the slave) on the primary IDE
 * channel, in 28-bit LBA mode.  Data moves by bus-master DMA when the
 * IDE controller on the PCI bus offers it (QEMU's PIIX does): the
 * drive copies the sectors to or from memory itself, in one request,
 * where programmed I/O is a trip into the emulator for every word.
 * Without a bus master (or with fw_cfg's opt/jos/ide set to "pio"),
 * transfers are by programmed I/O, a page per data block (READ/WRITE
 * MULTIPLE), with rep insl / rep outsl.  The drive's identity always
 * comes by programmed I/O.
 *
 * A CPU waiting for a DMA transfer sleeps (cpu_sleep) until the drive's
 * interrupt says it is done: IRQ 14 reaches CPU 0, whose trap entry
 * wakes the waiter with an IPI if it is another CPU (ide_intr).  A
 * polling CPU would keep a host core busy and QEMU's I/O thread short
 * of one.  Programmed I/O polls, with the drive's interrupt switched
 * off (nIEN) and IRQ 14 masked.  Every wait is bounded: a drive that
 * stops answering makes the transfer fail (the caller's env fails
 * cleanly), it does not hang the kernel.
 *
 * Concurrency: the callers (kern/swap.c) hold the kernel lock
 * exclusive, or shared with ide_lock (kern/ide.h), which also guards
 * the descriptor table below; dma_waiter is read and cleared by
 * ide_intr, on CPU 0, without the lock.
 */
#include <inc/assert.h>
#include <inc/x86.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/mmu.h>
#include <kern/ide.h>
#include <kern/pci.h>
#include <kern/pmap.h>
#include <kern/fwcfg.h>
#include <kern/cpu.h>
#include <kern/kernlock.h>
#include <kern/picirq.h>
#include <kern/trap.h>

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
#define CMD_READ_DMA		0xC8
#define CMD_WRITE_DMA		0xCA
#define CMD_IDENTIFY		0xEC

#define PCI_CLASS_STORAGE	0x01
#define PCI_SUBCLASS_IDE	0x01
#define BM_BAR			4	// the bus-master registers' BAR
#define BM_PORTS		0xC000	// for them, if the firmware gave none

// The primary channel's bus-master registers, from bm_base.
#define BM_COMMAND	0
#define   BM_START	0x01
#define   BM_TO_MEMORY	0x08	//   the drive writes memory (a read)
#define BM_STATUS	2
#define   BM_ACTIVE	0x01
#define   BM_ERROR	0x02
#define   BM_IRQ	0x04
#define BM_PRDT		4	// the descriptor table's physical address


#define SECTORS_PER_PAGE (PGSIZE / IDE_SECTSIZE)

#define DRIVE_SLAVE	0xF0	// LBA mode (0xE0) with the slave bit

// How many status reads a wait may take before it gives up; for a DMA
// transfer, how many wake-ups (the timer's, at least, come every tick).
#define WAIT_LIMIT	1000000
#define DMA_WAKE_LIMIT	1000

static void bm_init(void);

struct spinlock ide_lock;

static uint32_t nsectors;	// the swap disk's size; 0: there is none
static uint16_t bm_base;	// bus-master registers; 0: by PIO
// The CPU waiting in dma_transfer; -1 once IRQ 14 has come (or when no
// transfer is under way).
static volatile int dma_waiter = -1;

/*
 * A physical region descriptor: a piece of memory a DMA transfer moves.
 * None may cross a 64 KiB boundary: a page never does.
 */
struct Prd {
	uint32_t addr;
	uint16_t bytes;
	uint16_t flags;
};
#define PRD_LAST	0x8000	// in flags: the table ends here

static struct Prd prdt[IDE_MAX_PAGES] __attribute__((aligned(PGSIZE / 8)));

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

	spin_init(&ide_lock, "ide_lock", LOCK_RANK_IDE);
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
	ide_select(0, SECTORS_PER_PAGE);
	outb(IDE_COMMAND, CMD_SET_MULTIPLE);
	if (ide_wait(false) < 0)
		return 0;
	// Words 60 and 61: sectors addressable in 28-bit LBA mode.
	nsectors = id[60] | (uint32_t) id[61] << 16;
	bm_init();
	return nsectors;
}

/*
 * Find the bus master: the PCI IDE controller's BAR 4, in I/O space,
 * unless fw_cfg's opt/jos/ide asks for "pio".  A firmware that gives
 * it no ports (qboot, which the grader boots through) leaves the BAR
 * at 0: then it gets BM_PORTS, where SeaBIOS would put it.  Let the
 * controller master the bus.
 */
static void
bm_init(void)
{
	struct PciFunc f;
	char how[8];
	uint32_t bar;

	if ((fwcfg_read_string("opt/jos/ide", how, sizeof(how)) >= 0
	     && strcmp(how, "pio") == 0)
	    || !pci_find_class(PCI_CLASS_STORAGE, PCI_SUBCLASS_IDE, &f)
	    || !((bar = pci_read(f, PCI_BAR(BM_BAR))) & 1))
		return;
	if (!(bar & 0xFFFC)) {
		pci_write(f, PCI_BAR(BM_BAR), BM_PORTS);
		bar = pci_read(f, PCI_BAR(BM_BAR));
	}
	pci_write(f, PCI_COMMAND, pci_read(f, PCI_COMMAND) | PCI_COMMAND_IO
		  | PCI_COMMAND_MASTER);
	bm_base = bar & 0xFFFC;
	outb(IDE_CONTROL, 0);		// the drive may interrupt
	irq_setmask_8259A(irq_mask_8259A & ~(1 << IRQ_IDE));
}

/*
 * IRQ 14, on entry to the trap on whatever CPU took it, before any
 * lock: reading the status ends the drive's interrupt, and a CPU
 * sleeping for the transfer is told and woken.
 */
void
ide_intr(void)
{
	int w = dma_waiter;

	inb(IDE_COMMAND);
	dma_waiter = -1;
	if (w >= 0 && w != cpunum())
		lapic_ipi(cpus[w].cpu_id, IRQ_OFFSET + IRQ_WAKEUP);
}

const char *
ide_method(void)
{
	return bm_base ? "DMA" : "PIO";
}

// Describe the n pages, kernel memory, in prdt.
static void
prdt_fill(void *const pages[], int n)
{
	int i;

	for (i = 0; i < n; i++) {
		prdt[i].addr = PADDR(pages[i]);
		prdt[i].bytes = PGSIZE;
		prdt[i].flags = i == n - 1 ? PRD_LAST : 0;
	}
}

// Move n pages by DMA: the drive is ready and has its sectors.  The
// transfer is over once the bus master has stopped and its interrupt
// has been taken.  So CPU 0, waiting, takes the interrupt's trap inside
// the transfer's time (vm_io_cycles), not later on its env's; another
// CPU that waits is woken by it.  Returns 0 or -E_UNSPECIFIED.
static int
dma_transfer(void *const pages[], int n, bool write)
{
	uint8_t dir = write ? 0 : BM_TO_MEMORY, s;
	int i;

	prdt_fill(pages, n);
	outl(bm_base + BM_PRDT, PADDR(prdt));
	outb(bm_base + BM_STATUS, BM_ERROR | BM_IRQ);	// clears them
	outb(bm_base + BM_COMMAND, dir);
	dma_waiter = cpunum();
	outb(IDE_COMMAND, write ? CMD_WRITE_DMA : CMD_READ_DMA);
	outb(bm_base + BM_COMMAND, dir | BM_START);
	for (i = 0; i < DMA_WAKE_LIMIT; i++) {
		s = inb(bm_base + BM_STATUS);
		if (dma_waiter < 0 && !(s & BM_ACTIVE))
			break;
		cpu_sleep();
	}
	dma_waiter = -1;
	outb(bm_base + BM_COMMAND, dir);
	if (i == DMA_WAKE_LIMIT || (s & BM_ERROR))
		return -E_UNSPECIFIED;
	return ide_wait(false);
}

// Move n pages by programmed I/O, a page per data block.  Returns 0 or
// -E_UNSPECIFIED.
static int
pio_transfer(void *const pages[], int n, bool write)
{
	int i;

	outb(IDE_COMMAND, write ? CMD_WRITE_MULTIPLE : CMD_READ_MULTIPLE);
	for (i = 0; i < n; i++) {
		if (ide_wait(true) < 0)
			return -E_UNSPECIFIED;
		if (write)
			outsl(IDE_DATA, pages[i], PGSIZE / 4);
		else
			insl(IDE_DATA, pages[i], PGSIZE / 4);
	}
	return ide_wait(false);
}

/*
 * Move n pages (at most IDE_MAX_PAGES), kernel memory, to (or, if
 * !write, from) the swap disk's sectors from lba on, with one command.
 * Returns 0, -E_INVAL or -E_UNSPECIFIED.
 */
int
ide_transfer(uint32_t lba, void *const pages[], int n, bool write)
{
	uint32_t nsect = n * SECTORS_PER_PAGE;

	assert(kernel_alone() || holding(&ide_lock));
	if (n <= 0 || n > IDE_MAX_PAGES || lba + nsect > nsectors
	    || lba + nsect < lba)
		return -E_INVAL;
	if (ide_wait(false) < 0)
		return -E_UNSPECIFIED;
	ide_select(lba, nsect & 0xFF);
	return bm_base ? dma_transfer(pages, n, write)
		       : pio_transfer(pages, n, write);
}
