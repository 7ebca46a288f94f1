/*
 * Physical page allocation and the kernel's page directory.
 *
 * Every physical page has a struct PageInfo in pages[].  A page is free
 * exactly when it is on page_free_list; pp_ref counts the page-table
 * mappings of it plus any holds the kernel takes.  Page tables
 * themselves are pages with pp_ref 1, owned by their page directory.
 *
 * kern_pgdir maps what every address space shares above UTOP; each
 * environment's page directory copies those entries (kern/env.c).
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>

#include <kern/pmap.h>
#include <kern/kclock.h>
#include <kern/cpu.h>
#include <kern/pmap_check.h>
#include <kern/trap.h>
#include <kern/kernlock.h>
#include <kern/rmap.h>
#include <kern/swapslot.h>
#include <kern/swap.h>
#include <kern/env.h>

size_t npages;			// physical pages in the machine
static size_t npages_basemem;	// pages below 640 KiB

pde_t *kern_pgdir;
struct PageInfo *pages;
static struct PageInfo *page_free_list;
size_t npages_free;		// length of page_free_list

unsigned char percpu_kstacks[NCPU][KSTKSIZE]
	__attribute__ ((aligned(PGSIZE)));

static void page_init(void);
static void unmap_entry(pde_t *pgdir, uintptr_t va, pte_t *pte);
static void tlb_shootdown(pde_t *pgdir);

// How much memory the machine has, as the BIOS told the CMOS.
static void
detect_memory(void)
{
	size_t basemem, totalmem = cmos_memory_kib(&basemem);

	// Only what KERNBASE can map is usable.
	totalmem = MIN(totalmem, (size_t) ((0xFFFFFFFF - KERNBASE + 1) / 1024));
	npages = totalmem / (PGSIZE / 1024);
	npages_basemem = basemem / (PGSIZE / 1024);

	cprintf("Physical memory: %uK available, base = %uK, extended = %uK\n",
		totalmem, basemem, totalmem - basemem);
}

/*
 * The allocator used before pages[] exists: hands out zeroed, page-aligned
 * memory just past the kernel image.  boot_alloc(0) says where the next
 * allocation would start.
 */
static void *
boot_alloc(uint32_t n)
{
	extern char end[];
	static char *nextfree;
	char *result;

	if (!nextfree)
		nextfree = ROUNDUP((char *) end, PGSIZE);
	result = nextfree;
	if (n == 0)
		return result;
	if ((uintptr_t) nextfree + n > KERNBASE + ENTRY_MAPPED
	    || PADDR(nextfree + n) > npages * PGSIZE)
		panic("boot_alloc: out of memory");
	nextfree = ROUNDUP(nextfree + n, PGSIZE);
	memset(result, 0, nextfree - result);
	return result;
}

/*
 * Build kern_pgdir, check it, and switch to it.
 */
void
mem_init(void)
{
	uint32_t cr0;
	int i;

	detect_memory();
	spin_init(&mem_lock, "mem_lock", LOCK_RANK_MEM);

	kern_pgdir = boot_alloc(PGSIZE);
	// The directory maps itself at UVPT: page tables become readable
	// as one 4 MiB array.
	kern_pgdir[PDX(UVPT)] = PADDR(kern_pgdir) | PTE_U | PTE_P;

	pages = boot_alloc(npages * sizeof(struct PageInfo));
	pt_used = boot_alloc(npages * sizeof(uint32_t));
	rmap_init(boot_alloc(npages * sizeof(struct Rmap)));
	page_audit_init(boot_alloc(npages * sizeof(uint32_t)));

	page_init();
	check_page_free_list(true);
	check_page_alloc();
	check_page();

	// A read-only view for user programs (env_init adds envs[]'s).
	boot_map_region(kern_pgdir, UPAGES,
			ROUNDUP(npages * sizeof(struct PageInfo), PGSIZE),
			PADDR(pages), PTE_U);

	// Kernel stacks, each with an unmapped guard gap below it.
	for (i = 0; i < NCPU; i++)
		boot_map_region(kern_pgdir, KSTACKTOP_CPU(i) - KSTKSIZE,
				KSTKSIZE, PADDR(percpu_kstacks[i]), PTE_W);

	// All of physical memory the top of the address space can hold.
	boot_map_region(kern_pgdir, KERNBASE, 0xFFFFFFFF - KERNBASE + 1, 0,
			PTE_W);

	check_kern_pgdir();

	load_pgdir(kern_pgdir);
	check_page_free_list(false);

	cr0 = rcr0();
	cr0 |= CR0_PE | CR0_PG | CR0_AM | CR0_WP | CR0_NE | CR0_MP;
	cr0 &= ~(CR0_TS | CR0_EM);
	lcr0(cr0);

	check_page_installed_pgdir();
}

// Where boot_alloc's memory ended when page_init took over the rest.
static physaddr_t boot_alloc_end;

// Is physical page pa in use before the allocator starts?  Such pages
// keep pp_ref 1 for good (the page audit counts on it).
bool
page_reserved_at_boot(physaddr_t pa)
{
	return pa == 0				// real-mode IDT and BIOS data
		|| pa == MPENTRY_PADDR		// start-up code for other CPUs
		|| (pa >= IOPHYSMEM && pa < EXTPHYSMEM)	// I/O hole, BIOS
		// kernel image and boot_alloc's memory
		|| (pa >= EXTPHYSMEM && pa < boot_alloc_end);
}

// Every page reserved at boot lies below this page number, the end of
// boot_alloc's memory; every page from it on is free at boot.
size_t
boot_reserved_limit(void)
{
	return MIN(ROUNDUP(boot_alloc_end, PGSIZE) / PGSIZE, npages);
}

/*
 * Put every page not reserved at boot on the free list, lowest address
 * first, so early allocations come from memory entry_pgdir maps.
 */
static void
page_init(void)
{
	size_t i, first_high;

	boot_alloc_end = PADDR(boot_alloc(0));
	page_free_list = NULL;
	npages_free = 0;
	// Above boot_alloc's memory, the bulk of it, no page needs asking.
	first_high = boot_reserved_limit();
	for (i = npages; i-- > 0; ) {
		pages[i].pp_link = NULL;
		if (i < first_high && page_reserved_at_boot(i * PGSIZE)) {
			pages[i].pp_ref = 1;
			continue;
		}
		pages[i].pp_ref = 0;
		pages[i].pp_link = page_free_list;
		page_free_list = &pages[i];
		npages_free++;
	}
}

struct spinlock mem_lock;
uint32_t *pt_used;

// Fill pp with zeros: memset without its alignment cases, since every
// page fault that maps fresh memory pays for it.  As a table, it has no
// entry in use.
void
page_clear(struct PageInfo *pp)
{
	void *kva = page2kva(pp);
	uint32_t words = PGSIZE / 4;

	asm volatile("cld; rep stosl"
		     : "+D" (kva), "+c" (words)
		     : "a" (0)
		     : "cc", "memory");
	pt_used[pp - pages] = 0;
}

// A free page, zeroed if alloc_flags has ALLOC_ZERO, with pp_ref 0;
// NULL when memory is exhausted.
struct PageInfo *
page_alloc(int alloc_flags)
{
	struct PageInfo *pp = page_free_list;

	assert(mem_owned());
	if (!pp)
		return NULL;
	page_free_list = pp->pp_link;
	pp->pp_link = NULL;
	npages_free--;
	if (alloc_flags & ALLOC_ZERO)
		page_clear(pp);
	return pp;
}

// Return a page to the free list.  Its reference count must be 0.
void
page_free(struct PageInfo *pp)
{
	assert(mem_owned());
	if (pp->pp_ref != 0 || pp->pp_link != NULL)
		panic("page_free: page %08x still in use (ref %d)",
		      page2pa(pp), pp->pp_ref);
	pp->pp_link = page_free_list;
	page_free_list = pp;
	npages_free++;
	rmap_page_freed(pp);
}

// Drop one reference, freeing the page when none are left.
void
page_decref(struct PageInfo *pp)
{
	if (--pp->pp_ref == 0)
		page_free(pp);
	else if (pp->pp_ref == 1)
		rmap_private(pp);
}


// The self-checks (kern/pmap_check.c) may empty the free list to test
// exhaustion, then give it back.
static size_t taken_nfree;

struct PageInfo *
pages_free_head(void)
{
	return page_free_list;
}

struct PageInfo *
pages_free_take(void)
{
	struct PageInfo *list = page_free_list;

	taken_nfree = npages_free;
	page_free_list = NULL;
	npages_free = 0;
	return list;
}

void
pages_free_give(struct PageInfo *list)
{
	struct PageInfo **tail = &page_free_list;

	while (*tail)
		tail = &(*tail)->pp_link;
	*tail = list;
	npages_free += taken_nfree;
}

/*
 * The page table entry for va in pgdir.  With create set, a missing page
 * table is allocated; otherwise (or when memory is out) returns NULL.
 * Directory entries are permissive (P, W, U): the page table entries
 * decide.
 */
pte_t *
pgdir_walk(pde_t *pgdir, const void *va, int create)
{
	pde_t *pde = &pgdir[PDX(va)];
	struct PageInfo *pp;

	if (!(*pde & PTE_P)) {
		if (!create || !(pp = page_alloc(ALLOC_ZERO)))
			return NULL;
		pp->pp_ref++;
		pte_store(pde, page2pa(pp) | PTE_P | PTE_W | PTE_U);
	}
	return (pte_t *) KADDR(PTE_ADDR(*pde)) + PTX(va);
}

// pte_next_marked's search past a zero entry at pte: each group from
// pte's on that pt_used marks, up to end.  A marked group read whole and
// found all zeros loses its mark.
pte_t *
pte_scan_marked(pte_t *pte, pte_t *end)
{
	pte_t *table = ROUNDDOWN(pte, PGSIZE), *group, *group_end, *found;
	uint32_t *used = pt_used_of(pte), later;

	for (;;) {
		// The marked groups from pte's on; if pte's is not one, go
		// to the first that is.
		later = *used & -pt_group_bit(pte);
		if (!later)
			return end;
		if (!(later & pt_group_bit(pte)))
			pte = table + (__builtin_ctz(later)
				       << (PT_GROUP_SHIFT - 2));
		if (pte >= end)
			return end;
		group = ROUNDDOWN(pte, 1 << PT_GROUP_SHIFT);
		group_end = group + (1 << (PT_GROUP_SHIFT - 2));
		found = pte_next_used(pte, MIN(group_end, end));
		if (found < MIN(group_end, end))
			return found;
		if (pte == group && group_end <= end)
			*used &= ~pt_group_bit(group);
		if (group_end >= end)
			return end;
		pte = group_end;
	}
}

/*
 * Map [va, va+size) to [pa, pa+size) with permissions perm|PTE_P.  For
 * the static mappings above UTOP, set up once at boot: pages mapped this
 * way are not reference counted.
 */
void
boot_map_region(pde_t *pgdir, uintptr_t va, size_t size, physaddr_t pa,
		int perm)
{
	size_t off;
	pte_t *pte = NULL;

	// Walk once per page table, not once per page: the kernel's map
	// of physical memory alone is 65,536 entries.
	for (off = 0; off < size; off += PGSIZE, pte++) {
		if (!pte || PTX(va + off) == 0)
			pte = pgdir_walk(pgdir, (void *) (va + off), 1);
		if (!pte)
			panic("boot_map_region: out of memory");
		pte_store(pte, (pa + off) | perm | PTE_P);
	}
}

/*
 * Map page pp at va with permissions perm|PTE_P, replacing what was
 * there.  Re-inserting the page already mapped at va just changes perm.
 * Returns 0, or -E_NO_MEM (a page table could not be allocated, or pp
 * already has as many references as pp_ref can count; nothing changed).
 */
int
page_insert(pde_t *pgdir, struct PageInfo *pp, void *va, int perm)
{
	pte_t *pte, old;

	// One more would wrap pp_ref to 0 and free a page still mapped.
	if (pp->pp_ref == (uint16_t) ~0)
		return -E_NO_MEM;
	if (!(pte = pgdir_walk(pgdir, va, 1)))
		return -E_NO_MEM;
	if ((*pte & PTE_P) && PTE_ADDR(*pte) == page2pa(pp)) {
		old = xchg(pte, page2pa(pp) | perm | PTE_P);
		tlb_invalidate(pgdir, va);
		if ((uintptr_t) va < UTOP)
			rmap_reperm(pp, pgdir, (uintptr_t) va, old, perm);
		return 0;
	}
	pp->pp_ref++;
	if (*pte)
		unmap_entry(pgdir, (uintptr_t) va, pte);
	pte_store(pte, page2pa(pp) | perm | PTE_P);
	if ((uintptr_t) va < UTOP)
		rmap_add(pp, pgdir, (uintptr_t) va, perm);
	return 0;
}

// The page mapped at va, or NULL.  Stores the entry's address in
// *pte_store if that is not NULL.
struct PageInfo *
page_lookup(pde_t *pgdir, void *va, pte_t **pte_store)
{
	pte_t *pte = pgdir_walk(pgdir, va, 0);

	if (!pte || !(*pte & PTE_P))
		return NULL;
	if (pte_store)
		*pte_store = pte;
	return pa2page(PTE_ADDR(*pte));
}

// Let go of the slot swap entry entry of pgdir's names.
static void
release_swap_entry(pde_t *pgdir, pte_t entry)
{
	swapslot_drop(pte_slot(entry));
	swap_envs[rmap_owner(pgdir)].swapped--;
}

// Let go of what entry, a nonzero entry of pgdir at va (a user
// address), held: a page (the caller flushes the TLB) or a swap slot.
// Inline: an env's exit comes here for each of its pages.
static inline void
release_entry(pde_t *pgdir, uintptr_t va, pte_t entry)
{
	struct PageInfo *pp;

	if (entry & PTE_P) {
		pp = pa2page(PTE_ADDR(entry));
		rmap_del(pgdir, va, entry);
		page_decref(pp);
	} else if (pte_is_swap(entry))
		release_swap_entry(pgdir, entry);
}

// Clear *pte, pgdir's entry at va, letting go of what it held.
static void
unmap_entry(pde_t *pgdir, uintptr_t va, pte_t *pte)
{
	pte_t entry = *pte;

	*pte = 0;
	if (entry & PTE_P)
		tlb_invalidate(pgdir, (void *) va);
	if (va < UTOP)
		release_entry(pgdir, va, entry);
	else if (entry & PTE_P)
		page_decref(pa2page(PTE_ADDR(entry)));
}

// Unmap whatever is at va, if anything: a page, or a swap entry.  A CPU
// holding the kernel lock shared (a page of its own env, or of a child
// it is building, which needs no shootdown) takes mem_lock for it.
void
page_remove(pde_t *pgdir, void *va)
{
	pte_t *pte = pgdir_walk(pgdir, va, 0);
	bool taken;

	if (!pte || !*pte)
		return;
	taken = mem_lock_if_shared();
	unmap_entry(pgdir, (uintptr_t) va, pte);
	mem_unlock_taken(taken);
}

/*
 * Unmap everything below UTOP in pgdir, an env's that no CPU has
 * loaded: pages and swap entries; and free its page tables (not pgdir).
 */
void
pgdir_free_user(pde_t *pgdir)
{
	pde_t *pde, *top = &pgdir[PDX(UTOP)];
	pte_t *pt, *pte, *pt_end;

	// Below UTOP a directory entry is a page table or zero.  Every
	// entry is read, not only those pt_used marks, to check that the
	// summaries hold each one in use.
	for (pde = pgdir; (pde = pte_next_used(pde, top)) < top; pde++) {
		assert(*pt_used_of(pde) & pt_group_bit(pde));
		pt = KADDR(PTE_ADDR(*pde));
		pt_end = pt + NPTENTRIES;
		for (pte = pt; (pte = pte_next_used(pte, pt_end)) < pt_end;
		     pte++) {
			assert(*pt_used_of(pte) & pt_group_bit(pte));
			release_entry(pgdir, (uintptr_t)
				      PGADDR(pde - pgdir, pte - pt, 0), *pte);
		}
		*pde = 0;
		page_decref(pa2page(PADDR(pt)));
	}
}

/*
 * Drop cached translations of va in pgdir: this CPU's if pgdir is the
 * one it has loaded, and those of any other CPU that has it loaded (a
 * parent changing a child that runs elsewhere at that moment).
 */
void
tlb_invalidate(pde_t *pgdir, void *va)
{
	if (thiscpu->cpu_pgdir == pgdir)
		invlpg(va);
	if (ncpu > 1)
		tlb_shootdown(pgdir);
}

/*
 * Make every other CPU that has pgdir loaded flush its TLB, and wait
 * until it has: only then may a page it mapped be reused.  If there is
 * such a CPU, the caller holds the kernel lock exclusive, so that CPU
 * is in user mode or waiting for the lock (or, as good as user mode,
 * in sysenter_unlocked with interrupts off for a few instructions), and
 * takes the IPI either way (trap, trap_kernel).  A path holding the
 * lock shared removes or replaces entries only in an address space no
 * other CPU has loaded (pgdir_loaded_elsewhere), and sends none.
 */
static void
tlb_shootdown(pde_t *pgdir)
{
	struct CpuInfo *c;

	for (c = cpus; c < cpus + ncpu; c++) {
		if (c == thiscpu || c->cpu_pgdir != pgdir)
			continue;
		assert(kernel_alone());
		c->cpu_tlb_flush = true;
		lapic_ipi(c->cpu_id, IRQ_OFFSET + IRQ_TLBFLUSH);
		while (c->cpu_tlb_flush)
			asm volatile("pause");
	}
}

// Has a CPU other than this one pgdir loaded?  Only the env running
// there, or a CPU on its way from it to another, keeps one loaded.
bool
pgdir_loaded_elsewhere(pde_t *pgdir)
{
	struct CpuInfo *c, *me;

	if (ncpu == 1)
		return false;
	for (c = cpus, me = thiscpu; c < cpus + ncpu; c++)
		if (c != me && c->cpu_pgdir == pgdir)
			return true;
	return false;
}

// Drop every cached translation of pgdir, here and on any other CPU
// that has it loaded: after changing many of its entries.
void
pgdir_flush(pde_t *pgdir)
{
	if (thiscpu->cpu_pgdir == pgdir)
		tlbflush();
	if (ncpu > 1)
		tlb_shootdown(pgdir);
}

// How many page tables pgdir has below UTOP: as many as a copy of its
// user mappings may need.
int
pgdir_user_tables(pde_t *pgdir)
{
	int n = 0, i;

	for (i = 0; i < PDX(UTOP); i++)
		n += (pgdir[i] & PTE_P) != 0;
	return n;
}

/*
 * Call fn(pte, va, arg) for each entry of pgdir in [start, end) that
 * maps a page or holds a swap entry, in order, skipping absent page
 * tables, until fn returns false.  Returns the va fn stopped at, or end.
 */
uintptr_t
pgdir_each(pde_t *pgdir, uintptr_t start, uintptr_t end,
	   bool (*fn)(pte_t *pte, uintptr_t va, void *arg), void *arg)
{
	uintptr_t va = ROUNDDOWN(start, PGSIZE);
	pte_t *pt;

	while (va < end) {
		if (!(pgdir[PDX(va)] & PTE_P)) {
			va = ROUNDDOWN(va, PTSIZE) + PTSIZE;
			if (va == 0)		// wrapped past the top
				break;
			continue;
		}
		pt = KADDR(PTE_ADDR(pgdir[PDX(va)]));
		if ((pt[PTX(va)] & (PTE_P | PTE_SWAP))
		    && !fn(&pt[PTX(va)], va, arg))
			return va;
		va += PGSIZE;
	}
	return end;
}

// The other side of tlb_shootdown, on the CPU asked to flush.
void
tlb_flush_ack(void)
{
	tlbflush();
	thiscpu->cpu_tlb_flush = false;
}

/*
 * Reserve size bytes of the MMIO region for device memory at pa,
 * uncached.  Returns the virtual address of pa.
 */
void *
mmio_map_region(physaddr_t pa, size_t size)
{
	static uintptr_t base = MMIOBASE;
	physaddr_t start = ROUNDDOWN(pa, PGSIZE);
	size_t len = ROUNDUP(pa + size, PGSIZE) - start;
	uintptr_t va = base;

	if (len > MMIOLIM - base)
		panic("mmio_map_region: %u bytes at %08x overflow MMIOLIM",
		      size, pa);
	boot_map_region(kern_pgdir, va, len, start,
			PTE_PCD | PTE_PWT | PTE_W);
	base += len;
	return (void *) (va + (pa - start));
}
