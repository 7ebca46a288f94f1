/*
 * The x86 memory-management unit as this kernel uses it: two-level paging
 * with 4 KiB pages, flat segments, one task-state segment per CPU.
 */
#ifndef JOS_INC_MMU_H
#define JOS_INC_MMU_H

/*
 * A linear address splits into three fields:
 *
 *   31        22 21        12 11          0
 *  +------------+------------+-------------+
 *  |  PDX(la)   |  PTX(la)   |  PGOFF(la)  |
 *  +------------+------------+-------------+
 *   \------ PGNUM(la) -----/
 */
#define PGNUM(la)	(((uintptr_t) (la)) >> PTXSHIFT)
#define PDX(la)		((((uintptr_t) (la)) >> PDXSHIFT) & 0x3FF)
#define PTX(la)		((((uintptr_t) (la)) >> PTXSHIFT) & 0x3FF)
#define PGOFF(la)	(((uintptr_t) (la)) & 0xFFF)
#define PGADDR(d, t, o)	((void *) ((d) << PDXSHIFT | (t) << PTXSHIFT | (o)))

#define NPDENTRIES	1024		// entries in a page directory
#define NPTENTRIES	1024		// entries in a page table

#define PGSIZE		4096		// bytes mapped by one page
#define PGSHIFT		12		// log2(PGSIZE)

#define PTSIZE		(PGSIZE*NPTENTRIES) // bytes mapped by one page table
#define PTSHIFT		22		// log2(PTSIZE)

#define PTXSHIFT	12
#define PDXSHIFT	22

// Bits of page directory and page table entries.
#define PTE_P		0x001	// present
#define PTE_W		0x002	// writable
#define PTE_U		0x004	// user may access
#define PTE_PWT		0x008	// write-through
#define PTE_PCD		0x010	// cache disabled
#define PTE_A		0x020	// accessed
#define PTE_D		0x040	// dirty
#define PTE_PS		0x080	// 4 MiB page (directory entries only)
#define PTE_G		0x100	// global

// Three bits the hardware ignores, left to software.
#define PTE_AVAIL	0xE00

// Software bits, for fork (lib/fork.c and sys_page_cow_range): a page
// shared writable with children, and one shared copy-on-write.
#define PTE_SHARE	0x400
#define PTE_COW		0x800
// A software bit for swapping (kern/swap.c): a page that stays resident,
// outside any frame limit.
#define PTE_LOCK	0x200

// The only bits a system call may ask for.
#define PTE_SYSCALL	(PTE_AVAIL | PTE_P | PTE_W | PTE_U)

// The frame address held in an entry.
#define PTE_ADDR(pte)	((physaddr_t) (pte) & ~0xFFF)

// Control register 0.
#define CR0_PE		0x00000001	// protected mode
#define CR0_MP		0x00000002	// monitor coprocessor
#define CR0_EM		0x00000004	// emulate coprocessor
#define CR0_TS		0x00000008	// task switched
#define CR0_ET		0x00000010	// extension type
#define CR0_NE		0x00000020	// numeric error
#define CR0_WP		0x00010000	// write-protect even in ring 0
#define CR0_AM		0x00040000	// alignment mask
#define CR0_NW		0x20000000	// not write-through
#define CR0_CD		0x40000000	// cache disable
#define CR0_PG		0x80000000	// paging

// Control register 4.
#define CR4_PCE		0x00000100
#define CR4_MCE		0x00000040
#define CR4_PSE		0x00000010	// 4 MiB pages
#define CR4_DE		0x00000008
#define CR4_TSD		0x00000004
#define CR4_PVI		0x00000002
#define CR4_VME		0x00000001

// EFLAGS.
#define FL_CF		0x00000001
#define FL_PF		0x00000004
#define FL_AF		0x00000010
#define FL_ZF		0x00000040
#define FL_SF		0x00000080
#define FL_TF		0x00000100	// single-step trap
#define FL_IF		0x00000200	// interrupts enabled
#define FL_DF		0x00000400
#define FL_OF		0x00000800
#define FL_IOPL_MASK	0x00003000
#define FL_IOPL_0	0x00000000
#define FL_IOPL_1	0x00001000
#define FL_IOPL_2	0x00002000
#define FL_IOPL_3	0x00003000
#define FL_NT		0x00004000
#define FL_RF		0x00010000	// resume without re-raising a debug fault
#define FL_VM		0x00020000
#define FL_AC		0x00040000
#define FL_VIF		0x00080000
#define FL_VIP		0x00100000
#define FL_ID		0x00200000

// The error code pushed by a page fault.
#define FEC_PR		0x1	// protection violation (else: page not present)
#define FEC_WR		0x2	// caused by a write
#define FEC_U		0x4	// raised in user mode

// Segment type bits for application (code/data) descriptors.
#define STA_X		0x8	// executable
#define STA_E		0x4	// expand down
#define STA_C		0x4	// conforming
#define STA_W		0x2	// writable (data)
#define STA_R		0x2	// readable (code)
#define STA_A		0x1	// accessed

// Segment type bits for system descriptors.
#define STS_T16A	0x1
#define STS_LDT		0x2
#define STS_T16B	0x3
#define STS_CG16	0x4
#define STS_TG		0x5
#define STS_IG16	0x6
#define STS_TG16	0x7
#define STS_T32A	0x9	// available 32-bit TSS
#define STS_T32B	0xB	// busy 32-bit TSS
#define STS_CG32	0xC
#define STS_IG32	0xE	// 32-bit interrupt gate
#define STS_TG32	0xF	// 32-bit trap gate

#ifdef __ASSEMBLER__

// A GDT entry in assembly: null, or flat 32-bit with 4 KiB granularity.
#define SEG_NULL						\
	.word 0, 0;						\
	.byte 0, 0, 0, 0
#define SEG(type, base, lim)					\
	.word (((lim) >> 12) & 0xffff), ((base) & 0xffff);	\
	.byte (((base) >> 16) & 0xff), (0x90 | (type)),		\
		(0xC0 | (((lim) >> 28) & 0xf)), (((base) >> 24) & 0xff)

#else

#include <inc/types.h>

// A segment descriptor, laid out as the hardware reads it.
struct Segdesc {
	unsigned sd_lim_15_0 : 16;
	unsigned sd_base_15_0 : 16;
	unsigned sd_base_23_16 : 8;
	unsigned sd_type : 4;
	unsigned sd_s : 1;		// 1 = code/data, 0 = system
	unsigned sd_dpl : 2;
	unsigned sd_p : 1;
	unsigned sd_lim_19_16 : 4;
	unsigned sd_avl : 1;
	unsigned sd_rsv1 : 1;
	unsigned sd_db : 1;		// 1 = 32-bit segment
	unsigned sd_g : 1;		// limit counts 4 KiB units
	unsigned sd_base_31_24 : 8;
};

#define SEG_NULL	((struct Segdesc) { 0 })

// A flat code or data segment: limit in bytes, 4 KiB granular.
#define SEG(type, base, lim, dpl) (struct Segdesc)			\
{ ((lim) >> 12) & 0xffff, (base) & 0xffff, ((base) >> 16) & 0xff,	\
  type, 1, dpl, 1, (unsigned) (lim) >> 28, 0, 0, 1, 1,			\
  (unsigned) (base) >> 24 }

// A byte-granular segment, as a TSS needs.
#define SEG16(type, base, lim, dpl) (struct Segdesc)			\
{ (lim) & 0xffff, (base) & 0xffff, ((base) >> 16) & 0xff,		\
  type, 1, dpl, 1, (unsigned) (lim) >> 16, 0, 0, 1, 0,			\
  (unsigned) (base) >> 24 }

// A 32-bit task-state segment.  Only esp0/ss0 and the I/O map base matter
// here: they give the stack a trap from user mode switches to.
struct Taskstate {
	uint32_t ts_link;
	uintptr_t ts_esp0;
	uint16_t ts_ss0;
	uint16_t ts_padding1;
	uintptr_t ts_esp1;
	uint16_t ts_ss1;
	uint16_t ts_padding2;
	uintptr_t ts_esp2;
	uint16_t ts_ss2;
	uint16_t ts_padding3;
	physaddr_t ts_cr3;
	uintptr_t ts_eip;
	uint32_t ts_eflags;
	uint32_t ts_eax;
	uint32_t ts_ecx;
	uint32_t ts_edx;
	uint32_t ts_ebx;
	uintptr_t ts_esp;
	uintptr_t ts_ebp;
	uint32_t ts_esi;
	uint32_t ts_edi;
	uint16_t ts_es;
	uint16_t ts_padding4;
	uint16_t ts_cs;
	uint16_t ts_padding5;
	uint16_t ts_ss;
	uint16_t ts_padding6;
	uint16_t ts_ds;
	uint16_t ts_padding7;
	uint16_t ts_fs;
	uint16_t ts_padding8;
	uint16_t ts_gs;
	uint16_t ts_padding9;
	uint16_t ts_ldt;
	uint16_t ts_padding10;
	uint16_t ts_t;
	uint16_t ts_iomb;
};

// An interrupt or trap gate in the IDT.
struct Gatedesc {
	unsigned gd_off_15_0 : 16;
	unsigned gd_sel : 16;
	unsigned gd_args : 5;
	unsigned gd_rsv1 : 3;
	unsigned gd_type : 4;
	unsigned gd_s : 1;
	unsigned gd_dpl : 2;		// lowest ring that may raise it with int
	unsigned gd_p : 1;
	unsigned gd_off_31_16 : 16;
};

// Fill gate 'gate'.  An interrupt gate (istrap 0) clears IF on entry;
// a trap gate leaves it alone.
#define SETGATE(gate, istrap, sel, off, dpl)			\
{								\
	(gate).gd_off_15_0 = (uint32_t) (off) & 0xffff;		\
	(gate).gd_sel = (sel);					\
	(gate).gd_args = 0;					\
	(gate).gd_rsv1 = 0;					\
	(gate).gd_type = (istrap) ? STS_TG32 : STS_IG32;	\
	(gate).gd_s = 0;					\
	(gate).gd_dpl = (dpl);					\
	(gate).gd_p = 1;					\
	(gate).gd_off_31_16 = (uint32_t) (off) >> 16;		\
}

// A call gate, for completeness with the course interface.
#define SETCALLGATE(gate, sel, off, dpl)			\
{								\
	(gate).gd_off_15_0 = (uint32_t) (off) & 0xffff;		\
	(gate).gd_sel = (sel);					\
	(gate).gd_args = 0;					\
	(gate).gd_rsv1 = 0;					\
	(gate).gd_type = STS_CG32;				\
	(gate).gd_s = 0;					\
	(gate).gd_dpl = (dpl);					\
	(gate).gd_p = 1;					\
	(gate).gd_off_31_16 = (uint32_t) (off) >> 16;		\
}

// The operand of lgdt and lidt.
struct Pseudodesc {
	uint16_t pd_lim;
	uint32_t pd_base;
} __attribute__ ((packed));

#endif /* !__ASSEMBLER__ */

#endif
