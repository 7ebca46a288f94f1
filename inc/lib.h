/*
 * The user library: everything a user program needs comes in through
 * this one header.
 */
#ifndef JOS_INC_LIB_H
#define JOS_INC_LIB_H

#include <inc/types.h>
#include <inc/stdio.h>
#include <inc/stdarg.h>
#include <inc/string.h>
#include <inc/error.h>
#include <inc/assert.h>
#include <inc/env.h>
#include <inc/memlayout.h>
#include <inc/syscall.h>
#include <inc/trap.h>
#include <inc/region.h>
#include <inc/swap.h>

#define USED(x)		(void)(x)

// main user program
void	umain(int argc, char **argv);

// libmain.c or entry.S
extern const char *binaryname;
// thisenv lives alone in the private page [uprivate, euprivate) (see
// user/user.ld), which sfork copies instead of sharing.
extern const volatile struct Env *thisenv;
extern const volatile struct Env envs[NENV];
extern const volatile struct PageInfo pages[];

// user/user.ld: the first address past the program's bss, and the
// bounds of its private page
extern unsigned char udata[], end[], uprivate[], euprivate[];

// exit.c
void	exit(void) __attribute__((noreturn));

// pgfault.c and pfentry.S
void	set_pgfault_handler(void (*handler)(struct UTrapframe *utf));
int	exception_stack_ensure(void);
void	_pgfault_upcall(void);

// exception.c and excentry.S: traps is a mask of 1 << T_... (UEXC_TRAPS)
void	set_exception_handler(void (*handler)(struct UExcframe *uxf),
			      uint32_t traps);
void	_exception_upcall(void);

// readline.c
char*	readline(const char *buf);

// syscall.c: the stubs enter the kernel by int $0x30 or by sysenter,
// as syscall_entry says (libmain sets SYSCALL_SYSENTER if the processor
// has it); a program may change it at any time.
enum { SYSCALL_INT, SYSCALL_SYSENTER };
extern int syscall_entry;
void	syscall_entry_init(void);
int32_t	syscall_raw(uint32_t num, uint32_t a1, uint32_t a2, uint32_t a3,
		    uint32_t a4, uint32_t a5);	// any number, all five args
void	sys_cputs(const char *string, size_t len);
int	sys_cgetc(void);
envid_t	sys_getenvid(void);
int	sys_env_destroy(envid_t);
void	sys_yield(void);
static envid_t sys_exofork(void);
int	sys_env_set_status(envid_t env, int status);
int	sys_env_set_pgfault_upcall(envid_t env, void *upcall);
int	sys_page_alloc(envid_t env, void *pg, int perm);
int	sys_page_map(envid_t src_env, void *src_pg,
		     envid_t dst_env, void *dst_pg, int perm);
int	sys_page_unmap(envid_t env, void *pg);
int	sys_ipc_try_send(envid_t to_env, uint32_t value, void *pg, int perm);
int	sys_ipc_recv(void *rcv_pg);
// Waits, queued in the kernel, until to_env takes the message.
int	sys_ipc_send(envid_t to_env, uint32_t value, void *pg, int perm);
// sys_ipc_send, then sys_ipc_recv(rcv_pg), in one call (lib/ipc.c).
int	sys_ipc_call(envid_t to_env, uint32_t value, void *pg, int perm,
		     void *rcv_pg);
int	sys_page_copy(envid_t env, void *srcva, void *dstva, int perm);
int	sys_page_cow_range(envid_t child, void *start, void *end);
int	sys_page_share_range(envid_t child, void *start, void *end);
// Regions (inc/region.h): *va is the wanted address, then the one given.
int	sys_region_map(envid_t env, void **va, size_t len, int perm,
		       int flags);
int	sys_region_unmap(envid_t env, void *va, size_t len);
int	sys_region_protect(envid_t env, void *va, size_t len, int perm);
int	sys_region_query(envid_t env, void *va, struct RegionInfo *info);
// Swap (inc/swap.h).
int	sys_env_set_frame_limit(envid_t env, unsigned limit);
int	sys_env_set_swap_policy(envid_t env, int policy);
int	sys_vm_stat(envid_t env, struct VmStat *st);
// Exceptions the env takes itself (inc/trap.h).
int	sys_env_set_exception_upcall(envid_t env, void *upcall,
				     uint32_t traps);
// Scheduling priority, 0 to NPRIO - 1 (inc/env.h).
int	sys_env_set_priority(envid_t env, int prio);
// Checkpoint and restore of a stopped child: a snapshot is a new child
// that does not run; restoring puts its state back into the child.
envid_t	sys_env_snapshot(envid_t child);
int	sys_env_restore(envid_t child, envid_t snapshot);

/*
 * exofork is inlined: the child starts life returning from this very
 * int instruction, with no library stack frame of the parent's to unwind.
 */
static inline envid_t __attribute__((always_inline))
sys_exofork(void)
{
	envid_t ret;
	asm volatile("int %2"
		     : "=a" (ret)
		     : "a" (SYS_exofork), "i" (T_SYSCALL));
	return ret;
}

// testfail.c: a test program's failures, reported and counted.
extern int test_failures;
void	test_fail(const char *fmt, ...);

// ipc.c
void	ipc_send(envid_t to_env, uint32_t value, void *pg, int perm);
int32_t ipc_recv(envid_t *from_env_store, void *pg, int *perm_store);
int32_t ipc_call(envid_t to_env, uint32_t value, void *pg, int perm,
		 envid_t *from_env_store, void *rcv_pg, int *perm_store);
envid_t	ipc_find_env(enum EnvType type);

// fork.c
// PTE_SHARE (shared writable with children) and PTE_COW: inc/mmu.h.
envid_t	fork(void);
envid_t	sfork(void);
envid_t	fork_with(int (*map)(envid_t child));	// map sets up child's memory

// envgone.c
bool	env_gone(envid_t id);	// freed, or its slot reused since
void	wait_env_gone(envid_t id);	// yield until env_gone(id)
int	count_envs(void);		// envs not free, now

// uvpt.c
pte_t	pte_of(uintptr_t va);	// our entry for va; 0 if no page table
int	pages_swapped(uintptr_t va, int n);	// of n from va, on swap
bool	holds_string(uintptr_t va, const char *s);	// byte by byte

// rand.c
uint32_t rand_next(uint32_t *state);	// xorshift32; *state nonzero

// swaplock.c
void	lock_self(void);	// PTE_LOCK our text, data, bss and stack

// console.c
void	cputchar(int c);
int	getchar(void);
int	iscons(int fd);

#endif
