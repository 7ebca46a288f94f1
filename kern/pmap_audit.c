/*
 * The page accounting audit: does every page's reference count match
 * what actually holds the page?
 *
 * The holders of a page are:
 *   - the boot reservation (page_init gives those pages pp_ref 1 for good);
 *   - a page table of kern_pgdir: one, from its directory entry;
 *   - for each live env: its page directory, each of its page tables
 *     below UTOP, and one per present entry below UTOP that maps it;
 *   - the region code (kern/region.c, kern/shm.c, kern/demand.c): each
 *     env's array of regions, each shared object's directory, tables
 *     and pages, and the zero page.
 * Swap slots are audited too: each has as many references as swap
 * entries and resident pages' clean copies name it; and the reverse map
 * (kern/rmap.h): every recorded page is on its env's list, which maps it.
 * Nothing else holds a reference: the entries every env copies from
 * kern_pgdir above UTOP, the UVPT self-maps and boot_map_region's
 * mappings count nothing.  A page nobody holds must be on the free list,
 * exactly once, and no page anybody holds may be.
 *
 * The audit only reads: it counts the holders of every page in holds[],
 * walks the free list, then compares.  A count too high is a leak (the
 * page can never be freed); too low, the page would be freed while still
 * in use.  On the way it checks what the audit walks: each env maps the
 * kernel's directory entries above UTOP and its own directory read-only
 * at UVPT, and below UTOP only what a system call may map.
 */
#include <inc/mmu.h>
#include <inc/memlayout.h>
#include <inc/stdarg.h>
#include <inc/assert.h>

#include <kern/pmap.h>
#include <kern/pmap_check.h>
#include <kern/env.h>
#include <kern/region.h>
#include <kern/demand.h>
#include <kern/rmap.h>
#include <kern/swapslot.h>
#include <kern/swap.h>
#include <inc/string.h>

// Marks in holds[] a page found on the free list.
#define ON_FREE_LIST	(1u << 31)
// Problems described one by one; the rest are only counted.
#define MAXREPORTS	10
// The bits a user mapping may have: a system call's, and the CPU's.
#define PTE_USER_OK	(PTE_SYSCALL | PTE_A | PTE_D)

static uint32_t *holds;			// npages of them (page_audit_init)
static uint16_t slot_holds[MAXSLOTS];	// swap entries and clean copies
static uint32_t env_swapped;		// swap entries of the env counted

// The audit's scratch space, from mem_init: 4 bytes a page.
void
page_audit_init(void *space)
{
	holds = space;
}
static int nproblems;

// Count a problem, and print it if it is one of the first few.
static void
problem(const char *fmt, ...)
{
	va_list ap;

	if (nproblems++ >= MAXREPORTS)
		return;
	va_start(ap, fmt);
	vcprintf(fmt, ap);
	va_end(ap);
}

// One more holder of the page at pa, which env who (0 for the kernel)
// maps or uses.  Returns whether pa is a page at all.
static bool
hold(physaddr_t pa, envid_t who)
{
	if (PGNUM(pa) >= npages) {
		problem("page audit failed: [%08x] holds %08x, past the end "
			"of memory\n", who, pa);
		return false;
	}
	holds[PGNUM(pa)]++;
	return true;
}

// The kernel's own holds: boot reservations and kern_pgdir's page tables.
static void
count_kernel(void)
{
	size_t i;
	int pdx;

	memset(slot_holds, 0, sizeof(slot_holds));
	memset(holds, 0, npages * sizeof(holds[0]));
	for (i = 0; i < boot_reserved_limit(); i++)
		holds[i] = page_reserved_at_boot(i * PGSIZE);
	for (pdx = 0; pdx < NPDENTRIES; pdx++)
		if ((kern_pgdir[pdx] & PTE_P) && pdx != PDX(UVPT))
			hold(PTE_ADDR(kern_pgdir[pdx]), 0);
}

// One more holder of swap slot slot, from env e (NULL for a resident
// page's clean copy).
static void
hold_slot(struct Env *e, uint32_t slot)
{
	if (slot == 0 || slot > swapslot_total())
		problem("page audit failed: [%08x] names swap slot %u, not "
			"one of the disk's\n", e ? e->env_id : 0, slot);
	else
		slot_holds[slot]++;
}

/*
 * The list of recorded pages (kern/rmap.h): each page on it is recorded
 * as a live env's mapping, which maps it; the list is as long as its
 * count says, and holds every recorded page; an env with a frame limit
 * counts its own right.
 */
static void
check_rmap_list(void)
{
	static uint32_t per_env[NENV];
	uint32_t i, n = 0, recorded = 0;
	struct Rmap *r;
	pte_t *pte;
	int x;

	memset(per_env, 0, sizeof(per_env));
	for (i = rmap_head; i != RMAP_NONE && n <= npages; i = r->next, n++) {
		r = &rmaps[i];
		x = r->pgdir ? rmap_owner(r->pgdir) : RMAP_NOENV;
		pte = r->pgdir ? pte_lookup(r->pgdir, r->va) : NULL;
		if (x == RMAP_NOENV || envs[x].env_pgdir != r->pgdir || !pte
		    || !(*pte & PTE_P) || PGNUM(*pte) != i) {
			problem("page audit failed: page %08x is listed, but "
				"not mapped where recorded\n", i * PGSIZE);
			continue;
		}
		per_env[x] += pages[i].pp_ref == 1;
	}
	for (i = 0; i < npages; i++)
		recorded += rmaps[i].pgdir != NULL;
	if (n != rmap_recorded || recorded != n)
		problem("page audit failed: %u pages listed, %u recorded, "
			"the count says %u\n", n, recorded, rmap_recorded);
	for (x = 0; x < NENV; x++)
		if (swap_envs[x].limit && swap_envs[x].resident != per_env[x])
			problem("page audit failed: [%08x] has %u pages, "
				"counts %u\n", envs[x].env_id, per_env[x],
				swap_envs[x].resident);
}

// Each swap slot has as many references as entries and clean copies
// name it.
static void
compare_slots(void)
{
	uint32_t i, used = 0;

	for (i = 0; i < npages; i++)
		if (rmaps[i].clean_slot)
			hold_slot(NULL, rmaps[i].clean_slot);
	for (i = 1; i <= swapslot_total(); i++) {
		used += slot_holds[i] > 0;
		if (swapslot_refs(i) != slot_holds[i])
			problem("page audit failed: swap slot %u has %u "
				"references but %u holders\n", i,
				swapslot_refs(i), slot_holds[i]);
	}
	if (used != swapslot_used())
		problem("page audit failed: %u swap slots held, %u in use\n",
			used, swapslot_used());
}

// The holds of the page table at pdx in e's directory and of the pages
// it maps.
static void
count_page_table(struct Env *e, int pdx)
{
	pte_t *pt;
	int ptx;

	if (!hold(PTE_ADDR(e->env_pgdir[pdx]), e->env_id))
		return;
	pt = KADDR(PTE_ADDR(e->env_pgdir[pdx]));
	for (ptx = 0; ptx < NPTENTRIES; ptx++) {
		if (pte_is_swap(pt[ptx])) {
			hold_slot(e, pte_slot(pt[ptx]));
			env_swapped++;
		}
		if (!(pt[ptx] & PTE_P))
			continue;
		if (!(pt[ptx] & PTE_U) || (PGOFF(pt[ptx]) & ~PTE_USER_OK))
			problem("page audit failed: [%08x] maps %08x with "
				"permissions %03x\n", e->env_id,
				(uintptr_t) PGADDR(pdx, ptx, 0),
				PGOFF(pt[ptx]));
		hold(PTE_ADDR(pt[ptx]), e->env_id);
	}
}

// The holds of e's address space below UTOP; above, e must share the
// kernel's entries and map its own directory read-only at UVPT.  The
// CPU sets PTE_A in the entries it uses, so that bit is ignored.
static void
count_env(struct Env *e)
{
	pde_t *pgdir = e->env_pgdir;
	pde_t want;
	int pdx;

	if (!hold(PADDR(pgdir), e->env_id))
		return;
	env_swapped = 0;
	for (pdx = 0; pdx < PDX(UTOP); pdx++)
		if (pgdir[pdx] & PTE_P)
			count_page_table(e, pdx);
	if (env_swapped != env_swap(e)->swapped)
		problem("page audit failed: [%08x] has %u swap entries, "
			"counts %u\n", e->env_id, env_swapped,
			env_swap(e)->swapped);
	for (pdx = PDX(UTOP); pdx < NPDENTRIES; pdx++) {
		want = pdx == PDX(UVPT) ? PADDR(pgdir) | PTE_U | PTE_P
					: kern_pgdir[pdx];
		if ((pgdir[pdx] ^ want) & ~PTE_A)
			problem("page audit failed: [%08x] directory entry "
				"%d is %08x, not %08x\n", e->env_id, pdx,
				pgdir[pdx], want);
	}
}

// A hold of the region code's (see regions_audit).
static void
hold_for_regions(physaddr_t pa)
{
	hold(pa, 0);
}

static void
count_envs(void)
{
	int i;

	for (i = 0; i < NENV; i++) {
		if (envs[i].env_status == ENV_FREE)
			continue;
		if (!envs[i].env_pgdir) {
			problem("page audit failed: [%08x] has no page "
				"directory\n", envs[i].env_id);
			continue;
		}
		count_env(&envs[i]);
	}
}

// Walk the free list, marking each page on it.  Every page there must
// be a real page nobody holds, with pp_ref 0, and the list must be as
// long as page_free_count says.
static void
check_free_list(void)
{
	struct PageInfo *pp;
	size_t n = 0, i;

	for (pp = pages_free_head(); pp; pp = pp->pp_link, n++) {
		i = pp - pages;
		if (pp < pages || i >= npages || pp != &pages[i]) {
			problem("page audit failed: free list links to %p, "
				"not a page\n", pp);
			return;
		}
		if (holds[i] & ON_FREE_LIST) {
			// The list runs in a circle from here.
			problem("page audit failed: page %08x is on the free "
				"list twice\n", page2pa(pp));
			return;
		}
		if (holds[i] || pp->pp_ref)
			problem("page audit failed: free page %08x has %u "
				"references and %u holders\n", page2pa(pp),
				pp->pp_ref, holds[i]);
		holds[i] |= ON_FREE_LIST;
	}
	if (n != page_free_count())
		problem("page audit failed: the free list has %u pages, "
			"page_free_count %u\n", n, page_free_count());
}

// Compare each page not on the free list with its holders.
static void
compare(void)
{
	physaddr_t pa;
	size_t i;

	for (i = 0; i < npages; i++) {
		pa = i * PGSIZE;
		if (holds[i] & ON_FREE_LIST)
			continue;
		if (pages[i].pp_ref < holds[i])
			problem("page audit failed: page %08x has %u "
				"references but %u holders\n", pa,
				pages[i].pp_ref, holds[i]);
		else if (pages[i].pp_ref > holds[i])
			problem("page leak: page %08x has %u references but "
				"%u holders\n", pa, pages[i].pp_ref, holds[i]);
		else if (holds[i] == 0)
			problem("page leak: page %08x is neither held nor "
				"free\n", pa);
	}
}

int
page_audit(void)
{
	nproblems = 0;
	count_kernel();
	count_envs();
	hold(demand_zero_page(), 0);
	nproblems += regions_audit(hold_for_regions);
	check_free_list();
	compare();
	check_rmap_list();
	compare_slots();
	if (nproblems)
		cprintf("page audit failed: %d problems\n", nproblems);
	else
		cprintf("page audit: %u pages, %u free, all accounted for\n",
			npages, page_free_count());
	return nproblems;
}
