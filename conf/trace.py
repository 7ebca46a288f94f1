#!/usr/bin/env python3
"""
Show the kernel's event trace: as a Chrome trace-event file that
Perfetto (ui.perfetto.dev) and chrome://tracing open, as a standalone
SVG timeline, or as a short text summary.

Usage: python3 conf/trace.py TRACE.bin [--json OUT.json] [--svg OUT.svg]
                                       [--title TEXT]

With neither output it prints the summary: records per type and per
CPU, records lost, and the time the trace spans.

The trace is a stream of 24-byte little-endian records (RECORD).  Each
CPU flushes its own ring in batches, so the CPUs' records come
interleaved in no particular order, but one CPU's come in time order:
the reader keeps each CPU's order and merges the CPUs by time stamp.

An env's run on a CPU lasts from the SWITCH that starts it to the next
SWITCH on that CPU, an IDLE (a halted CPU runs nothing) or the CPU's
last record.  The trace can begin in the middle of a run, and so can
what follows a DROPPED record; the next SWITCH names the env that was
running, so its run is taken to start at the CPU's first record (or at
the drop).  The run a drop interrupts ends at the last record before
it: what happened in the gap is lost, and the timeline shows a gap.

Imported (by path: the standard library has a module named trace too):
    read_records(data)              the Records in bytes
    encode(records)                 Records back to bytes
    analyse(records, trailing=0)    a Trace: runs, names, messages, counts
    load(path)                      the Trace of a trace file
    chrome_trace(trace)             the trace-event dict, for json.dump
    svg_timeline(trace, title=...)  the SVG document, a str
    summary(trace)                  the text summary, a str
"""

import argparse
import collections
import heapq
import json
import math
import os
import struct
import sys
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

RECORD = struct.Struct("<QIIIHBB")
Record = collections.namedtuple("Record", "tsc env a b type cpu flags",
    defaults=(0,))
Run = collections.namedtuple("Run", "cpu env start end")    # tsc, tsc

(SWITCH, SYSCALL, SYSRET, TRAP, FAULT, SEND, RECV, WAKE, IDLE, RESUME,
    LOCKWAIT, SWAPIO, NAME, DROPPED, EXIT, CLOCK, RESTART) = range(1, 18)
TYPE_NAMES = {SWITCH: "SWITCH", SYSCALL: "SYSCALL", SYSRET: "SYSRET",
    TRAP: "TRAP", FAULT: "FAULT", SEND: "SEND", RECV: "RECV", WAKE: "WAKE",
    IDLE: "IDLE", RESUME: "RESUME", LOCKWAIT: "LOCKWAIT", SWAPIO: "SWAPIO",
    NAME: "NAME", DROPPED: "DROPPED", EXIT: "EXIT", CLOCK: "CLOCK",
    RESTART: "RESTART"}
# A FAULT's b: how the kernel handled it.
FAULT_HOW = {0: "region", 1: "upcall", 2: "swap-in", 3: "killed",
    4: "cow upcall"}
DEFAULT_MHZ = 1000      # a trace without a CLOCK record


@dataclass
class Trace:
    records: list       # every Record, the CPUs merged in time order
    mhz: float          # time stamp counter cycles per microsecond
    clock_known: bool   # mhz came from a CLOCK record
    start: int          # tsc of the earliest record, time 0 of the outputs
    end: int            # tsc of the latest
    cpus: list          # the CPUs that ran (cpus_of), in order
    names: dict         # env -> program name
    runs: list          # Runs, in order of start
    messages: list      # (SEND, RECV) Record pairs of one message
    counts: collections.Counter     # type -> records
    per_cpu: collections.Counter    # cpu -> records
    dropped: collections.Counter    # cpu -> records its ring lost
    trailing: int       # bytes past the last whole record, ignored


def read_records(data):
    """The Records in data; a partial record at the end is left out."""
    whole = len(data) - len(data) % RECORD.size
    return [Record._make(f) for f in RECORD.iter_unpack(data[:whole])]


def encode(records):
    """Records as the kernel writes them (for synthetic traces)."""
    return b"".join(RECORD.pack(*r) for r in records)


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    return analyse(read_records(data), len(data) % RECORD.size)


def analyse(records, trailing=0):
    """The Trace of records, in the order the stream holds them."""
    by_cpu = collections.defaultdict(list)
    for r in records:
        by_cpu[r.cpu].append(r)
    # heapq.merge keeps each CPU's own order, even where its clock
    # steps back.
    merged = list(heapq.merge(*by_cpu.values(), key=lambda r: r.tsc))
    runs = [run for cpu in sorted(by_cpu) for run in cpu_runs(by_cpu[cpu])]
    mhz = clock_mhz(merged)
    return Trace(records=merged, mhz=mhz or DEFAULT_MHZ,
        clock_known=mhz is not None,
        start=min((r.tsc for r in merged), default=0),
        end=max((r.tsc for r in merged), default=0),
        cpus=cpus_of(merged), names=program_names(merged),
        runs=sorted(runs, key=lambda run: (run.start, run.cpu)),
        messages=match_messages(merged),
        counts=collections.Counter(r.type for r in merged),
        per_cpu=collections.Counter(r.cpu for r in merged),
        dropped=dropped_records(merged), trailing=trailing)


def cpu_runs(records):
    """The env runs in one CPU's records (see the top of the file)."""
    runs = []
    current = None          # (env, start) of the run going on
    unknown_since = records[0].tsc if records else None
    last = None             # tsc of the record before this one
    for r in records:
        if r.type == SWITCH:
            if current:
                runs.append(Run(r.cpu, current[0], current[1], r.tsc))
            elif unknown_since is not None and r.a:
                runs.append(Run(r.cpu, r.a, unknown_since, r.tsc))
            current = (r.env, r.tsc) if r.env else None
            unknown_since = None
        elif r.type in (IDLE, DROPPED):
            if current:
                end = r.tsc if r.type == IDLE else last
                runs.append(Run(r.cpu, current[0], current[1], end))
            current = None
            unknown_since = r.tsc if r.type == DROPPED else None
        last = r.tsc
    if current:
        runs.append(Run(records[-1].cpu, current[0], current[1], last))
    # A clock that steps back must not make a run of negative length.
    return [run._replace(end=max(run.start, run.end)) for run in runs]


def clock_mhz(records):
    """The cycles per microsecond of the first CLOCK record, or None."""
    for r in records:
        if r.type == CLOCK and r.a:
            return r.a
    return None


def cpus_of(records):
    """The CPUs with records, and those the first CLOCK record says ran
    (a CPU may record nothing in a whole run), in order."""
    cpus = {r.cpu for r in records}
    clock = next((r for r in records if r.type == CLOCK), None)
    return sorted(cpus | set(range(clock.b if clock else 0)))


def program_names(records):
    return {r.env: name_text(r.a, r.b) for r in records if r.type == NAME}


def name_text(a, b):
    """The program name in a NAME record's a and b, in printable ASCII
    (an XML file may not hold control characters, even escaped)."""
    raw = struct.pack("<II", a, b).split(b"\0")[0]
    return "".join(chr(c) if 32 <= c < 127 else "?" for c in raw)


def match_messages(records):
    """Pair each SEND with the RECV of the same message: the first
    unmatched one from the same sender to the same receiver with the
    same value.  The pairs go by the stream, not by time, since another
    CPU's clock may put a RECV a little before its SEND."""
    sends = collections.defaultdict(collections.deque)
    for r in records:
        if r.type == SEND:
            sends[r.env, r.a, r.b].append(r)
    pairs = []
    for r in records:
        queue = sends.get((r.a, r.env, r.b)) if r.type == RECV else None
        if queue:
            pairs.append((queue.popleft(), r))
    return pairs


def dropped_records(records):
    lost = collections.Counter()
    for r in records:
        if r.type == DROPPED:
            lost[r.cpu] += r.a
    return lost


def micros(trace, tsc):
    """Microseconds from the trace's first record to tsc."""
    return round((tsc - trace.start) / trace.mhz, 3)


def envid(env):
    return "%08x" % env


def program(trace, env):
    return trace.names.get(env)


def env_label(trace, env):
    return "%s %s" % (program(trace, env) or "env", envid(env))


# Instant events, as (name, args), for the record types that have them:
# the trace-event file shows each one, the SVG the faults and messages.
def fault_event(trace, r):
    how = FAULT_HOW.get(r.b, "how %d" % r.b)
    return "fault: " + how, {"env": envid(r.env), "va": "0x%08x" % r.a}


def send_event(trace, r):
    return ("send %s -> %s" % (envid(r.env), envid(r.a)),
        {"value": r.b, "from": envid(r.env), "to": envid(r.a)})


def recv_event(trace, r):
    return ("recv %s <- %s" % (envid(r.env), envid(r.a)),
        {"value": r.b, "from": envid(r.a), "to": envid(r.env)})


def wake_event(trace, r):
    return ("wake %s" % envid(r.a),
        {"by": envid(r.env), "woken": envid(r.a)})


def swapio_event(trace, r):
    return ("swap write" if r.b else "swap read"), {"slot": r.a}


def lockwait_event(trace, r):
    return "lock wait", {"lock": "0x%x" % r.a, "cycles": r.b}


def dropped_event(trace, r):
    return "dropped %d records" % r.a, {"records": r.a}


def exit_event(trace, r):
    return "exit %s" % envid(r.env), {"env": envid(r.env)}


def restart_event(trace, r):
    return "restart syscall %d" % r.a, {"env": envid(r.env), "syscall": r.a}


INSTANTS = {FAULT: fault_event, SEND: send_event, RECV: recv_event,
    WAKE: wake_event, SWAPIO: swapio_event, LOCKWAIT: lockwait_event,
    DROPPED: dropped_event, EXIT: exit_event, RESTART: restart_event,
    IDLE: lambda trace, r: ("idle", {}),
    RESUME: lambda trace, r: ("resume", {})}


def chrome_trace(trace):
    """The trace in Chrome's trace-event format (a dict for json.dump):
    a track per CPU, a slice per env run, instants for the events."""
    events = (thread_names(trace) + run_slices(trace) +
        instant_events(trace) + message_flows(trace))
    # Stable: the metadata, all at time 0, stays first.
    events.sort(key=lambda e: e["ts"])
    return {"traceEvents": events, "displayTimeUnit": "ns"}


def thread_names(trace):
    meta = [{"ph": "M", "pid": 1, "tid": 0, "ts": 0, "name": "process_name",
        "args": {"name": "JOS"}}]
    for cpu in trace.cpus:
        meta.append({"ph": "M", "pid": 1, "tid": cpu, "ts": 0,
            "name": "thread_name", "args": {"name": "CPU %d" % cpu}})
        meta.append({"ph": "M", "pid": 1, "tid": cpu, "ts": 0,
            "name": "thread_sort_index", "args": {"sort_index": cpu}})
    return meta


def run_slices(trace):
    return [{"ph": "X", "pid": 1, "tid": run.cpu, "cat": "env",
        "name": env_label(trace, run.env),
        "ts": micros(trace, run.start),
        "dur": round(micros(trace, run.end) - micros(trace, run.start), 3),
        "args": {"env": envid(run.env), "program": program(trace, run.env)}}
        for run in trace.runs]


def instant_events(trace):
    events = []
    for r in trace.records:
        if r.type in INSTANTS:
            name, args = INSTANTS[r.type](trace, r)
            events.append({"ph": "i", "s": "t", "pid": 1, "tid": r.cpu,
                "cat": TYPE_NAMES[r.type].lower(), "name": name,
                "ts": micros(trace, r.tsc), "args": args})
    return events


def message_flows(trace):
    """An arrow from each SEND to its RECV: a flow event pair, which the
    viewers draw between the slices around the two ends."""
    flows = []
    for n, (send, recv) in enumerate(trace.messages, 1):
        for r, ph in ((send, "s"), (recv, "f")):
            flows.append({"ph": ph, "id": n, "bp": "e", "pid": 1,
                "tid": r.cpu, "cat": "ipc", "name": "message",
                "ts": micros(trace, r.tsc)})
    return flows


# The SVG timeline's geometry, in pixels.
WIDTH = 1200
LEFT = 70               # the lane labels' column
RIGHT = 30
PLOT = WIDTH - LEFT - RIGHT
TOP = 50                # under the title
LANE = 26               # a lane's height
GAP = 16                # above each lane, room for the fault marks
LEGEND_COLUMN = 220
# Distinguishable colours (Tableau's 10, then two more); an env takes the
# next in order of its first run, so beyond 12 envs they repeat.
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f3b73",
    "#8cd17d"]
FAULT_COLOUR = "#202020"
MESSAGE_COLOUR = "#404040"


def tag(name, inner=None, **attrs):
    """An SVG element; inner is markup, already escaped.  Attribute
    names take _ for - (font_size), and class_ for class; floats keep
    two decimals, a hundredth of a pixel."""
    text = "".join(" %s=%s" % (k.rstrip("_").replace("_", "-"),
        quoteattr("%.2f" % v if isinstance(v, float) else str(v)))
        for k, v in attrs.items())
    if inner is None:
        return "<%s%s/>" % (name, text)
    return "<%s%s>%s</%s>" % (name, text, inner, name)


def hover(text):
    return tag("title", escape(text))


@dataclass
class Plot:
    trace: Trace
    scale: float        # pixels per microsecond
    lanes: dict         # cpu -> y of its lane's top

    def x(self, tsc):
        return LEFT + micros(self.trace, tsc) * self.scale

    def middle(self, cpu):
        return self.lanes[cpu] + LANE / 2


def svg_timeline(trace, title="JOS trace"):
    """The trace as a standalone SVG document: a lane per CPU, a
    rectangle per env run, marks for faults and messages, a time axis
    and a legend of the envs' colours.  A rectangle per run however
    thin, so a long trace makes a big file."""
    span = max(micros(trace, trace.end), 0.001)
    lanes = {cpu: TOP + GAP + i * (LANE + GAP)
        for i, cpu in enumerate(trace.cpus)}
    plot = Plot(trace, PLOT / span, lanes)
    axis_y = TOP + len(lanes) * (LANE + GAP) + 8
    colours = env_colours(trace)
    legend, height = svg_legend(trace, colours, axis_y + 44)
    body = ([tag("rect", width=WIDTH, height=height, fill="white"),
        tag("text", escape(xml_safe(title)), x=LEFT, y=28,
            font_size=18, font_weight="bold")] +
        svg_axis(span, plot.scale, axis_y) +
        [svg_lane(plot, cpu, colours) for cpu in trace.cpus] +
        svg_messages(plot) + svg_marks(plot) + legend)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' +
        tag("svg", "\n".join(body) + "\n", xmlns="http://www.w3.org/2000/svg",
            width=WIDTH, height=height, viewBox="0 0 %d %d" % (WIDTH, height),
            font_family="sans-serif", font_size=12) + "\n")


def xml_safe(text):
    """text without the control characters XML cannot hold."""
    return "".join(c if c >= " " or c == "\t" else "?" for c in text)


def env_colours(trace):
    order = []
    for run in trace.runs:
        if run.env not in order:
            order.append(run.env)
    return {env: PALETTE[i % len(PALETTE)] for i, env in enumerate(order)}


def svg_lane(plot, cpu, colours):
    """A CPU's lane: its label, its background and a rectangle per run;
    idle time stays background."""
    y = plot.lanes[cpu]
    parts = [tag("text", "CPU %d" % cpu, x=10, y=y + LANE / 2 + 4),
        tag("rect", x=LEFT, y=y, width=PLOT, height=LANE, fill="#f4f4f4",
            stroke="#d0d0d0")]
    for run in plot.trace.runs:
        if run.cpu == cpu:
            parts.append(svg_run(plot, run, colours[run.env]))
    return tag("g", "".join(parts), class_="lane", id="cpu%d" % cpu)


def svg_run(plot, run, colour):
    trace = plot.trace
    width = max((run.end - run.start) / trace.mhz * plot.scale, 0.5)
    text = "%s on CPU %d: %s, from %s" % (env_label(trace, run.env), run.cpu,
        duration_text((run.end - run.start) / trace.mhz),
        duration_text(micros(trace, run.start)))
    # A white edge keeps two runs of one env in a row apart, where the
    # run is wide enough to keep some colour inside it.
    edge = {"stroke": "white", "stroke_width": 0.5} if width >= 3 else {}
    return tag("rect", hover(text), x=plot.x(run.start), y=plot.lanes[run.cpu],
        width=width, height=LANE, fill=colour, **edge)


def svg_messages(plot):
    """A thin line from each SEND in the sender's lane to its RECV in the
    receiver's lane."""
    return [tag("line", hover(send_event(plot.trace, send)[0]),
        x1=plot.x(send.tsc), y1=plot.middle(send.cpu), x2=plot.x(recv.tsc),
        y2=plot.middle(recv.cpu), stroke=MESSAGE_COLOUR, stroke_width=0.8,
        stroke_opacity=0.7) for send, recv in plot.trace.messages]


def svg_marks(plot):
    """A triangle above the lane for each fault, a circle in it for each
    message sent (filled) or received (hollow), a red tick for a drop."""
    marks = []
    for r in plot.trace.records:
        if r.type in (FAULT, SEND, RECV, DROPPED):
            name, args = INSTANTS[r.type](plot.trace, r)
            text = " ".join([name] + ["%s %s" % kv for kv in args.items()])
            marks.append(svg_glyph(r.type, plot.x(r.tsc), plot.lanes[r.cpu],
                inner=hover(text)))
    return marks


def svg_glyph(kind, x, top, height=LANE, inner=""):
    """The mark of a record type at x, for a lane from top down height."""
    if kind == FAULT:
        points = "%.2f,%.2f %.2f,%.2f %.2f,%.2f" % (x - 4, top - 9,
            x + 4, top - 9, x, top - 1)
        return tag("polygon", inner, points=points, fill=FAULT_COLOUR)
    if kind == DROPPED:
        return tag("line", inner, x1=x, y1=top - 4, x2=x,
            y2=top + height + 4, stroke="red", stroke_width=2)
    fill = MESSAGE_COLOUR if kind == SEND else "white"
    return tag("circle", inner, cx=x, cy=top + height / 2, r=3, fill=fill,
        stroke=MESSAGE_COLOUR)


def svg_axis(span, scale, y):
    """The time axis under the lanes, with light lines up through them."""
    step = tick_step(span)
    parts = [tag("line", x1=LEFT, y1=y, x2=LEFT + PLOT, y2=y, stroke="black")]
    for i in range(int(span / step + 1e-9) + 1):
        x = LEFT + i * step * scale
        parts += [tag("line", x1=x, y1=TOP, x2=x, y2=y, stroke="#e4e4e4"),
            tag("line", x1=x, y1=y, x2=x, y2=y + 5, stroke="black"),
            tag("text", escape(tick_text(i * step, step)), x=x, y=y + 18,
                text_anchor="middle")]
    return parts


def tick_step(span):
    """A step of 1, 2, 2.5 or 5 times a power of ten giving close to 8
    ticks over span microseconds.  No two steps in a row differ by more
    than twice, so one of them gives 6 to 10."""
    top = math.floor(math.log10(span))
    steps = [m * 10.0 ** e for e in range(top - 2, top + 1)
        for m in (1, 2, 2.5, 5)]
    return min(steps, key=lambda s: abs(int(span / s + 1e-9) + 1 - 8))


def tick_text(us, step):
    if step >= 1000:
        return "%g ms" % round(us / 1000, 6)
    return "%g µs" % round(us, 6)


def svg_legend(trace, colours, y):
    """The legend under the axis: the marks, then a swatch per env.
    Returns the elements and the height the document needs."""
    parts = []
    marks = ((FAULT, "page fault"), (SEND, "message sent"),
        (RECV, "message received"), (DROPPED, "records lost"))
    for i, (kind, text) in enumerate(marks):
        x = float(LEFT + 150 * i)
        # Each glyph drawn on a lane of 8 pixels, beside its text.
        top = y + 1 if kind == FAULT else y - 8
        parts += [svg_glyph(kind, x + 6, top, height=8),
            tag("text", text, x=x + 16, y=y)]
    columns = PLOT // LEGEND_COLUMN
    for i, (env, colour) in enumerate(colours.items()):
        x = LEFT + (i % columns) * LEGEND_COLUMN
        row_y = y + 22 * (1 + i // columns)
        parts += [tag("rect", x=x, y=row_y - 10, width=12, height=12,
            fill=colour), tag("text", escape(env_label(trace, env)),
            x=x + 18, y=row_y)]
    rows = (len(colours) + columns - 1) // columns
    return parts, y + 22 * rows + 20


def duration_text(us):
    if us >= 1000:
        return "%.3f ms" % (us / 1000)
    return "%.3f µs" % us


def type_name(kind):
    return TYPE_NAMES.get(kind, "unknown type %d" % kind)


def summary(trace):
    """A few lines: the trace's size and span, records per type and per
    CPU, records lost, lock waits and the envs seen."""
    cycles = trace.end - trace.start
    clock = "%g MHz%s" % (trace.mhz, "" if trace.clock_known else ", assumed")
    lines = ["%d records from %d CPUs over %s (%d cycles at %s)" % (
        len(trace.records), len(trace.cpus),
        duration_text(cycles / trace.mhz), cycles, clock),
        "by type: " + ", ".join("%s %d" % (type_name(t), n)
            for t, n in sorted(trace.counts.items())),
        "by CPU: " + ", ".join("CPU %d %d" % (cpu, trace.per_cpu[cpu])
            for cpu in trace.cpus),
        "dropped: %d records%s" % (sum(trace.dropped.values()),
            "".join(", CPU %d lost %d" % kv
                for kv in sorted(trace.dropped.items())))]
    waits = [r.b for r in trace.records if r.type == LOCKWAIT]
    if waits:
        lines.append("lock waits: %d, %d cycles in all" % (len(waits),
            sum(waits)))
    envs = sorted({run.env for run in trace.runs})
    lines.append("envs run: %d%s" % (len(envs), "".join(", " +
        env_label(trace, env) for env in envs)))
    if trace.trailing:
        lines.append("ignored %d bytes past the last whole record" %
            trace.trailing)
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Show a JOS event trace.")
    parser.add_argument("trace", help="the binary trace file")
    parser.add_argument("--json", help="write a Chrome trace-event file")
    parser.add_argument("--svg", help="write an SVG timeline")
    parser.add_argument("--title", help="the SVG's title (the file's name)")
    args = parser.parse_args(argv)
    try:
        trace = load(args.trace)
    except OSError as e:
        print("trace: %s" % e, file=sys.stderr)
        return 1
    if args.json:
        with open(args.json, "w") as f:
            json.dump(chrome_trace(trace), f)
    if args.svg:
        title = args.title or os.path.basename(args.trace)
        with open(args.svg, "w", encoding="utf-8") as f:
            f.write(svg_timeline(trace, title))
    if not args.json and not args.svg:
        sys.stdout.write(summary(trace))
    return 0


if __name__ == "__main__":
    sys.exit(main())
