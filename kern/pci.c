/*
 * PCI configuration space, read and written through the two ports of
 * configuration mechanism 1: the swap disk's driver finds the IDE
 * controller's bus-master registers here.  Bus 0 only: QEMU's PC puts
 * every built-in device there.
 */
#include <inc/x86.h>
#include <kern/pci.h>

#define CONFIG_ADDRESS	0xCF8
#define CONFIG_DATA	0xCFC
#define   ENABLE	0x80000000

#define NDEV		32
#define NFN		8
#define NO_DEVICE	0xFFFF	// the vendor id where nothing answers

static void
select_reg(struct PciFunc f, uint8_t reg)
{
	outl(CONFIG_ADDRESS, ENABLE | f.dev << 11 | f.fn << 8 | (reg & 0xFC));
}

uint32_t
pci_read(struct PciFunc f, uint8_t reg)
{
	select_reg(f, reg);
	return inl(CONFIG_DATA);
}

void
pci_write(struct PciFunc f, uint8_t reg, uint32_t v)
{
	select_reg(f, reg);
	outl(CONFIG_DATA, v);
}

// Find the first function on bus 0 of the class and subclass; true and
// *f if there is one.
bool
pci_find_class(uint8_t class, uint8_t subclass, struct PciFunc *f)
{
	struct PciFunc g;
	uint32_t c;

	for (g.dev = 0; g.dev < NDEV; g.dev++)
		for (g.fn = 0; g.fn < NFN; g.fn++) {
			if ((pci_read(g, 0) & 0xFFFF) == NO_DEVICE)
				continue;
			c = pci_read(g, PCI_CLASS);
			if (c >> 24 == class && (c >> 16 & 0xFF) == subclass) {
				*f = g;
				return true;
			}
		}
	return false;
}
