/*
 * McIlroy's power series calculator ("Squinting at Power Series",
 * Software: Practice and Experience, 1990) as a network of envs.  A
 * series is a stream of its coefficients, and each stream is computed,
 * term by term, by an env of its own from the streams it reads.  The
 * network works out sin(x + x^3) in exact rationals, by McIlroy's rule
 * for a function of a series F with no constant term:
 *
 *	sin F = integral of (cos F) F'		(constant sin 0 = 0)
 *	cos F = 1 - integral of (sin F) F'	(constant cos 0 = 1)
 *
 * The two integrals feed each other.  That works because term k of an
 * integral needs only term k-1 of what it integrates, and term 0 is its
 * constant: each side always has a term ready for the other.
 *
 * Streams end: each carries NTERMS terms (F one more, as its derivative
 * loses one), and every env reads all the terms of its inputs before it
 * exits, so no env is left sending to one that has gone.
 *
 * No deadlock: an env waiting for input is always receiving, so only a
 * ring of envs each waiting to send to the next could stop, and the one
 * ring is sin F -> sin F * F' -> -sin F * F' -> cos F -> cos F * F' ->
 * sin F.  Of these, the product and the negation send term k only after
 * receiving term k, an integral after receiving term k-1.  Each env in
 * such a ring would be sending a lower term than the env before it, all
 * the way round: impossible.
 *
 * A term travels as two messages, numerator then denominator, not in a
 * page: the sender could not write a page again until the reader had
 * read it, and cannot tell when that is, so every term would need a
 * page of its own (an alloc, a map and an unmap).  Two words in a row
 * from one sender stay together, since the inbox files each word under
 * its sender (inc/chan.h).
 */
#include <inc/lib.h>
#include <inc/chan.h>

#define NTERMS	12		// the coefficients of x^0 .. x^11
#define NONE	(-1)
#define ROSTER	((void *) 0x10000000)

static_assert(2 * (NTERMS + 1) <= CHAN_QLEN);

// A rational number in lowest terms.
struct rat {
	int64_t num;
	int64_t den;		// > 0, and no factor in common with num
};

// The envs, each named for the stream it computes, and the root, which
// prints sin F.
enum { F, DF, S, C, CDF, SDF, NSDF, PRINT, NENVS };

struct stream {
	const char *name;
	void (*compute)(void);	// its terms, from its inputs'
	int in[2];		// the streams it reads, or NONE
	int konst;		// an integral's constant
};

static void polynomial(void);
static void derivative(void);
static void integral(void);
static void product(void);
static void negation(void);
static void print_terms(void);

static const struct stream net[NENVS] = {
	[F]	= { "F", polynomial, { NONE, NONE } },
	[DF]	= { "F'", derivative, { F, NONE } },
	[S]	= { "sin F", integral, { CDF, NONE }, 0 },
	[C]	= { "cos F", integral, { NSDF, NONE }, 1 },
	[CDF]	= { "cos F * F'", product, { C, DF } },
	[SDF]	= { "sin F * F'", product, { S, DF } },
	[NSDF]	= { "-sin F * F'", negation, { SDF, NONE } },
	[PRINT]	= { "print", print_terms, { S, NONE } },
};

// F = x + x^3.
static const int f_coef[] = { 0, 1, 0, 1 };

static struct roster *roster;

// This env's stream, its input channels, and the envs that read it.
static const struct stream *me;
static struct inbox inbox;
static int input[2];
static envid_t reader[2];
static int nreaders;

// Exact arithmetic, panicking rather than giving a wrong answer.

// r, the result of a op b, unless that overflowed.
static int64_t
checked(bool overflow, int64_t r, int64_t a, const char *op, int64_t b)
{
	if (overflow)
		panic("%s: overflow in %lld %s %lld", me->name, a, op, b);
	return r;
}

static int64_t
mul64(int64_t a, int64_t b)
{
	int64_t r;
	bool overflow = __builtin_mul_overflow(a, b, &r);

	return checked(overflow, r, a, "*", b);
}

static int64_t
add64(int64_t a, int64_t b)
{
	int64_t r;
	bool overflow = __builtin_add_overflow(a, b, &r);

	return checked(overflow, r, a, "+", b);
}

// The greatest common divisor of |a| and |b|; b must not be 0.
static int64_t
gcd(int64_t a, int64_t b)
{
	int64_t t;

	a = a < 0 ? mul64(a, -1) : a;
	b = b < 0 ? mul64(b, -1) : b;
	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return a;
}

// num/den in lowest terms.
static struct rat
rat(int64_t num, int64_t den)
{
	int64_t g;

	if (den == 0)
		panic("%s: %lld/0", me->name, num);
	if (den < 0) {
		num = mul64(num, -1);
		den = mul64(den, -1);
	}
	g = gcd(num, den);
	return (struct rat) { num / g, den / g };
}

static struct rat
rat_add(struct rat a, struct rat b)
{
	int64_t g = gcd(a.den, b.den);

	return rat(add64(mul64(a.num, b.den / g), mul64(b.num, a.den / g)),
		   mul64(a.den, b.den / g));
}

// Cancelling across first keeps the products as small as they can be.
static struct rat
rat_mul(struct rat a, struct rat b)
{
	int64_t g1 = gcd(a.num, b.den), g2 = gcd(b.num, a.den);

	return rat(mul64(a.num / g1, b.num / g2),
		   mul64(a.den / g2, b.den / g1));
}

// Streams: a term is two words, numerator then denominator.

// The next term of input i.
static struct rat
take(int i)
{
	int32_t num = inbox_recv(&inbox, input[i]);
	int32_t den = inbox_recv(&inbox, input[i]);

	return rat(num, den);
}

// Send t to each reader of this env's stream.
static void
put(struct rat t)
{
	int i;

	if ((int32_t) t.num != t.num || (int32_t) t.den != t.den)
		panic("%s: %lld/%lld does not fit in two words", me->name,
		      t.num, t.den);
	for (i = 0; i < nreaders; i++) {
		ipc_send(reader[i], (int32_t) t.num, NULL, 0);
		ipc_send(reader[i], (int32_t) t.den, NULL, 0);
	}
}

// The operators.

// F's coefficients, then zeros: one term more than the other streams,
// for the derivative.
static void
polynomial(void)
{
	int k;

	for (k = 0; k <= NTERMS; k++)
		put(rat(k < (int) ARRAY_SIZE(f_coef) ? f_coef[k] : 0, 1));
}

// Term k of F' is (k+1) times term k+1 of F.
static void
derivative(void)
{
	int k;

	take(0);		// F's constant, which drops out
	for (k = 0; k < NTERMS; k++)
		put(rat_mul(rat(k + 1, 1), take(0)));
}

// Term 0 is the constant, term k the input's term k-1 over k.
static void
integral(void)
{
	int k;

	put(rat(me->konst, 1));
	for (k = 1; k < NTERMS; k++)
		put(rat_mul(take(0), rat(1, k)));
	take(0);		// only a term past the last needs it
}

// Term k is the sum over i of a(i) b(k-i): it needs every term so far.
static void
product(void)
{
	struct rat a[NTERMS], b[NTERMS], sum;
	int i, k;

	for (k = 0; k < NTERMS; k++) {
		a[k] = take(0);
		b[k] = take(1);
		sum = rat(0, 1);
		for (i = 0; i <= k; i++)
			sum = rat_add(sum, rat_mul(a[i], b[k - i]));
		put(sum);
	}
}

static void
negation(void)
{
	struct rat t;
	int k;

	for (k = 0; k < NTERMS; k++) {
		t = take(0);
		put(rat(mul64(t.num, -1), t.den));
	}
}

static void
print_terms(void)
{
	struct rat t;
	int k;

	for (k = 0; k < NTERMS; k++) {
		t = take(0);
		cprintf("powerseries: x^%d: %lld/%lld\n", k, t.num, t.den);
	}
	cprintf("powerseries: %d terms of sin(x + x^3) from %d envs\n",
		NTERMS, NENVS);
}

// Become the env that computes stream k, once the roster is complete:
// open a channel from each input and find the envs that read us.
static void
run(int k)
{
	int i, j;

	me = &net[k];
	roster_wait(roster);
	for (i = 0; i < 2 && me->in[i] != NONE; i++)
		input[i] = inbox_listen(&inbox, roster->id[me->in[i]]);
	for (j = 0; j < NENVS; j++)
		for (i = 0; i < 2; i++)
			if (net[j].in[i] == k) {
				if (nreaders == ARRAY_SIZE(reader))
					panic("%s: too many readers",
					      me->name);
				reader[nreaders++] = roster->id[j];
			}
	me->compute();
}

void
umain(int argc, char **argv)
{
	envid_t id;
	int k;

	roster = roster_create(ROSTER);
	for (k = 0; k < PRINT; k++) {
		if ((id = fork()) < 0)
			panic("powerseries: fork: %e", id);
		if (id == 0) {
			run(k);
			return;
		}
		roster->id[k] = id;
	}
	roster->id[PRINT] = thisenv->env_id;
	roster_publish(roster);
	run(PRINT);
}
