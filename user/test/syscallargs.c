/*
 * Call every system call with bad arguments and check the exact error
 * each returns.  A child runs the checks that need an environment that is
 * not ours (our parent) and serves as a receiver for the ipc checks; it
 * reports its tally back by ipc.  Everything mapped is unmapped again.
 * All of it runs twice: through int $0x30 and through sysenter.
 */
#include <inc/lib.h>

#define NOENV		0x7fffffff		// no env has this id
#define RO		((char *) UTEMP)	// a read-only page of ours
#define SPARE		(RO + PGSIZE)		// never mapped for long
#define PERM		(PTE_P | PTE_U)
#define PERM_W		(PTE_P | PTE_U | PTE_W)

static int npass, nfail;

// Print r as the error it names, or as a number if it is not one.
static const char *
result(char *buf, int size, int r)
{
	if (r < 0)
		snprintf(buf, size, "%e", r);
	else
		snprintf(buf, size, "%d", r);
	return buf;
}

static void
check(const char *what, int got, int want)
{
	char g[40], w[40];

	if (got == want) {
		cprintf("ok: %s\n", what);
		npass++;
	} else {
		cprintf("FAIL: %s: got %s, want %s\n", what,
			result(g, sizeof(g), got), result(w, sizeof(w), want));
		nfail++;
	}
}


static void
check_page_alloc(void)
{
	check("page_alloc va at UTOP",
	      sys_page_alloc(0, (void *) UTOP, PERM), -E_INVAL);
	check("page_alloc va above UTOP",
	      sys_page_alloc(0, (void *) 0xf0000000, PERM), -E_INVAL);
	check("page_alloc unaligned va",
	      sys_page_alloc(0, SPARE + 1, PERM), -E_INVAL);
	check("page_alloc va 0", sys_page_alloc(0, 0, PERM), -E_INVAL);
	check("page_alloc va below UMINADDR",
	      sys_page_alloc(0, (void *) (UMINADDR - PGSIZE), PERM), -E_INVAL);
	check("page_alloc perm without PTE_U",
	      sys_page_alloc(0, SPARE, PTE_P), -E_INVAL);
	check("page_alloc perm without PTE_P",
	      sys_page_alloc(0, SPARE, PTE_U), -E_INVAL);
	check("page_alloc perm with PTE_PWT",
	      sys_page_alloc(0, SPARE, PERM | PTE_PWT), -E_INVAL);
	check("page_alloc perm with PTE_G",
	      sys_page_alloc(0, SPARE, PERM | PTE_G), -E_INVAL);
	check("page_alloc bad envid",
	      sys_page_alloc(NOENV, SPARE, PERM), -E_BAD_ENV);
	check("page_alloc envid -1",
	      sys_page_alloc(-1, SPARE, PERM), -E_BAD_ENV);
}

// Needs RO mapped read-only and SPARE unmapped.
static void
check_page_map(void)
{
	check("page_map srcva at UTOP",
	      sys_page_map(0, (void *) UTOP, 0, SPARE, PERM), -E_INVAL);
	check("page_map dstva at UTOP",
	      sys_page_map(0, RO, 0, (void *) UTOP, PERM), -E_INVAL);
	check("page_map unaligned srcva",
	      sys_page_map(0, RO + 1, 0, SPARE, PERM), -E_INVAL);
	check("page_map unaligned dstva",
	      sys_page_map(0, RO, 0, SPARE + 1, PERM), -E_INVAL);
	check("page_map dstva below UMINADDR",
	      sys_page_map(0, RO, 0, (void *) 0x1000, PERM), -E_INVAL);
	check("page_map unmapped srcva",
	      sys_page_map(0, SPARE, 0, SPARE + PGSIZE, PERM), -E_INVAL);
	check("page_map perm without PTE_U",
	      sys_page_map(0, RO, 0, SPARE, PTE_P), -E_INVAL);
	check("page_map perm with PTE_PCD",
	      sys_page_map(0, RO, 0, SPARE, PERM | PTE_PCD), -E_INVAL);
	check("page_map read-only page writable",
	      sys_page_map(0, RO, 0, SPARE, PERM_W), -E_INVAL);
	check("page_map bad src envid",
	      sys_page_map(NOENV, RO, 0, SPARE, PERM), -E_BAD_ENV);
	check("page_map bad dst envid",
	      sys_page_map(0, RO, NOENV, SPARE, PERM), -E_BAD_ENV);
	check("page_map left nothing at dstva", uvpt[PGNUM(SPARE)] & PTE_P, 0);
}

static void
check_page_unmap(void)
{
	check("page_unmap va at UTOP",
	      sys_page_unmap(0, (void *) UTOP), -E_INVAL);
	check("page_unmap unaligned va", sys_page_unmap(0, RO + 1), -E_INVAL);
	check("page_unmap bad envid", sys_page_unmap(NOENV, RO), -E_BAD_ENV);
	check("page_unmap of an unmapped page", sys_page_unmap(0, SPARE), 0);
}

static void
check_env_calls(void)
{
	check("env_set_status status 99",
	      sys_env_set_status(0, 99), -E_INVAL);
	check("env_set_status ENV_FREE",
	      sys_env_set_status(0, ENV_FREE), -E_INVAL);
	check("env_set_status bad envid",
	      sys_env_set_status(NOENV, ENV_RUNNABLE), -E_BAD_ENV);
	check("env_set_pgfault_upcall bad envid",
	      sys_env_set_pgfault_upcall(NOENV, _pgfault_upcall), -E_BAD_ENV);
	check("env_destroy bad envid", sys_env_destroy(NOENV), -E_BAD_ENV);
	check("unknown syscall 99", syscall_raw(99, 0, 0, 0, 0, 0), -E_INVAL);
	check("unknown syscall NSYSCALLS",
	      syscall_raw(NSYSCALLS, 0, 0, 0, 0, 0), -E_INVAL);
	check("unknown syscall -1", syscall_raw(-1, 0, 0, 0, 0, 0), -E_INVAL);
}

static void
check_ipc_self(void)
{
	check("ipc_try_send to a missing env",
	      sys_ipc_try_send(NOENV, 0, (void *) UTOP, 0), -E_BAD_ENV);
	check("ipc_try_send to an env not receiving",
	      sys_ipc_try_send(sys_getenvid(), 0, (void *) UTOP, 0),
	      -E_IPC_NOT_RECV);
	check("ipc_recv unaligned dstva", sys_ipc_recv(SPARE + 1), -E_INVAL);
	check("ipc_recv dstva below UMINADDR",
	      sys_ipc_recv((void *) (UMINADDR - PGSIZE)), -E_INVAL);
}

// The range calls fork and sfork make, each with bad arguments.
static void
check_ranges(envid_t kid)
{
	static const struct {
		const char *name;
		int (*call)(envid_t, void *, void *);
	} calls[] = {
		{ "page_cow_range", sys_page_cow_range },
		{ "page_share_range", sys_page_share_range },
	};
	char what[64];
	int i;

	for (i = 0; i < ARRAY_SIZE(calls); i++) {
		snprintf(what, sizeof(what), "%s into itself", calls[i].name);
		check(what, calls[i].call(0, 0, SPARE), -E_INVAL);
		snprintf(what, sizeof(what), "%s bad envid", calls[i].name);
		check(what, calls[i].call(NOENV, 0, SPARE), -E_BAD_ENV);
		snprintf(what, sizeof(what), "%s unaligned end", calls[i].name);
		check(what, calls[i].call(kid, 0, SPARE + 1), -E_INVAL);
		snprintf(what, sizeof(what), "%s start past end", calls[i].name);
		check(what, calls[i].call(kid, SPARE, RO), -E_INVAL);
		snprintf(what, sizeof(what), "%s end past UTOP", calls[i].name);
		check(what, calls[i].call(kid, 0, (void *) (UTOP + PGSIZE)),
		      -E_INVAL);
	}
}

// Run in the child: our parent is not ours to touch.
static void
check_not_child(envid_t parent)
{
	check("page_alloc in a non-child",
	      sys_page_alloc(parent, SPARE, PERM), -E_BAD_ENV);
	check("page_map from a non-child",
	      sys_page_map(parent, RO, 0, SPARE, PERM), -E_BAD_ENV);
	check("page_map into a non-child",
	      sys_page_map(0, RO, parent, SPARE, PERM), -E_BAD_ENV);
	check("page_unmap in a non-child",
	      sys_page_unmap(parent, RO), -E_BAD_ENV);
	check("env_set_status of a non-child",
	      sys_env_set_status(parent, ENV_RUNNABLE), -E_BAD_ENV);
	check("env_set_pgfault_upcall of a non-child",
	      sys_env_set_pgfault_upcall(parent, _pgfault_upcall),
	      -E_BAD_ENV);
	check("env_destroy of a non-child",
	      sys_env_destroy(parent), -E_BAD_ENV);
	check("page_cow_range into a non-child",
	      sys_page_cow_range(parent, 0, SPARE), -E_BAD_ENV);
	check("page_share_range into a non-child",
	      sys_page_share_range(parent, 0, SPARE), -E_BAD_ENV);
}

// Run in the parent once child waits in sys_ipc_recv(SPARE): a bad page
// must be refused without waking the receiver.
static void
check_ipc_page(envid_t child)
{
	const volatile struct Env *e = &envs[ENVX(child)];

	while (!e->env_ipc_recving)
		sys_yield();
	check("ipc_try_send unaligned srcva",
	      sys_ipc_try_send(child, 0, RO + 1, PERM), -E_INVAL);
	check("ipc_try_send unmapped srcva",
	      sys_ipc_try_send(child, 0, SPARE, PERM), -E_INVAL);
	check("ipc_try_send perm without PTE_P",
	      sys_ipc_try_send(child, 0, RO, PTE_U), -E_INVAL);
	check("ipc_try_send perm with PTE_G",
	      sys_ipc_try_send(child, 0, RO, PERM | PTE_G), -E_INVAL);
	check("ipc_try_send read-only page writable",
	      sys_ipc_try_send(child, 0, RO, PERM_W), -E_INVAL);
	check("receiver still waiting after refused sends",
	      e->env_ipc_recving, 1);
}

static void
child(void)
{
	envid_t parent = thisenv->env_parent_id;
	int r;

	// Report only our own checks: the counts fork copied are the parent's.
	npass = nfail = 0;
	check_not_child(parent);
	r = sys_ipc_recv(SPARE);
	check("ipc_recv woken by the good send", r, 0);
	check("no page came with it", thisenv->env_ipc_perm, 0);
	ipc_send(parent, npass << 16 | nfail, 0, 0);
}

// Every check, with the system calls entering the kernel as the
// library's syscall_entry says (the child inherits it).
static void
check_all(const char *entry)
{
	envid_t kid;
	int r;

	npass = nfail = 0;
	if ((r = sys_page_alloc(0, RO, PERM)) < 0)
		panic("sys_page_alloc: %e", r);
	check_page_alloc();
	check_page_map();
	check_page_unmap();
	check_env_calls();
	check_ipc_self();

	if ((kid = fork()) < 0)
		panic("fork: %e", kid);
	if (kid == 0) {
		child();
		return;
	}
	check_ipc_page(kid);
	check_ranges(kid);
	ipc_send(kid, 0, 0, 0);
	r = ipc_recv(0, 0, 0);
	npass += r >> 16;
	nfail += r & 0xffff;

	// Once the child is gone its id names nothing.
	wait_env_gone(kid);
	check("page_alloc in an exited child",
	      sys_page_alloc(kid, SPARE, PERM), -E_BAD_ENV);

	sys_page_unmap(0, RO);
	if (nfail == 0)
		cprintf("syscallargs: %s: %d checks passed\n", entry, npass);
	else
		cprintf("syscallargs: %s: %d FAILED\n", entry, nfail);
}

// Both ways into the kernel must check the same way: int $0x30, then
// sysenter (where the processor has it, as QEMU's always does).
void
umain(int argc, char **argv)
{
	int chosen = syscall_entry;

	syscall_entry = SYSCALL_INT;
	check_all("int $0x30");
	if (chosen == SYSCALL_SYSENTER) {
		syscall_entry = SYSCALL_SYSENTER;
		check_all("sysenter");
	}
}
