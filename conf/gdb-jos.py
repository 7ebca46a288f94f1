"""
gdb commands for looking at the kernel from outside: `jos envs`, `jos tf`,
`jos vm`, `jos regions`, `jos cpus`, `jos locks`, `jos user` and `jos pc`
(`help jos` lists them).
.gdbinit (made from .gdbinit.tmpl) loads this file.

They read the kernel's data through QEMU's gdb stub, as the selected CPU
sees memory, and take every structure's layout from the kernel's debug
info (obj/kern/kernel must be loaded as the symbol file), so a field
added to struct Env needs no change here; the trap names, too, are
kern/trap.c's own excnames[], and the region kinds inc/region.h's enum.
Only what the debug info lacks is repeated below: numbers that are
#defines, fixed by the interface (inc/memlayout.h, inc/mmu.h, inc/env.h,
inc/trap.h) or by kern/region.h, and what kern/trap.c decides in code
(the labels print_trapframe prints, the vectors trapname() names without
its table).
"""

import collections
import os
import struct

import gdb

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = os.path.join(TOP, "obj", "kern", "kernel")
USER_DIR = os.path.join(TOP, "obj", "user")

KERNBASE = 0xF0000000
NENV = 1024
PGSIZE = 4096
MAXREGIONS = 1024       # kern/region.h: an env's region pointers fill a page
GD_KT = 0x08
USER_CS = 0x18 | 3
T_PGFLT = 14
T_SYSCALL = 48
TF_ERR_SYSENTER = 1     # a system call's tf_err when it came by sysenter
IRQ_OFFSET = 32
CR0_WP = 0x10000
CR0_PG = 0x80000000
CR4_PSE = 0x10
PTE_P = 0x1
PTE_W = 0x2
PTE_PS = 0x80
PTE_SHARE = 0x400

# Page table entry bits, low to high, as `jos vm` names them.
PTE_BITS = [(0x1, "P"), (0x2, "W"), (0x4, "U"), (0x8, "PWT"),
    (0x10, "PCD"), (0x20, "A"), (0x40, "D"), (0x80, "PS"), (0x100, "G"),
    (0x200, "LOCK"), (0x400, "SHARE"), (0x800, "COW")]
PTE_SWAP = 0x80     # in a page table entry without P: a swap entry

# ---------------------------------------------------------------------
# Reading the machine and the kernel


def reg(name):
    """A register of the selected CPU, as an unsigned integer."""
    return int(gdb.parse_and_eval("(unsigned int) $" + name))


def current_cpu():
    """The CPU gdb looks at: QEMU shows CPU i as thread id i + 1."""
    return gdb.selected_thread().ptid[1] - 1


def is_real_mode(cs):
    """Whether code at selector cs runs 16-bit.  Our 32-bit code runs
    only with the kernel or the user code selector; any other CS value
    is a real-mode segment (the BIOS, the boot sector, a starting CPU).
    Between setting CR0_PE and its far jump, boot.S still runs 16-bit
    code with CS 0, which this gets right where CR0 would not."""
    return cs not in (GD_KT, USER_CS)


def kernel_objfile():
    for objfile in gdb.objfiles():
        if objfile.filename and (os.path.realpath(objfile.filename) ==
                os.path.realpath(KERNEL)):
            return objfile
    raise gdb.GdbError("the kernel's symbols are not loaded: "
        "symbol-file obj/kern/kernel")


def kernel_var(name):
    """A kernel global or file-static variable, never a user program's
    symbol of the same name (user programs have their own `envs`)."""
    objfile = kernel_objfile()
    sym = (objfile.lookup_global_symbol(name) or
        objfile.lookup_static_symbol(name))
    if sym is None:
        raise gdb.GdbError("no kernel variable %s" % name)
    return sym.value()


def read(addr, size):
    try:
        return gdb.selected_inferior().read_memory(addr, size).tobytes()
    except gdb.MemoryError:
        raise gdb.GdbError("cannot read %d bytes at 0x%08x" % (size, addr))


def word(data, off):
    return struct.unpack_from("<I", data, off)[0]


def field_offsets(typename):
    """Byte offset of each field of a C struct, and its size."""
    t = gdb.lookup_type(typename)
    return {f.name: f.bitpos // 8 for f in t.fields()}, t.sizeof


def enum_names(constant, prefix):
    """Value -> name for the enum holding constant, without prefix."""
    t = gdb.parse_and_eval(constant).type
    return {f.enumval: f.name[len(prefix):] for f in t.fields()}


def enum_names_if_any(constant, prefix):
    """enum_names, or {} when the debug info does not have constant as
    an enumerator (the compiler may leave out an enum no variable has as
    its type): the caller then shows the numbers."""
    try:
        t = gdb.parse_and_eval(constant).type.strip_typedefs()
    except gdb.error:
        return {}
    if t.code != gdb.TYPE_CODE_ENUM:
        return {}
    return {f.enumval: f.name[len(prefix):] for f in t.fields()
        if f.name.startswith(prefix)}


def to_int(arg, what):
    try:
        v = gdb.parse_and_eval(arg)
    except gdb.error as e:
        raise gdb.GdbError("bad %s %r: %s" % (what, arg, e))
    if v.type.strip_typedefs().code == gdb.TYPE_CODE_STRUCT:
        return int(v.address)
    return int(v.cast(gdb.lookup_type("unsigned int")))


def parse_envid(arg):
    """Env ids are hex, as the kernel prints them: 1000 or 0x1000."""
    try:
        return int(arg, 16)
    except ValueError:
        raise gdb.GdbError("bad env id %r: give it in hex, like 1001" % arg)


class JosCommand(gdb.Command):
    """A jos subcommand.  Errors from gdb itself (memory it cannot read,
    say) come out as a one-line message, not a Python trace."""

    needs_qemu = True

    def invoke(self, arg, from_tty):
        if self.needs_qemu and gdb.selected_thread() is None:
            raise gdb.GdbError("gdb is not connected to QEMU: start QEMU "
                "with make qemu-gdb or make run-NAME-gdb, then make gdb")
        try:
            self.run(arg.strip())
        except gdb.error as e:
            raise gdb.GdbError(str(e))


def trap_name(trapno):
    """A trap's name as kern/trap.c's trapname() gives it: from the
    kernel's excnames[] (read from its memory), then the vectors it
    names in code."""
    names = kernel_var("excnames")
    if trapno <= names.type.range()[1]:
        return names[trapno].string()
    if trapno == T_SYSCALL:
        return "System call"
    if IRQ_OFFSET <= trapno < IRQ_OFFSET + 16:
        return "Hardware Interrupt"
    return "(unknown trap)"


def function_at(pc):
    block = gdb.current_progspace().block_for_pc(pc)
    while block is not None and block.function is None:
        block = block.superblock
    return block.function.name if block is not None else "??"


# ---------------------------------------------------------------------
# Environments


class Env:
    """The fields of one envs[] slot that the commands show."""

    def __init__(self, index, addr, data, off):
        self.index = index
        self.tf_addr = addr + off["env_tf"]
        for name in ("env_id", "env_parent_id", "env_status", "env_runs",
                "env_pgdir", "env_pgfault_upcall"):
            setattr(self, name[4:], word(data, off[name]))
        self.cpunum = struct.unpack_from("<i", data, off["env_cpunum"])[0]


def all_envs():
    """Every slot of envs[], read with one memory access, and its page
    fault counters, from region_sets[] (indexed like envs[]) with
    another."""
    off, size = field_offsets("struct Env")
    base = int(kernel_var("envs"))
    if base == 0:
        raise gdb.GdbError("envs is not allocated yet (before mem_init)")
    data = read(base, NENV * size)
    envs = [Env(i, base + i * size, data[i * size:(i + 1) * size], off)
        for i in range(NENV)]
    off, size = field_offsets("struct RegionSet")
    data = read(int(kernel_var("region_sets").address), NENV * size)
    for e in envs:
        e.kfaults = word(data, e.index * size + off["kfaults"])
        e.ufaults = word(data, e.index * size + off["ufaults"])
    return envs


def read_paging(envs):
    """Each env's frame limit, replacement policy and paging counts,
    from swap_envs[] (kern/swap.h; indexed like envs[]), and how many of
    its pages are resident, as swap_resident() counts them: the count
    kept while it has a limit, else its pages on the reverse map."""
    off, size = field_offsets("struct SwapEnv")
    counts = field_offsets("struct VmCounts")[0]
    first = min(e.index for e in envs)
    data = read(int(kernel_var("swap_envs").address) + first * size,
        (max(e.index for e in envs) + 1 - first) * size)
    for e in envs:
        at = (e.index - first) * size
        e.limit, e.swapped, e.resident = (word(data, at + off[f])
            for f in ("limit", "swapped", "resident"))
        e.policy = data[at + off["policy"]]
        for f in ("swapins", "swapouts", "dropped"):
            setattr(e, f, word(data, at + off["counts"] + counts[f]))
    unlimited = [e for e in envs if not e.limit]
    if unlimited:
        recorded = recorded_pages()
        for e in unlimited:
            e.resident = recorded.get(e.pgdir, 0)


def recorded_pages():
    """How many pages each page directory (by kernel address) has on the
    reverse map, rmaps[] (kern/rmap.h): a page is on it, with its
    mapping's pgdir, while that mapping may swap it out.  {} before
    rmap_init."""
    base, n = int(kernel_var("rmaps")), int(kernel_var("npages"))
    if base == 0:
        return {}
    off, size = field_offsets("struct Rmap")
    return collections.Counter(pgdir for pgdir in
        (walk_rmaps if few_recorded(n * size) else scan_rmaps)(base, n,
        off, size) if pgdir)


def few_recorded(array_size):
    """Whether walking the reverse map's list, one read a page, takes
    fewer reads than the whole array, which gdb reads a packet (about
    2 KiB) at a time: with 128 MiB, whether fewer than 512 pages are on
    the list."""
    return int(kernel_var("rmap_recorded")) * 2048 < array_size


def walk_rmaps(base, n, off, size):
    """The pgdir of each page on the list, from its head (at most n:
    stopped in the middle of a change, the list may not end)."""
    i = int(kernel_var("rmap_head"))
    for _ in range(n):
        if i >= n:
            return
        data = read(base + i * size, size)
        yield word(data, off["pgdir"])
        i = word(data, off["next"])


def scan_rmaps(base, n, off, size):
    """The pgdir (or 0) of each element of rmaps[], read at once."""
    data = read(base, n * size)
    return (word(data, i * size + off["pgdir"]) for i in range(n))


def policy_name(policy):
    """A replacement policy's name, from kern/swap.c's policy_names[]."""
    names = kernel_var("policy_names")
    if 0 < policy <= names.type.range()[1] and int(names[policy]):
        return names[policy].string()
    return str(policy)


def current_env_id():
    cpu = cpus_info()[current_cpu()]
    if cpu["env"] == 0:
        raise gdb.GdbError("env 0 means the current env, "
            "and CPU %d runs none" % current_cpu())
    return word(read(cpu["env"] + field_offsets("struct Env")[0]["env_id"],
        4), 0)


def find_env(arg):
    envid = parse_envid(arg)
    if envid == 0:
        envid = current_env_id()
    e = all_envs()[envid % NENV]
    statuses = enum_names("ENV_FREE", "ENV_")
    if e.id != envid or statuses.get(e.status) == "FREE":
        raise gdb.GdbError("no env %08x (slot %d holds %08x, %s)" % (envid,
            envid % NENV, e.id, statuses.get(e.status, e.status)))
    return e


def env_line(e, statuses):
    cpu = "%d" % e.cpunum if e.runs and e.cpunum >= 0 else "-"
    upcall = "0x%08x" % e.pgfault_upcall if e.pgfault_upcall else "-"
    return ("%08x  %-12s  %-3s  %6d  %08x  %-10s  %7d  %7d  %8d  %7d  %7d"
        "  %8d" % (e.id, statuses.get(e.status, str(e.status)), cpu, e.runs,
        e.parent_id, upcall, e.kfaults, e.ufaults, e.resident, e.swapped,
        e.swapins, e.swapouts))


class JosPrefix(gdb.Command):
    """Look at the JOS kernel's state: environments, trap frames, page
tables, memory regions, CPUs and locks.  Also loads a user program's symbols
and shows where the CPU stopped.  Type `help jos COMMAND` for each
one."""

    def __init__(self):
        super().__init__("jos", gdb.COMMAND_USER, prefix=True)


class JosEnvs(JosCommand):
    """List the environments that exist: jos envs [ENVID]

One line per envs[] slot that is not free: env id, status, the CPU it
runs on (or last ran on; - if it never ran), how many times it has run,
its parent's id, its page fault upcall (- if none), its page fault
counts: kfaults, faults the kernel served (a first touch of a region's
page, kern/demand.c, or a swap-in), and ufaults, faults it did not, sent
on to the upcall (or fatal without one); and its paging (kern/swap.c):
resident, its pages that may be swapped out and are in memory now (not
shared, locked or PTE_SHARE pages), swapped, its page table entries
naming swap slots, swapins, pages read back from the swap disk, and
swapouts, pages written to it.
With ENVID (hex, as the kernel prints it; 0 means the current env), show
that env alone, its replacement policy, frame limit and pages dropped
(let go without a write: their slot still held them), its page
directory, and the registers saved in its env_tf (stale while the env is
running: they are saved at each trap)."""

    def __init__(self):
        super().__init__("jos envs", gdb.COMMAND_DATA)

    def run(self, arg):
        statuses = enum_names("ENV_FREE", "ENV_")
        header = ("env       status        cpu    runs  parent    upcall"
            "      kfaults  ufaults  resident  swapped  swapins  swapouts")
        if arg:
            e = find_env(arg)
            read_paging([e])
            print(header)
            print(env_line(e, statuses))
            print("paging: policy %s, %s, %d dropped" % (
                policy_name(e.policy), "frame limit %d" % e.limit
                if e.limit else "no frame limit", e.dropped))
            print("page directory at 0x%08x (pa 0x%08x)" % (e.pgdir,
                e.pgdir - KERNBASE))
            print("saved registers, envs[%d].env_tf:" % e.index)
            print_trapframe(e.tf_addr,
                e.cpunum if e.cpunum >= 0 else current_cpu())
            return
        live = [e for e in all_envs() if statuses.get(e.status) != "FREE"]
        if not live:
            print("no environments")
            return
        read_paging(live)
        print(header)
        for e in live:
            print(env_line(e, statuses))


# ---------------------------------------------------------------------
# Trap frames


def trapframe_at(addr):
    """The struct Trapframe at addr, read from memory."""
    tf = gdb.Value(addr).cast(
        gdb.lookup_type("struct Trapframe").pointer()).dereference()
    try:
        tf.fetch_lazy()
    except gdb.MemoryError:
        raise gdb.GdbError("cannot read a trap frame at 0x%08x" % addr)
    return tf


# print_trapframe's labels, where they are not the field's name, and
# the fields it prints only for a trap from user mode.
TF_LABELS = {"trapno": "trap", "eflags": "flag"}
TF_USER_ONLY = ("esp", "ss")


def frame_fields(tf):
    """(label, value) for each field of the struct Trapframe value tf,
    as the debug info lays it out: struct PushRegs's registers in place
    of tf_regs, and no padding.  That is print_trapframe's order."""
    for f in tf.type.strip_typedefs().fields():
        if f.type.strip_typedefs().code == gdb.TYPE_CODE_STRUCT:
            yield from frame_fields(tf[f])
        elif "padding" not in f.name:
            name = f.name.split("_", 1)[1]
            yield TF_LABELS.get(name, name), tf[f]


def print_trapframe(addr, cpu, cr2=None):
    """Print the struct Trapframe at addr as kern/trap.c's
    print_trapframe does: 16-bit fields (the segment selectors) as
    0x----%04x, and cr2, when given, after the trap number."""
    tf = trapframe_at(addr)
    trapno, user = int(tf["tf_trapno"]), int(tf["tf_cs"]) & 3
    print("TRAP frame at 0x%08x from CPU %d" % (addr, cpu))
    for label, value in frame_fields(tf):
        if label in TF_USER_ONLY and not user:
            continue
        v = int(value)
        line = "  %-4s " % label + ("0x----%04x" % v
            if value.type.sizeof == 2 else "0x%08x" % v)
        if label == "trap":
            line += " " + trap_name(v)
        elif label == "err" and trapno == T_PGFLT:
            line += " [%s, %s, %s]" % ("user" if v & 4 else "kernel",
                "write" if v & 2 else "read",
                "protection" if v & 1 else "not-present")
        elif label == "err" and trapno == T_SYSCALL and v == TF_ERR_SYSENTER:
            line += " [sysenter]"
        print(line)
        if label == "trap" and cr2 is not None:
            print("  cr2  0x%08x" % cr2)


def user_trapframe():
    """The frame of the latest trap from user mode on the selected CPU:
    the processor starts it just below the esp0 in that CPU's TSS (where
    esp0 points is the kernel's choice), and kern/trapentry.S ends it."""
    cs = reg("cs")
    if is_real_mode(cs):
        raise gdb.GdbError("not stopped in the kernel: the CPU is in real "
            "mode (cs 0x%04x)" % cs)
    if cs & 3:
        raise gdb.GdbError("not stopped in the kernel: the CPU runs user "
            "code (cs 0x%04x).  Give a frame's address, or see an env's "
            "saved frame with `jos envs ENVID`" % cs)
    cpu = current_cpu()
    esp0 = int(kernel_var("cpus")[cpu]["cpu_ts"]["ts_esp0"])
    if esp0 == 0:
        raise gdb.GdbError("CPU %d has no kernel stack for traps yet "
            "(its TSS's esp0 is 0)" % cpu)
    return esp0 - gdb.lookup_type("struct Trapframe").sizeof, esp0, cpu


class JosTf(JosCommand):
    """Show a trap frame as the kernel prints one: jos tf [ADDR]

ADDR is an expression: an address, a struct Trapframe pointer (such as
tf in trap()), or a struct Trapframe (such as envs[1].env_tf).
Without ADDR, when stopped in the kernel, show the frame of the latest
trap from user mode on the selected CPU: the one the processor starts
just below the esp0 of the CPU's task state and kern/trapentry.S
completes.  While the trap entry code (vectorN, alltraps, or
sysenter_entry for a system call by sysenter, which starts it at the
same place) is still pushing it, the part below esp is not written
yet.  A frame that sysenter made says so after its error code: its eip
and esp are the esi and ebp the caller gave."""

    def __init__(self):
        super().__init__("jos tf", gdb.COMMAND_DATA)

    def run(self, arg):
        if arg:
            addr = to_int(arg, "address")
            cpu = current_cpu()
            in_progress = False
        else:
            addr, esp0, cpu = user_trapframe()
            in_progress = True
            esp = reg("esp")
            if addr < esp <= esp0:
                print("note: the trap entry is still building this frame: "
                    "the bytes below esp 0x%08x are old" % esp)
        print_trapframe(addr, cpu, self.cr2_for(addr, in_progress))

    @staticmethod
    def cr2_for(addr, in_progress):
        """cr2 belongs to a page fault being handled: the selected CPU's
        latest trap from user mode, or the frame the kernel last
        dispatched (as the kernel decides, with last_tf)."""
        if int(trapframe_at(addr)["tf_trapno"]) != T_PGFLT:
            return None
        if in_progress or addr == int(kernel_var("last_tf")):
            return reg("cr2")
        return None


# ---------------------------------------------------------------------
# Page tables


def flag_names(entry):
    return " ".join(name for bit, name in PTE_BITS if entry & bit)


def read_phys(pa, size):
    """Physical memory through the kernel's mapping of it at KERNBASE,
    present in every page directory the kernel builds."""
    try:
        return read(KERNBASE + pa, size)
    except gdb.GdbError:
        raise gdb.GdbError("cannot read physical address 0x%08x through "
            "KERNBASE (is the kernel's page directory loaded?)" % pa)


def read_phys_word(pa):
    return word(read_phys(pa, 4), 0)


def access(pde, pte, wp):
    """What user and kernel code may do with a page, given both levels:
    U and W count only when set in both."""
    both = pde & pte
    user = "none"
    if both & 4:
        user = "read-write" if both & 2 else "read-only"
    kernel = "read-write" if both & 2 or not wp else "read-only"
    return "user %s, kernel %s" % (user, kernel)


class JosVm(JosCommand):
    """Show how a virtual address translates: jos vm VA [ENVID]

VA is an expression (0xeebfdffc, $esp, &thisenv, ...).  Walk the page
directory the selected CPU has loaded (cr3), or env ENVID's (hex), and
show the page directory entry, the page table entry, the physical
address, each level's flags and what user and kernel code may do.
Flags: P present, W writable, U user, PWT, PCD, A accessed, D dirty,
PS 4 MiB page, G global, and the bits the kernel leaves to software:
COW (copy-on-write, lib/fork.c), SHARE and LOCK (never swapped out).
A page table entry without P but with 0x80 is a swap entry: the page is
out on the swap disk, in the slot the top 20 bits name (docs/swap.md).
Then name the memory region VA falls in (see `jos regions`), of env
ENVID or of the env whose page directory cr3 holds, or say it is in
none.  A page not present in a region is one the kernel maps at its
first touch (kern/demand.c)."""

    def __init__(self):
        super().__init__("jos vm", gdb.COMMAND_DATA)

    def run(self, arg):
        args = gdb.string_to_argv(arg)
        if len(args) not in (1, 2):
            raise gdb.GdbError("usage: jos vm VA [ENVID]")
        va = to_int(args[0], "address") & 0xFFFFFFFF
        if not reg("cr0") & CR0_PG:
            print("paging is off: va 0x%08x is physical address 0x%08x" %
                (va, va))
            return
        if len(args) == 2:
            e = find_env(args[1])
            pgdir, whose = e.pgdir - KERNBASE, "env %08x" % e.id
        else:
            pgdir, whose, e = reg("cr3") & ~0xFFF, "cr3", None
        unmapped, note = self.walk(va, pgdir, whose)
        print_region_of(va, e or env_of_pgdir(pgdir), note)
        if unmapped:
            raise gdb.GdbError(unmapped)

    @staticmethod
    def walk(va, pgdir, whose):
        """Print how va translates; return why it does not (or None),
        and what a region holding va would do about it."""
        pdx, ptx = va >> 22, (va >> 12) & 0x3FF
        print("va 0x%08x: page directory at pa 0x%08x (%s)" % (va, pgdir,
            whose))
        pde = read_phys_word(pgdir + 4 * pdx)
        print("  pde[0x%03x] 0x%08x  %s" % (pdx, pde, flag_names(pde) or "-"))
        if not pde & 1:
            return ("va 0x%08x is not mapped: its page directory entry is "
                "not present" % va, FIRST_TOUCH)
        wp = reg("cr0") & CR0_WP
        if pde & PTE_PS and reg("cr4") & CR4_PSE:
            pa = (pde & 0xFFC00000) | (va & 0x3FFFFF)
            print("  4 MiB page: pa 0x%08x, %s" % (pa, access(pde, pde, wp)))
            return None, ""
        pte = read_phys_word((pde & ~0xFFF) + 4 * ptx)
        swapped = not pte & 1 and pte & PTE_SWAP
        print("  pte[0x%03x] 0x%08x  %s" % (ptx, pte,
            (flag_names(pte & ~PTE_SWAP) + " SWAP").strip() if swapped
            else flag_names(pte) or "-"))
        if swapped:
            return ("va 0x%08x is swapped out: its page table entry names "
                "swap slot %d" % (va, pte >> 12),
                "; a touch brings it back from swap")
        if not pte & 1:
            return ("va 0x%08x is not mapped: its page table entry is not "
                "present" % va, FIRST_TOUCH)
        pa = (pte & ~0xFFF) | (va & 0xFFF)
        print("  pa 0x%08x, %s" % (pa, access(pde, pte, wp)))
        return None, ""


# ---------------------------------------------------------------------
# Memory regions


def env_regions(e):
    """Env e's regions, sorted by start, as dicts of struct Region's
    fields: region_sets[] is indexed like envs[]."""
    s = kernel_var("region_sets")[e.index]
    n, array = int(s["n"]), s["sorted"]
    if n == 0:
        return []
    if n > MAXREGIONS:
        raise gdb.GdbError("region_sets[%d].n is %d: more than MAXREGIONS "
            "(%d)" % (e.index, n, MAXREGIONS))
    ptr = array.type.target()
    addrs = struct.unpack("<%dI" % n, read(int(array), n * ptr.sizeof))
    regions = []
    for addr in addrs:
        r = gdb.Value(addr).cast(ptr).dereference()
        try:
            r.fetch_lazy()
        except gdb.MemoryError:
            raise gdb.GdbError("cannot read a struct Region at 0x%08x" % addr)
        regions.append({f: int(r[f])
            for f in ("start", "end", "perm", "kind", "exec")})
    return regions


def region_kinds():
    """REGION_ANON... by value, from inc/region.h's enum in the debug
    info; {} if it is not there."""
    return enum_names_if_any("REGION_ANON", "REGION_")


def region_perm(perm):
    """A region's permissions: R or RW, and SHARE (its PTE_SHARE)."""
    return ("RW" if perm & PTE_W else "R") + (
        " SHARE" if perm & PTE_SHARE else "")


def region_words(r, kinds):
    """What a region is, in a few words: "R IMAGE exec"."""
    return "%s %s%s" % (region_perm(r["perm"]),
        kinds.get(r["kind"], str(r["kind"])), " exec" if r["exec"] else "")


def resident_pages(pgdir, start, end, tables):
    """How many pages of [start, end) the page directory at physical
    address pgdir has present, as sys_region_query counts them (the
    zero page, mapped by a first read, counts).  tables keeps the page
    tables already read, by physical address: one read each."""
    def table(pa):
        if pa not in tables:
            tables[pa] = struct.unpack("<1024I", read_phys(pa, PGSIZE))
        return tables[pa]

    count, va = 0, start
    while va < end:
        stop = min(end, (va & ~0x3FFFFF) + 0x400000)
        pde = table(pgdir)[va >> 22]
        if pde & PTE_P:
            pt = table(pde & ~0xFFF)
            count += sum(1 for i in range((va >> 12) & 0x3FF,
                ((stop - 1) >> 12 & 0x3FF) + 1) if pt[i] & PTE_P)
        va = stop
    return count


def env_of_pgdir(pgdir):
    """The live env whose page directory is at physical address pgdir,
    or None (cr3 holds kern_pgdir when no env runs)."""
    statuses = enum_names("ENV_FREE", "ENV_")
    for e in all_envs():
        if statuses.get(e.status) != "FREE" and e.pgdir - KERNBASE == pgdir:
            return e
    return None


FIRST_TOUCH = "; the page's first touch maps it"


def print_region_of(va, e, note):
    """jos vm's last line: the region of env e that holds va, if any,
    with note, what the region does for a page not there."""
    if e is None:
        print("  no region: the page directory is no env's")
        return
    for r in env_regions(e):
        if r["start"] <= va < r["end"]:
            print("  region 0x%08x-0x%08x of env %08x: %s%s" % (r["start"],
                r["end"], e.id, region_words(r, region_kinds()), note))
            return
    print("  in no region of env %08x" % e.id)


class JosRegions(JosCommand):
    """List an env's memory regions: jos regions [ENVID]

ENVID is hex, as the kernel prints it; without it (or with 0), the env
the selected CPU runs.  One line per region (kern/region.h), by
address: its range [start, end), its permissions (R or RW, and SHARE
for pages every sharer maps alike), its kind (where a page comes from
at its first touch: IMAGE the program's ELF, ANON and STACK zeros),
whether it came from an executable segment (exec, recorded only), its
size in pages, and how many of them are resident: present in the env's
page directory now.  Pages sys_page_alloc or sys_page_map put outside
every region are not counted (`jos vm` shows them).  Then the env's page
fault counts: kfaults, served in the kernel (kern/demand.c), and
ufaults, sent on to the env's upcall (or fatal without one)."""

    def __init__(self):
        super().__init__("jos regions", gdb.COMMAND_DATA)

    def run(self, arg):
        args = gdb.string_to_argv(arg)
        if len(args) > 1:
            raise gdb.GdbError("usage: jos regions [ENVID]")
        e = find_env(args[0] if args else "0")
        regions, kinds, tables = env_regions(e), region_kinds(), {}
        print("regions of env %08x: %d" % (e.id, len(regions)))
        if regions:
            print("  start       end         perm      kind   exec  "
                "pages  resident")
        for r in regions:
            print("  0x%08x  0x%08x  %-8s  %-5s  %-4s  %5d  %8d" % (
                r["start"], r["end"], region_perm(r["perm"]),
                kinds.get(r["kind"], str(r["kind"])),
                "yes" if r["exec"] else "no",
                (r["end"] - r["start"]) // PGSIZE,
                resident_pages(e.pgdir - KERNBASE, r["start"], r["end"],
                    tables)))
        print("page faults: kfaults %d (served in the kernel), ufaults %d "
            "(sent to the upcall)" % (e.kfaults, e.ufaults))


# ---------------------------------------------------------------------
# CPUs


def cpus_info():
    """cpus[] as a list of dicts, one per NCPU slot."""
    cpus = kernel_var("cpus")
    lo, hi = cpus.type.range()
    return [{"status": int(cpus[i]["cpu_status"]),
        "env": int(cpus[i]["cpu_env"]),
        "sleeping": bool(cpus[i]["cpu_sleeping"]),
        "switches": int(cpus[i]["cpu_switches"]),
        "halts": int(cpus[i]["cpu_halts"])} for i in range(lo, hi + 1)]


def where(thread):
    """Where a CPU is stopped, in a few words.  Selects thread."""
    thread.switch()
    cs, eip = reg("cs"), reg("eip")
    if is_real_mode(cs):
        return "real mode %04x:%04x" % (cs, eip)
    mode = "user" if cs & 3 else "kernel"
    return "%s 0x%08x %s" % (mode, eip, function_at(eip))


class JosCpus(JosCommand):
    """List the CPUs: jos cpus

One line per CPU QEMU emulates (gdb shows CPU i as thread i+1): the
kernel's cpus[i] status (UNUSED before it starts, STARTED, HALTED while
idle in sched_halt), the env it runs (- for none), whether it sleeps in
the kernel (for the kernel lock, or for input), how many times since
boot it switched to an env and halted idle, and where gdb sees it
stopped.  A * marks the CPU gdb's commands apply to (`thread N` selects another)."""

    def __init__(self):
        super().__init__("jos cpus", gdb.COMMAND_DATA)

    def run(self, arg):
        statuses = enum_names("CPU_UNUSED", "CPU_")
        info = cpus_info()
        env_id = field_offsets("struct Env")[0]["env_id"]
        selected, frame = gdb.selected_thread(), gdb.selected_frame()
        threads = sorted(gdb.selected_inferior().threads(),
            key=lambda t: t.ptid[1])
        print("  cpu  status   env       sleeping  switches  halts  "
            "stopped at")
        try:
            for t in threads:
                i = t.ptid[1] - 1
                c = info[i]
                env = (word(read(c["env"] + env_id, 4), 0) if c["env"]
                    else None)
                print("%s %-3d  %-7s  %-8s  %-8s  %8d  %5d  %s" % (
                    "*" if t == selected else " ", i,
                    statuses.get(c["status"], c["status"]),
                    "%08x" % env if env is not None else "-",
                    "yes" if c["sleeping"] else "no", c["switches"],
                    c["halts"], where(t)))
        finally:
            selected.switch()
            frame.select()
        print("ncpu = %d" % int(kernel_var("ncpu")))


# ---------------------------------------------------------------------
# Locks


def listed_locks():
    """The locks in kern/spinlock.c's all_locks, oldest first.  Stops at
    a lock seen before: after a panic the list may be corrupt."""
    lk, seen = kernel_var("all_locks"), set()
    while int(lk) and int(lk) not in seen:
        seen.add(int(lk))
        yield lk.dereference()
        lk = lk["next_lock"]


class JosLocks(JosCommand):
    """List the kernel's locks: jos locks

One line per lock spin_init has listed (all_locks in kern/spinlock.c),
as the monitor's locks prints it: the lock's name, the CPU holding it (-
if free; s and a list of CPUs for the kernel lock held shared), how many times it was acquired since boot, how many of those
found it held and waited, and the cycles they waited by the time stamp
counter (guest instructions under -icount shift=0).  It reads memory
only, so it works after a panic too."""

    def __init__(self):
        super().__init__("jos locks", gdb.COMMAND_DATA)

    def run(self, arg):
        cpus = kernel_var("cpus")
        cpu_size = cpus[0].type.sizeof
        print("lock              holder  acquisitions   contended  "
            "wait cycles")
        kernel_lock = int(kernel_var("kernel_lock").address)
        sharers = [i for i in range(int(kernel_var("ncpu")))
            if int(cpus[i]["cpu_shared"])]
        for lk in listed_locks():
            holder = int(lk["cpu"])
            if holder:
                cpu = "%d" % ((holder - int(cpus.address)) // cpu_size)
            elif int(lk.address) == kernel_lock and sharers:
                cpu = "s" + ",".join("%d" % i for i in sharers)
            else:
                cpu = "-"
            print("%-16s  %6s  %12d  %10d  %14d" % (lk["name"].string(),
                cpu, int(lk["acquisitions"]), int(lk["contended"]),
                int(lk["wait_cycles"])))


# ---------------------------------------------------------------------
# The event trace


# kern/trace.h's event types, by number.
TRACE_TYPES = ["?", "switch", "syscall", "sysret", "trap", "fault", "send",
    "recv", "wake", "idle", "resume", "lockwait", "swapio", "name",
    "dropped", "exit", "clock", "restart"]


class JosTrace(JosCommand):
    """Show the event trace's rings: jos trace [N]

For each CPU, as the monitor's trace prints it: the records made since
boot, those dropped (replaced before they were streamed) and those not
streamed yet, then the last N records (8 unless told), oldest first:
time stamp, env, event and its two arguments (kern/trace.h says what
they mean).  It reads memory only, so it works after a panic too, and
with opt/jos/trace=ring (nothing streamed) it is the way to see them."""

    def __init__(self):
        super().__init__("jos trace", gdb.COMMAND_DATA)

    def run(self, arg):
        shown = int(arg, 0) if arg else 8
        if not int(kernel_var("trace_on")):
            print("tracing is off (make TRACE=1 turns it on)")
            return
        rings = kernel_var("trace_rings")
        size = rings[0]["rec"].type.range()[1] + 1
        for cpu in range(int(kernel_var("ncpu"))):
            ring = rings[cpu]
            head, sent = int(ring["head"]), int(ring["sent"])
            print("CPU %d: %d records, %d dropped, %d not sent" % (cpu,
                head, int(ring["dropped"]), head - sent))
            for k in range(head - min(head, shown, size), head):
                rec = ring["rec"][k % size]
                kind = int(rec["type"])
                print("  %016x  %08x  %-8s  %08x  %08x" % (int(rec["tsc"]),
                    int(rec["env"]), TRACE_TYPES[kind]
                    if kind < len(TRACE_TYPES) else "?", int(rec["a"]),
                    int(rec["b"])))


# ---------------------------------------------------------------------
# User programs and the stop display


def user_objfiles():
    return [o for o in gdb.objfiles() if o.filename and
        os.path.dirname(os.path.abspath(o.filename)) == USER_DIR]


def built_in_program():
    """The program `make run-NAME` compiled into the kernel image, from
    the build's record of TEST (user_NAME), or None."""
    try:
        with open(os.path.join(TOP, "obj", ".vars.TEST")) as f:
            test = f.read().strip()
    except OSError:
        return None
    return test[len("user_"):] if test.startswith("user_") else None


class JosUser(JosCommand):
    """Load a user program's symbols: jos user [NAME]

Adds obj/user/NAME's symbols and source lines (replacing another
program's), so that `break umain` and `list` work in its source.  The
kernel's symbols stay loaded: a name both define (cprintf, syscall...)
gets a breakpoint in each; `break kern/syscall.c:syscall` picks one.
A breakpoint at a user address stops every env that runs that address,
whatever program it is; `jos envs` and `jos cpus` tell them apart.
Without NAME, load the program `make run-NAME-gdb` built into the
kernel, if any (.gdbinit does this when gdb starts)."""

    needs_qemu = False

    def __init__(self):
        super().__init__("jos user", gdb.COMMAND_FILES)

    def run(self, arg):
        name = arg or built_in_program()
        if name is None:
            print("jos user: the kernel was built with no run-NAME program;"
                " `jos user NAME` loads obj/user/NAME's symbols")
            return
        path = os.path.join(USER_DIR, name)
        if not os.path.isfile(path):
            raise gdb.GdbError("no obj/user/%s: is there a user/%s.c (or "
                "user/test/%s.c, bench/%s.c), and has make built it?"
                % ((name,) * 4))
        for o in user_objfiles():
            gdb.execute("remove-symbol-file " + o.filename)
        gdb.execute("add-symbol-file " + path, to_string=True)
        print("+ symbols of user program %s (obj/user/%s)" % (name, name))


class JosPc(JosCommand):
    """Show the next instruction, decoded for the CPU's mode: jos pc

gdb cannot ask QEMU whether code runs 16- or 32-bit, so this guesses
from CS (see is_real_mode in conf/gdb-jos.py) and switches gdb's
instruction decoding to match.  In real mode it shows CS:IP and the
physical address CS * 16 + IP.  .gdbinit runs this at every stop; after
`thread N` selects another CPU, run it to match that CPU's mode."""

    # Also a stop hook: when QEMU has gone, there is nothing to show.
    needs_qemu = False

    def __init__(self):
        super().__init__("jos pc", gdb.COMMAND_STATUS)
        self.xml16 = None

    def run(self, arg):
        if gdb.selected_thread() is None:
            return
        cs, eip = reg("cs"), reg("eip")
        self.set_16bit(is_real_mode(cs))
        if is_real_mode(cs):
            insn = gdb.execute("x/i 0x%x" % (cs * 16 + eip),
                to_string=True).strip()
            # x/i marks an address equal to $pc (when cs is 0) with "=>".
            if insn.startswith("=> "):
                insn = insn[3:]
            print("[%04x:%04x] %s" % (cs, eip, insn))
        else:
            gdb.execute("x/i $pc")

    def set_16bit(self, on):
        """gdb's `set architecture i8086` is ignored while QEMU's target
        description says i386, so hand gdb a copy of that description
        naming i8086 instead; forgetting it brings back QEMU's own."""
        current = gdb.parameter("tdesc filename")
        if not on:
            if current:
                gdb.execute("unset tdesc filename")
            return
        if self.xml16 is None:
            self.xml16 = self.write_16bit_tdesc()
        if current != self.xml16:
            gdb.execute("set tdesc filename " + self.xml16)

    @staticmethod
    def write_16bit_tdesc():
        xml = gdb.execute("maint print xml-tdesc", to_string=True)
        arch = "<architecture>i386</architecture>"
        if arch not in xml:
            raise gdb.GdbError("unexpected target description from QEMU")
        # Written whole, then renamed: another gdb may be reading it.
        path = os.path.join(TOP, "obj", "gdb-i8086.xml")
        tmp = "%s.%d" % (path, os.getpid())
        with open(tmp, "w") as f:
            f.write(xml.replace(arch, "<architecture>i8086</architecture>"))
        os.replace(tmp, path)
        return path


JosPrefix()
JosEnvs()
JosTf()
JosVm()
JosRegions()
JosCpus()
JosLocks()
JosTrace()
JosUser()
JosPc()
