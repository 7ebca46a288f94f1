/*
 * The virtual address space every environment shares with the kernel.
 * This file is the single place that knows it.
 *
 *  4 GiB  +------------------------------+
 *         |  all physical memory (RW)    |        kernel only
 *  KERNBASE, KSTACKTOP = 0xF0000000 -----+
 *         |  CPU 0 kernel stack (RW)     | KSTKSIZE
 *         |  unmapped guard              | KSTKGAP
 *         |  CPU 1 kernel stack, ...     |
 *  MMIOLIM = 0xEFC00000 -----------------+
 *         |  memory-mapped I/O (RW)      | PTSIZE
 *  MMIOBASE, ULIM = 0xEF800000 ----------+
 *         |  page tables, self-map (R-)  | PTSIZE      user read-only
 *  UVPT = 0xEF400000 --------------------+             from here down
 *         |  pages[] (R-)                | PTSIZE
 *  UPAGES = 0xEF000000 ------------------+
 *         |  envs[] (R-)                 | PTSIZE
 *  UTOP, UENVS, UXSTACKTOP = 0xEEC00000 -+
 *         |  user exception stack (RW)   | PGSIZE      user read-write
 *         |  unmapped guard              | PGSIZE      below here
 *  USTACKTOP = 0xEEBFE000 ---------------+
 *         |  user stack, grows down      | USTACKSIZE  (a region: pages
 *         :  unmapped guard              :              come at first touch)
 *         :  program text, data, heap    :
 *  UTEXT = 0x00800000 -------------------+
 *  PFTEMP = 0x007FF000                     scratch page for fault handlers
 *  UTEMP = 0x00400000                      scratch range for user programs
 *  USTABDATA = 0x00200000                  user debug-info descriptor
 *  UMINADDR = 0x00110000                   lowest address a page can map at
 *  0      +------------------------------+
 */
#ifndef JOS_INC_MEMLAYOUT_H
#define JOS_INC_MEMLAYOUT_H

#ifndef __ASSEMBLER__
#include <inc/types.h>
#endif
#include <inc/mmu.h>

// GDT selectors.
#define GD_KT		0x08	// kernel text
#define GD_KD		0x10	// kernel data
#define GD_UT		0x18	// user text
#define GD_UD		0x20	// user data
#define GD_TSS0		0x28	// CPU 0's task state; CPU i's is 8*i further

// Physical memory is mapped at this address.
#define KERNBASE	0xF0000000

// The legacy hole between 640 KiB and 1 MiB.
#define IOPHYSMEM	0x0A0000
#define EXTPHYSMEM	0x100000

// Per-CPU kernel stacks, each followed below by an unmapped guard gap.
#define KSTACKTOP	KERNBASE
#define KSTKSIZE	(8*PGSIZE)
#define KSTKGAP		(8*PGSIZE)

// Memory-mapped I/O, such as the local APIC.
#define MMIOLIM		(KSTACKTOP - PTSIZE)
#define MMIOBASE	(MMIOLIM - PTSIZE)

#define ULIM		(MMIOBASE)

// Read-only views for user programs.
#define UVPT		(ULIM - PTSIZE)		// the page tables themselves
#define UPAGES		(UVPT - PTSIZE)		// struct PageInfo pages[]
#define UENVS		(UPAGES - PTSIZE)	// struct Env envs[]

// Everything below UTOP belongs to the environment.
#define UTOP		UENVS
#define UXSTACKTOP	UTOP
#define USTACKTOP	(UTOP - 2*PGSIZE)
#define USTACKSIZE	(256*PGSIZE)	// the stack region: 1 MiB below USTACKTOP

#define UTEXT		(2*PTSIZE)
#define UTEMP		((void *) PTSIZE)
#define PFTEMP		(UTEMP + PTSIZE - PGSIZE)
#define USTABDATA	(PTSIZE / 2)

// No user page is mapped below UMINADDR: the first 1 MiB + 64 KiB is
// what virtual-8086 code can address, and QEMU lets user code iret into
// vm86 mode (see docs/security.md), so nothing there may ever run.
#define UMINADDR	0x00110000

// How much physical memory kern/entry.S maps before mem_init runs.
#define ENTRY_MAPPED	(8*PTSIZE)

// Where the boot CPU copies the start-up code for the other CPUs.
#define MPENTRY_PADDR	0x7000

#ifndef __ASSEMBLER__

typedef uint32_t pte_t;
typedef uint32_t pde_t;

#if JOS_USER
/*
 * The page directory maps itself at UVPT, so a user program can read any
 * of its page table entries as uvpt[PGNUM(va)] and its directory entries
 * as uvpd[PDX(va)].  lib/entry.S defines both symbols.
 */
extern volatile pte_t uvpt[];
extern volatile pde_t uvpd[];
#endif

/*
 * One per physical page, in pages[] (visible to users at UPAGES).
 * A page is free exactly when it is on the free list; pp_ref counts the
 * mappings and kernel holds on it.
 */
struct PageInfo {
	struct PageInfo *pp_link;	// next free page, NULL when allocated
	uint16_t pp_ref;
};

#endif /* !__ASSEMBLER__ */
#endif
