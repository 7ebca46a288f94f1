/*
 * Environments: the kernel's processes.
 *
 * envs[] holds all NENV of them; free ones sit on env_free_list, lowest
 * index first, and a freed slot goes back to the head so it is reused
 * next (with a new generation in its id).  Each env has its own page
 * directory: its user mappings below UTOP, the kernel's shared mappings
 * above, and its own self-map at UVPT.
 */
#include <inc/x86.h>
#include <inc/mmu.h>
#include <inc/error.h>
#include <inc/string.h>
#include <inc/assert.h>
#include <inc/elf.h>

#include <kern/env.h>
#include <kern/pmap.h>
#include <kern/trap.h>
#include <kern/monitor.h>
#include <kern/sched.h>
#include <kern/cpu.h>
#include <kern/kernlock.h>
#include <kern/trace.h>
#include <kern/region.h>
#include <kern/demand.h>
#include <kern/rmap.h>
#include <kern/swap.h>
#include <kern/fpu.h>
#include <kern/uexcept.h>
#include <kern/checkpoint.h>
#include <kern/ipc.h>

// Each reuse of a slot adds this to its id (the first id is 0x1000).
#define ENVGENSHIFT	12

// envs[] is page-aligned: user programs see it, read-only, at UENVS.
static struct Env env_table[NENV] __attribute__((aligned(PGSIZE)));
struct Env *envs = env_table;
// The free slots, and births below: taken by env_take, with the kernel
// lock exclusive or with sched_lock (a shared sys_exofork), and given
// back by env_free, exclusive, or env_exit_shared, with sched_lock.
static struct Env *env_free_list;

// A slot's ids repeat after this many generations: as many as fit in a
// positive id, unless a test asks for fewer (env_set_id_cycle).
static uint32_t id_cycle = 0x7fffffff >> ENVGENSHIFT;

/*
 * What the kernel keeps of each env beyond struct Env, whose layout the
 * user ABI fixes: env_priv[i] belongs to envs[i].
 *
 * An id names an env only until its slot's generations wrap around, so
 * authority over a child is decided by birth numbers, which are never
 * reused: a 64-bit count of env_take calls.  A child's parent is the
 * env whose birth is the child's parent_birth; once that env is freed,
 * no env has it, whatever id comes back.
 *
 * The kernel never loads %fs or %gs, so an env's own stay in the CPU
 * while it is in the kernel; env_segs keeps them while it is on no CPU:
 * saved when it leaves its CPU, loaded when it next runs (a small array
 * of its own, as the switch path indexes it).
 */
static struct {
	uint64_t birth;
	uint64_t parent_birth;		// 0: created by the kernel
} env_priv[NENV];
static uint64_t births;
static struct {
	uint16_t fs, gs;
} env_segs[NENV];

static inline void
save_user_segs(struct Env *e)
{
	int i = ENVX(e->env_id);

	asm volatile("movw %%fs, %0; movw %%gs, %1"
		     : "=m" (env_segs[i].fs), "=m" (env_segs[i].gs));
}

static inline void
load_user_segs(struct Env *e)
{
	int i = ENVX(e->env_id);

	asm volatile("movw %0, %%fs; movw %1, %%gs"
		     : : "m" (env_segs[i].fs), "m" (env_segs[i].gs));
}

// dst, on no CPU, will run with the %fs and %gs src (on no CPU) left.
void
env_copy_segs(struct Env *dst, struct Env *src)
{
	env_segs[ENVX(dst->env_id)] = env_segs[ENVX(src->env_id)];
}

// Is parent the living env that created child?
static inline bool
env_is_parent(struct Env *parent, struct Env *child)
{
	return env_priv[ENVX(child->env_id)].parent_birth
		== env_priv[ENVX(parent->env_id)].birth;
}

/*
 * The GDT: kernel and user flat segments, then one TSS slot per CPU
 * (filled by trap_init_percpu).  The user segments have DPL 3.
 */
struct Segdesc gdt[NCPU + 5] = {
	SEG_NULL,
	[GD_KT >> 3] = SEG(STA_X | STA_R, 0x0, 0xffffffff, 0),
	[GD_KD >> 3] = SEG(STA_W, 0x0, 0xffffffff, 0),
	[GD_UT >> 3] = SEG(STA_X | STA_R, 0x0, 0xffffffff, 3),
	[GD_UD >> 3] = SEG(STA_W, 0x0, 0xffffffff, 3),
};

static struct Pseudodesc gdt_pd = {
	sizeof(gdt) - 1, (unsigned long) gdt
};

// envid2env for a nonzero envid (kern/env.h).
int
envid2env_lookup(envid_t envid, struct Env **env_store, bool checkperm)
{
	struct Env *e = &envs[ENVX(envid)];

	if (!env_live(e) || e->env_id != envid
	    || (checkperm && e != curenv && !env_is_parent(curenv, e))) {
		*env_store = NULL;
		return -E_BAD_ENV;
	}
	*env_store = e;
	return 0;
}

// e's birth number: no other env ever has it (see env_priv).
uint64_t
env_birth(struct Env *e)
{
	return env_priv[ENVX(e->env_id)].birth;
}

// Make each slot's ids repeat after n generations, so a test can reach
// the wrap-around in a few reuses instead of 2^19.
void
env_set_id_cycle(uint32_t n)
{
	if (n > 0 && n < id_cycle)
		id_cycle = n;
}

// Put every env on the free list, and show envs[] to user programs.
void
env_init(void)
{
	size_t off;
	pte_t *pte;
	int i;

	boot_map_region(kern_pgdir, UENVS, sizeof(env_table), PADDR(envs),
			PTE_U);
	for (off = 0; off < sizeof(env_table); off += PGSIZE) {
		pte = pgdir_walk(kern_pgdir, (void *) (UENVS + off), 0);
		assert(pte && *pte == ((PADDR(envs) + off) | PTE_U | PTE_P));
	}

	env_free_list = NULL;
	for (i = NENV - 1; i >= 0; i--) {
		envs[i].env_id = 0;
		envs[i].env_status = ENV_FREE;
		envs[i].env_link = env_free_list;
		env_free_list = &envs[i];
	}
}

// Load the GDT and reload every segment register from it.
void
env_init_percpu(void)
{
	lgdt(&gdt_pd);
	// User code never runs with the kernel's GS and FS.
	asm volatile("movw %%ax,%%gs" : : "a" (GD_UD | 3));
	asm volatile("movw %%ax,%%fs" : : "a" (GD_UD | 3));
	asm volatile("movw %%ax,%%es" : : "a" (GD_KD));
	asm volatile("movw %%ax,%%ds" : : "a" (GD_KD));
	asm volatile("movw %%ax,%%ss" : : "a" (GD_KD));
	// A far jump reloads CS.
	asm volatile("ljmp %0,$1f\n 1:\n" : : "i" (GD_KT));
	asm volatile("lldt %0" : : "r" ((uint16_t) 0));
}

// Give e a page directory: the kernel's mappings above UTOP, nothing
// below, and its own UVPT self-map.
static int
env_setup_vm(struct Env *e)
{
	struct PageInfo *p = page_alloc(ALLOC_ZERO);

	if (!p)
		return -E_NO_MEM;
	p->pp_ref++;
	e->env_pgdir = page2kva(p);
	rmap_set_owner(e->env_pgdir, e - envs);
	memcpy(&e->env_pgdir[PDX(UTOP)], &kern_pgdir[PDX(UTOP)],
	       (NPDENTRIES - PDX(UTOP)) * sizeof(pde_t));
	e->env_pgdir[PDX(UVPT)] = PADDR(e->env_pgdir) | PTE_P | PTE_U;
	return 0;
}

// The id e's slot gives its next env: the next generation, and after
// the last one (ids stay positive) the first again.
static envid_t
next_env_id(struct Env *e)
{
	uint32_t generation = ((uint32_t) e->env_id >> ENVGENSHIFT) + 1;

	if (generation > id_cycle)
		generation = 1;
	return (generation << ENVGENSHIFT) | (e - envs);
}

/*
 * Take a free env, not yet runnable, with fresh user registers and an
 * empty address space.  parent is the env creating it, which must be
 * the current env, or NULL when the kernel does; a child inherits its
 * parent's %fs and %gs (exofork copies the other registers).  Returns 0
 * and the env in *newenv_store, or -E_NO_FREE_ENV or -E_NO_MEM, having
 * changed nothing.  The caller owns the env table and the page
 * allocator (sched_lock and mem_lock, if not alone), and announces the
 * env (env_announce) once it has let go of them.
 */
int
env_take(struct Env **newenv_store, struct Env *parent)
{
	struct Env *e = env_free_list;
	int i, r;

	assert((!parent || parent == curenv) && sched_owned() && mem_owned());
	if (!e)
		return -E_NO_FREE_ENV;
	if ((r = env_setup_vm(e)) < 0)
		return r;

	e->env_id = next_env_id(e);
	e->env_parent_id = parent ? parent->env_id : 0;
	i = ENVX(e->env_id);
	env_priv[i].birth = ++births;
	env_priv[i].parent_birth = parent ? env_priv[ENVX(parent->env_id)].birth : 0;
	if (parent)
		save_user_segs(e);	// the live registers are parent's
	else
		env_segs[i].fs = env_segs[i].gs = GD_UD | 3;
	swap_env_init(e, parent);
	fpu_env_init(e, parent);
	uexcept_env_init(e);
	sched_env_init(e, parent);
	e->env_type = ENV_TYPE_USER;
	e->env_runs = 0;
	e->env_cpunum = -1;

	// User segments at ring 3; interrupts always on in user mode, and
	// IOPL 0 so the env cannot turn them off.
	memset(&e->env_tf, 0, sizeof(e->env_tf));
	e->env_tf.tf_ds = GD_UD | 3;
	e->env_tf.tf_es = GD_UD | 3;
	e->env_tf.tf_ss = GD_UD | 3;
	e->env_tf.tf_esp = USTACKTOP;
	e->env_tf.tf_cs = GD_UT | 3;
	e->env_tf.tf_eflags = FL_IF;

	e->env_pgfault_upcall = NULL;
	e->env_ipc_recving = false;

	// Last: another CPU's envid2env knows it by its status.
	env_set_status(e, ENV_NOT_RUNNABLE);
	env_free_list = e->env_link;
	e->env_link = NULL;
	*newenv_store = e;
	return 0;
}

// Say that parent (the kernel, if NULL) made e.
void
env_announce(struct Env *e, struct Env *parent)
{
	cprintf("[%08x] new env %08x\n", curenv ? curenv->env_id : 0, e->env_id);
	if (parent)
		trace_inherit(e->env_id, parent->env_id);
}

// env_take and env_announce, with the kernel lock held exclusive.
int
env_alloc(struct Env **newenv_store, struct Env *parent)
{
	int r;

	assert(kernel_alone());
	if ((r = env_take(newenv_store, parent)) == 0)
		env_announce(*newenv_store, parent);
	return r;
}

// Does loadable segment ph[i] share a page with one before it?  Each
// becomes a region of its own.
static bool
segments_share_a_page(struct Proghdr *ph, int i)
{
	uintptr_t start = ROUNDDOWN(ph[i].p_va, PGSIZE);
	uintptr_t end = ROUNDUP(ph[i].p_va + ph[i].p_memsz, PGSIZE);
	int j;

	for (j = 0; j < i; j++)
		if (ph[j].p_type == ELF_PROG_LOAD && ph[j].p_memsz
		    && ROUNDDOWN(ph[j].p_va, PGSIZE) < end
		    && ROUNDUP(ph[j].p_va + ph[j].p_memsz, PGSIZE) > start)
			return true;
	return false;
}

// Why the ELF image elf can't be loaded, or NULL if it can.
static const char *
elf_problem(struct Elf *elf)
{
	struct Proghdr *ph = (struct Proghdr *) ((uint8_t *) elf + elf->e_phoff);
	int i;

	if (elf->e_magic != ELF_MAGIC)
		return "not an ELF image";
	if (elf->e_phnum > 64 || elf->e_phoff > 0x10000)
		return "implausible program headers";
	for (i = 0; i < elf->e_phnum; i++) {
		if (ph[i].p_type != ELF_PROG_LOAD)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_va < UMINADDR
		    || ph[i].p_va + ph[i].p_memsz < ph[i].p_va
		    || ph[i].p_va + ph[i].p_memsz > USTACKTOP - USTACKSIZE)
			return "a segment is outside program memory";
		if (segments_share_a_page(ph, i))
			return "two segments share a page";
	}
	if (elf->e_entry >= UTOP)
		return "entry point outside user memory";
	return NULL;
}

/*
 * Give e the program in the ELF image at binary, on demand: a region
 * for each loadable segment (read-only unless it is writable), whose
 * pages kern/demand.c fills from the image at their first touch, and
 * the user stack's region below USTACKTOP, with no region under it to
 * catch a stack that runs past it.  elf_problem has checked binary.
 */
static int
load_icode(struct Env *e, uint8_t *binary)
{
	struct Elf *elf = (struct Elf *) binary;
	struct Proghdr *ph = (struct Proghdr *) (binary + elf->e_phoff);
	struct Proghdr *eph = ph + elf->e_phnum;
	struct RegionSet *s = env_regions(e);
	struct Region r;
	int err;

	for (; ph < eph; ph++) {
		if (ph->p_type != ELF_PROG_LOAD || ph->p_memsz == 0)
			continue;
		r = (struct Region) {
			.start = ROUNDDOWN(ph->p_va, PGSIZE),
			.end = ROUNDUP(ph->p_va + ph->p_memsz, PGSIZE),
			.perm = PTE_P | PTE_U
				| (ph->p_flags & ELF_PROG_FLAG_WRITE ? PTE_W : 0),
			.kind = REGION_IMAGE,
			.exec = (ph->p_flags & ELF_PROG_FLAG_EXEC) != 0,
			.image = { binary + ph->p_offset, ph->p_va, ph->p_filesz },
		};
		if ((err = region_add(s, &r)) < 0)
			return err;
	}
	r = (struct Region) { .start = USTACKTOP - USTACKSIZE,
		.end = USTACKTOP, .perm = PTE_P | PTE_U | PTE_W,
		.kind = REGION_STACK };
	if ((err = region_add(s, &r)) < 0)
		return err;
	e->env_tf.tf_eip = elf->e_entry;
	return 0;
}

// Start a new env running the ELF image at binary.
void
env_create(uint8_t *binary, enum EnvType type)
{
	struct Env *e;
	const char *problem;
	int r;

	if ((problem = elf_problem((struct Elf *) binary))) {
		cprintf("env_create: cannot load program: %s\n", problem);
		return;
	}
	if ((r = env_alloc(&e, NULL)) < 0) {
		cprintf("env_create: %e\n", r);
		return;
	}
	e->env_type = type;
	if ((r = load_icode(e, binary)) < 0) {
		cprintf("env_create: loading program: %e\n", r);
		env_free(e);
		return;
	}
	trace_program(e->env_id, binary);
	env_set_status(e, ENV_RUNNABLE);
}

// Has e no parent (any more)?  An env the kernel made never had one; a
// freed env's birth goes at the start of its free (env_free).
static bool
env_orphaned(struct Env *e)
{
	uint64_t parent_birth = env_priv[ENVX(e->env_id)].parent_birth;

	return !parent_birth
		|| env_priv[ENVX(e->env_parent_id)].birth != parent_birth;
}

// Is e stopped: not runnable, and waiting for no message?
static bool
stopped(struct Env *e)
{
	return e->env_status == ENV_NOT_RUNNABLE && !ipc_blocked(e);
}

/*
 * An env whose parent is gone, not runnable and waiting for no message,
 * can never run again: only its parent may start or destroy it
 * (envid2env's parent check), and a message wakes only an env waiting
 * for one.  Such an env (a child its parent was still building, or had
 * stopped, or that stopped itself) goes with its parent, rather than
 * hold its slot and pages for good.
 */
static bool
stranded(struct Env *e)
{
	return stopped(e) && env_orphaned(e);
}

// Destroy every stranded env but freed (whose free this is), and those
// that leaves stranded.  Only a stopped env can be: with none blocked,
// none is looked at.
static void
destroy_stranded(struct Env *freed)
{
	struct Env *e;
	bool again = true;

	while (again && sched_nblocked()) {
		again = false;
		for (e = envs; e < envs + NENV; e++)
			if (e != freed && stranded(e)) {
				// Stopped while it ran here, it was stranded
				// by an earlier free, whose look saw it on a
				// CPU and marked it dying.
				assert(e != curenv);
				env_destroy(e);
				again = true;
			}
	}
}

// Would e's death strand a child of its?  Only a stopped env can be
// stranded: with none blocked, none is looked at.
static bool
strands_a_child(struct Env *e)
{
	uint64_t birth = env_priv[ENVX(e->env_id)].birth;
	struct Env *c;

	if (!sched_nblocked())
		return false;
	for (c = envs; c < envs + NENV; c++)
		if (stopped(c) && env_priv[c - envs].parent_birth == birth)
			return true;
	return false;
}

// Destroy e if it is stranded: an env with no parent left stopping
// itself.  Does not return then.
void
env_destroy_if_stranded(struct Env *e)
{
	if (stranded(e))
		env_destroy(e);
}

// e is being freed: say so.  Its birth goes, so that its children see
// it gone (env_orphaned).
static void
free_begins(struct Env *e)
{
	cprintf("[%08x] free env %08x\n", curenv ? curenv->env_id : 0, e->env_id);
	TRACE(TR_EXIT, e->env_id, 0, 0);
	env_priv[ENVX(e->env_id)].birth = 0;
}

// Free e's address space (on no CPU) and the kernel's record of it.
static void
free_space(struct Env *e)
{
	pde_t *pgdir = e->env_pgdir;

	pgdir_free_user(pgdir);
	e->env_pgdir = NULL;
	page_decref(pa2page(PADDR(pgdir)));
	regions_free(env_regions(e));
	swap_env_free(e);
	fpu_env_free(e);
}

// e's slot is free for the next env.
static void
free_slot(struct Env *e)
{
	env_set_status(e, ENV_FREE);
	e->env_link = env_free_list;
	env_free_list = e;
}

/*
 * Free e and everything its address space holds, and the envs that
 * leaves stranded (its stopped children, theirs, ...), which go before
 * e shows free.  A free inside another (a stranded env's, a snapshot's)
 * leaves the looking to the outermost one, which looks once all of
 * those are done, so that the kernel stack does not grow with a chain
 * of them.
 */
void
env_free(struct Env *e)
{
	static bool freeing;	// the exclusive kernel lock's
	bool outermost = !freeing;

	assert(kernel_alone());
	freeing = true;
	// Never free the page directory this CPU is using.
	if (e == curenv)
		load_pgdir(kern_pgdir);
	// Out of IPC first (its queue, and any queue it was in): freeing a
	// child it was sending to must not wake it.
	ipc_env_free(e);
	free_begins(e);
	swap_end_builds(e);
	free_space(e);
	checkpoint_env_free(e);
	if (outermost)
		destroy_stranded(e);
	free_slot(e);
	freeing = !outermost;
}

/*
 * Destroy e.  An env another CPU is running (whatever its status says)
 * is only marked dying: that CPU frees it the next time it enters the
 * kernel.  Destroying the current env does not return.
 */
void
env_destroy(struct Env *e)
{
	if (e == curenv)
		env_free_current();
	if (env_on_cpu(e))
		env_set_status(e, ENV_DYING);
	else
		env_free(e);
}

// Free this CPU's env and go on with another.  Does not return.
void
env_free_current(void)
{
	env_free(curenv);
	curenv = NULL;
	sched_yield();
}

/*
 * May e, the current env, be freed holding the kernel lock shared
 * (env_exit_shared)?  Only if its free touches nothing but its own
 * address space and slot, this CPU, and what mem_lock (the swap slots
 * its entries and pages let go among them) and sched_lock cover: no
 * other CPU has its page directory loaded; no frame limit anywhere to
 * count for; no shared object, no snapshot and no child being built;
 * and no child its exit would strand (destroy_stranded is the exclusive
 * free's).  Once true, it stays so while e runs: the rest change only
 * by e's own calls or under the exclusive lock, and a child that stops
 * meanwhile waits in IPC, which strands nobody.  (e's own status may
 * change meanwhile, its parent stopping or starting it with sched_lock;
 * its free does not look at it.)
 */
bool
env_exit_shared_ok(struct Env *e)
{
	struct CpuInfo *c = thiscpu;
	struct SwapEnv *se = env_swap(e);
	bool ok;

	sched_lock_take(c);		// for the children's status
	ok = !pgdir_loaded_elsewhere(e->env_pgdir)
		&& !swap_nlimited && !se->building
		&& !regions_share(env_regions(e), 0, UTOP)
		&& !checkpoint_involved(e) && !strands_a_child(e);
	sched_lock_give(c);
	return ok;
}

/*
 * The current env exits, holding the kernel lock shared, as env_free
 * would free it: its address space under mem_lock, then its slot under
 * sched_lock, which the next env's choice keeps.  Other CPUs run on
 * meanwhile.  Only when env_exit_shared_ok.
 */
void
env_exit_shared(void)
{
	struct CpuInfo *c = thiscpu;
	struct Env *e = c->cpu_env;

	load_pgdir(kern_pgdir);
	free_begins(e);
	spin_lock(&mem_lock);
	free_space(e);
	spin_unlock(&mem_lock);
	sched_lock_take(c);
	ipc_env_free(e);
	free_slot(e);
	c->cpu_env = NULL;
	sched_yield();
}

// The first address user_mem_check found bad.  CPUs holding the kernel
// lock shared may write it at once (a shared sys_cputs step's check),
// but only user_mem_assert reads it, right after its own check and
// holding the lock exclusive, so alone.
static uintptr_t user_mem_check_addr;

/*
 * May env access [va, va+len) with permissions perm (plus PTE_P), now
 * or, for region pages not touched yet, at their first touch?  Returns
 * 0, or -E_FAULT with user_mem_check_addr set to the first bad address.
 * The range must lie below ULIM and must not wrap.  Maps nothing: the
 * caller reads through demand_copyin, or brings pages in to write them.
 */
int
user_mem_check(struct Env *env, const void *va, size_t len, int perm)
{
	uintptr_t start = (uintptr_t) va;
	uintptr_t last = start + len - 1;
	uintptr_t page;

	if (len == 0)
		return 0;
	if (last < start)			// wraps around
		last = 0xFFFFFFFF;
	// page reaches ULIM, which fails, before it could wrap.
	for (page = ROUNDDOWN(start, PGSIZE); page <= last; page += PGSIZE)
		if (!demand_page_ok(env, page, perm)) {
			user_mem_check_addr = MAX(page, start);
			return -E_FAULT;
		}
	return 0;
}

// Like user_mem_check, but destroys env, with a message, on failure.
// Does not return if env is the current environment.
void
user_mem_assert(struct Env *env, const void *va, size_t len, int perm)
{
	if (user_mem_check(env, va, len, perm | PTE_U) < 0)
		user_mem_fail(env, user_mem_check_addr);
}

// Destroy env for its bad address va, saying so as user_mem_assert does.
void
user_mem_fail(struct Env *env, uintptr_t va)
{
	cprintf("[%08x] user_mem_check assertion failure for va %08x\n",
		env->env_id, va);
	env_destroy(env);
}

// This CPU stops running its env, which stays as it is (blocked, say):
// keep the segment registers it loaded for when it runs again.
void
env_leave_cpu(void)
{
	if (curenv) {
		save_user_segs(curenv);
		fpu_switch_out(thiscpu, curenv);
		TRACE(TR_SWITCH, 0, curenv->env_id, 0);
	}
	curenv = NULL;
}

/*
 * Switch this CPU to e and run it in user mode.  Releases the kernel
 * lock on the way out (leave_kernel).  Resuming the env that trapped is
 * the hot path: its CPU state is already in place.
 */
void
env_run(struct Env *e)
{
	// This CPU, looked up once: the compiler would look again after
	// every asm volatile below.
	struct CpuInfo *c = thiscpu;
	struct Env *prev = c->cpu_env;

	if (e != prev) {
		// e is this CPU's from here on, so prev may be queued again
		// (and run elsewhere, with the segment registers saved now).
		if (prev) {
			save_user_segs(prev);
			fpu_switch_out(c, prev);
		}
		c->cpu_env = e;
		c->cpu_switches++;
		TRACE(TR_SWITCH, e->env_id, prev ? prev->env_id : 0, 0);
		if (prev && prev->env_status == ENV_RUNNING)
			env_set_status(prev, ENV_RUNNABLE);
		// The scheduler took e off its queue (choose).
		assert(e->env_status == ENV_RUNNING);
		e->env_cpunum = c - cpus;
		// The queues and statuses are settled: other CPUs may choose
		// while this one loads e.  The next trap from user mode saves
		// e's registers in e->env_tf.
		sched_release(c);
		trap_set_frame_top(c, (uintptr_t) (&e->env_tf + 1));
		load_pgdir(e->env_pgdir);
		load_user_segs(e);
	} else
		sched_release(c);
	env_resume(c, e);
}
