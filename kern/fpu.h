/*
 * Each env's x87, MMX and SSE registers, kept apart from every other
 * env's (kern/fpu.c).
 */
#ifndef JOS_KERN_FPU_H
#define JOS_KERN_FPU_H
#ifndef JOS_KERNEL
# error "This is a JOS kernel header; user programs should not #include it"
#endif

#include <inc/types.h>
#include <kern/cpu.h>

struct Env;

void	fpu_init_cpu(void);
bool	fpu_claim(void);
void	fpu_save(void);
void	fpu_env_init(struct Env *e, struct Env *parent);
void	fpu_env_free(struct Env *e);
void	fpu_env_copy(struct Env *dst, struct Env *src);

// e leaves c, this CPU: if the FPU registers are its, save them.
// Inline: for an env that never used the FPU, this test is all a switch
// costs.
static inline void __attribute__((always_inline))
fpu_switch_out(struct CpuInfo *c, struct Env *e)
{
	if (__builtin_expect(c->cpu_fpu_env == e, 0))
		fpu_save();
}

#endif
