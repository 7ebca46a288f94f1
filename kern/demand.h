/* Demand paging: region pages mapped at their first touch. */
#ifndef JOS_KERN_DEMAND_H
#define JOS_KERN_DEMAND_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

struct Env;

void	demand_init(void);
physaddr_t demand_zero_page(void);	// for the page audit
int	demand_fault(struct Env *e, uintptr_t va, bool write);
int	demand_fault_shared(struct Env *e, uintptr_t va, bool write);
#define DEMAND_EXCLUSIVE	1	// demand_fault_shared: take it exclusive
bool	demand_page_ok(struct Env *e, uintptr_t va, int perm);
int	demand_copyin(struct Env *e, void *dst, uintptr_t src, size_t n);
int	demand_copyout(uintptr_t dst, const void *src, size_t n);

#endif
