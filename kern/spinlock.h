/* Spinlocks, and the big kernel lock that serialises the kernel. */
#ifndef JOS_KERN_SPINLOCK_H
#define JOS_KERN_SPINLOCK_H

#include <inc/types.h>

struct spinlock {
	volatile uint32_t locked;	// 1 while held
	volatile uint32_t waiters;	// bit i: CPU i sleeps waiting for it
	const char *name;
	struct CpuInfo *cpu;		// the holder, for debugging
};

void	__spin_initlock(struct spinlock *lk, const char *name);
void	spin_lock(struct spinlock *lk);
void	spin_unlock(struct spinlock *lk);
int	holding(struct spinlock *lk);

#define spin_initlock(lock)	__spin_initlock(lock, #lock)

// One lock around the whole kernel: taken on every entry from user mode
// (and by each CPU at boot), dropped just before returning to user mode.
extern struct spinlock kernel_lock;

static inline void
lock_kernel(void)
{
	spin_lock(&kernel_lock);
}

static inline void
unlock_kernel(void)
{
	spin_unlock(&kernel_lock);
}

#endif
