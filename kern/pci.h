/* PCI configuration space, by configuration mechanism 1 (kern/pci.c). */
#ifndef JOS_KERN_PCI_H
#define JOS_KERN_PCI_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

#define PCI_COMMAND		0x04	// register offsets
#define   PCI_COMMAND_IO	0x0001	//   decode its I/O ports
#define   PCI_COMMAND_MASTER	0x0004	//   may master the bus (DMA)
#define PCI_CLASS		0x08	// class, subclass, interface, revision
#define PCI_BAR(n)		(0x10 + 4 * (n))

// A function on bus 0: its device and function numbers.
struct PciFunc {
	uint8_t dev, fn;
};

bool	pci_find_class(uint8_t class, uint8_t subclass, struct PciFunc *f);
uint32_t pci_read(struct PciFunc f, uint8_t reg);
void	pci_write(struct PciFunc f, uint8_t reg, uint32_t v);

#endif
