/*
 * Each env has x87, MMX and SSE registers of its own.  The program,
 * started by the kernel, must start with a clean FPU (FNINIT's state,
 * every register zero).  It works out, alone, what each worker will
 * compute: an x87 series in C (doubles are x87 code here) and an SSE one
 * in assembly, with a rounding mode of the worker's own in the x87
 * control word and in MXCSR.  A first child leaves registers of its own
 * behind in its slot and exits; then the workers are forked, one into
 * that slot, and each must have exactly the registers the parent had at
 * the fork.  They compute all at once, preempted by the timer at any
 * instruction and yielding in between, and must get the same bits; and
 * they fill all eight XMM and x87 registers, yield with them live, and
 * check every bit afterwards.  Run on 1 CPU and on several.
 *
 * The C code here uses no XMM register (user programs are built with
 * -mno-sse), so the assembly need not declare the ones it changes.
 */
#include <inc/lib.h>

#define NWORKERS	4
#define ROUNDS		6
#define TERMS		20000
#define YIELDS		40		// register checks across a yield
#define SHARED		((volatile int *) 0x00300000)
#define PERM		(PTE_P | PTE_U | PTE_W)

#define FCW_CLEAN	0x037F		// FNINIT: all masked, nearest, 64-bit
#define MXCSR_CLEAN	0x1F80		// power-on: all masked, nearest

struct Results {
	double x87;
	uint64_t sse;
};

// Worker w's rounding mode: nearest, down, up, toward zero.
static uint16_t
fcw_of(int w)
{
	return FCW_CLEAN | (w % 4) << 10;
}

static uint32_t
mxcsr_of(int w)
{
	return MXCSR_CLEAN | (w % 4) << 13;
}

static void
set_modes(int w)
{
	uint16_t fcw = fcw_of(w);
	uint32_t mxcsr = mxcsr_of(w);

	asm volatile("fldcw %0; ldmxcsr %1" : : "m" (fcw), "m" (mxcsr));
}

// sum 1 / (k^2 + w + 1) for k = 1..TERMS, in x87 registers.
static double
x87_series(int w)
{
	double sum = 0;
	int k;

	for (k = 1; k <= TERMS; k++)
		sum += 1.0 / ((double) k * k + w + 1);
	return sum;
}

// The same series in SSE2 double precision, the sum kept in %xmm0 for
// the whole loop; its bits.
static uint64_t
sse_series(int w)
{
	uint64_t bits;
	uint32_t k = 1, base = w + 1;

	asm volatile(
		"xorpd %%xmm0, %%xmm0\n"
		"1:\n"
		"cvtsi2sd %1, %%xmm1\n"		// k
		"mulsd %%xmm1, %%xmm1\n"	// k^2
		"cvtsi2sd %2, %%xmm2\n"
		"addsd %%xmm2, %%xmm1\n"	// k^2 + w + 1
		"movl $1, %%eax\n"
		"cvtsi2sd %%eax, %%xmm3\n"
		"divsd %%xmm1, %%xmm3\n"
		"addsd %%xmm3, %%xmm0\n"
		"incl %1\n"
		"cmpl %3, %1\n"
		"jbe 1b\n"
		"movsd %%xmm0, %0\n"
		: "=m" (bits), "+r" (k)
		: "r" (base), "i" (TERMS)
		: "eax", "memory");
	return bits;
}

static void
compute(int w, struct Results *r)
{
	set_modes(w);
	r->x87 = x87_series(w);
	r->sse = sse_series(w);
}

// Fill the eight XMM and eight x87 registers with values from seed,
// yield with them live, and count the registers that changed.
static int
regs_across_yield(uint32_t seed)
{
	uint32_t in[8][4], out[8][4];
	uint64_t fin[8], fout[8];
	uint32_t num = SYS_yield;
	int i, j, bad = 0;

	for (i = 0; i < 8; i++) {
		for (j = 0; j < 4; j++)
			in[i][j] = seed * (4 * i + j + 1) + 0x9e3779b9 * j;
		// Normal doubles (exponent 0x3ff), loaded and stored exactly.
		fin[i] = (uint64_t) (0x3ff00000u + i) << 32 | seed * (i + 1);
	}
	asm volatile(
		"movdqu 0(%[in]), %%xmm0\n movdqu 16(%[in]), %%xmm1\n"
		"movdqu 32(%[in]), %%xmm2\n movdqu 48(%[in]), %%xmm3\n"
		"movdqu 64(%[in]), %%xmm4\n movdqu 80(%[in]), %%xmm5\n"
		"movdqu 96(%[in]), %%xmm6\n movdqu 112(%[in]), %%xmm7\n"
		"fldl 0(%[fin])\n fldl 8(%[fin])\n fldl 16(%[fin])\n"
		"fldl 24(%[fin])\n fldl 32(%[fin])\n fldl 40(%[fin])\n"
		"fldl 48(%[fin])\n fldl 56(%[fin])\n"
		"int %[trap]\n"
		"movdqu %%xmm0, 0(%[out])\n movdqu %%xmm1, 16(%[out])\n"
		"movdqu %%xmm2, 32(%[out])\n movdqu %%xmm3, 48(%[out])\n"
		"movdqu %%xmm4, 64(%[out])\n movdqu %%xmm5, 80(%[out])\n"
		"movdqu %%xmm6, 96(%[out])\n movdqu %%xmm7, 112(%[out])\n"
		"fstpl 56(%[fout])\n fstpl 48(%[fout])\n fstpl 40(%[fout])\n"
		"fstpl 32(%[fout])\n fstpl 24(%[fout])\n fstpl 16(%[fout])\n"
		"fstpl 8(%[fout])\n fstpl 0(%[fout])\n"
		: "+a" (num)
		: [in] "r" (in), [fin] "r" (fin), [out] "r" (out),
		  [fout] "r" (fout), [trap] "i" (T_SYSCALL)
		: "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)",
		  "st(7)", "memory", "cc");
	for (i = 0; i < 8; i++) {
		bad += memcmp(in[i], out[i], sizeof(in[i])) != 0;
		bad += fin[i] != fout[i];
	}
	return bad;
}

// This env's FPU registers, as FXSAVE writes them.
struct FxImage {
	uint16_t fcw, fsw;
	uint8_t ftw, pad;
	uint16_t fop;
	uint32_t fip, fcs, fdp, fds;
	uint32_t mxcsr, mxcsr_mask;
	uint8_t st[8][16];
	uint8_t xmm[8][16];
	uint8_t rest[224];
} __attribute__((aligned(16)));

static void
save_image(struct FxImage *im)
{
	asm volatile("fxsave %0" : "=m" (*im));
}

// Is this env's state FNINIT's, with MXCSR's default and every x87 and
// XMM register zero?
static bool
state_is_clean(void)
{
	static struct FxImage im;
	static const uint8_t zero[8][16];

	save_image(&im);
	return im.fcw == FCW_CLEAN && im.fsw == 0 && im.ftw == 0
		&& im.mxcsr == MXCSR_CLEAN && !memcmp(im.st, zero, sizeof(zero))
		&& !memcmp(im.xmm, zero, sizeof(zero));
}

// Does this env have the control words and XMM registers of *at?
static bool
state_is(const struct FxImage *at)
{
	static struct FxImage im;

	save_image(&im);
	return im.fcw == at->fcw && im.mxcsr == at->mxcsr
		&& !memcmp(im.xmm, at->xmm, sizeof(im.xmm));
}

// Put pattern seed in the eight XMM registers, and leave them there.
static void
fill_xmm(uint32_t seed)
{
	static uint32_t v[8][4];
	int i, j;

	for (i = 0; i < 8; i++)
		for (j = 0; j < 4; j++)
			v[i][j] = seed * (4 * i + j + 1);
	asm volatile(
		"movdqu 0(%0), %%xmm0\n movdqu 16(%0), %%xmm1\n"
		"movdqu 32(%0), %%xmm2\n movdqu 48(%0), %%xmm3\n"
		"movdqu 64(%0), %%xmm4\n movdqu 80(%0), %%xmm5\n"
		"movdqu 96(%0), %%xmm6\n movdqu 112(%0), %%xmm7\n"
		: : "r" (v) : "memory");
}

static int
work(int w, const struct Results *want, const struct FxImage *at_fork)
{
	struct Results got;
	int i, bad = 0;

	if (!state_is(at_fork)) {
		cprintf("fpu: FAIL: worker %d [%08x] does not have its parent's "
			"registers\n", w, thisenv->env_id);
		bad++;
	}
	for (i = 0; i < ROUNDS; i++) {
		compute(w, &got);
		sys_yield();
		if (got.x87 != want->x87 || got.sse != want->sse) {
			cprintf("fpu: FAIL: worker %d round %d: x87 %s, SSE %s\n",
				w, i, got.x87 == want->x87 ? "same" : "differs",
				got.sse == want->sse ? "same" : "differs");
			bad++;
		}
	}
	for (i = 0; i < YIELDS; i++)
		bad += regs_across_yield(w * YIELDS + i + 1);
	return bad;
}

// A child that leaves registers of its own in its slot's save area
// (it yields with them live), then exits; its slot is the next fork's.
static void
leave_registers_behind(void)
{
	envid_t id;

	if ((id = fork()) < 0)
		panic("fpu: fork: %e", id);
	if (id == 0) {
		set_modes(3);
		fill_xmm(0xbad);
		sys_yield();
		sys_yield();
		exit();
	}
	wait_env_gone(id);
}

void
umain(int argc, char **argv)
{
	static struct FxImage at_fork;
	struct Results want[NWORKERS];
	envid_t id;
	int w, bad = 0;

	if (!state_is_clean()) {
		cprintf("fpu: FAIL: the program did not start clean\n");
		bad++;
	}
	for (w = 0; w < NWORKERS; w++)
		compute(w, &want[w]);
	if (sys_page_alloc(0, (void *) SHARED, PERM | PTE_SHARE) < 0)
		panic("fpu: no shared page");
	leave_registers_behind();
	// What the workers must find: a rounding mode and XMM values of
	// ours, live across each fork.
	set_modes(2);
	fill_xmm(0x5eed);
	save_image(&at_fork);
	for (w = 0; w < NWORKERS; w++) {
		if ((id = fork()) < 0)
			panic("fpu: fork: %e", id);
		if (id == 0) {
			SHARED[w] = work(w, &want[w], &at_fork) + 1;
			return;
		}
	}
	for (w = 0; w < NWORKERS; w++) {
		while (SHARED[w] == 0)
			sys_yield();
		bad += SHARED[w] - 1;
	}
	cprintf("fpu: %d workers, %d rounds of x87 and SSE series each, "
		"registers across %d yields each: %d mismatches\n",
		NWORKERS, ROUNDS, YIELDS, bad);
}
