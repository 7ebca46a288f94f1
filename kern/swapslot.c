/*
 * Swap slots: page-sized pieces of the swap disk.  A bitmap says which
 * are in use; each slot in use also has a count of what names it (swap
 * entries in page tables, and a resident page that remembers the slot
 * still holds its bytes: struct Rmap's clean_slot), and the last one to
 * let go frees it.  The search for a free slot goes on from where the
 * last one ended, a word of the bitmap at a time.  Slot 0 is never
 * handed out: 0 means "no slot" in a struct Rmap.
 *
 * Concurrency: slots are handed out under the exclusive kernel lock
 * only (evictions), and let go under it or, holding it shared, under
 * mem_lock (kern/pmap.h), with the reverse map's clean slots: a page
 * back from swap, an exit.  mem_owned checks it.
 */
#include <inc/assert.h>
#include <kern/swapslot.h>
#include <kern/pmap.h>

static uint32_t inuse[MAXSLOTS / 32];	// bit s: slot s is in use
static uint16_t refs[MAXSLOTS];
static uint32_t nslots;			// on the swap disk: 0, no swap
static uint32_t nused;
static uint32_t cursor;			// the bitmap word to look at first

// The disk has room for n slots.
void
swapslot_init(uint32_t n)
{
	nslots = MIN(n, MAXSLOTS);
	if (nslots > 0)
		inuse[0] = 1;		// slot 0
	cursor = 0;
}

uint32_t
swapslot_total(void)
{
	return nslots > 0 ? nslots - 1 : 0;
}

uint32_t
swapslot_used(void)
{
	return nused;
}

// A free slot, now with one reference; 0 if the disk is full.
uint32_t
swapslot_alloc(void)
{
	uint32_t words = ROUNDUP(nslots, 32) / 32, i, w, bit, s;

	assert(kernel_alone());
	for (i = 0; i < words; i++) {
		w = (cursor + i) % words;
		if (inuse[w] == ~0u)
			continue;
		bit = __builtin_ctz(~inuse[w]);
		s = w * 32 + bit;
		if (s >= nslots)
			continue;
		inuse[w] |= 1u << bit;
		refs[s] = 1;
		nused++;
		cursor = w;
		return s;
	}
	return 0;
}

static void
assert_in_use(uint32_t slot)
{
	assert(mem_owned());
	assert(slot > 0 && slot < nslots && (inuse[slot / 32] >> slot % 32) & 1);
}

// One more entry or page names slot.
void
swapslot_ref(uint32_t slot)
{
	assert_in_use(slot);
	assert(refs[slot] < (uint16_t) ~0);
	refs[slot]++;
}

// One fewer does; the last one frees the slot.
void
swapslot_drop(uint32_t slot)
{
	assert_in_use(slot);
	if (--refs[slot] > 0)
		return;
	inuse[slot / 32] &= ~(1u << slot % 32);
	nused--;
}

// What names slot, as counted (0 for a free slot).
uint32_t
swapslot_refs(uint32_t slot)
{
	return slot < nslots ? refs[slot] : 0;
}
