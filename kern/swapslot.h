/*
 * Swap slots (kern/swapslot.c), and the swap entries that name them: a
 * user page table entry that is not present but has PTE_SWAP holds the
 * slot number in its top 20 bits and the page's permission bits (U, W,
 * the PTE_AVAIL bits) where a present entry has them.  A never-mapped
 * entry is 0, so the two cannot be confused, and PTE_COW and PTE_SHARE
 * keep their meaning for user code reading uvpt (which sees a page that
 * is not present).
 */
#ifndef JOS_KERN_SWAPSLOT_H
#define JOS_KERN_SWAPSLOT_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <inc/memlayout.h>
#include <inc/swap.h>

#define MAXSLOTS	65536	// 256 MiB of swap at most (slot 0 unused)

static inline uint32_t
pte_slot(pte_t pte)
{
	return pte >> PGSHIFT;
}

static inline pte_t
swap_pte(uint32_t slot, pte_t perm)
{
	return (slot << PGSHIFT) | PTE_SWAP | (perm & (PTE_SYSCALL & ~PTE_P));
}

void	swapslot_init(uint32_t nslots);
uint32_t swapslot_total(void);		// slots that can be used
uint32_t swapslot_used(void);
uint32_t swapslot_alloc(void);		// a slot with one reference, or 0
void	swapslot_ref(uint32_t slot);
void	swapslot_drop(uint32_t slot);	// the last drop frees it
uint32_t swapslot_refs(uint32_t slot);

#endif
