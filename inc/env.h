/* Environments (processes): the layout user programs read from envs[]. */
#ifndef JOS_INC_ENV_H
#define JOS_INC_ENV_H

#include <inc/types.h>
#include <inc/trap.h>
#include <inc/memlayout.h>

typedef int32_t envid_t;

/*
 * An env id is a generation count above an index into envs[]:
 *
 *   +1+---------------21-----------------+--------10--------+
 *   |0|          generation              |  index in envs[] |
 *   +-+----------------------------------+------------------+
 *
 * The generation changes each time a slot is reused, so a stale id does
 * not name the slot's new owner.  Ids are positive; 0 means "myself".
 */
#define LOG2NENV		10
#define NENV			(1 << LOG2NENV)
#define ENVX(envid)		((envid) & (NENV - 1))

// Scheduling priorities (sys_env_set_priority): the highest runnable
// env runs.  An env starts at its parent's, the first ones at the
// default.
#define NPRIO			8
#define ENV_PRIO_DEFAULT	4

enum {
	ENV_FREE = 0,
	ENV_DYING,
	ENV_RUNNABLE,
	ENV_RUNNING,
	ENV_NOT_RUNNABLE
};

enum EnvType {
	ENV_TYPE_USER = 0,
};

struct Env {
	struct Trapframe env_tf;	// registers saved while not running
	struct Env *env_link;		// next free env
	envid_t env_id;
	envid_t env_parent_id;
	enum EnvType env_type;
	unsigned env_status;
	uint32_t env_runs;		// times it has been run
	int env_cpunum;			// CPU it runs or last ran on

	pde_t *env_pgdir;		// kernel virtual address of its page directory

	void *env_pgfault_upcall;	// user page-fault entry point

	// Inter-process communication.
	bool env_ipc_recving;		// blocked in sys_ipc_recv
	void *env_ipc_dstva;		// where a received page goes
	uint32_t env_ipc_value;		// last value received
	envid_t env_ipc_from;		// its sender
	int env_ipc_perm;		// perm of the page received, 0 if none
};

#endif
