#!/usr/bin/env python3
"""
Self-test of conf/trace.py on synthetic traces: python3 conf/trace_test.py

The main one is a ping-pong: two envs take turns, each receiving the
last number, faulting once, sending the next number and giving up its
CPU, which halts until its next turn.  The envs move between the two
CPUs, and the stream holds CPU 1's records before CPU 0's, as two ring
flushes would, with a record of a type the tool does not know.
"""

import contextlib
import importlib.util
import io
import json
import os
import struct
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
SVG = "{http://www.w3.org/2000/svg}"
PING, PONG = 0x1001, 0x1002
MHZ = 2000
ROUNDS = 4
UNKNOWN = 99


def load_tool():
    """conf/trace.py, by path: `import trace` may find the standard
    library's module of that name instead."""
    spec = importlib.util.spec_from_file_location("jos_trace",
        os.path.join(HERE, "trace.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = load_tool()


def rec(tsc, cpu, kind, env=0, a=0, b=0):
    return tool.Record(tsc, env, a, b, kind, cpu)


def name_words(name):
    return struct.unpack("<II", name.encode().ljust(8, b"\0"))


def round_cpu(i):
    """Rounds 0-3 run on CPUs 0, 1, 1, 0: each env uses both."""
    return (i + i // 2) % 2


def ping_pong(drop_in_round=None):
    """The ping-pong's records, in stream order.  Round i runs on
    round_cpu(i) from 1000 * (i + 1) cycles for 400 cycles; with
    drop_in_round, that round's CPU loses 7 records in the middle."""
    by_cpu = {0: [rec(0, 0, tool.CLOCK, a=MHZ),
        rec(10, 0, tool.NAME, PING, *name_words("ping"))],
        1: [rec(20, 1, tool.NAME, PONG, *name_words("pong"))]}
    for i in range(ROUNDS):
        cpu, t = round_cpu(i), 1000 * (i + 1)
        env, other = (PING, PONG) if i % 2 == 0 else (PONG, PING)
        out = by_cpu[cpu]
        if any(r.type == tool.IDLE for r in out):
            out.append(rec(t - 10, cpu, tool.RESUME))
        out.append(rec(t, cpu, tool.SWITCH, env))
        if i > 0:
            out.append(rec(t + 100, cpu, tool.RECV, env, other, i))
        if i == drop_in_round:
            out.append(rec(t + 150, cpu, tool.DROPPED, a=7))
        out += [rec(t + 200, cpu, tool.FAULT, env, 0x800000 + i * 0x1000, i),
            rec(t + 300, cpu, tool.SEND, env, other, i + 1),
            rec(t + 400, cpu, tool.SWITCH, 0, env),
            rec(t + 450, cpu, tool.IDLE)]
    by_cpu[0].insert(3, rec(1050, 0, UNKNOWN, PING, 1, 2))
    return by_cpu[1] + by_cpu[0]


def analysed(records):
    """The Trace of records, by way of the bytes the kernel writes."""
    return tool.analyse(tool.read_records(tool.encode(records)))


def chrome(records):
    return json.loads(json.dumps(tool.chrome_trace(analysed(records))))


def slices(doc):
    return sorted((e for e in doc["traceEvents"] if e["ph"] == "X"),
        key=lambda e: e["ts"])


def instants(doc, prefix):
    return [e for e in doc["traceEvents"]
        if e["ph"] == "i" and e["name"].startswith(prefix)]


def slice_index(all_slices, event):
    """The index of the slice on event's CPU around event's time."""
    for i, s in enumerate(all_slices):
        if s["tid"] == event["tid"] and (s["ts"] <= event["ts"] <=
                s["ts"] + s["dur"]):
            return i
    raise AssertionError("no slice around %s" % event)


def svg_root(records, title="ping-pong"):
    return ET.fromstring(tool.svg_timeline(analysed(records), title))


class ChromeTraceTest(unittest.TestCase):
    def test_format(self):
        doc = chrome(ping_pong())
        self.assertEqual(doc["displayTimeUnit"], "ns")
        names = {e["args"]["name"] for e in doc["traceEvents"]
            if e["ph"] == "M" and e["name"].endswith("_name")}
        self.assertEqual(names, {"JOS", "CPU 0", "CPU 1"})
        times = [e["ts"] for e in doc["traceEvents"]]
        self.assertEqual(times, sorted(times))

    def test_slices_close(self):
        for s in slices(chrome(ping_pong())):
            self.assertGreaterEqual(s["ts"], 0)
            self.assertGreaterEqual(s["dur"], 0)

    def test_slices_alternate(self):
        runs = slices(chrome(ping_pong()))
        self.assertEqual([s["name"] for s in runs],
            ["ping 00001001", "pong 00001002"] * (ROUNDS // 2))
        self.assertEqual([s["tid"] for s in runs],
            [round_cpu(i) for i in range(ROUNDS)])
        for before, after in zip(runs, runs[1:]):
            self.assertLessEqual(before["ts"] + before["dur"], after["ts"])
        # 1000 cycles at 2000 MHz, for 400 cycles.
        self.assertAlmostEqual(runs[0]["ts"], 0.5)
        self.assertAlmostEqual(runs[0]["dur"], 0.2)
        self.assertEqual(runs[1]["args"],
            {"env": "00001002", "program": "pong"})

    def test_messages_follow_slices(self):
        doc = chrome(ping_pong())
        runs = slices(doc)
        sends, recvs = instants(doc, "send"), instants(doc, "recv")
        self.assertEqual(len(sends), ROUNDS)
        self.assertEqual(len(recvs), ROUNDS - 1)
        for recv in recvs:
            send, = [s for s in sends
                if s["args"]["value"] == recv["args"]["value"]]
            self.assertEqual(send["args"]["to"], recv["args"]["to"])
            i, j = slice_index(runs, send), slice_index(runs, recv)
            self.assertEqual(j, i + 1)
            self.assertEqual(runs[j]["args"]["env"], recv["args"]["to"])
        flows = [e for e in doc["traceEvents"] if e["ph"] in "sf"]
        self.assertEqual(len(flows), 2 * (ROUNDS - 1))

    def test_instants(self):
        doc = chrome(ping_pong())
        faults = instants(doc, "fault")
        self.assertEqual([f["name"] for f in faults], ["fault: region",
            "fault: upcall", "fault: swap-in", "fault: killed"])
        self.assertEqual(faults[1]["args"]["va"], "0x00801000")
        self.assertEqual(len(instants(doc, "idle")), ROUNDS)
        self.assertEqual(len(instants(doc, "resume")), ROUNDS - 2)
        for e in doc["traceEvents"]:
            if e["ph"] == "i":
                self.assertEqual(e["s"], "t")

    def test_restart(self):
        # Round 0 (ping on CPU 0, 1000-1400): a call starts over.
        records = ping_pong()
        at = records.index(rec(1200, 0, tool.FAULT, PING, 0x800000, 0))
        records.insert(at, rec(1150, 0, tool.RESTART, PING, 14))
        doc = chrome(records)
        restarts = instants(doc, "restart")
        self.assertEqual([e["name"] for e in restarts],
            ["restart syscall 14"])
        self.assertEqual(restarts[0]["args"]["env"], "%08x" % PING)
        self.assertEqual(slices(doc)[slice_index(slices(doc),
            restarts[0])]["args"]["env"], "%08x" % PING)

    def test_drop_leaves_a_gap(self):
        # Round 1 (pong on CPU 1, 2000-2400) loses records after 2100.
        runs = slices(chrome(ping_pong(drop_in_round=1)))
        pong = [(s["ts"], s["ts"] + s["dur"]) for s in runs
            if s["tid"] == 1 and s["ts"] < 1.5]
        self.assertEqual(len(pong), 2)
        self.assertAlmostEqual(pong[0][1], 2100 / MHZ)
        self.assertAlmostEqual(pong[1][0], 2150 / MHZ)
        self.assertAlmostEqual(pong[1][1], 2400 / MHZ)

    def test_trace_starting_mid_run(self):
        # The ring kept only the end of a run: the SWITCH out names it.
        records = [rec(500, 0, tool.SYSCALL, PING, 2),
            rec(800, 0, tool.SWITCH, 0, PING)]
        runs = slices(chrome(records))
        self.assertEqual([(s["name"], s["ts"], s["dur"]) for s in runs],
            [("env 00001001", 0, 0.3)])


class SvgTest(unittest.TestCase):
    def test_lanes(self):
        root = svg_root(ping_pong())
        self.assertEqual(root.get("width"), "1200")
        lanes = [g for g in root.iter(SVG + "g") if g.get("class") == "lane"]
        self.assertEqual(len(lanes), 2)
        labels = [t.text for g in lanes for t in g.iter(SVG + "text")]
        self.assertEqual(labels, ["CPU 0", "CPU 1"])

    def test_lane_of_a_cpu_without_records(self):
        # The CLOCK record says two CPUs ran; CPU 1 recorded nothing
        # (asleep on the kernel lock all the while): it has a lane too.
        records = [rec(0, 0, tool.CLOCK, a=MHZ, b=2),
            rec(100, 0, tool.SWITCH, PING), rec(500, 0, tool.SWITCH, 0, PING)]
        root = svg_root(records)
        lanes = [g for g in root.iter(SVG + "g") if g.get("class") == "lane"]
        self.assertEqual([g.get("id") for g in lanes], ["cpu0", "cpu1"])

    def test_runs_and_colours(self):
        root = svg_root(ping_pong())
        fills = {}
        for rect in root.iter(SVG + "rect"):
            title = rect.find(SVG + "title")
            if title is not None:
                env = title.text.split(" on ")[0]
                fills.setdefault(env, set()).add(rect.get("fill"))
        self.assertEqual(set(fills), {"ping 00001001", "pong 00001002"})
        # Each env ran on both CPUs, in one colour; the two differ.
        self.assertEqual([len(f) for f in fills.values()], [1, 1])
        self.assertNotEqual(fills["ping 00001001"], fills["pong 00001002"])

    def test_axis_and_legend(self):
        root = svg_root(ping_pong())
        texts = [t.text for t in root.iter(SVG + "text")]
        self.assertIn("ping-pong", texts)
        ticks = [t for t in texts if t.endswith("µs") or t.endswith("ms")]
        self.assertTrue(6 <= len(ticks) <= 10, ticks)
        self.assertIn("ping 00001001", texts)
        self.assertIn("pong 00001002", texts)
        marks = list(root.iter(SVG + "polygon"))
        self.assertEqual(len(marks), ROUNDS + 1)    # and the legend's

    def test_text_is_escaped(self):
        records = [rec(0, 0, tool.NAME, PING, *name_words("<&>\"'\x01")),
            rec(100, 0, tool.SWITCH, PING), rec(200, 0, tool.IDLE)]
        texts = [t.text for t in svg_root(records, "a < b & c").iter(
            SVG + "text")]
        self.assertIn("a < b & c", texts)
        self.assertIn("<&>\"'? 00001001", texts)


class SummaryTest(unittest.TestCase):
    def test_counts(self):
        text = tool.summary(analysed(ping_pong()))
        self.assertIn("from 2 CPUs", text)
        self.assertIn("SWITCH %d" % (2 * ROUNDS), text)
        self.assertIn("unknown type %d 1" % UNKNOWN, text)
        self.assertIn("at 2000 MHz)", text)
        self.assertIn("dropped: 0 records", text)

    def test_dropped(self):
        text = tool.summary(analysed(ping_pong(drop_in_round=1)))
        self.assertIn("dropped: 7 records, CPU 1 lost 7", text)

    def test_partial_record_and_empty_trace(self):
        data = tool.encode(ping_pong()) + b"\1\2\3"
        trace = tool.analyse(tool.read_records(data), len(data) % 24)
        self.assertIn("ignored 3 bytes", tool.summary(trace))
        empty = tool.analyse([])
        self.assertIn("0 records", tool.summary(empty))
        self.assertIn("assumed", tool.summary(empty))
        json.loads(json.dumps(tool.chrome_trace(empty)))
        ET.fromstring(tool.svg_timeline(empty))


class CommandLineTest(unittest.TestCase):
    def test_outputs(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "trace.bin")
            with open(path, "wb") as f:
                f.write(tool.encode(ping_pong(drop_in_round=2)))
            out_json, out_svg = (os.path.join(d, n) for n in ("t.json",
                "t.svg"))
            self.assertEqual(tool.main([path, "--json", out_json, "--svg",
                out_svg, "--title", "run 1"]), 0)
            with open(out_json) as f:
                self.assertEqual(len(slices(json.load(f))), ROUNDS + 1)
            self.assertEqual(ET.parse(out_svg).getroot().tag, SVG + "svg")
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                self.assertEqual(tool.main([path]), 0)
            self.assertIn("dropped: 7 records", printed.getvalue())


if __name__ == "__main__":
    unittest.main()
