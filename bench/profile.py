#!/usr/bin/env python3
"""
Where one operation's instructions go: the profiles docs/performance.md
quotes ("by profile").

Usage: python3 bench/profile.py [--program P] [--skip N] [--laps K]
                                [--after SYM] [--set EXPR] START

Boots program P (default: bench) on one CPU, halted, attaches gdb, and
waits for the Nth hit (default 10) of START, a kernel or user symbol
(or *ADDRESS), after the first hit of SYM if --after gives one.  From
there it steps one instruction at a time until START is reached K more
times (default 1), and prints the functions the CPU went through, in
order, with the instructions spent in each stretch, then the totals per
function.  --set EXPR runs gdb's `set var EXPR` before the start is
looked for (say, `syscall_entry=SYSCALL_INT`).  Stepping, gdb keeps
interrupts off, so the count is the operation's own: a little under
`make bench`'s, which also counts the timer's share.

Examples (build first: make obj/kern/kernel.img):

  the null system call by sysenter, the library's choice:
    python3 bench/profile.py --after bench_null_syscall \\
        --set syscall_entry=SYSCALL_SYSENTER sysenter_entry
  by int $0x30:
    python3 bench/profile.py --after bench_null_syscall \\
        --set syscall_entry=SYSCALL_INT vector48
  a round trip by ipc_send and ipc_recv (each lap is one side's send):
    python3 bench/profile.py --after bench_ipc --skip 200 --laps 2 ipc_send

A name the kernel and the program both have means both places: the
kernel's static sys_getenvid, inlined into syscall, is one; start at a
name only one of them has.

Needs gdb; run on an idle build tree (it uses obj/ as make built it).
"""

import argparse
import collections
import json
import os
import socket
import subprocess
import sys
import tempfile

# bench/bench.py, for its QEMU command line: found beside this file
# also when gdb runs it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench

MAX_STEPS = 100000      # a lap longer than this is not one operation
TIMEOUT = 120           # seconds for the whole profile


def free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def launch(args):
    """Boot QEMU halted and run this file inside gdb against it."""
    obj = os.path.join(bench.TOP, "obj")
    if not os.path.exists(os.path.join(obj, "user", args.program)):
        print("profile: no obj/user/%s: build first (make "
              "obj/kern/kernel.img)" % args.program)
        return 1
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="jos-profile-") as d:
        swap = os.path.join(d, "swap.img")
        with open(swap, "wb") as f:
            f.truncate(bench.SWAPSIZE)
        qemu = subprocess.Popen(bench.qemu_argv(["-gdb",
            "tcp:localhost:%d" % port, "-S"], swap, args.program, 1),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        out = os.path.join(d, "profile.txt")
        env = dict(os.environ, PROFILE_PORT=str(port), PROFILE_OUT=out,
            PROFILE_KERNEL=os.path.join(obj, "kern", "kernel"),
            PROFILE_USER=os.path.join(obj, "user", args.program),
            PROFILE_ARGS=json.dumps(sys.argv[1:]))
        try:
            code = subprocess.call(["gdb", "-batch", "-nx", "-q",
                "-x", os.path.abspath(__file__)], env=env,
                stdout=subprocess.DEVNULL, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            print("profile: not done in %d s: is the start reached %d "
                  "times?" % (TIMEOUT, args.skip))
            code = 1
        finally:
            qemu.kill()
            qemu.wait()
        if os.path.exists(out):
            with open(out) as f:
                sys.stdout.write(f.read())
        return code


def count(text):
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("%s is not a count" % text)
    return n


def parse(argv):
    p = argparse.ArgumentParser(description="Profile one operation.")
    p.add_argument("--program", default="bench")
    p.add_argument("--skip", type=count, default=10)
    p.add_argument("--laps", type=count, default=1)
    p.add_argument("--after")
    p.add_argument("--set")
    p.add_argument("start")
    return p.parse_args(argv)


def function_at(gdb, pc):
    where = gdb.execute("info symbol %d" % pc, to_string=True)
    if where.startswith("No symbol"):
        return "0x%x" % pc
    return where.split(" in section")[0].split(" + ")[0].strip()


def reach(gdb, where, hits, out):
    """Run to the hits-th time the CPU reaches where; False (said in
    out) if no symbol or address of the kernel or program is called
    that."""
    b = gdb.Breakpoint(where, internal=True)
    if b.pending:
        out.write("profile: no %s in the kernel or the program\n" % where)
        return False
    b.ignore_count = hits - 1
    gdb.execute("continue", to_string=True)
    b.delete()
    return True


def profile(gdb, args, out):
    """Inside gdb: reach the start, step the laps, write the profile to
    out."""
    run = lambda cmd: gdb.execute(cmd, to_string=True)
    run("set pagination off")
    run("set confirm off")
    run("symbol-file " + os.environ["PROFILE_KERNEL"])
    run("add-symbol-file " + os.environ["PROFILE_USER"])
    run("target remote localhost:" + os.environ["PROFILE_PORT"])
    if args.after and not reach(gdb, args.after, 1, out):
        return 1
    if args.set:
        run("set var " + args.set)
    if not reach(gdb, args.start, args.skip, out):
        return 1
    start = int(gdb.parse_and_eval("$pc"))
    stretches, laps, steps = [], 0, 0   # [function, instructions, lap]
    pc = start
    while laps < args.laps and steps < MAX_STEPS:
        fn = function_at(gdb, pc)
        if stretches and stretches[-1][0] == fn and stretches[-1][2] == laps:
            stretches[-1][1] += 1
        else:
            stretches.append([fn, 1, laps])
        run("stepi")
        steps += 1
        pc = int(gdb.parse_and_eval("$pc"))
        laps += pc == start
    run("kill")
    if laps < args.laps:
        out.write("profile: %s not reached again in %d instructions\n"
                  % (args.start, MAX_STEPS))
        return 1
    out.write("%d instructions in %d lap%s from %s\n" % (steps,
              args.laps, "s" if args.laps > 1 else "", args.start))
    totals = collections.Counter()
    for i, (name, n, lap) in enumerate(stretches):
        if i == 0 or lap != stretches[i - 1][2]:
            out.write("\n" if lap == 0 else "-- lap %d --\n" % (lap + 1))
        out.write("%6d  %s\n" % (n, name))
        totals[name] += n
    out.write("\nper function:\n")
    for name, n in totals.most_common():
        out.write("%6d  %s\n" % (n, name))
    return 0


if __name__ == "__main__":
    try:
        import gdb
    except ImportError:
        sys.exit(launch(parse(sys.argv[1:])))
    with open(os.environ["PROFILE_OUT"], "w") as out:
        code = profile(gdb, parse(json.loads(os.environ["PROFILE_ARGS"])),
                       out)
    os._exit(code)
