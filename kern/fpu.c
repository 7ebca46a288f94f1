/*
 * Floating-point and SIMD state, per env, switched lazily.
 *
 * A CPU's FPU registers belong to at most one env at a time, its
 * cpu_fpu_env.  While they belong to none, CR0.TS is set, so the first
 * x87, MMX or SSE instruction an env runs traps (device not available);
 * fpu_claim then loads that env's saved state, or a clean one, clears
 * TS, and the env goes on.  When the env leaves the CPU (another env
 * runs there, or the CPU goes idle), fpu_switch_out saves its registers
 * with FXSAVE and sets TS again.  An env that never touches the FPU
 * costs one comparison per switch; one that does, a trap and a restore
 * per run plus a save when it leaves.  Its state is always in memory
 * while it is off its CPU, so it may run next on any CPU.  A new env
 * starts clean, a forked one with its parent's registers.
 *
 * The kernel itself uses none of these registers (it is built with
 * -mno-sse -mno-mmx and no floating point): a device-not-available trap
 * in the kernel is a bug, and trap_kernel panics on it.
 *
 * Concurrency: env_fpu[i] and fpu_saved[i] belong to env slot i and are
 * used with the kernel lock held (exclusive, or shared with sched_lock
 * for a switch), by the CPU the env runs on or last ran on; cpu_fpu_env
 * is its CPU's own.
 */
#include <inc/assert.h>
#include <inc/string.h>
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/env.h>
#include <kern/cpu.h>
#include <kern/env.h>
#include <kern/fpu.h>

#define CR4_OSFXSR	0x00000200	// FXSAVE/FXRSTOR and SSE on
#define CR4_OSXMMEXCPT	0x00000400	// SIMD errors raise #XM
#define CPUID_FXSR	(1 << 24)	// leaf 1, edx
#define CPUID_SSE	(1 << 25)

// The FXSAVE image: 512 bytes, 16-byte aligned.
struct FxArea {
	uint16_t fcw, fsw;
	uint8_t ftw, reserved;
	uint8_t rest1[18];
	uint32_t mxcsr, mxcsr_mask;
	uint8_t rest2[480];
} __attribute__((aligned(16)));

static_assert(sizeof(struct FxArea) == 512);

// struct Env's layout is the user ABI: the save areas live beside envs[].
static struct FxArea env_fpu[NENV];
static bool fpu_saved[NENV];	// env_fpu[i] holds the env's registers

// What a new env starts with: FNINIT's control and tag words, MXCSR's
// power-on value (every SIMD exception masked), every register zero,
// so nothing of an earlier env's shows through.
static const struct FxArea fpu_clean = {
	.fcw = 0x037F, .ftw = 0, .mxcsr = 0x1F80
};

static bool has_fxsr;

static inline void
fxsave(struct FxArea *a)
{
	asm volatile("fxsave %0" : "=m" (*a));
}

static inline void
fxrstor(const struct FxArea *a)
{
	asm volatile("fxrstor %0" : : "m" (*a));
}

static inline void
clts(void)
{
	asm volatile("clts");
}

/*
 * Set up this CPU's FPU: native x87 errors (NE), WAIT honouring TS
 * (MP), no emulation (EM clear), SSE and its exceptions on, and TS set
 * so the first use by an env traps.  Without FXSAVE (no CPU QEMU
 * emulates lacks it) EM stays set: any FPU instruction then traps and,
 * with nothing to restore it with, the env dies of it.
 */
void
fpu_init_cpu(void)
{
	uint32_t eax, ebx, ecx, edx;

	cpuid(1, &eax, &ebx, &ecx, &edx);
	has_fxsr = edx & CPUID_FXSR;
	if (!has_fxsr) {
		lcr0(rcr0() | CR0_EM | CR0_TS);
		return;
	}
	if (edx & CPUID_SSE)
		lcr4(rcr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	else
		lcr4(rcr4() | CR4_OSFXSR);
	lcr0((rcr0() | CR0_MP | CR0_NE | CR0_TS) & ~CR0_EM);
	thiscpu->cpu_fpu_env = NULL;
}

/*
 * curenv used the FPU while TS was set: give it its registers.  Returns
 * false if this kernel cannot (no FXSAVE), and the trap is the env's.
 */
bool
fpu_claim(void)
{
	struct Env *e = curenv;
	int i = ENVX(e->env_id);

	if (!has_fxsr)
		return false;
	assert(thiscpu->cpu_fpu_env == NULL);
	clts();
	fxrstor(fpu_saved[i] ? &env_fpu[i] : &fpu_clean);
	thiscpu->cpu_fpu_env = e;
	return true;
}

// This CPU's FPU registers are nobody's now: the next use traps.
static void
fpu_release(void)
{
	thiscpu->cpu_fpu_env = NULL;
	lcr0(rcr0() | CR0_TS);
}

// The env whose registers this CPU's FPU holds leaves it: save them.
void
fpu_save(void)
{
	int i = ENVX(thiscpu->cpu_fpu_env->env_id);

	fxsave(&env_fpu[i]);
	fpu_saved[i] = true;
	fpu_release();
}

// Slot d's registers become a copy of src's, live here (src keeps them
// live) or saved.
static void
copy_from(int d, struct Env *src)
{
	int s = ENVX(src->env_id);

	if (thiscpu->cpu_fpu_env == src) {
		fxsave(&env_fpu[d]);
		fpu_saved[d] = true;
		return;
	}
	if (fpu_saved[s])
		env_fpu[d] = env_fpu[s];
	fpu_saved[d] = fpu_saved[s];
}

/*
 * A new env in slot e.  A child of parent (exofork) starts with a copy
 * of parent's registers, as it has of the others: the control words
 * (rounding, precision, exception masks) are preserved across calls by
 * the i386 calling convention, so a program that set them and forked
 * expects its child to have them.  An env with no parent starts clean.
 */
void
fpu_env_init(struct Env *e, struct Env *parent)
{
	if (parent)
		copy_from(ENVX(e->env_id), parent);
	else
		fpu_saved[ENVX(e->env_id)] = false;
}

// dst takes a copy of src's registers; dst's own, about to be
// replaced, are let go if this CPU holds them.
void
fpu_env_copy(struct Env *dst, struct Env *src)
{
	fpu_env_free(dst);
	copy_from(ENVX(dst->env_id), src);
}

// e is being freed: its registers, if live here, are nobody's now.  (An
// env live in another CPU's registers is running there, and is freed
// there.)
void
fpu_env_free(struct Env *e)
{
	if (thiscpu->cpu_fpu_env == e)
		fpu_release();
}
