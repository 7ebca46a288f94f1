/*
 * Each env has x87, MMX and SSE registers of its own.  The parent works
 * out, alone, what each worker will compute: an x87 series in C (doubles
 * are x87 code here) and an SSE one in assembly, with a rounding mode of
 * the worker's own in the x87 control word and in MXCSR.  Then the
 * workers compute them all at once, preempted by the timer at any
 * instruction and yielding in between, and must get the same bits.  They
 * also fill all eight XMM and x87 registers, yield with them live, and
 * check every bit afterwards; and each starts, as every new env does,
 * with a clean state (FNINIT's, nothing of the parent's).  Run on 1 CPU
 * and on several.
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
		: "eax", "xmm0", "xmm1", "xmm2", "xmm3", "memory");
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
		: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "memory", "cc");
	for (i = 0; i < 8; i++) {
		bad += memcmp(in[i], out[i], sizeof(in[i])) != 0;
		bad += fin[i] != fout[i];
	}
	return bad;
}

// Does this env start with the clean state: FNINIT's control word,
// MXCSR's default, and zero in every XMM register?
static bool
starts_clean(void)
{
	uint32_t xmm[8][4], mxcsr;
	uint16_t fcw;
	int i, j;

	asm volatile("fnstcw %0; stmxcsr %1" : "=m" (fcw), "=m" (mxcsr));
	asm volatile(
		"movdqu %%xmm0, 0(%0)\n movdqu %%xmm1, 16(%0)\n"
		"movdqu %%xmm2, 32(%0)\n movdqu %%xmm3, 48(%0)\n"
		"movdqu %%xmm4, 64(%0)\n movdqu %%xmm5, 80(%0)\n"
		"movdqu %%xmm6, 96(%0)\n movdqu %%xmm7, 112(%0)\n"
		: : "r" (xmm) : "memory");
	for (i = 0; i < 8; i++)
		for (j = 0; j < 4; j++)
			if (xmm[i][j])
				return false;
	return fcw == FCW_CLEAN && mxcsr == MXCSR_CLEAN;
}

static int
work(int w, const struct Results *want)
{
	struct Results got;
	int i, bad = 0;

	if (!starts_clean()) {
		cprintf("fpu: FAIL: worker %d did not start clean\n", w);
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

void
umain(int argc, char **argv)
{
	struct Results want[NWORKERS];
	envid_t id;
	int w, bad = 0;

	for (w = 0; w < NWORKERS; w++)
		compute(w, &want[w]);
	if (sys_page_alloc(0, (void *) SHARED, PERM | PTE_SHARE) < 0)
		panic("fpu: no shared page");
	// Live values a new env must not see.
	regs_across_yield(0x5eed);
	for (w = 0; w < NWORKERS; w++) {
		if ((id = fork()) < 0)
			panic("fpu: fork: %e", id);
		if (id == 0) {
			SHARED[w] = work(w, &want[w]) + 1;
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
