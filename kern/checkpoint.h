/* Checkpoint and restore of a stopped child (kern/checkpoint.c). */
#ifndef JOS_KERN_CHECKPOINT_H
#define JOS_KERN_CHECKPOINT_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>

struct Env;

envid_t	sys_env_snapshot(envid_t child);
int	sys_env_restore(envid_t child, envid_t snapshot);
void	checkpoint_env_free(struct Env *e);
bool	checkpoint_involved(struct Env *e);

#endif
