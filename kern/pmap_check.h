/* Boot-time self-checks of the page allocator and page tables. */
#ifndef JOS_KERN_PMAP_CHECK_H
#define JOS_KERN_PMAP_CHECK_H

struct PageInfo;

// kern/pmap.c lends the free list to the checks.
struct PageInfo *pages_free_head(void);
struct PageInfo *pages_free_take(void);
void	pages_free_give(struct PageInfo *list);

void	check_page_free_list(bool only_low_memory);
void	check_page_alloc(void);
void	check_page(void);
void	check_kern_pgdir(void);
void	check_page_installed_pgdir(void);

#endif
