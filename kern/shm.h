/* Shared page objects: the pages behind a PTE_SHARE region. */
#ifndef JOS_KERN_SHM_H
#define JOS_KERN_SHM_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

struct Shm;
struct PageInfo;

struct Shm *shm_new(void);		// held once, or NULL if none is left
void	shm_hold(struct Shm *o);
void	shm_drop(struct Shm *o);	// the last drop frees its pages
struct PageInfo *shm_page(struct Shm *o, uintptr_t off);
struct PageInfo *shm_lookup(struct Shm *o, uintptr_t off);	// no alloc
int	shm_audit(void (*hold)(physaddr_t pa));

#endif
