/*
 * Checks of the page allocator and page tables: the self-checks mem_init
 * runs at boot, and the page accounting audit (kern/pmap_audit.c) the
 * kernel runs when the last env is gone and the monitor runs on demand.
 */
#ifndef JOS_KERN_PMAP_CHECK_H
#define JOS_KERN_PMAP_CHECK_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

struct PageInfo;

// kern/pmap.c lends the free list to the checks.
struct PageInfo *pages_free_head(void);
struct PageInfo *pages_free_take(void);
void	pages_free_give(struct PageInfo *list);
bool	page_reserved_at_boot(physaddr_t pa);
size_t	boot_reserved_limit(void);

void	check_page_free_list(bool only_low_memory);
void	check_page_alloc(void);
void	check_page(void);
void	check_kern_pgdir(void);
void	check_page_installed_pgdir(void);

// Does every page's pp_ref match what holds it?  Prints what is wrong
// and a summary line; returns the number of problems.  Call with the
// kernel lock held (or with no env able to run).
int	page_audit(void);
void	page_audit_init(void *space);	// npages * 4 bytes

#endif
