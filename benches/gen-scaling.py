#!/usr/bin/env python3
"""How fast `tollgate gen` is, and how its time grows with the size of the spec.

Prints three tables:

1. `stripe.com.json` from the corpus: wall time and peak memory (median of --runs runs);
   the targets are under 0.25 s and under 200 MB.
2. Synthetic specs with 250, 500, 1000, 2000 and 4000 operations (same shape, repeated):
   operations, bytes, types, seconds, seconds per MB and the time per operation relative
   to the smallest spec. Linear growth keeps that ratio near 1.
3. Every spec of the corpus, in size buckets: a least-squares fit seconds = a + b * MB
   over all of them, with R^2, and the worst seconds per MB.

Usage (build the release binary first; it takes a while with lto = "fat"):

    CARGO_BUILD_JOBS=1 cargo build --release -p tollgate-cli
    python3 benches/gen-scaling.py [--tollgate target/release/tollgate]
        [--corpus ../shared/corpus/specs] [--runs 5] [--sizes 250,500] [--no-corpus]

Peak memory is the child's maximum resident set size and CPU time its user + system time,
both as reported by wait4(2), so no external `time` or `hyperfine` is needed. On a busy
machine wall time exceeds CPU time; compare the CPU column across runs.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

SUMMARY = re.compile(r"generated ([\d,]+) operations, ([\d,]+) types in")


def run_gen(tollgate, spec, out):
    """Runs `tollgate gen SPEC -o OUT` once: (seconds, peak RSS in MB, ops, types, CPU
    seconds) or None."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [tollgate, "gen", spec, "-o", out],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    stderr = proc.stderr.read()
    _, status, rusage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        return None
    last = stderr.decode("utf-8", "replace").strip().splitlines()[-1]
    match = SUMMARY.search(last)
    ops, types = (int(g.replace(",", "")) for g in match.groups()) if match else (0, 0)
    # ru_maxrss is in kilobytes on Linux.
    return seconds, rusage.ru_maxrss / 1024, ops, types, rusage.ru_utime + rusage.ru_stime


def measure(tollgate, spec, out, runs):
    """Median seconds, max peak MB, ops, types, median CPU seconds over `runs` runs (after
    one warm-up)."""
    if run_gen(tollgate, spec, out) is None:
        return None
    results = [run_gen(tollgate, spec, out) for _ in range(runs)]
    return (
        statistics.median(r[0] for r in results),
        max(r[1] for r in results),
        results[0][2],
        results[0][3],
        statistics.median(r[4] for r in results),
    )


def synthetic(operations):
    """An OpenAPI 3.0 document with `operations` operations (two per resource) and three
    schemas per resource, each with bounds, enums, formats and required properties."""
    paths, schemas = {}, {}
    for i in range(operations // 2):
        res, new = f"Resource{i}", f"NewResource{i}"
        ref = {"$ref": f"#/components/schemas/{res}"}
        problem = {"$ref": "#/components/schemas/Problem"}
        paths[f"/resources{i}/{{id}}"] = {
            "get": {
                "operationId": f"getResource{i}",
                "parameters": [
                    {"name": "id", "in": "path", "required": True,
                     "schema": {"type": "string", "format": "uuid"}},
                    {"name": "expand", "in": "query",
                     "schema": {"type": "array", "items": {"type": "string",
                                "enum": ["owner", "tags", "history"]}}},
                ],
                "responses": {
                    "200": {"description": "the resource",
                            "content": {"application/json": {"schema": ref}}},
                    "404": {"description": "not found",
                            "content": {"application/problem+json": {"schema": problem}}},
                },
            }
        }
        paths[f"/resources{i}"] = {
            "post": {
                "operationId": f"createResource{i}",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{new}"}}}},
                "parameters": [
                    {"name": "limit", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 100,
                                "default": 20}},
                ],
                "responses": {
                    "201": {"description": "created",
                            "content": {"application/json": {"schema": ref}}},
                    "400": {"description": "invalid",
                            "content": {"application/problem+json": {"schema": problem}}},
                },
            }
        }
        props = {
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "status": {"type": "string", "enum": ["active", "suspended", "closed"]},
            "tags": {"type": "array", "maxItems": 20,
                     "items": {"type": "string", "pattern": "^[a-z0-9-]+$"}},
            "count": {"type": "integer", "format": "int64", "minimum": 0},
            "meta": {"$ref": f"#/components/schemas/Meta{i}"},
        }
        schemas[new] = {"type": "object", "required": ["name"], "properties": props}
        schemas[res] = {
            "type": "object",
            "required": ["id", "name", "status"],
            "properties": {"id": {"type": "string", "format": "uuid"},
                           "created": {"type": "string", "format": "date-time"},
                           **props},
        }
        schemas[f"Meta{i}"] = {
            "type": "object",
            "properties": {"source": {"type": "string"},
                           "score": {"type": "number", "minimum": 0, "maximum": 1}},
            "additionalProperties": {"type": "string"},
        }
    schemas["Problem"] = {
        "type": "object",
        "required": ["type", "title", "status"],
        "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                       "status": {"type": "integer"}, "detail": {"type": "string"}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": f"Synthetic {operations}", "version": "1.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tollgate", default=os.path.join(root, "target/release/tollgate"))
    parser.add_argument("--corpus",
                        default=os.path.join(root, "..", "shared", "corpus", "specs"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="250,500,1000,2000,4000")
    parser.add_argument("--no-corpus", action="store_true",
                        help="skip the third table (every spec of the corpus)")
    args = parser.parse_args()
    if not os.path.isfile(args.tollgate):
        sys.exit(f"{args.tollgate} not found: build it with "
                 "`cargo build --release -p tollgate-cli`")

    tmp = tempfile.mkdtemp(prefix="gen-scaling-")
    out = os.path.join(tmp, "out.rs")

    print("## stripe.com.json (targets: < 0.25 s, < 200 MB)\n")
    stripe = os.path.join(args.corpus, "stripe.com.json")
    if os.path.isfile(stripe):
        r = measure(args.tollgate, stripe, out, args.runs)
        if r is None:
            print("tollgate gen failed on stripe.com.json")
        else:
            seconds, mb, ops, types, cpu = r
            size = os.path.getsize(stripe) / 1e6
            print("| spec | MB | ops | types | wall s (median) | CPU s | peak MB |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            print(f"| stripe.com.json | {size:.2f} | {ops} | {types} | {seconds:.3f} | "
                  f"{cpu:.3f} | {mb:.0f} |")
    else:
        print(f"(no {stripe})")

    print(f"\n## Synthetic specs (median of {args.runs} runs)\n")
    print("| ops | bytes | types | wall s | CPU s | s/MB | peak MB | time/op vs first |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    first = None
    for n in (int(s) for s in args.sizes.split(",")):
        spec = os.path.join(tmp, f"synthetic-{n}.json")
        with open(spec, "w") as f:
            json.dump(synthetic(n), f, indent=1)
        size = os.path.getsize(spec)
        r = measure(args.tollgate, spec, out, args.runs)
        if r is None:
            print(f"| {n} | {size} | failed |")
            continue
        seconds, mb, ops, types, cpu = r
        per_op = seconds / ops
        first = first or per_op
        print(f"| {ops} | {size:,} | {types} | {seconds:.3f} | {cpu:.3f} "
              f"| {seconds / (size / 1e6):.3f} "
              f"| {mb:.0f} | {per_op / first:.2f} |")

    print("\n## The corpus (one run each, after a warm-up)\n")
    rows = []
    names = [] if args.no_corpus or not os.path.isdir(args.corpus) else os.listdir(args.corpus)
    for name in sorted(names):
        spec = os.path.join(args.corpus, name)
        if run_gen(args.tollgate, spec, out) is None:
            continue
        r = run_gen(args.tollgate, spec, out)
        if r is not None:
            rows.append((os.path.getsize(spec) / 1e6, r[0], r[1], name))
    if len(rows) >= 3:
        xs, ys = [r[0] for r in rows], [r[1] for r in rows]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
        a = my - b * mx
        ss_res = sum((y - (a + b * x)) ** 2 for x, y in zip(xs, ys))
        ss_tot = sum((y - my) ** 2 for y in ys)
        print(f"{len(rows)} specs generated; fit: seconds = {a:.4f} + {b:.4f} * MB, "
              f"R^2 = {1 - ss_res / ss_tot:.3f}\n")
        print("| size bucket | specs | mean MB | mean seconds | mean s/MB | max peak MB |")
        print("|---|---:|---:|---:|---:|---:|")
        buckets = [(0, 0.1), (0.1, 0.25), (0.25, 0.5), (0.5, 1.0), (1.0, 100.0)]
        for lo, hi in buckets:
            inside = [r for r in rows if lo <= r[0] < hi]
            if not inside:
                continue
            print(f"| {lo}–{hi if hi < 100 else '…'} MB | {len(inside)} "
                  f"| {statistics.fmean(r[0] for r in inside):.2f} "
                  f"| {statistics.fmean(r[1] for r in inside):.3f} "
                  f"| {statistics.fmean(r[1] / r[0] for r in inside):.3f} "
                  f"| {max(r[2] for r in inside):.0f} |")
        worst = max(rows, key=lambda r: r[1] / r[0] if r[0] > 0.1 else 0)
        print(f"\nworst s/MB above 0.1 MB: {worst[3]} ({worst[0]:.2f} MB, {worst[1]:.3f} s)")


if __name__ == "__main__":
    main()
