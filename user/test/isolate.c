/*
 * Isolation: an env may act only on itself and its own children, may
 * not map, copy or unmap kernel pages, and sees the read-only views
 * (UENVS, UPAGES, UVPT) read-only.
 *
 * The root forks two children, A and B, and A forks a grandchild G.
 * A tries every call that acts on an env against its parent (the root)
 * and its sibling (B), and the root tries them against its grandchild;
 * each must fail and change nothing the victim can see afterwards.  The
 * root then tries kernel addresses in every call that takes one, scans
 * its page tables above UTOP for anything writable or kernel pages a
 * user may reach, and has a child per kernel address try to store (or
 * load) there, which must end that child.
 */
#include <inc/lib.h>

#define PERM		(PTE_P | PTE_U | PTE_W)
#define SECRET		((volatile uint32_t *) 0x10000000)
#define PROBE		((void *) 0x10001000)	// never mapped
#define MINE		((void *) 0x10002000)	// the caller's own
#define RECVVA		((void *) 0x20000000)
#define SHARED		((volatile int *) 0x00300000)

static envid_t root, sibling;
static int nfail, npass;

static void
check(const char *what, uint32_t arg, int got, int want)
{
	if (got == want) {
		npass++;
		return;
	}
	cprintf("isolate: FAIL: [%08x] %s %08x: got %d, want %d\n",
		sys_getenvid(), what, arg, got, want);
	nfail++;
}

static bool
mapped(void *va)
{
	return (uvpd[PDX(va)] & PTE_P) && (uvpt[PGNUM(va)] & PTE_P);
}

// Every call that acts on env id must fail: id is not ours.
static void
check_hands_off(envid_t id)
{
	check("page_alloc in", id, sys_page_alloc(id, PROBE, PERM), -E_BAD_ENV);
	check("page_map from", id,
	      sys_page_map(id, (void *) SECRET, 0, PROBE, PERM), -E_BAD_ENV);
	check("page_map into", id,
	      sys_page_map(0, MINE, id, PROBE, PERM), -E_BAD_ENV);
	check("page_unmap in", id,
	      sys_page_unmap(id, (void *) SECRET), -E_BAD_ENV);
	check("page_copy into", id,
	      sys_page_copy(id, MINE, PROBE, PERM), -E_BAD_ENV);
	check("page_cow_range into", id,
	      sys_page_cow_range(id, 0, (void *) USTACKTOP), -E_BAD_ENV);
	check("set_status of", id,
	      sys_env_set_status(id, ENV_NOT_RUNNABLE), -E_BAD_ENV);
	check("set_pgfault_upcall of", id,
	      sys_env_set_pgfault_upcall(id, (void *) 0xdeadbeef), -E_BAD_ENV);
	check("env_destroy of", id, sys_env_destroy(id), -E_BAD_ENV);
	check("no page came from", id, mapped(PROBE), 0);
}

// An env that nobody else touched: still there, as it was left.
static void
check_untouched(envid_t id, int status)
{
	const volatile struct Env *e = &envs[ENVX(id)];

	check("still there:", id, e->env_id, id);
	check("same status:", id, e->env_status, status);
	check("same upcall:", id, (uint32_t) e->env_pgfault_upcall,
	      (uint32_t) _pgfault_upcall);
}

// Child A: hands off its parent and sibling; fork had copied the
// secret before the root changed it.
static void
child_a(void)
{
	envid_t g;

	if ((g = fork()) == 0) {
		ipc_recv(NULL, NULL, NULL);	// until the root lets us go
		return;
	}
	check_hands_off(root);
	check_hands_off(sibling);
	check("our copy of the secret", 0, *SECRET, 1);
	ipc_send(root, nfail, NULL, 0);
	ipc_send(root, g, NULL, 0);
}

// Child B: waits, then checks that a page sent from UPAGES came as no
// page at all.
static void
child_b(void)
{
	int perm = -1;

	ipc_recv(NULL, RECVVA, &perm);
	check("perm of a page sent from UPAGES", 0, perm, 0);
	check("page mapped from UPAGES", 0, mapped(RECVVA), 0);
	ipc_send(root, nfail, NULL, 0);
}

// No call may map, copy or unmap at a kernel or read-only address.
static void
check_kernel_addresses(void)
{
	static const uintptr_t kva[] = {
		UTOP, UENVS, UPAGES, UVPT, ULIM - PGSIZE, ULIM,
		KSTACKTOP - PGSIZE, KERNBASE, KERNBASE + 0x100000, 0xfffff000,
	};
	void *va;
	int i;

	for (i = 0; i < ARRAY_SIZE(kva); i++) {
		va = (void *) kva[i];
		check("page_alloc at", kva[i], sys_page_alloc(0, va, PERM),
		      -E_INVAL);
		check("page_map from", kva[i],
		      sys_page_map(0, va, 0, PROBE, PTE_P | PTE_U), -E_INVAL);
		check("page_map to", kva[i],
		      sys_page_map(0, (void *) SECRET, 0, va, PERM), -E_INVAL);
		check("page_copy from", kva[i],
		      sys_page_copy(0, va, PROBE, PERM), -E_INVAL);
		check("page_copy to", kva[i],
		      sys_page_copy(0, (void *) SECRET, va, PERM), -E_INVAL);
		check("page_unmap at", kva[i], sys_page_unmap(0, va), -E_INVAL);
	}
	check("nothing came at", (uint32_t) PROBE, mapped(PROBE), 0);
	check("UPAGES still readable", 0, pages[0].pp_ref, 1);
	check("UENVS still readable", 0, envs[ENVX(root)].env_id, root);
}

/*
 * Above UTOP, a user may read only [UTOP, ULIM), and write nothing.
 * A mapping's rights are those of its directory entry and its table
 * entry together (UVPT's entries are directory entries, writable, seen
 * through UVPT's read-only directory entry).
 */
static void
check_upper_mappings(void)
{
	uint32_t pdx, pn, pde, pte;
	int nbad = 0;

	for (pdx = PDX(UTOP); pdx < NPDENTRIES; pdx++) {
		pde = uvpd[pdx];
		if (!(pde & PTE_P))
			continue;
		for (pn = pdx * NPTENTRIES; pn < (pdx + 1) * NPTENTRIES; pn++) {
			pte = uvpt[pn] & pde;
			if (!(pte & PTE_P) || !(pte & PTE_U))
				continue;
			if ((pte & PTE_W) || pn * PGSIZE >= ULIM) {
				if (nbad++ < 5)
					cprintf("isolate: FAIL: user may %s "
						"%08x\n", pte & PTE_W ?
						"write" : "read", pn * PGSIZE);
			}
		}
	}
	check("user-reachable kernel or writable pages above UTOP", 0,
	      nbad, 0);
}

// A child that stores to (or loads from) va must be destroyed, and the
// word there must not change.
static void
probe(uintptr_t va, bool store)
{
	volatile uint32_t *p = (uint32_t *) va;
	uint32_t before = va < ULIM ? *p : 0;
	envid_t kid;

	*SHARED = 0;
	if ((kid = fork()) == 0) {
		// Our own stack page, then no upcall: a fault ends us.
		*(volatile uint32_t *) (USTACKTOP - PGSIZE) = 0;
		sys_env_set_pgfault_upcall(0, NULL);
		if (store)
			*p = ~before;
		else
			(void) *p;
		*SHARED = 1;
		exit();
	}
	wait_env_gone(kid);
	check(store ? "store survived at" : "load survived at", va, *SHARED, 0);
	if (va < ULIM)
		check("word changed at", va, *p, before);
}

static void
check_probes(void)
{
	probe((uintptr_t) &envs[0].env_id, true);
	probe(UPAGES, true);
	probe(UVPT, true);
	probe(KERNBASE, true);
	probe(KERNBASE + 0x100000, false);
}

static void
wait_receiving(envid_t id)
{
	while (!envs[ENVX(id)].env_ipc_recving)
		sys_yield();
}

void
umain(int argc, char **argv)
{
	envid_t a, g;
	int r;

	root = sys_getenvid();
	if ((r = sys_page_alloc(0, (void *) SECRET, PERM)) < 0
	    || (r = sys_page_alloc(0, MINE, PERM)) < 0
	    || (r = sys_page_alloc(0, (void *) SHARED, PERM | PTE_SHARE)) < 0)
		panic("isolate: page_alloc: %e", r);
	*SECRET = 1;
	if ((sibling = fork()) == 0) {
		child_b();
		return;
	}
	if ((a = fork()) == 0) {
		child_a();
		return;
	}
	*SECRET = 2;
	nfail += ipc_recv(NULL, NULL, NULL);
	g = ipc_recv(NULL, NULL, NULL);
	check("our secret", 0, *SECRET, 2);
	check_untouched(root, ENV_RUNNING);
	wait_receiving(sibling);
	check_untouched(sibling, ENV_NOT_RUNNABLE);
	wait_receiving(g);
	check_hands_off(g);
	check_untouched(g, ENV_NOT_RUNNABLE);
	ipc_send(g, 0, NULL, 0);

	check("ipc from UPAGES", 0,
	      sys_ipc_try_send(sibling, 0, (void *) UPAGES, PTE_P | PTE_U), 0);
	nfail += ipc_recv(NULL, NULL, NULL);

	check_kernel_addresses();
	check_upper_mappings();
	check_probes();
	if (nfail == 0)
		cprintf("isolate: %d checks passed\n", npass);
	else
		cprintf("isolate: %d FAILED\n", nfail);
}
