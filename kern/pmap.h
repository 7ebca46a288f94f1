/* Physical page allocator and page tables. */
#ifndef JOS_KERN_PMAP_H
#define JOS_KERN_PMAP_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/memlayout.h>
#include <inc/assert.h>
#include <inc/x86.h>
#include <inc/error.h>
#include <kern/cpu.h>
#include <kern/kernlock.h>

extern char bootstacktop[], bootstack[];

extern struct PageInfo *pages;
extern size_t npages;

extern pde_t *kern_pgdir;

// The physical address of kernel virtual address kva.
#define PADDR(kva) _paddr(__FILE__, __LINE__, kva)

static inline physaddr_t
_paddr(const char *file, int line, void *kva)
{
	if ((uint32_t) kva < KERNBASE)
		_panic(file, line, "PADDR called with invalid kva %08lx", kva);
	return (physaddr_t) kva - KERNBASE;
}

// The kernel virtual address of physical address pa.
#define KADDR(pa) _kaddr(__FILE__, __LINE__, pa)

static inline void *
_kaddr(const char *file, int line, physaddr_t pa)
{
	if (PGNUM(pa) >= npages)
		_panic(file, line, "KADDR called with invalid pa %08lx", pa);
	return (void *) (pa + KERNBASE);
}

enum {
	ALLOC_ZERO = 1 << 0,	// page_alloc: fill the page with zeros
};

void	mem_init(void);

/*
 * mem_lock covers the free page list, every page's pp_ref, the reverse
 * map (kern/rmap.h) and the pool of region descriptors (kern/region.c),
 * for CPUs holding the kernel lock shared.  The exclusive holder is
 * alone and needs it not (kern/kernlock.h).
 */
extern struct spinlock mem_lock;

// May this CPU use the free list, pp_ref and the reverse map now?
static inline bool
mem_owned(void)
{
	return kernel_alone() || holding(&mem_lock);
}

// Take mem_lock if this CPU is not alone in the kernel; returns whether
// it did, for mem_unlock_taken.  For code that runs either way.
static inline bool
mem_lock_if_shared(void)
{
	if (kernel_alone())
		return false;
	spin_lock(&mem_lock);
	return true;
}

static inline void
mem_unlock_taken(bool taken)
{
	if (taken)
		spin_unlock(&mem_lock);
}

struct PageInfo *page_alloc(int alloc_flags);
void	page_clear(struct PageInfo *pp);
void	page_free(struct PageInfo *pp);
void	page_decref(struct PageInfo *pp);
int	page_insert(pde_t *pgdir, struct PageInfo *pp, void *va, int perm);
void	page_remove(pde_t *pgdir, void *va);
struct PageInfo *page_lookup(pde_t *pgdir, void *va, pte_t **pte_store);
pte_t	*pgdir_walk(pde_t *pgdir, const void *va, int create);
void	boot_map_region(pde_t *pgdir, uintptr_t va, size_t size,
			physaddr_t pa, int perm);
void	tlb_flush_ack(void);
void	pgdir_flush(pde_t *pgdir);
void	pgdir_free_user(pde_t *pgdir);
void	tlb_invalidate(pde_t *pgdir, void *va);
bool	pgdir_loaded_elsewhere(pde_t *pgdir);
int	pgdir_user_tables(pde_t *pgdir);
uintptr_t pgdir_each(pde_t *pgdir, uintptr_t start, uintptr_t end,
		     bool (*fn)(pte_t *pte, uintptr_t va, void *arg), void *arg);

void	*mmio_map_region(physaddr_t pa, size_t size);

/*
 * May user code with page directory pgdir access the page holding va
 * with perm (and PTE_P), below ULIM?  user_mem_check (kern/env.c) asks
 * it of each page; hot paths ask it of one.
 */
static inline bool
user_page_ok(pde_t *pgdir, uintptr_t va, int perm)
{
	pde_t pde = pgdir[PDX(va)];

	perm |= PTE_P;
	return va < ULIM && (pde & PTE_P)
		&& (((pte_t *) KADDR(PTE_ADDR(pde)))[PTX(va)] & perm) == perm;
}

// The entry of pgdir for va, or NULL if it has no page table there:
// pgdir_walk without create, inline for the fault path.  (No KADDR
// check: a present directory entry below ULIM is one pgdir_walk made,
// from page_alloc.)
static inline pte_t *
pte_lookup(pde_t *pgdir, uintptr_t va)
{
	pde_t pde = pgdir[PDX(va)];

	if (!(pde & PTE_P))
		return NULL;
	return (pte_t *) (PTE_ADDR(pde) + KERNBASE) + PTX(va);
}

/*
 * A summary of each page table (and page directory): pt_used[i], for
 * page i, has bit g set if entries 32g to 32g+31 of the table in it may
 * be nonzero.  Searches that follow it (pte_next_marked) read only the
 * marked groups: a small program's fork looks at tens of entries where
 * its tables have thousands.  page_clear empties a page's summary,
 * pte_store marks the group of the entry it writes, and a search that
 * reads a marked group whole and finds only zeros clears its bit.  So
 * every write that may make an entry nonzero goes through pte_store;
 * one that changes an entry that stays nonzero meanwhile need not.  A
 * page directory's entries from UTOP up are the kernel's, copied whole
 * by env_setup_vm and not summarized: no search goes there.  Guarded as
 * the entries are: by the kernel lock held exclusive, or on a shared
 * path, by running the env whose tables they are or its parent while it
 * is a child being built (kern/kernlock.h).
 * pgdir_free_user checks every entry against its summary.
 */
extern uint32_t *pt_used;

#define PT_GROUP_SHIFT	7	// bytes of entries per summary bit: 2^7

// The summary word of the table that holds entry pte.
static inline uint32_t *
pt_used_of(pte_t *pte)
{
	return &pt_used[PGNUM((uintptr_t) pte - KERNBASE)];
}

// The bit of pte's group in its table's summary word.
static inline uint32_t
pt_group_bit(pte_t *pte)
{
	return 1U << (PGOFF(pte) >> PT_GROUP_SHIFT);
}

// Write entry *pte, marking its group in its table's summary.
static inline void
pte_store(pte_t *pte, pte_t entry)
{
	*pte = entry;
	*pt_used_of(pte) |= pt_group_bit(pte);
}

pte_t	*pte_scan_marked(pte_t *pte, pte_t *end);

// The first nonzero entry from pte up to end (not included), both in
// one table, or end; only the groups pt_used marks are read.  The caller
// holds what guards the table: the search may drop marks.
static inline pte_t *
pte_next_marked(pte_t *pte, pte_t *end)
{
	if (pte == end || *pte)
		return pte;
	return pte_scan_marked(pte, end);
}

// The first entry from pte up to end (not included) that is not zero,
// or end, reading every entry in between: repe scasl skips each zero
// in one instruction.  (DF is clear in the kernel: kern/trapentry.S.)
static inline pte_t *
pte_next_used(pte_t *pte, pte_t *end)
{
	uint32_t n = end - pte;

	if (n == 0 || *pte)
		return pte;
	asm volatile("repe scasl"
		     : "+D" (pte), "+c" (n)
		     : "a" (0)
		     : "cc", "memory");
	// Past the word that stopped it, or past the end, all zeros.
	return pte[-1] ? pte - 1 : pte;
}

// Switch this CPU to page directory pgdir, noting which it is for
// tlb_invalidate and tlb_shootdown.
static inline void
load_pgdir(pde_t *pgdir)
{
	thiscpu->cpu_pgdir = pgdir;
	if (rcr3() != PADDR(pgdir))
		lcr3(PADDR(pgdir));
}

extern size_t npages_free;

static inline size_t
page_free_count(void)
{
	return npages_free;
}

static inline physaddr_t
page2pa(struct PageInfo *pp)
{
	return (pp - pages) << PGSHIFT;
}

static inline struct PageInfo *
pa2page(physaddr_t pa)
{
	if (PGNUM(pa) >= npages)
		panic("pa2page called with invalid pa");
	return &pages[PGNUM(pa)];
}

static inline void *
page2kva(struct PageInfo *pp)
{
	return KADDR(page2pa(pp));
}

#endif
