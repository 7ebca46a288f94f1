/*
 * Textbook page replacement, fault for fault.  The program locks its
 * own text, data, bss and stack (PTE_LOCK), so that the only pages that
 * compete for frames are those of AREA, a fresh 5-page region mapped
 * for each case.  It sets its own policy and frame limit, makes one
 * reference string's accesses, and counts the page faults the kernel
 * served (sys_vm_stat's env.faults before and after: each first touch
 * and each swap-in).  Each page holds stamps of its last write, checked
 * at every later reference: the pages that went to swap came back.
 *
 * A reference string names pages a-e (AREA's pages 0-4); an upper-case
 * letter writes the page, a lower-case one reads it.  A page's first
 * touch is always a write (a first read would map the shared zero page
 * and fault again at the first write).  A later write reads the page
 * first, to check it, then writes a new stamp: as the read brings the
 * page in writable, that is still at most one fault.
 *
 * The expected counts, worked out by hand from the policies' rules
 * (inc/swap.h, and the README).  The frames are listed in the kernel's
 * order, the clock hand (the head) first.  For clock and eclock each
 * page shows its bits after the reference: A (accessed) and D (dirty),
 * "-" for a bit clear.  "<x" marks the page that went out (w: written
 * to swap, d: dropped, as it was read back and not written since).
 *
 * Belady's string, every reference a write, under FIFO:
 *   ref  3 frames       4 frames
 *   A    a         F    a            F
 *   B    a b       F    a b          F
 *   C    a b c     F    a b c        F
 *   D    b c d     F<a  a b c d      F
 *   A    c d a     F<b  a b c d
 *   B    d a b     F<c  a b c d
 *   E    a b e     F<d  b c d e      F<a
 *   A    a b e          c d e a      F<b
 *   B    a b e          d e a b      F<c
 *   C    b e c     F<a  e a b c      F<d
 *   D    e c d     F<b  a b c d      F<e
 *   E    e c d          b c d e      F<a
 *   9 faults with 3 frames, 10 with 4: every page that goes out was
 *   written (6 of them both times), none dropped.
 *
 * Belady's string with only the first touches written (ABCDabEabcde),
 * under clock: the first page without A goes, each page passed over
 * loses A and moves to the end.  3 frames:
 *   A    aA-                   F
 *   B    aAD bAD               F
 *   C    aAD bAD cAD           F
 *   D    b-D c-D dAD           F<a w (a, b, c lose A, a goes)
 *   a    c-D dAD aA-           F<b w
 *   b    dAD aA- bA-           F<c w
 *   E    a-- b-- eAD           F<d w (d, a, b lose A, d goes)
 *   a    aA- b-- eAD
 *   b    aA- bA- eAD
 *   c    b-- e-D cA-           F<a d (a, b, e lose A, a goes)
 *   d    e-D cA- dA-           F<b d
 *   e    eAD cA- dA-
 *   9 faults, 4 pages written, 2 dropped.  4 frames:
 *   ABCD aAD bAD cAD dAD       4F
 *   a b  (hits)
 *   E    b-D c-D d-D eAD       F<a w (all lose A, a goes)
 *   a    c-D d-D eAD aA-       F<b w
 *   b    d-D eAD aA- bA-       F<c w
 *   c    eAD aA- bA- cA-       F<d w
 *   d    a-- b-- c-- dA-       F<e w (all lose A, e goes)
 *   e    b-- c-- dA- eA-       F<a d
 *   10 faults, 5 written, 1 dropped: FIFO's counts, on this string.
 *   ABCDbEb, 3 frames, shows the second chance: FIFO sends out a, b
 *   and c, all written, 6 faults; clock
 *   ABC  aAD bAD cAD           3F
 *   D    b-D c-D dAD           F<a w
 *   b    bAD c-D dAD
 *   E    dAD b-D eAD           F<c w (b loses A, c goes)
 *   b    dAD bAD eAD
 *   5 faults, 2 written.
 *
 * The same string (ABCDabEabcde) under eclock: round 1 takes the first
 * page with neither bit, changing nothing; round 2 the first without A,
 * clearing A on the pages it passes; rounds 3 and 4 repeat them.  Each
 * round passes every page (moving it to the end), so a round that takes
 * nothing leaves the order as it was.  3 frames:
 *   ABC  aAD bAD cAD           3F
 *   D    b-D c-D dAD           F<a w (round 2 clears all, round 4)
 *   a    c-D dAD aA-           F<b w (round 2)
 *   b    dAD aA- bA-           F<c w (round 2)
 *   E    b-- d-D eAD           F<a d (round 2 clears all, round 3)
 *   a    d-D eAD aA-           F<b d (round 1)
 *   b    eAD aA- bA-           F<d w (round 2)
 *   c    b-- e-D cA-           F<a d (round 2 clears all, round 3)
 *   d    e-D cA- dA-           F<b d (round 1)
 *   e    eAD cA- dA-
 *   11 faults (clock: 9), 4 written, 4 dropped.  4 frames:
 *   ABCD aAD bAD cAD dAD       4F
 *   a b  (hits)
 *   E    b-D c-D d-D eAD       F<a w (round 2 clears all, round 4)
 *   a    c-D d-D eAD aA-       F<b w (round 2)
 *   b    d-D eAD aA- bA-       F<c w (round 2)
 *   c    eAD aA- bA- cA-       F<d w (round 2)
 *   d    b-- c-- e-D dA-       F<a d (round 2 clears all, round 3)
 *   e    b-- c-- eAD dA-
 *   9 faults (clock: 10), 4 written, 1 dropped.
 *
 * ucore's check sequence, FIFO, 4 frames: ABCD, then CADBEBABCDE, then
 * a read of a and a write of it:
 *   ABCD a b c d  4F
 *   CADB (hits)
 *   E    b c d e  F<a
 *   B    (hit)
 *   A    c d e a  F<b
 *   B    d e a b  F<c
 *   C    e a b c  F<d
 *   D    a b c d  F<e
 *   E    b c d e  F<a
 *   a    c d e a  F<b
 *   A    (hit: a came back writable)
 *   11 faults, the 7 pages that went out all written.
 */
#include <inc/lib.h>

#define RW		(PTE_P | PTE_U | PTE_W)
#define AREA		0x10000000	// each case's fresh region
#define NAREA		5		// its pages, a-e
#define LAST		(PGSIZE / 4 - 1)	// a page's last word

#define BELADY		"ABCDABEABCDE"
#define BELADY_READS	"ABCDabEabcde"
#define UCORE		"ABCD" "CADBEBABCDE" "aA"
#define SECOND		"ABCDbEb"

struct rcase {
	const char *name;
	int policy;
	unsigned frames;
	const char *refs;
	int faults, written, dropped;	// expected
};

static const struct rcase cases[] = {
	{ "fifo", SWAP_FIFO, 3, BELADY, 9, 6, 0 },
	{ "fifo", SWAP_FIFO, 4, BELADY, 10, 6, 0 },
	{ "clock", SWAP_CLOCK, 3, BELADY_READS, 9, 4, 2 },
	{ "clock", SWAP_CLOCK, 4, BELADY_READS, 10, 5, 1 },
	{ "eclock", SWAP_ECLOCK, 3, BELADY_READS, 11, 4, 4 },
	{ "eclock", SWAP_ECLOCK, 4, BELADY_READS, 9, 4, 1 },
	{ "second chance fifo", SWAP_FIFO, 3, SECOND, 6, 3, 0 },
	{ "second chance clock", SWAP_CLOCK, 3, SECOND, 5, 2, 0 },
	{ "ucore fifo", SWAP_FIFO, 4, UCORE, 11, 7, 0 },
};

static int nfail;
static uint32_t stamps[NAREA];	// each page's last write; 0: untouched
static uint32_t nstamps;

static void
check(const char *what, const char *name, int got, int want)
{
	if (got == want)
		return;
	cprintf("swapbelady: FAIL: %s: %s: got %d, want %d\n", name, what,
		got, want);
	nfail++;
}

static void
vm_stat(struct VmStat *st)
{
	int r;

	if ((r = sys_vm_stat(0, st)) < 0)
		panic("swapbelady: vm_stat: %e", r);
}

// One reference (see the top of the file).
static void
reference(const char *name, char ref)
{
	bool write = ref >= 'A' && ref <= 'Z';
	int i = write ? ref - 'A' : ref - 'a';
	volatile uint32_t *page = (volatile uint32_t *) (AREA + i * PGSIZE);

	if (stamps[i]) {
		check("page's first word", name, page[0], stamps[i]);
		check("page's last word", name, page[LAST], ~stamps[i]);
	} else
		check("first touch is a write", name, write, 1);
	if (write) {
		stamps[i] = ((i + 1) << 24) | ++nstamps;
		page[0] = stamps[i];
		page[LAST] = ~stamps[i];
	}
}

// Run one case in a fresh AREA, and check what it did.
static void
run_case(const struct rcase *c)
{
	struct VmStat before, after, gone;
	void *va = (void *) AREA;
	const char *ref;
	int r, faults, written, dropped;

	if ((r = sys_region_map(0, &va, NAREA * PGSIZE, RW, REGION_FIXED)) < 0)
		panic("swapbelady: region_map: %e", r);
	if ((r = sys_env_set_swap_policy(0, c->policy)) < 0
	    || (r = sys_env_set_frame_limit(0, c->frames)) < 0)
		panic("swapbelady: policy and limit: %e", r);
	memset(stamps, 0, sizeof(stamps));
	vm_stat(&before);
	check("pages resident before", c->name, before.resident, 0);
	for (ref = c->refs; *ref; ref++)
		reference(c->name, *ref);
	vm_stat(&after);
	faults = after.env.faults - before.env.faults;
	written = after.env.swapouts - before.env.swapouts;
	dropped = after.env.dropped - before.env.dropped;
	cprintf("swapbelady: %s %d frames: %d faults, %d written out, "
		"%d dropped\n", c->name, c->frames, faults, written, dropped);
	check("faults", c->name, faults, c->faults);
	check("written out", c->name, written, c->written);
	check("dropped", c->name, dropped, c->dropped);
	check("swap-ins: faults less first touches", c->name,
	      after.env.swapins - before.env.swapins, faults - NAREA);
	check("evictions by the policy", c->name,
	      after.evictions[c->policy] - before.evictions[c->policy],
	      written + dropped);
	check("pages resident after", c->name, after.resident, c->frames);

	if ((r = sys_region_unmap(0, (void *) AREA, NAREA * PGSIZE)) < 0
	    || (r = sys_env_set_frame_limit(0, 0)) < 0)
		panic("swapbelady: unmap and unlimit: %e", r);
	vm_stat(&gone);
	check("resident once unmapped", c->name, gone.resident, 0);
	check("swapped once unmapped", c->name, gone.swapped, 0);
	check("slots in use once unmapped", c->name, gone.slots_used,
	      before.slots_used);
}

/*
 * Locked pages count toward no frame limit, but unlocked they count
 * again: AREA's pages, written while locked, are over a limit of
 * UNLOCK_LIMIT the moment a protect unlocks them, and the excess goes
 * out then, not at some later fault.  They come back with their bytes.
 */
#define UNLOCK_LIMIT	2

static void
unlock_case(void)
{
	struct VmStat locked, unlocked;
	void *va = (void *) AREA;
	int i, r;

	if ((r = sys_region_map(0, &va, NAREA * PGSIZE, RW | PTE_LOCK,
				REGION_FIXED)) < 0
	    || (r = sys_env_set_swap_policy(0, SWAP_FIFO)) < 0)
		panic("swapbelady: locked region: %e", r);
	memset(stamps, 0, sizeof(stamps));
	for (i = 0; i < NAREA; i++)
		reference("unlock", 'A' + i);
	if ((r = sys_env_set_frame_limit(0, UNLOCK_LIMIT)) < 0)
		panic("swapbelady: limit: %e", r);
	vm_stat(&locked);
	check("resident while locked", "unlock", locked.resident, 0);
	if ((r = sys_region_protect(0, va, NAREA * PGSIZE, RW)) < 0)
		panic("swapbelady: unlock: %e", r);
	vm_stat(&unlocked);
	cprintf("swapbelady: %d locked pages unlocked under a limit of %d: "
		"%d resident, %d out\n", NAREA, UNLOCK_LIMIT,
		unlocked.resident, unlocked.swapped);
	check("resident once unlocked", "unlock", unlocked.resident,
	      UNLOCK_LIMIT);
	for (i = 0; i < NAREA; i++)
		reference("unlock", 'a' + i);
	if ((r = sys_region_unmap(0, (void *) AREA, NAREA * PGSIZE)) < 0
	    || (r = sys_env_set_frame_limit(0, 0)) < 0)
		panic("swapbelady: unmap and unlimit: %e", r);
}

/*
 * Pages another env also maps count toward no frame limit, but once it
 * is gone they count again: SHARE_LIMIT pages written and mapped in a
 * child too (one made by exofork, never run, so that nothing else of
 * ours changes), SHARE_LIMIT more written, and the child destroyed, are
 * twice the limit, and the excess goes out then, with the child, not at
 * some later fault.  They come back with their bytes.
 */
#define SHARE_LIMIT	2

static void
share_case(void)
{
	struct VmStat unshared;
	void *va = (void *) AREA;
	envid_t child;
	int i, r;

	if ((r = sys_region_map(0, &va, NAREA * PGSIZE, RW, REGION_FIXED)) < 0
	    || (r = sys_env_set_swap_policy(0, SWAP_FIFO)) < 0
	    || (r = sys_env_set_frame_limit(0, SHARE_LIMIT)) < 0)
		panic("swapbelady: region and limit: %e", r);
	memset(stamps, 0, sizeof(stamps));
	if ((child = sys_exofork()) < 0)
		panic("swapbelady: exofork: %e", child);
	for (i = 0; i < SHARE_LIMIT; i++) {
		reference("share", 'A' + i);
		va = (void *) (AREA + i * PGSIZE);
		if ((r = sys_page_map(0, va, child, va, PTE_P | PTE_U)) < 0)
			panic("swapbelady: page_map: %e", r);
	}
	for (i = SHARE_LIMIT; i < 2 * SHARE_LIMIT; i++)
		reference("share", 'A' + i);
	if ((r = sys_env_destroy(child)) < 0)
		panic("swapbelady: destroying the child: %e", r);
	vm_stat(&unshared);
	cprintf("swapbelady: %d pages shared, %d more written, the sharer "
		"gone, under a limit of %d: %d resident, %d out\n",
		SHARE_LIMIT, SHARE_LIMIT, SHARE_LIMIT, unshared.resident,
		unshared.swapped);
	check("resident once unshared", "share", unshared.resident,
	      SHARE_LIMIT);
	for (i = 0; i < 2 * SHARE_LIMIT; i++)
		reference("share", 'a' + i);
	if ((r = sys_region_unmap(0, (void *) AREA, NAREA * PGSIZE)) < 0
	    || (r = sys_env_set_frame_limit(0, 0)) < 0)
		panic("swapbelady: unmap and unlimit: %e", r);
}

void
umain(int argc, char **argv)
{
	int i;

	lock_self();
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	unlock_case();
	share_case();
	cprintf("swapbelady: %d cases, %d failures\n", ARRAY_SIZE(cases) + 2,
		nfail);
}
