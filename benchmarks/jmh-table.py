#!/usr/bin/env python3
"""Turns JMH JSON results of FibBench/PacketBench into the markdown tables of
docs/PERFORMANCE-jmh.md. For every benchmark: the median of the measurement iterations (with
their min-max) from the first file, its reference from the same run, and the ratio of the two
medians; with more files (repeated runs of the same command), the ratio of each run.
Usage: python3 benchmarks/jmh-table.py benchmarks/target/jmh-result.json [more-runs.json ...]"""
import json
import statistics
import sys


def load(path):
    results = {}
    for b in json.load(open(path)):
        cls, method = b["benchmark"].rsplit(".", 2)[-2:]
        params = b.get("params", {})
        raw = [x for fork in b["primaryMetric"]["rawData"] for x in fork]
        results[(cls, method, params.get("routes") or params.get("frame") or "")] = (
            statistics.median(raw), min(raw), max(raw))
    return results


runs = [load(p) for p in (sys.argv[1:] or ["benchmarks/target/jmh-result.json"])]
first = runs[0]


def cell(r):
    med, lo, hi = r
    fmt = (lambda x: f"{x:,.0f}") if med >= 100 else (lambda x: f"{x:.1f}")
    return f"{fmt(med)} ({fmt(lo)}–{fmt(hi)})"


def ratios(subject_key, ref_key, fn):
    out = []
    for run in runs:
        if subject_key in run and ref_key in run:
            out.append(fn(run[subject_key][0], run[ref_key][0]))
    return " / ".join(out)


def speedup(subject, ref):
    s = ref / subject
    if s >= 1:
        return f"{s:.1f}× faster"
    return f"{1 / s:,.0f}× slower" if s < 0.1 else f"{1 / s:.1f}× slower"


runs_note = "" if len(runs) == 1 else f" (run 1 / run {' / run '.join(str(i + 1) for i in range(1, len(runs)))})"
print("| operation | routes | FIB ns | naive ns | FIB vs naive" + runs_note + " |")
print("| --- | ---: | ---: | ---: | --- |")
for kind, title in (("ipv4Lookup", "IPv4 lookup"), ("ipv6Lookup", "IPv6 lookup"),
                    ("ipv4Insert", "IPv4 insert"), ("ipv6Insert", "IPv6 insert")):
    for routes in ("1000", "100000", "1000000"):
        s, r = ("FibBench", kind, routes), ("FibBench", kind + "Naive", routes)
        if s in first and r in first:
            print(f"| {title} | {int(routes):,} | {cell(first[s])} | {cell(first[r])} | {ratios(s, r, speedup)} |")

print()
print("| frame | dissector ns | copy ns | dissector ÷ copy" + runs_note + " |")
print("| --- | ---: | ---: | --- |")
for frame in ("udp4", "tcp6", "tcp6ext", "vlan", "arp"):
    s, r = ("PacketBench", "dissect", frame), ("PacketBench", "dissectReferenceCopy", frame)
    if s in first and r in first:
        print(f"| {frame} | {cell(first[s])} | {cell(first[r])} | {ratios(s, r, lambda a, b: f'{a / b:.1f}×')} |")
s = ("PacketBench", "ipv4TtlDecrementIncrementalChecksum", "")
r = ("PacketBench", "ipv4TtlDecrementFullChecksum", "")
if s in first and r in first:
    print()
    print("| operation | ns | reference: full header checksum, ns | time ÷ reference" + runs_note + " |")
    print("| --- | ---: | ---: | --- |")
    print(f"| IPv4 TTL−1, RFC 1624 incremental checksum | {cell(first[s])} | {cell(first[r])} | {ratios(s, r, lambda a, b: f'{a / b:.2f}×')} |")
