#!/usr/bin/env python3
"""
Measure the kernel paths that bench/bench.c exercises (`make bench`).

Usage: python3 bench/bench.py [--check FILE] [--write FILE]

Boots the kernel twice on one CPU with the bench program:
  - under QEMU's -icount shift=0, where the guest's time stamp counter
    counts guest instructions: instructions per operation, the same on
    every run;
  - under default emulation, where it follows the host clock: wall
    nanoseconds per operation (noisy; for reference).
and prints both as a table.  Then it boots the swappressure program
(user/test/swappressure.c) in 16 MiB of memory, under default
emulation, and prints the pages it moved to and from swap per wall
second between its start line and its summary (swap-pages-per-s; not
in the baseline: a host figure).  trace-point: what a trace point
costs when the event trace is on, from the bench program booted again
under -icount with it on.

Last, multiprocessor scaling (bench/scale.c), also wall time and
outside the baseline: it boots `scale` on one CPU, one env (or one
ping-pong pair) per workload, and `scale2` on two CPUs, two of each at
once, with QEMU running a host thread per CPU.  For each workload it
prints the two-CPU wall time over the one-CPU one, the median of six
runs each (two boots of three, taken in turn with the other kinds):

  scale-syscall   envs making null system calls (sys_getenvid)
  scale-fault     envs taking demand-zero faults, each in its own region
  scale-ipc       independent IPC ping-pong pairs

1.0 is perfect scaling and 2.0 none at all; over 2, the second CPU
costs more than it brings.  Beside each ratio: the same ratio with
the big kernel lock (both boots with opt/jos/bkl, as make BKL=1 does),
the range of the
two-CPU runs' ratios (other work on the host's cores shows there) and
the CPUs each env of the two-CPU run was seen on, to show that they
really ran on both.  Then the host's own floor:

  scale-host      two QEMUs at once, each booting `scale` on one CPU:
                  their null system call runs' wall time over one
                  QEMU's alone

Nothing in the guest is shared there, so it shows what the host's two
cores give two busy threads; scale-syscall's own floor is higher, as
one QEMU's host threads share the emulator's state.  The grader runs
none of this: it boots the bench program under -icount alone.

--check FILE   also compare the instruction counts with the figures in
               FILE and fail if any operation costs more than 10% over
               its figure (the grader's regression guard)
--write FILE   record the instruction counts in FILE (when a change
               earns a new baseline)
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE = os.path.join(TOP, "obj", "kern", "kernel.img")
BASELINE = os.path.join(TOP, "bench", "baseline.txt")
SLACK = 1.10            # allowed rise over the baseline
SWAPSIZE = 4 << 20      # the swap disk's bytes
PRESSURE_SWAPSIZE = 64 << 20    # swappressure's: two children's 16 MiB
# The kernel times some paths itself when asked (kern/kbench.h).
ICOUNT = ["-icount", "shift=0", "-fw_cfg", "name=opt/jos/bench,string=1"]

RESULT = re.compile(r"bench (\S+) (\d+) (\d+)")
CLOCK = re.compile(r"bench clock (\d+)")
BENCH_DONE = re.compile(r"bench done")
PRESSURE_START = re.compile(r"swappressure: start")
SCALE_RESULT = re.compile(r"scale (\S+) (\d+) (\d+)((?: [0-9a-f]+)+)")
SCALE_DONE = re.compile(r"scale done")
# The event trace on, kept in the rings (kern/trace.h).
TRACE_RING = ["-fw_cfg", "name=opt/jos/trace,string=ring"]
# Boots of each kind of scaling run (scale_rounds), each of
# SCALE_REPEATS runs of each workload (bench/scale.c's REPEATS).
SCALE_ROUNDS = 2
SCALE_REPEATS = 3
# The kernel lock held exclusive on every entry (make BKL=1).
BKL = ["-fw_cfg", "name=opt/jos/bkl,string=1"]
# A host thread per guest CPU (QEMU's default for i386 on an x86 host,
# said here because the scaling figures mean nothing without it).
MTTCG = ["-accel", "tcg,thread=multi"]
PRESSURE_DONE = re.compile(r"swappressure: .* (\d+) swap-ins, (\d+) "
    r"swap-outs, (\d+) failures")


def qemu_argv(extra, swap, program, cpus):
    return ["qemu-system-i386", "-display", "none", "-monitor", "none",
        "-no-reboot", "-net", "none", "-serial", "stdio",
        "-smp", "%d,sockets=%d" % (cpus, cpus),
        "-drive", "file=%s,index=0,media=disk,format=raw,snapshot=on" %
        IMAGE, "-drive", "file=%s,index=1,media=disk,format=raw" % swap,
        "-fw_cfg", "name=opt/jos/test,string=" + program] + extra


def run(extra, program="bench", done=BENCH_DONE, swapsize=SWAPSIZE,
        timeout=60, cpus=1):
    """Boot program (the bench program unless told) on cpus CPUs, with
    a fresh swap disk of swapsize bytes; return its output as (host
    time, line), up to the line done matches."""
    with tempfile.TemporaryDirectory(prefix="jos-bench-") as d:
        swap = os.path.join(d, "swap.img")
        with open(swap, "wb") as f:
            f.truncate(swapsize)
        return read_lines(qemu_argv(extra, swap, program, cpus), done,
            timeout)


def read_lines(argv, done, timeout):
    """Run argv; its output lines with their host times, up to the
    first that done matches, or timeout seconds (a silent hang
    included)."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    lines = []
    try:
        for raw in proc.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            lines.append((time.monotonic(), line))
            if done.fullmatch(line):
                break
    finally:
        timer.cancel()
        proc.kill()
        proc.wait()
    return lines


def parse(lines):
    """Operation -> cycles per operation, in the order they ran."""
    ops = {}
    for line in lines:
        m = RESULT.fullmatch(line)
        if m:
            ops[m.group(1)] = int(m.group(3)) / int(m.group(2))
    return ops


def clock_rate(timed):
    """Guest cycles per host second, from the two `bench clock` lines."""
    clocks = [(t, int(m.group(1))) for t, line in timed
        for m in [CLOCK.fullmatch(line)] if m]
    if len(clocks) != 2 or clocks[1][0] <= clocks[0][0]:
        return None
    (t0, c0), (t1, c1) = clocks
    return (c1 - c0) / (t1 - t0)


def swap_rate():
    """Pages swappressure moved to or from swap per host second between
    its start line and its summary, or None if it did not get there
    cleanly."""
    timed = run(["-m", "16"], program="swappressure", done=PRESSURE_DONE,
        swapsize=PRESSURE_SWAPSIZE)
    start = [t for t, line in timed if PRESSURE_START.fullmatch(line)]
    end = [(t, m) for t, line in timed
        for m in [PRESSURE_DONE.fullmatch(line)] if m]
    if len(start) != 1 or len(end) != 1 or end[0][1].group(3) != "0":
        return None
    (t1, m), t0 = end[0], start[0]
    return (int(m.group(1)) + int(m.group(2))) / (t1 - t0)


def scale_runs(program, cpus, extra=[]):
    """Workload -> its runs as (cycles, [CPU mask of each env]), from
    program booted on cpus CPUs."""
    runs = {}
    for _, line in run(MTTCG + extra, program=program, done=SCALE_DONE,
            cpus=cpus):
        m = SCALE_RESULT.fullmatch(line)
        if m:
            masks = [int(x, 16) for x in m.group(4).split()]
            runs.setdefault(m.group(1), []).append((int(m.group(3)), masks))
    return runs


def trace_cost(insns):
    """The event trace on (kept in the rings, opt/jos/trace=ring): what a
    trace point costs, timed by the kernel (kern/trace.c), and what that
    adds to a null system call, which records its entry and its result.
    Off, a trace point is a test of trace_on, in the figures above."""
    traced = parse(line for _, line in run(ICOUNT + TRACE_RING))
    if "trace-point" not in traced or "null-syscall" not in traced:
        return "%-20s - (the traced run did not finish cleanly)" % \
            "trace-point"
    return "%-20s %.0f instructions (null-syscall traced: %.0f)" % (
        "trace-point", traced["trace-point"], traced["null-syscall"])


def scale_rounds():
    """The runs of `scale` on one CPU and `scale2` on two, without and
    with the big kernel lock, booted in turn SCALE_ROUNDS times: the
    host's load drifts, and taking the four kinds of run side by side
    spreads the drift over all of them."""
    kinds = [("scale", 1, []), ("scale2", 2, []), ("scale", 1, BKL),
        ("scale2", 2, BKL)]
    merged = [{} for _ in kinds]
    for _ in range(SCALE_ROUNDS):
        for runs, (program, cpus, extra) in zip(merged, kinds):
            for name, got in scale_runs(program, cpus, extra).items():
                runs.setdefault(name, []).extend(got)
    return merged


def host_floor(alone):
    """scale-host: the null system call runs of two one-CPU QEMUs
    booted at once, their median over alone's (scale_rounds's one-CPU
    runs), and the range of their ratios; None if a run failed."""
    runs = []

    def boot():
        runs.extend(scale_runs("scale", 1).get("syscall", []))

    for _ in range(SCALE_ROUNDS):
        pair = [threading.Thread(target=boot) for _ in range(2)]
        for t in pair:
            t.start()
        for t in pair:
            t.join()
    if not alone.get("syscall") or len(runs) != SCALE_ROUNDS * 2 * SCALE_REPEATS:
        return None
    base = statistics.median(c for c, _ in alone["syscall"])
    ratios = [c / base for c, _ in runs]
    return statistics.median(ratios), min(ratios), max(ratios)


def host_line(floor):
    if not floor:
        return "%-20s - (scale did not finish cleanly)" % "scale-host"
    return "%-20s %.2f (two one-CPU QEMUs at once, null system calls; " \
        "median of %d, runs %.2f-%.2f)" % (("scale-host", floor[0],
        SCALE_ROUNDS * 2 * SCALE_REPEATS) + floor[1:])


def cpu_list(mask):
    return "+".join(str(i) for i in range(32) if mask >> i & 1)


def used_two_cpus(masks):
    """Whether the envs of a run, all together, ran on two CPUs or more."""
    used = 0
    for m in masks:
        used |= m
    return used & (used - 1) != 0


def ratio_of(alone, together):
    """The two-CPU median wall time over the one-CPU median."""
    return statistics.median(c for c, _ in together) / \
        statistics.median(c for c, _ in alone)


def scale_line(name, alone, together, big_alone, big_together):
    """The report for one workload: the ratio of the median wall times,
    the same with the big kernel lock, the range of each two-CPU run's
    over the one-CPU median (the host's noise), and where the two-CPU
    run's envs ran (its median run's)."""
    if not alone or not together:
        return "%-20s - (scale did not finish cleanly)" % ("scale-" + name)
    big = "%.2f" % ratio_of(big_alone, big_together) \
        if big_alone and big_together else "-"
    base = statistics.median(c for c, _ in alone)
    ratio = ratio_of(alone, together)
    low, high = (f(c for c, _ in together) / base for f in (min, max))
    median_run = sorted(together)[len(together) // 2]
    where = " | ".join(cpu_list(m) for m in median_run[1])
    one_cpu = sum(1 for _, masks in together if not used_two_cpus(masks))
    warning = "; %d run(s) used one CPU only" % one_cpu if one_cpu else ""
    return "%-20s %.2f, BKL=1 %s (median of %d, runs %.2f-%.2f; envs ran " \
        "on CPUs %s%s)" % ("scale-" + name, ratio, big, len(together), low,
        high, where, warning)


def load_baseline(path=BASELINE):
    figures = {}
    with open(path) as f:
        for line in f:
            line = line.split("#")[0].split()
            if len(line) == 2:
                figures[line[0]] = float(line[1])
    return figures


def regressions(ops, baseline):
    """What is wrong with ops measured against baseline, as sentences."""
    problems = ["%s: not measured" % name for name in baseline
        if name not in ops]
    problems += ["%s: %.0f instructions, over %d%% more than the "
        "baseline's %.0f" % (name, ops[name], round((SLACK - 1) * 100),
        baseline[name]) for name in baseline
        if name in ops and ops[name] > baseline[name] * SLACK]
    return problems


def write_baseline(ops, path):
    with open(path, "w") as f:
        f.write("# Guest instructions per operation (make bench, CPUS=1,\n"
            "# -icount shift=0).  The grader fails when one rises more\n"
            "# than 10%; update on purpose, with the change that earns it.\n")
        for name, insns in ops.items():
            f.write("%-20s %d\n" % (name, round(insns)))


def main():
    args = sys.argv[1:]
    check = write = None
    while args:
        opt = args.pop(0)
        if opt in ("--check", "--write") and args:
            if opt == "--check":
                check = args.pop(0)
            else:
                write = args.pop(0)
        else:
            sys.exit(__doc__.strip())

    insns = parse(line for _, line in run(ICOUNT))
    timed = run([])
    cycles = parse(line for _, line in timed)
    rate = clock_rate(timed)
    if not insns:
        sys.exit("bench: no results (did the kernel build and boot?)")

    print("%-20s %14s %12s" % ("operation", "instructions", "wall ns"))
    for name, n in insns.items():
        ns = "%12.0f" % (cycles[name] / rate * 1e9) \
            if rate and name in cycles else "%12s" % "-"
        print("%-20s %14.0f %s" % (name, n, ns))
    print(trace_cost(insns))
    pages = swap_rate()
    print("%-20s %s" % ("swap-pages-per-s",
        "%.0f (swappressure, wall time)" % pages if pages else
        "- (swappressure did not finish cleanly)"))
    alone, together, big_alone, big_together = scale_rounds()
    for name in alone:
        print(scale_line(name, alone[name], together.get(name),
            big_alone.get(name), big_together.get(name)))
    print(host_line(host_floor(alone)))

    if write:
        write_baseline(insns, write)
    if check:
        problems = regressions(insns, load_baseline(check))
        for p in problems:
            print("REGRESSION " + p)
        sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
