/* The round-robin scheduler. */
#ifndef JOS_KERN_SCHED_H
#define JOS_KERN_SCHED_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

struct Env;

// What to run, with the kernel lock held, when no env can run on any
// CPU: all_gone says no env is left at all.  Does not return.
typedef void (*sched_idle_fn)(bool all_gone) __attribute__((noreturn));
void	sched_init(sched_idle_fn fn);

// Run some other runnable env, or this one, or halt.  Does not return.
void	sched_yield(void) __attribute__((noreturn));

// Change e's status.  The only way to: it keeps the run queue right.
void	env_set_status(struct Env *e, unsigned status);

// Is e the current env of some CPU (this one included)?
bool	env_on_cpu(struct Env *e);

#endif
