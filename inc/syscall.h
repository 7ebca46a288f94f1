/* System call numbers: int $0x30 (or sysenter) with the number in eax. */
#ifndef JOS_INC_SYSCALL_H
#define JOS_INC_SYSCALL_H

enum {
	SYS_cputs = 0,
	SYS_cgetc,
	SYS_getenvid,
	SYS_env_destroy,
	SYS_page_alloc,
	SYS_page_map,
	SYS_page_unmap,
	SYS_exofork,
	SYS_env_set_status,
	SYS_env_set_pgfault_upcall,
	SYS_yield,
	SYS_ipc_try_send,
	SYS_ipc_recv,
	// Extensions to the course interface (see README): fewer calls
	// for copy-on-write and shared-memory fork.
	SYS_page_copy,
	SYS_page_cow_range,
	SYS_page_share_range,
	// Memory regions (inc/region.h).
	SYS_region_map,
	SYS_region_unmap,
	SYS_region_protect,
	SYS_region_query,
	// Page replacement and swap (inc/swap.h).
	SYS_env_set_frame_limit,
	SYS_env_set_swap_policy,
	SYS_vm_stat,
	// User exception handlers (inc/trap.h).
	SYS_env_set_exception_upcall,
	// Scheduling priorities (inc/env.h).
	SYS_env_set_priority,
	// Checkpoint and restore of a stopped child (kern/checkpoint.c).
	SYS_env_snapshot,
	SYS_env_restore,
	// A send that waits in the kernel for the receiver (kern/ipc.c).
	SYS_ipc_send,
	// A send and a receive in one call, for clients and servers.
	SYS_ipc_call,
	NSYSCALLS
};

// sys_ipc_call's answer when it had to wait to send: the message went,
// and the caller is to receive now (lib/ipc.c).
#define IPC_CALL_SENT	1

#endif
