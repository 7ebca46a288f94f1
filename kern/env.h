/* Environments: creation, destruction and running. */
#ifndef JOS_KERN_ENV_H
#define JOS_KERN_ENV_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/env.h>
#include <kern/cpu.h>
#include <kern/kernlock.h>
#include <kern/sched.h>

extern struct Env *envs;		// all NENV environments
#define curenv (thiscpu->cpu_env)	// the env running on this CPU

void	env_init(void);
void	env_init_percpu(void);
int	env_alloc(struct Env **e, struct Env *parent);
int	env_take(struct Env **e, struct Env *parent);
void	env_announce(struct Env *e, struct Env *parent);
void	env_set_id_cycle(uint32_t n);
uint64_t env_birth(struct Env *e);	// unique to e, never reused
void	env_leave_cpu(void);	// curenv stops running here; curenv = NULL
void	env_free(struct Env *e);
void	env_copy_segs(struct Env *dst, struct Env *src);
void	env_create(uint8_t *binary, enum EnvType type);
void	env_destroy(struct Env *e);	// may not return if e is curenv
void	env_destroy_if_stranded(struct Env *e);
void	env_free_current(void) __attribute__((noreturn));
bool	env_exit_shared_ok(struct Env *e);
void	env_exit_shared(void) __attribute__((noreturn));

int	envid2env_lookup(envid_t envid, struct Env **env_store, bool checkperm);
int	user_mem_check(struct Env *env, const void *va, size_t len, int perm);
void	user_mem_assert(struct Env *env, const void *va, size_t len, int perm);
void	user_mem_fail(struct Env *env, uintptr_t va);

// Is e alive: neither free nor dying (a dying env is already destroyed,
// waiting only to be freed)?
static inline bool
env_live(struct Env *e)
{
	return e->env_status != ENV_FREE && e->env_status != ENV_DYING;
}

/*
 * The env envid names, in *env_store.  0 means the current env.  With
 * checkperm, only the current env and its immediate children qualify (by
 * birth, not by id: see kern/env.c).  Returns 0 or -E_BAD_ENV (and sets
 * *env_store to NULL).  Inline for the common cases: the current env,
 * and a live one with no permission to check (IPC's sends, every trip).
 */
static inline int __attribute__((always_inline))
envid2env(envid_t envid, struct Env **env_store, bool checkperm)
{
	struct Env *e = &envs[ENVX(envid)];

	if (envid == 0) {
		*env_store = curenv;
		return 0;
	}
	if (!checkperm && e->env_id == envid && env_live(e)) {
		*env_store = e;
		return 0;
	}
	return envid2env_lookup(envid, env_store, checkperm);
}
void	env_run(struct Env *e) __attribute__((noreturn));

// Restore the registers in tf and return to user mode, through the trap
// exit in kern/trapentry.S.  Inline: it ends every return to user mode
// but sysexit's.
static inline void __attribute__((noreturn, always_inline))
env_pop_tf(struct Trapframe *tf)
{
	asm volatile("movl %0, %%esp; jmp trapret" : : "g" (tf) : "memory");
	__builtin_unreachable();
}

/*
 * Back to user mode in e, the env of c (this CPU), whose state is all
 * in place: the end of env_run, and all of a return to the env that
 * trapped.  Releases the kernel lock (leave_kernel).
 */
static inline void __attribute__((noreturn, always_inline))
env_resume(struct CpuInfo *c, struct Env *e)
{
	e->env_runs++;
	leave_kernel(c);
	env_pop_tf(&e->env_tf);
}

// Start the embedded program user/NAME.c, whose image the build names
// _binary_obj_user_NAME_start.
#define ENV_CREATE(x, type)						\
	do {								\
		extern uint8_t ENV_PASTE3(_binary_obj_, x, _start)[];	\
		env_create(ENV_PASTE3(_binary_obj_, x, _start), type);	\
	} while (0)

#define ENV_PASTE3(x, y, z) _ENV_PASTE3(x, y, z)
#define _ENV_PASTE3(x, y, z) x ## y ## z

#endif
