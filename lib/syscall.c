/*
 * System call stubs.  Two ways into the kernel, with the same numbers,
 * arguments and results (the result comes back in eax):
 *   - int $0x30, with the call number in eax and up to five arguments
 *     in edx, ecx, ebx, edi and esi; every other register is preserved;
 *   - sysenter, which leaves the kernel no way to know where to return:
 *     esi holds the return address and ebp the stack pointer, so the
 *     fifth argument goes on top of the stack; ecx and edx come back
 *     changed (kern/trapentry.S).  The return address must be just past
 *     the sysenter: a long call restarts at esi - 2 (kern/syscall.c).
 * The stubs use sysenter where the processor has it (libmain asks), and
 * int $0x30 otherwise or when a program sets syscall_entry so.
 */
#include <inc/lib.h>
#include <inc/x86.h>
#include <lib/syscall.h>

int syscall_entry = SYSCALL_INT;

#define CPUID_SEP	(1 << 11)	// leaf 1, edx: has sysenter

void
syscall_entry_init(void)
{
	uint32_t eax, ebx, ecx, edx;

	cpuid(1, &eax, &ebx, &ecx, &edx);
	if (edx & CPUID_SEP)
		syscall_entry = SYSCALL_SYSENTER;
}

int32_t
syscall_raw(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4,
	    uint32_t a5)
{
	return syscall(num, a1, a2, a3, a4, a5);
}

void
sys_cputs(const char *s, size_t len)
{
	syscall(SYS_cputs, (uint32_t) s, len, 0, 0, 0);
}

int
sys_cgetc(void)
{
	return syscall_1(SYS_cgetc, 0);
}

envid_t
sys_getenvid(void)
{
	return syscall_1(SYS_getenvid, 0);
}

int
sys_env_destroy(envid_t envid)
{
	return syscall(SYS_env_destroy, envid, 0, 0, 0, 0);
}

void
sys_yield(void)
{
	syscall_1(SYS_yield, 0);
}

int
sys_page_alloc(envid_t envid, void *va, int perm)
{
	return syscall(SYS_page_alloc, envid, (uint32_t) va, perm, 0, 0);
}

int
sys_page_map(envid_t srcenv, void *srcva, envid_t dstenv, void *dstva,
	     int perm)
{
	return syscall(SYS_page_map, srcenv, (uint32_t) srcva, dstenv,
		       (uint32_t) dstva, perm);
}

int
sys_page_unmap(envid_t envid, void *va)
{
	return syscall(SYS_page_unmap, envid, (uint32_t) va, 0, 0, 0);
}

int
sys_env_set_status(envid_t envid, int status)
{
	return syscall(SYS_env_set_status, envid, status, 0, 0, 0);
}

int
sys_env_set_pgfault_upcall(envid_t envid, void *upcall)
{
	return syscall(SYS_env_set_pgfault_upcall, envid, (uint32_t) upcall,
		       0, 0, 0);
}

int
sys_ipc_try_send(envid_t envid, uint32_t value, void *srcva, int perm)
{
	return syscall(SYS_ipc_try_send, envid, value, (uint32_t) srcva,
		       perm, 0);
}

int
sys_ipc_send(envid_t envid, uint32_t value, void *srcva, int perm)
{
	return syscall(SYS_ipc_send, envid, value, (uint32_t) srcva,
		       perm, 0);
}

int
sys_ipc_recv(void *dstva)
{
	return syscall(SYS_ipc_recv, (uint32_t) dstva, 0, 0, 0, 0);
}

// Written out in lib/syscall.h, for ipc_call to inline.
int
sys_ipc_call(envid_t envid, uint32_t value, void *srcva, int perm,
	     void *dstva)
{
	return syscall_ipc_call(envid, value, srcva, perm, dstva);
}

int
sys_page_copy(envid_t envid, void *srcva, void *dstva, int perm)
{
	return syscall(SYS_page_copy, envid, (uint32_t) srcva,
		       (uint32_t) dstva, perm, 0);
}

int
sys_page_cow_range(envid_t child, void *start, void *end)
{
	return syscall(SYS_page_cow_range, child, (uint32_t) start,
		       (uint32_t) end, 0, 0);
}

int
sys_page_share_range(envid_t child, void *start, void *end)
{
	return syscall(SYS_page_share_range, child, (uint32_t) start,
		       (uint32_t) end, 0, 0);
}

// The kernel returns the region's page number, which no address makes
// negative, so that errors and addresses never mix.
int
sys_region_map(envid_t envid, void **va, size_t len, int perm, int flags)
{
	int32_t r = syscall(SYS_region_map, envid, (uint32_t) *va, len,
				perm, flags);

	if (r < 0)
		return r;
	*va = (void *) ((uintptr_t) r << PGSHIFT);
	return 0;
}

int
sys_region_unmap(envid_t envid, void *va, size_t len)
{
	return syscall(SYS_region_unmap, envid, (uint32_t) va, len, 0, 0);
}

int
sys_region_protect(envid_t envid, void *va, size_t len, int perm)
{
	return syscall(SYS_region_protect, envid, (uint32_t) va, len,
		       perm, 0);
}

// *info is written first here, so that the kernel finds it a page of our
// own (a copy-on-write page gets its private copy from our fault handler).
int
sys_region_query(envid_t envid, void *va, struct RegionInfo *info)
{
	memset(info, 0, sizeof(*info));
	return syscall(SYS_region_query, envid, (uint32_t) va,
		       (uint32_t) info, 0, 0);
}

int
sys_env_set_frame_limit(envid_t envid, unsigned limit)
{
	return syscall(SYS_env_set_frame_limit, envid, limit, 0, 0, 0);
}

int
sys_env_set_swap_policy(envid_t envid, int policy)
{
	return syscall(SYS_env_set_swap_policy, envid, policy, 0, 0, 0);
}

int
sys_env_set_exception_upcall(envid_t envid, void *upcall, uint32_t traps)
{
	return syscall(SYS_env_set_exception_upcall, envid,
		       (uint32_t) upcall, traps, 0, 0);
}

int
sys_env_set_priority(envid_t envid, int prio)
{
	return syscall(SYS_env_set_priority, envid, prio, 0, 0, 0);
}

envid_t
sys_env_snapshot(envid_t child)
{
	return syscall(SYS_env_snapshot, child, 0, 0, 0, 0);
}

int
sys_env_restore(envid_t child, envid_t snapshot)
{
	return syscall(SYS_env_restore, child, snapshot, 0, 0, 0);
}

// Written first, as for sys_region_query.
int
sys_vm_stat(envid_t envid, struct VmStat *st)
{
	memset(st, 0, sizeof(*st));
	return syscall(SYS_vm_stat, envid, (uint32_t) st, 0, 0, 0);
}
