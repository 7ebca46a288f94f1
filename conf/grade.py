"""
The grader's harness: runs the tests that grade-lab4's table defines.

Each test boots the kernel in its own QEMU and reads the serial port
line by line.  Most hand obj/kern/kernel straight to QEMU's multiboot
loader (-kernel): under emulation, the boot loader's reads of the 700 KB
image from the IDE disk take half the boot time; they boot it through
qboot, a firmware that starts in half SeaBIOS's time.  The
tests marked `disk` boot obj/kern/kernel.img through boot/ instead,
from a snapshot disk so runs never interfere.  The QEMU option
`-fw_cfg name=opt/jos/test,string=PROGRAM` tells the kernel which user
program(s) to start (a space-separated list, started in order), so one
image serves every test.  A test with no program boots the default
kernel, which ends in the monitor.

A test record (test(NAME, ...) in grade-lab4) gives:
    need     patterns that must each match a whole output line
             (re.fullmatch); a tuple of patterns must match that many
             consecutive lines
    forbid   patterns that fail the test if they match anywhere in any
             line (re.search); the table's global list applies to every
             test
    type     monitor commands to type, each once the prompt `K> ` shows
    answers  input a program waits for: (ANCHOR, THEN, TEXT) types the
             line TEXT once a line matching ANCHOR has been followed by
             lines matching each pattern of THEN (see Answers)
    stop     when the run ends: PROMPT (the monitor prompt appeared, and
             every command was typed), ALL_SEEN (every `need` pattern has
             appeared; for programs that never exit), or linger(SECS)
             (SECS after every `need` pattern appeared)
    gdb      commands for gdb instead: QEMU starts halted, gdb runs them in
             batch mode after the setup `make gdb` uses, and `need`
             matches gdb's output
    qemu     extra QEMU options
    disk     boot from the disk image through the boot loader
    swap     the swap disk's size ("4M"): a fresh sparse file each run,
             the primary channel's second drive; "0" for none; unset,
             the run's --swap size (64M unless the command line says)
    seabios  boot the -kernel through SeaBIOS, not qboot
    allow    patterns of the table's forbidden list this test expects
    alone    run with no other QEMU beside it (see Queue)
    make     boot through this make target instead, in a copy of the tree
    check    a function of the output lines returning what is wrong
             with them (an empty list when nothing is)
    own_cpus its expectations hold on its own number of CPUs only (they
             name CPUs, or count what more CPUs change): --cpus leaves
             it there.  Every gdb test is such a test: gdb follows one
             CPU through a boot or a trap
    cpus, timeout, points

Reaching the timeout before the stop condition fails the test, and so
does QEMU exiting on its own (a crash or reset: QEMU runs -no-reboot).
Tests run a few at a time, longest timeout first (a long timeout marks
a long test, and starting those early keeps them from finishing last),
then those with the most CPUs; results print in table order.  The test
that goes through `make run-hello-nox` rebuilds the kernel, so it runs
in a copy of the built tree, and the other tests keep booting this
tree's build meanwhile.
"""

import argparse
import dataclasses
import contextlib
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field

PROMPT = ("prompt", 0)
ALL_SEEN = ("patterns", 0)


def linger(secs):
    return ("linger", secs)


@dataclass
class Test:
    name: str
    program: str = None     # fw_cfg opt/jos/test, None = default kernel
    need: list = field(default_factory=list)
    forbid: list = field(default_factory=list)
    type: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    stop: tuple = PROMPT
    cpus: int = 1
    timeout: float = 20
    points: int = 1
    make: str = None        # boot through this make target instead
    gdb: list = None        # run these gdb commands (see run_gdb_test)
    qemu: list = field(default_factory=list)
    check: object = None
    disk: bool = False
    swap: str = None        # swap disk size, "0" for none; None: --swap's
    seabios: bool = False   # boot through SeaBIOS even with -kernel
    allow: list = field(default_factory=list)  # the table's forbids it
                            # expects (a test of a panic: "kernel panic")
    own_cpus: bool = False  # --cpus does not apply to it
    alone: bool = False     # no other QEMU beside it (see Queue)

    def __post_init__(self):
        self.own_cpus = self.own_cpus or self.gdb is not None


TESTS = []


def test(name, **kw):
    TESTS.append(Test(name, **kw))




# Each QEMU mostly runs one busy virtual CPU at a time (idle ones halt),
# so three at once keep two host cores busy.
WORKERS = 3
VCPU_BUDGET = 6     # most guest CPUs running at once
TAIL_LINES = 25
IMAGE = "obj/kern/kernel.img"
KERNEL = "obj/kern/kernel"
ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[@-Z\\-_]|c)")
PROMPT_TEXT = "K> "
QBOOT = None        # see find_qboot
SWAP = "64M"        # the swap disk of a test that names none (--swap)
TABLE_FORBID = []   # the table's patterns that fail every test (run_all)
WAITING_FOR = {"prompt": "the monitor prompt",
    "patterns": "the expected output", "linger": "the expected output"}

PRINT_LOCK = threading.Lock()
ABORT = threading.Event()   # set on Ctrl-C: every running test stops


def say(text):
    with PRINT_LOCK:
        print(text, flush=True)


class Serial:
    """The output of one run: complete lines, plus the line in progress
    (where the monitor prompt shows, as it has no newline)."""

    def __init__(self, echo):
        self.lines = []
        self.partial = ""
        self.raw = b""
        self.echo = echo

    def feed(self, data):
        self.raw += data.replace(b"\r", b"")
        *done, self.raw = self.raw.split(b"\n")
        for line in done:
            self.lines.append(self.text(line))
            if self.echo:
                say("    | " + self.lines[-1])
        self.partial = self.text(self.raw)

    @staticmethod
    def text(raw):
        return ANSI.sub("", raw.decode("utf-8", "replace"))

    def at_prompt(self):
        return self.partial.endswith(PROMPT_TEXT)

    def all_lines(self):
        return self.lines + ([self.partial] if self.partial else [])


class Checker:
    """Tracks, as lines arrive, which `need` entries have not matched yet
    and which lines matched a forbidden pattern."""

    def __init__(self, need, forbid):
        self.pending = [tuple(re.compile(p) for p in
            (n if isinstance(n, tuple) else (n,))) for n in need]
        self.forbid = [re.compile(p) for p in forbid]
        self.bad = []       # (pattern, line) for each forbidden match
        self.seen = 0       # lines checked so far

    def scan(self, lines):
        for i in range(self.seen, len(lines)):
            self.pending = [n for n in self.pending
                if not self.ends_at(n, lines, i)]
            self.bad += [(f.pattern, lines[i]) for f in self.forbid
                if f.search(lines[i])]
        self.seen = len(lines)

    @staticmethod
    def ends_at(need, lines, i):
        """Do the patterns of need match the lines ending with line i?"""
        first = i - len(need) + 1
        return first >= 0 and all(p.fullmatch(lines[first + k])
            for k, p in enumerate(need))

    def missing(self):
        return [" / then / ".join(p.pattern for p in n) for n in self.pending]


class Answers:
    """Input a program waits for, typed when its output shows it is due:
    each answer (anchor, then, text) is typed once a line after the
    previous answer matches anchor and, after that line, each pattern of
    then has matched a line, in any order."""

    def __init__(self, answers):
        self.todo = [(re.compile(a), [re.compile(p) for p in then], text)
            for a, then, text in answers]
        self.seen = 0       # lines looked at so far
        self.anchored = False   # the next answer's anchor has matched

    def due(self, lines):
        """The text to type now, if any, given the lines so far."""
        while self.todo and self.seen < len(lines):
            line = lines[self.seen]
            self.seen += 1
            anchor, then, text = self.todo[0]
            if not self.anchored:
                self.anchored = anchor.fullmatch(line) is not None
                continue
            then[:] = [p for p in then if not p.fullmatch(line)]
            if not then:
                self.todo.pop(0)
                self.anchored = False
                return text
        return None


@dataclass
class Result:
    test: Test
    ok: bool
    secs: float
    problems: list
    tail: list


def find_qboot(qemu):
    """qboot, a minimal firmware QEMU ships: it boots a -kernel in half
    SeaBIOS's time.  It writes ACPI tables but no MP table (the kernel
    reads either).  The disk and gdb tests, and those marked seabios,
    keep SeaBIOS.  None if this QEMU has none."""
    share = os.path.join(os.path.dirname(os.path.realpath(
        shutil.which(qemu) or qemu)), "..", "share", "qemu")
    for d in (share, "/usr/share/qemu", "/usr/share/seabios"):
        path = os.path.join(d, "qboot.rom")
        if os.path.isfile(path):
            return os.path.abspath(path)
    return None


def swap_bytes(size):
    """A size such as 64M, 4096K or 65536, in bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if size[-1:].upper() in units:
        return int(size[:-1]) * units[size[-1].upper()]
    return int(size)


@contextlib.contextmanager
def swap_disk(t):
    """The path of a fresh, sparse swap disk of t's size, removed
    afterwards; None if t runs without one."""
    size = swap_bytes(t.swap if t.swap is not None else SWAP)
    if size == 0 or t.make:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="jos-swap-") as d:
        path = os.path.join(d, "swap.img")
        with open(path, "wb") as f:
            f.truncate(size)
        yield path


def qemu_argv(qemu, t, swap=None):
    # -nodefaults: no floppy, CD-ROM, parallel port, network card or VGA
    # to set up (or for the BIOS to probe); -vga none and -net none say
    # so again for the QEMUs whose -nodefaults leaves one.  The tests
    # read serial only, and emulating the text screen's memory (every
    # character, every scroll) is slow under TCG.
    argv = [qemu, "-nodefaults", "-display", "none", "-monitor", "none",
        "-no-reboot", "-net", "none", "-vga", "none", "-serial", "stdio",
        "-smp", "%d,sockets=%d" % (t.cpus, t.cpus)]
    if t.disk:
        argv += ["-drive", "file=%s,index=0,media=disk,format=raw,"
            "snapshot=on" % IMAGE]
    else:
        argv += ["-kernel", KERNEL]
    if not (t.disk or t.gdb or t.seabios) and QBOOT:
        argv += ["-bios", QBOOT]
    if swap:
        argv += ["-drive", "file=%s,index=1,media=disk,format=raw" % swap]
    if t.program:
        argv += ["-fw_cfg", "name=opt/jos/test,string=" + t.program]
    return argv + t.qemu


def make_argv(t):
    return ["make", "--no-print-directory", t.make, "CPUS=%d" % t.cpus,
        "GDBPORT=%d" % free_port()]


def free_port():
    with socket.socket() as s:
        s.bind(("", 0))
        return s.getsockname()[1]


def signal_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def stop_group(proc):
    """End everything in the process group started for proc: ask, then
    kill what is left (such as a QEMU that make started)."""
    signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(3)
    except subprocess.TimeoutExpired:
        pass
    signal_group(proc, signal.SIGKILL)
    proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        try:
            pipe.close()
        except OSError:
            pass


def run_test(t, qemu, echo, cwd=None):
    """Boot one test, drive it to its end, and judge it."""
    start = time.monotonic()
    out = Serial(echo)
    check = Checker(t.need, table_forbid(t) + t.forbid)
    with swap_disk(t) as swap:
        argv = make_argv(t) if t.make else qemu_argv(qemu, t, swap)
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=cwd)
        except OSError as e:
            return Result(t, False, 0,
                ["cannot run %s: %s" % (argv[0], e)], [])
        try:
            problem = drive(t, proc, out, check, start)
        finally:
            stop_group(proc)
    check.scan(out.all_lines())
    problems = [problem] if problem else []
    problems += ["missing: " + m for m in check.missing()]
    problems += ["forbidden %r in: %s" % b for b in check.bad]
    if t.check and not problems:
        problems += t.check(out.all_lines())
    return Result(t, not problems, time.monotonic() - start, problems,
        out.all_lines()[-TAIL_LINES:])


def drive(t, proc, out, check, start):
    """Read output and type commands until the test's stop condition.
    Returns None if it was reached (or a forbidden line ended the run
    early), else what went wrong."""
    commands = list(t.type)
    answers = Answers(t.answers)
    typed_at = -1       # lines seen when the last command was typed
    linger_until = None
    kind, secs = t.stop
    fd = proc.stdout.fileno()
    while not check.bad:
        now = time.monotonic()
        if ABORT.is_set():
            return "interrupted"
        if linger_until is not None and now >= linger_until:
            return None
        if now - start >= t.timeout:
            return "timed out after %gs waiting for %s" % (t.timeout,
                WAITING_FOR[kind])
        if select.select([fd], [], [], 0.1)[0]:
            # QEMU writes the serial port's bytes one at a time: let a
            # few milliseconds of them gather rather than wake per byte.
            time.sleep(0.002)
            data = os.read(fd, 65536)
            if not data:
                return "%s exited on its own (status %d)" % (
                    os.path.basename(proc.args[0]), proc.wait())
            out.feed(data)
            check.scan(out.lines)
            while (text := answers.due(out.lines)) is not None:
                type_line(proc, text)
        # A prompt counts once: the echo of what we typed ends its line.
        if out.at_prompt() and len(out.lines) > typed_at:
            if commands:
                type_line(proc, commands.pop(0))
                typed_at = len(out.lines)
            elif kind == "prompt":
                return None
        if not check.pending and kind == "patterns":
            return None
        if not check.pending and kind == "linger" and linger_until is None:
            linger_until = time.monotonic() + secs
    return None


def type_line(proc, line):
    try:
        proc.stdin.write((line + "\n").encode())
        proc.stdin.flush()
    except BrokenPipeError:
        pass        # it exited: the next read sees the end of output


# For the gdb tests, after .gdbinit.tmpl: step-to BYTE runs stepi until
# the next instruction starts with BYTE; step-off runs the instruction at
# $pc, stepping again while $pc has not moved: QEMU's stub can end a
# stepi having run nothing (seen once in some 70 runs, at an iret).
GDB_HELPERS = """
define step-to
  while *(unsigned char *) $pc != $arg0
    stepi
  end
end
define step-off
  set $step_from = $pc
  stepi
  while $pc == $step_from
    stepi
  end
end
"""
GDB_FORBID = [r"Python Exception", r"Traceback \(most recent call last\)"]


def gdb_setup(port):
    """What `make gdb` runs, .gdbinit.tmpl, for this port."""
    with open(".gdbinit.tmpl") as f:
        text = f.read()
    if "localhost:1234" not in text:
        raise ValueError(".gdbinit.tmpl has no `localhost:1234` to replace")
    return text.replace("localhost:1234", "127.0.0.1:%d" % port) + GDB_HELPERS


def gdb_stub(listener):
    """QEMU options: wait before the first instruction, serving gdb on
    listener, a socket the grader opened: its port is taken before QEMU
    starts, and gdb may connect before QEMU is ready to answer."""
    return ["-S", "-chardev", "socket,id=gdb,fd=%d,server=on,wait=off,"
        "nodelay=on" % listener.fileno(), "-gdb", "chardev:gdb"]


def spawn(argv, pass_fds=()):
    return subprocess.Popen(argv, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, pass_fds=pass_fds)


def table_forbid(t):
    """The table's forbidden patterns that apply to t."""
    return [p for p in TABLE_FORBID if p not in t.allow]


def run_gdb_test(t, qemu, echo):
    """Boot t halted under gdb, run its commands, and judge gdb's output
    (and the serial output against TABLE_FORBID).  Whatever happens,
    QEMU and gdb end with the test."""
    start = time.monotonic()
    serial, out = Serial(False), Serial(echo)
    procs = []
    try:
        with socket.socket() as listener, swap_disk(t) as swap, \
                tempfile.NamedTemporaryFile("w", suffix=".gdb") as script:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            script.write(gdb_setup(listener.getsockname()[1]))
            script.flush()
            procs.append(spawn(qemu_argv(qemu, t, swap) + gdb_stub(listener),
                pass_fds=[listener.fileno()]))
            procs.append(spawn(["gdb", "-nx", "-batch", "-x", script.name] +
                [w for c in t.gdb for w in ("-ex", c)]))
            problem = read_until_exit(procs, [serial, out], t, start)
    except OSError as e:
        problem = "cannot run the test: %s" % e
    finally:
        for p in procs:
            stop_group(p)
    check = Checker(t.need, GDB_FORBID + t.forbid)
    check.scan(out.all_lines())
    kernel = Checker([], table_forbid(t))
    kernel.scan(serial.all_lines())
    problems = [problem] if problem else []
    problems += ["missing from gdb's output: " + m for m in check.missing()]
    problems += ["forbidden %r in: %s" % b for b in check.bad + kernel.bad]
    return Result(t, not problems, time.monotonic() - start, problems,
        out.all_lines()[-TAIL_LINES:])


def read_until_exit(procs, outs, t, start):
    """Feed each process's output to its Serial until the last process
    exits.  Returns None, or what went wrong."""
    by_fd = {p.stdout.fileno(): (p, o) for p, o in zip(procs, outs)}
    last = procs[-1]
    while True:
        if ABORT.is_set():
            return "interrupted"
        if time.monotonic() - start >= t.timeout:
            return "timed out after %gs" % t.timeout
        for fd in select.select(list(by_fd), [], [], 0.1)[0]:
            proc, out = by_fd[fd]
            data = os.read(fd, 65536)
            if data:
                out.feed(data)
            elif proc is last:
                return None
            else:
                return "%s exited on its own (status %d)" % (
                    os.path.basename(proc.args[0]), proc.wait())


def run_via_make(t, qemu, echo):
    """Run t's make target in a copy of the tree, build included (the
    copy keeps each file's time, so make rebuilds only what t changes)."""
    with tempfile.TemporaryDirectory(prefix="grade-lab4-") as tmp:
        tree = os.path.join(tmp, "tree")
        shutil.copytree(".", tree, symlinks=True,
            ignore=shutil.ignore_patterns(".git"))
        return run_test(t, qemu, echo, cwd=tree)


def run_guarded(t, qemu, echo):
    """Run t, turning a bug in the grader into a failed test."""
    runner = run_gdb_test if t.gdb else run_via_make if t.make else run_test
    try:
        return runner(t, qemu, echo)
    except Exception:
        return Result(t, False, 0, ["grader error:"] +
            traceback.format_exc().splitlines(), [])


def report(r):
    say("%s: %s (%.1fs)" % (r.test.name, "OK" if r.ok else "FAIL", r.secs))
    if r.ok:
        return
    for p in r.problems:
        say("    " + p)
    if r.tail:
        say("    last output:")
    for line in r.tail:
        say("        " + line)


class Queue:
    """Hands out the tests in order, each as soon as it fits: while the
    guest CPUs running stay within the budget.  A test that must wait
    does not hold up the ones after it, and a test as wide as the budget
    runs alone.  So does a test marked alone, which needs every guest CPU
    to get host time while its work lasts (stresssched: each CPU must
    run an env, in a program done in a tenth of a second; beside other
    QEMUs, the host can leave one CPU's thread unrun that long)."""

    def __init__(self, tests, budget):
        # Among equal timeouts, the widest first: a 4-CPU test leaves
        # room for 1-CPU ones beside it, so those must not all have gone
        # before it (a tail of 4-CPU tests would run one at a time).
        self.pending = sorted(range(len(tests)),
            key=lambda i: (-tests[i].timeout, -tests[i].cpus))
        self.tests = tests
        self.budget = budget
        self.free = budget
        self.cond = threading.Condition()

    def weight(self, i):
        t = self.tests[i]
        return self.budget if t.alone else min(t.cpus, self.budget)

    def take(self):
        """The next test to run, or None when none is left."""
        with self.cond:
            while self.pending and not ABORT.is_set():
                for i in self.pending:
                    if self.weight(i) <= self.free:
                        self.pending.remove(i)
                        self.free -= self.weight(i)
                        return i
                self.cond.wait(0.2)
            return None

    def done(self, i):
        with self.cond:
            self.free += self.weight(i)
            self.cond.notify_all()


def run_parallel(tests, qemu, workers, echo):
    """Run tests on a few threads, reporting each in table order."""
    results = [None] * len(tests)
    done = [threading.Event() for _ in tests]
    queue = Queue(tests, VCPU_BUDGET)

    def worker():
        while (i := queue.take()) is not None:
            try:
                results[i] = run_guarded(tests[i], qemu, echo)
            finally:
                queue.done(i)
                done[i].set()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for th in threads:
        th.start()
    try:
        for i in range(len(tests)):
            while not done[i].wait(0.2):
                pass
            report(results[i])
    except BaseException:
        ABORT.set()
        raise
    finally:
        for th in threads:
            th.join()
    return results


def find_qemu():
    """The QEMU the build uses (conf/env.mk may name another one)."""
    try:
        p = subprocess.run(["make", "-s", "--no-print-directory",
            "print-qemu"], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        return p.stdout.decode().strip() or "qemu-system-i386"
    except OSError:
        return "qemu-system-i386"


def select_tests(names):
    """The tests named exactly, else those whose names contain a NAME."""
    if not names:
        return TESTS
    chosen = set()
    for n in names:
        exact = [t.name for t in TESTS if t.name == n]
        found = exact or [t.name for t in TESTS if n in t.name]
        if not found:
            sys.exit("grade-lab4: no test matches %r" % n)
        chosen.update(found)
    return [t for t in TESTS if t.name in chosen]


def interrupt(signum, frame):
    raise KeyboardInterrupt


START = time.time()


def run_all(global_forbid):
    """Run the tests the table defined (all, or those named on the
    command line), each also failing on a line matching global_forbid;
    print each result, the time and the score.  Returns the exit
    status: 0 if every test passed."""
    try:
        return grade(global_forbid)
    except BrokenPipeError:
        # Piped into head: the reader has gone.  The QEMUs were stopped
        # on the way out (run_parallel); stop quietly, with nowhere to
        # flush the rest to.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def grade(global_forbid):
    """run_all's work; a reader that goes away is run_all's to handle."""
    global TABLE_FORBID, QBOOT, SWAP
    TABLE_FORBID = list(global_forbid)
    ap = argparse.ArgumentParser(description="Run the kernel's tests.")
    ap.add_argument("-v", "--verbose", action="store_true",
        help="show each test's output as it arrives, one test at a time")
    ap.add_argument("--swap", metavar="SIZE", default=SWAP,
        help="the swap disk of tests that name none (default %(default)s; "
        "0: none)")
    ap.add_argument("--cpus", metavar="N", type=int,
        help="boot every test on N CPUs instead of its own number, but "
        "those whose expectations hold only for theirs")
    ap.add_argument("names", nargs="*",
        help="run only these tests (or those whose names contain one)")
    args = ap.parse_args()

    # A SIGTERM (say, from a CI timeout) cleans up as Ctrl-C does.
    signal.signal(signal.SIGTERM, interrupt)
    os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for built in (KERNEL, IMAGE):
        if not os.path.exists(built):
            sys.exit("grade-lab4: %s not found; run make first" % built)
    tests = select_tests(args.names)
    if args.cpus:
        tests = [t if t.own_cpus else dataclasses.replace(t, cpus=args.cpus)
            for t in tests]
    SWAP = args.swap
    qemu = find_qemu()
    QBOOT = find_qboot(qemu)
    try:
        results = run_parallel(tests, qemu,
            1 if args.verbose else WORKERS, args.verbose)
    except KeyboardInterrupt:
        say("interrupted")
        return 130

    # A log cut to its last lines (a CI excerpt) still names each
    # failure and why.
    for r in results:
        if not r.ok:
            say("FAILED %s: %s" % (r.test.name, "; ".join(r.problems)))
    since = float(os.environ.get("GRADE_START", START))
    if args.cpus:
        say("--cpus %d: %d tests on %d CPU%s, %d on their own number" % (
            args.cpus, sum(not t.own_cpus for t in tests), args.cpus,
            "s" if args.cpus > 1 else "", sum(t.own_cpus for t in tests)))
    say("Time: %.1fs%s" % (time.time() - since,
        " (clean build included)" if "GRADE_START" in os.environ else ""))
    passed = [r for r in results if r.ok]
    say("Score: %d/%d" % (sum(r.test.points for r in passed),
        sum(t.points for t in tests)))
    say("%d passed, %d failed" % (len(passed), len(tests) - len(passed)))
    return 0 if len(passed) == len(tests) else 1

