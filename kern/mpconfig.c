/*
 * Finding the CPUs.  The BIOS describes a multiprocessor in the tables of
 * the Intel MultiProcessor Specification: a 16-byte floating pointer
 * (signature "_MP_") in one of three well-known places points to a
 * configuration table ("PCMP") listing processors, buses and interrupt
 * controllers.  We take only the processor entries and the local APIC
 * address: interrupt routing stays as the BIOS left it (virtual wire,
 * see kern/lapic.c).  Firmware with no MP tables (qboot, say) still
 * has ACPI's: the root pointer ("RSD PTR "), in the same kind of place,
 * leads to the Multiple APIC Description Table ("APIC"), whose local
 * APIC entries list the processors.
 *
 * Runs once on the boot CPU, after mem_init: the tables lie in low
 * physical memory, which we read through KADDR.
 */
#include <inc/types.h>
#include <inc/string.h>
#include <inc/x86.h>
#include <kern/cpu.h>
#include <kern/pmap.h>

struct CpuInfo cpus[NCPU];
struct CpuInfo *bootcpu = &cpus[0];
int ncpu;
physaddr_t lapicaddr;
static bool ismp;		// the BIOS gave a usable MP table

// The floating pointer.
struct mp_fptr {
	char sig[4];		// "_MP_"
	physaddr_t table;	// the configuration table
	uint8_t len16;		// length in 16-byte units: 1
	uint8_t rev;
	uint8_t sum;		// all 16 bytes add up to 0
	uint8_t deftype;	// nonzero: a default configuration, no table
	uint8_t features;	// bit 7: the IMCR exists, PIC mode at reset
	uint8_t reserved[3];
} __attribute__((packed));

#define FPTR_IMCR	0x80

// The configuration table header; the entries follow it.
struct mp_table {
	char sig[4];		// "PCMP"
	uint16_t len;		// base table length, header included
	uint8_t version;	// 1 or 4
	uint8_t sum;		// the base table adds up to 0
	char oem[8];
	char product[12];
	physaddr_t oem_table;
	uint16_t oem_len;
	uint16_t nentries;	// in the base table
	physaddr_t lapicaddr;	// the local APICs' physical address
	uint16_t xlen;		// extended table, just after the base table
	uint8_t xsum;		// the extended table plus xsum add up to 0
	uint8_t reserved;
} __attribute__((packed));

// A processor entry.  Every other entry type is 8 bytes long.
struct mp_cpu {
	uint8_t type;		// ENTRY_CPU
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t cpuid_sig;	// family, model, stepping
	uint32_t cpuid_features;
	uint8_t reserved[8];
} __attribute__((packed));

#define CPU_ENABLED	0x01	// usable
#define CPU_BP		0x02	// the bootstrap processor

enum {
	ENTRY_CPU,
	ENTRY_BUS,
	ENTRY_IOAPIC,
	ENTRY_IOINTR,		// I/O interrupt assignment
	ENTRY_LINTR,		// local interrupt assignment
};

// Words in the BIOS data area that locate two of the search areas.
#define BDA_EBDA_SEG	0x40E	// extended BIOS data area, as a segment
#define BDA_BASE_KB	0x413	// base memory size in KiB

// The Interrupt Mode Configuration Register, behind two ports.
#define IMCR_INDEX	0x22
#define IMCR_DATA	0x23
#define IMCR_SELECT	0x70
#define IMCR_APIC	0x01	// route the PIC's output through the APIC

// The sum of len bytes at p, modulo 256.
static uint8_t
bytesum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len-- > 0)
		s += *b++;
	return s;
}

// A valid floating pointer in the len bytes at physical pa, or NULL.
static struct mp_fptr *
fptr_scan(physaddr_t pa, size_t len)
{
	struct mp_fptr *fp = KADDR(pa), *end = KADDR(pa + len);

	for (; fp < end; fp++)
		if (memcmp(fp->sig, "_MP_", 4) == 0
		    && bytesum(fp, sizeof(*fp)) == 0)
			return fp;
	return NULL;
}

// The floating pointer, searched where the specification allows, or NULL.
static struct mp_fptr *
fptr_find(void)
{
	physaddr_t ebda, basetop;
	struct mp_fptr *fp;

	ebda = *(uint16_t *) KADDR(BDA_EBDA_SEG) << 4;
	if (ebda != 0 && (fp = fptr_scan(ebda, 1024)) != NULL)
		return fp;
	basetop = *(uint16_t *) KADDR(BDA_BASE_KB) * 1024;
	if (basetop >= 1024 && (fp = fptr_scan(basetop - 1024, 1024)) != NULL)
		return fp;
	return fptr_scan(0xE0000, 0x20000);
}

// fp's configuration table if it passes every check, else NULL.
static struct mp_table *
table_get(struct mp_fptr *fp)
{
	struct mp_table *t;

	if (fp->deftype != 0 || fp->table == 0) {
		cprintf("SMP: default configuration %d not supported\n",
			fp->deftype);
		return NULL;
	}
	t = KADDR(fp->table);
	if (memcmp(t->sig, "PCMP", 4) != 0 || bytesum(t, t->len) != 0
	    || (t->version != 1 && t->version != 4)
	    || (uint8_t) (bytesum((char *) t + t->len, t->xlen) + t->xsum)) {
		cprintf("SMP: MP configuration table is corrupt\n");
		return NULL;
	}
	return t;
}

// Record an enabled processor, with local APIC id apicid, in cpus[].
static void
cpu_add(uint8_t apicid)
{
	if (ncpu == NCPU) {
		cprintf("SMP: too many CPUs, CPU %d disabled\n", apicid);
		return;
	}
	// lapic_startap reaches cpus[i] as APIC id i.
	if (apicid != ncpu) {
		cprintf("SMP: CPU %d out of order, disabled\n", apicid);
		return;
	}
	cpus[ncpu].cpu_id = ncpu;
	ncpu++;
}

// Record one MP processor entry.
static void
mp_cpu_add(struct mp_cpu *e)
{
	if (!(e->flags & CPU_ENABLED))
		return;
	// kern/cpu.h tells the boot CPU apart by its stack (bootstack) but
	// finds every other CPU by index, so the boot CPU must be cpus[0];
	// cpu_add makes index and APIC id agree, so it must have APIC id 0.
	if ((e->flags & CPU_BP) && e->apicid != 0)
		panic("mp_init: boot CPU has APIC id %d, not 0", e->apicid);
	cpu_add(e->apicid);
}

// Walk t's entries.  Returns 0, or -1 at an entry type we do not know.
static int
table_walk(struct mp_table *t)
{
	uint8_t *e = (uint8_t *) (t + 1);
	int i;

	for (i = 0; i < t->nentries; i++) {
		switch (*e) {
		case ENTRY_CPU:
			mp_cpu_add((struct mp_cpu *) e);
			e += sizeof(struct mp_cpu);
			break;
		case ENTRY_BUS:
		case ENTRY_IOAPIC:
		case ENTRY_IOINTR:
		case ENTRY_LINTR:
			e += 8;
			break;
		default:
			cprintf("SMP: unknown MP entry type %d\n", *e);
			return -1;
		}
	}
	return 0;
}

#define CPUID_EDX_APIC		(1 << 9)
#define MSR_APIC_BASE		0x1B

// With no MP table (qboot, say), the boot CPU's own local APIC: its
// address from the APIC base MSR, if CPUID says it has one, else 0.
static physaddr_t
lapic_base_from_msr(void)
{
	uint32_t eax, ebx, ecx, edx;

	cpuid(1, &eax, &ebx, &ecx, &edx);
	if (!(edx & CPUID_EDX_APIC))
		return 0;
	return (physaddr_t) rdmsr(MSR_APIC_BASE) & ~(PGSIZE - 1);
}

// ACPI: the root pointer, the header every table starts with, and the
// MADT's own fields and entries.
struct acpi_rsdp {
	char sig[8];		// "RSD PTR "
	uint8_t sum;		// the first 20 bytes add up to 0
	char oem[6];
	uint8_t rev;
	physaddr_t rsdt;	// the root table: physical addresses of tables
} __attribute__((packed));

struct acpi_header {
	char sig[4];
	uint32_t len;		// header included; all of it adds up to 0
	uint8_t rev;
	uint8_t sum;
	char oem[6];
	char oem_table[8];
	uint32_t oem_rev;
	uint32_t creator, creator_rev;
} __attribute__((packed));

struct acpi_madt {
	struct acpi_header h;	// "APIC"
	physaddr_t lapicaddr;
	uint32_t flags;		// entries (type, length, ...) follow
} __attribute__((packed));

#define MADT_LAPIC		0	// entry: processor id, APIC id, flags
#define MADT_LAPIC_ENABLED	0x01

// The ACPI table at physical pa with signature sig, if it is whole,
// checks out and lies in memory KADDR reaches; else NULL.
static struct acpi_header *
acpi_table(physaddr_t pa, const char *sig)
{
	struct acpi_header *h;

	if (pa == 0 || pa + sizeof(*h) > npages * PGSIZE)
		return NULL;
	h = KADDR(pa);
	if (memcmp(h->sig, sig, 4) != 0 || h->len < sizeof(*h)
	    || pa + h->len > npages * PGSIZE || bytesum(h, h->len) != 0)
		return NULL;
	return h;
}

// A valid ACPI root pointer in the len bytes at physical pa, or NULL.
static struct acpi_rsdp *
rsdp_scan(physaddr_t pa, size_t len)
{
	uint8_t *p = KADDR(pa), *end = KADDR(pa + len);

	for (; p + sizeof(struct acpi_rsdp) <= end; p += 16)
		if (memcmp(p, "RSD PTR ", 8) == 0 && bytesum(p, 20) == 0)
			return (struct acpi_rsdp *) p;
	return NULL;
}

// The MADT, found through the root pointer in the EBDA or the BIOS
// area, or NULL.
static struct acpi_madt *
madt_find(void)
{
	physaddr_t ebda = *(uint16_t *) KADDR(BDA_EBDA_SEG) << 4;
	struct acpi_rsdp *rp = NULL;
	struct acpi_header *rsdt, *t;
	physaddr_t *entry;

	if (ebda != 0)
		rp = rsdp_scan(ebda, 1024);
	if (!rp)
		rp = rsdp_scan(0xE0000, 0x20000);
	if (!rp || !(rsdt = acpi_table(rp->rsdt, "RSDT")))
		return NULL;
	for (entry = (physaddr_t *) (rsdt + 1);
	     (char *) (entry + 1) <= (char *) rsdt + rsdt->len; entry++)
		if ((t = acpi_table(*entry, "APIC")) != NULL
		    && t->len >= sizeof(struct acpi_madt))
			return (struct acpi_madt *) t;
	return NULL;
}

// Record the MADT's enabled processors; returns the local APICs'
// address, or 0 if there is no usable MADT.
static physaddr_t
madt_walk(void)
{
	struct acpi_madt *m = madt_find();
	uint8_t *e, *end;

	if (!m)
		return 0;
	end = (uint8_t *) m + m->h.len;
	for (e = (uint8_t *) (m + 1); e + 2 <= end && e[1] >= 2; e += e[1])
		if (e[0] == MADT_LAPIC && e + 8 <= end
		    && (*(uint32_t *) (e + 4) & MADT_LAPIC_ENABLED))
			cpu_add(e[3]);
	return m->lapicaddr;
}

// The CPUs and the local APICs' address from the MP tables; returns
// whether they gave any.
static bool
mp_tables_walk(struct mp_fptr **fp)
{
	struct mp_table *t;

	if (!(*fp = fptr_find()) || !(t = table_get(*fp)))
		return false;
	ncpu = 0;
	if (table_walk(t) < 0 || ncpu == 0)
		return false;
	lapicaddr = t->lapicaddr;
	return true;
}

// The same from the ACPI tables.
static bool
acpi_walk(void)
{
	ncpu = 0;
	lapicaddr = madt_walk();
	return lapicaddr != 0 && ncpu > 0;
}

void
mp_init(void)
{
	struct mp_fptr *fp;

	ismp = mp_tables_walk(&fp);
	if (!ismp && acpi_walk()) {
		cprintf("SMP: no MP table; CPUs from the ACPI tables\n");
	} else if (!ismp) {
		ncpu = 1;
		cpus[0].cpu_id = 0;
		lapicaddr = lapic_base_from_msr();
		cprintf("SMP: no MP or ACPI table, running on one CPU\n");
	}
	bootcpu = &cpus[0];
	bootcpu->cpu_status = CPU_STARTED;

	if (ismp && (fp->features & FPTR_IMCR)) {
		// The BIOS wired the PIC straight to the boot CPU's INTR pin
		// (PIC mode): send it through the local APIC's LINT0 instead.
		outb(IMCR_INDEX, IMCR_SELECT);
		outb(IMCR_DATA, inb(IMCR_DATA) | IMCR_APIC);
	}
	cprintf("SMP: CPU %d found %d CPU(s)\n", bootcpu - cpus, ncpu);
}
