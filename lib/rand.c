/*
 * A small pseudo-random generator for test programs: xorshift32.  The
 * state, which must not be 0, is the caller's, so a seed replays a run.
 */
#include <inc/lib.h>

uint32_t
rand_next(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}
