#!/usr/bin/env python3
"""Benchmark orchestrator: floor vs. seed vs. sse-mirror (python3 stdlib only; the big-docs
part imports jsonpatch, installing it with pip when missing).

Eight parts (--only PART[,PART]): fanout (the table below), patch-fanout (64 KB, only "seq"
changes, sse-mirror with emit: patch against the floor), big-docs (1/10/50 MB, rename to patch
event at one client against Python's json.loads + jsonpatch.make_patch), isolation (a small
stream's p99 while a 50 MB stream's file is rewritten back to back), tail (1 GB of log lines
against tail -F | wc -l), tree (a 10,000-file artifact tree against find + sha256sum; one
file changed against a single-file stream), soak (2,000 clients and one that never reads, 60 s
of 64 KB changes: nothing missed, the stalled one dropped, RSS flat) and nchan (1,000 and 10,000
clients through two nginx + nchan nodes sharing one Redis, next to sse-mirror's own fan-out).
tail and tree live in bench/sources.py, soak in bench/soak.py, nchan in bench/nchan.py. See
bench/README.md.

For each scenario (document size, client count, write mode) and each peer it
starts the server on a free 127.0.0.1 port with a fresh watched file, runs
bench/loadgen against it, samples the server's RSS and CPU from /proc, stops
the server, and repeats. Medians over the repeats go into a Markdown table
that is printed and written to --out.

    python3 bench/run.py --sse-mirror .build/release/sse-mirror
    python3 bench/run.py --quick                 # ~2 minute smoke run
    python3 bench/run.py --only fanout --peers floor --scenario 1024:10000:inplace
    python3 bench/run.py --only big-docs --quick --sse-mirror .build/release/sse-mirror
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(BENCH), "Tests", "support"))
# How sse-mirror (and any peer) is spawned, awaited and stopped: shared with examples/check.py and
# Tests/integration/nchan_scale.py. sources.py and soak.py take these from here.
from mirror_process import free_port, spawn, stop, wait_port as wait_ready  # noqa: E402
OUT_DIR = os.path.join(BENCH, ".out")
CLK_TCK = os.sysconf("SC_CLK_TCK")

# (document bytes, clients, write mode). The full matrix covers every client
# count at 1 KB in place, and 1000 clients for 64 KB and for rename: about
# 20-30 minutes on 2 cores with three peers and three repeats.
FULL = [(1024, n, "inplace") for n in (1, 100, 1000, 4000, 10000)] + [
    (1024, 100, "rename"),
    (1024, 1000, "rename"),
    (65536, 1000, "inplace"),
    (65536, 1000, "rename"),
]
QUICK = [(1024, 1, "inplace"), (1024, 100, "inplace"), (1024, 100, "rename"), (65536, 100, "inplace")]
PEERS = ("floor", "seed", "sse-mirror")
# The peer --baseline adds: an earlier sse-mirror binary, run beside the current one in the same
# rounds, so a redesign is measured against what it replaced on the same machine at the same time.
BEFORE = "sse-mirror-before"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------- building and machine facts ----------

def build():
    """Compile floor and loadgen (they build warning-free with -Wall -Wextra)."""
    os.makedirs(OUT_DIR, exist_ok=True)
    bins = {}
    for name, src in (("floor", "floor/floor.c"), ("loadgen", "loadgen/loadgen.c"),
                      ("linecount", "linecount/linecount.c")):
        out = os.path.join(OUT_DIR, name)
        subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-o", out, os.path.join(BENCH, src)],
                       check=True)
        bins[name] = out
    return bins


def first_line(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return ((p.stdout or p.stderr).strip().splitlines() or ["?"])[0]
    except (OSError, subprocess.TimeoutExpired):
        return "not available"


def machine_facts():
    mem = next((l.split(":")[1].strip() for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return [
        ("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("nproc", str(os.cpu_count())),
        ("MemTotal", mem),
        ("kernel (uname -r)", platform.release()),
        ("swift --version", first_line(["swift", "--version"])),
        ("node --version", first_line(["node", "--version"])),
        ("cc --version", first_line(["cc", "--version"])),
        ("RLIMIT_NOFILE (soft/hard)", f"{soft}/{hard}"),
    ]


# ---------- /proc sampling ----------

def rss_mib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def cpu_s(pid):
    """utime+stime of the whole process (all threads), in seconds."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # comm may contain spaces
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def delta(a, b):
    return None if a is None or b is None else b - a


# ---------- one run ----------

def interval_for(args, clients):
    """Write spacing: 150 ms, widened for big fan-outs so that one broadcast is
    over before the next write (otherwise even the floor coalesces writes and
    the run measures saturation rather than latency)."""
    return args.interval_ms if args.interval_ms else max(150, clients // 20)


def make_doc(size, seq, fixed_pad=False):
    """Same shape loadgen writes: one-line JSON padded to exactly `size` bytes, or with
    `fixed_pad` (loadgen --fixed-pad) a pad of size-22 bytes whatever the seq."""
    head = '{"seq":%d,"pad":"' % seq
    return (head + "x" * (size - 22 if fixed_pad else size - len(head) - 2) + '"}').encode()


def server_cmd(peer, bins, port, path, tmp, sse_mirror, emit=None):
    if peer == "floor":
        return [bins["floor"], str(port), path]
    if peer == "floor-patch":
        return [bins["floor"], str(port), path, "--patch-seq"]
    if peer == "seed":
        return ["node", os.path.join(BENCH, "seed", "server.js"), str(port), path]
    cfg = os.path.join(tmp, "config.yaml")
    with open(cfg, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\nheartbeat: 0\nstreams:\n"
                f"  - path: /doc\n    watch: {path}\n    format: json\n"
                + (f"    emit: {emit}\n" if emit else ""))
    return [sse_mirror, "serve", cfg]


def read_until_ready(proc, timeout):
    """Collect loadgen's stderr until its READY line (or exit, or timeout)."""
    buf, end = b"", time.monotonic() + timeout
    fd = proc.stderr.fileno()
    while b"READY" not in buf and time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
    return buf


def run_once(peer, scenario, args, bins, emit=None, fixed_pad=False):
    """One server, one loadgen run. `emit` goes into sse-mirror's config (absent: as the
    fan-out table has always run it); `fixed_pad` makes the documents differ in seq only."""
    size, clients, mode = scenario
    tmp = tempfile.mkdtemp(prefix="sse-bench-")
    res = {"peer": peer, "size": size, "clients": clients, "mode": mode}
    try:
        path = os.path.join(tmp, "doc.json")
        with open(path, "wb") as f:
            f.write(make_doc(size, -1, fixed_pad))
        port = free_port()
        srv_log = open(os.path.join(tmp, "server.log"), "wb")
        binary = args.baseline if peer == BEFORE else args.sse_mirror
        srv = subprocess.Popen(server_cmd(peer, bins, port, path, tmp, binary, emit),
                               stdout=srv_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            if not wait_ready(port, srv, 30):
                res["error"] = "server did not become ready: " + tail(os.path.join(tmp, "server.log"))
                return res
            time.sleep(0.3)
            res["rss_idle"] = rss_mib(srv.pid)

            lg = subprocess.Popen(
                [bins["loadgen"], "--port", str(port), "--file", path, "--path", "/doc",
                 "--clients", str(clients), "--writes", str(args.writes),
                 "--interval-ms", str(interval_for(args, clients)), "--size", str(size), "--mode", mode,
                 "--grace-ms", str(args.grace_ms), "--connect-timeout-ms", str(args.connect_timeout * 1000),
                 "--wait-stdin"] + (["--fixed-pad"] if fixed_pad else []),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                err = read_until_ready(lg, args.connect_timeout + 15)
                if b"READY" in err and lg.poll() is None:
                    res["rss_connected"] = rss_mib(srv.pid)
                    # Idle check: clients connected, no writes, heartbeats off.
                    c0 = cpu_s(srv.pid)
                    time.sleep(args.idle_s)
                    res["cpu_idle"] = delta(c0, cpu_s(srv.pid))
                    c1 = cpu_s(srv.pid)
                    lg.stdin.write(b"go\n")
                    lg.stdin.flush()
                budget = args.writes * (interval_for(args, clients) / 1000 + 1) + args.grace_ms / 1000 + 60
                out, err2 = lg.communicate(timeout=budget)
                if "cpu_idle" in res:
                    res["cpu_writes"] = delta(c1, cpu_s(srv.pid))
                    res["rss_after"] = rss_mib(srv.pid)
                try:
                    res.update(json.loads(out.decode()))
                except ValueError:
                    res["error"] = "loadgen gave no JSON: " + (err + err2).decode(errors="replace")[-300:]
            except subprocess.TimeoutExpired:
                res["error"] = "loadgen timed out"
            finally:
                if lg.poll() is None:
                    lg.kill()
                    lg.wait()
        finally:
            stop(srv)
            srv_log.close()
            res["server_log_lines"] = sum(1 for _ in open(os.path.join(tmp, "server.log"), "rb"))
            if res["server_log_lines"]:  # kept in results.json for a look afterwards
                res["server_log_tail"] = tail(os.path.join(tmp, "server.log"), 500)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def tail(path, n=300):
    try:
        return open(path, "rb").read()[-n:].decode(errors="replace").strip() or "(no output)"
    except OSError:
        return "(no log)"


# ---------- aggregation and report ----------

NUMERIC = ["clients_connected", "connect_ms", "p50_ms", "p90_ms", "p99_ms", "max_ms", "missed",
           "samples_expected", "errors", "duplicates", "bad_events", "rss_idle", "rss_connected",
           "rss_after", "cpu_writes", "cpu_idle", "server_log_lines"]


def median_of(runs):
    m = {}
    for k in NUMERIC:
        vals = [r[k] for r in runs if r.get(k) is not None]
        m[k] = statistics.median(vals) if vals else None
    if m["rss_idle"] is not None and m["rss_connected"] is not None and m["clients_connected"]:
        m["kb_per_client"] = (m["rss_connected"] - m["rss_idle"]) * 1024 / m["clients_connected"]
    else:
        m["kb_per_client"] = None
    m["runs"] = len([r for r in runs if "error" not in r])
    m["notes"] = sorted({r["error"] for r in runs if "error" in r})
    return m


def fmt(v, digits=2):
    if v is None:
        return "–"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.{digits}f}"
    return str(int(v))


def ratio(a, b):
    if a is None or not b:
        return "–"
    return f"{a / b:.2f}×" if a / b < 10 else f"{a / b:.1f}×"


def scen_name(s):
    size, clients, mode = s
    return f"{size // 1024} KB · {clients} cl · {mode}"


def header(facts):
    out = ["# sse-mirror benchmark", "", "## Machine", ""]
    out += ["| fact | value |", "| --- | --- |"] + [f"| {k} | {v} |" for k, v in facts]
    return "\n".join(out + [""])


def report(settings, table, skipped):
    """The fan-out section: settings, the results table, skipped scenarios and notes."""
    out = ["## Settings", "", settings, "", "## Results (medians over runs)", ""]
    out += ["| scenario | peer | clients ok | p50 ms | p90 ms | p99 ms | max ms | missed / expected | "
            "connect ms | RSS idle MiB | RSS conn MiB | RSS after MiB | KB/client | CPU s writes | "
            "CPU s idle | errors | p99 ÷ floor p99 | seed p99 ÷ this p99 | p99 ÷ before p99 |",
            "| " + " | ".join(["---"] * 19) + " |"]
    notes = []
    for scen, peers in table:
        floor = peers.get("floor", {}).get("p99_ms")
        seed = peers.get("seed", {}).get("p99_ms")
        before = peers.get(BEFORE, {}).get("p99_ms")
        for peer, m in peers.items():
            p99 = m["p99_ms"]
            vs_floor = ratio(p99, floor) if peer != "floor" else "–"
            seed_vs = ratio(seed, p99) if peer == "sse-mirror" else "–"
            missed = f"{fmt(m['missed'])} / {fmt(m['samples_expected'])}"
            if m["missed"]:
                missed = f"**{missed}**"
            out.append(f"| {scen_name(scen)} | {peer} | {fmt(m['clients_connected'])} | {fmt(m['p50_ms'])} | "
                       f"{fmt(m['p90_ms'])} | {fmt(p99)} | {fmt(m['max_ms'])} | {missed} | "
                       f"{fmt(m['connect_ms'], 1)} | {fmt(m['rss_idle'], 1)} | {fmt(m['rss_connected'], 1)} | "
                       f"{fmt(m['rss_after'], 1)} | {fmt(m['kb_per_client'])} | {fmt(m['cpu_writes'])} | "
                       f"{fmt(m['cpu_idle'])} | {fmt(m['errors'])} | {vs_floor} | {seed_vs} | "
                       f"{ratio(p99, before) if peer == 'sse-mirror' and before else '–'} |")
            for n in m["notes"]:
                notes.append(f"- {scen_name(scen)} · {peer}: {n}")
            if m["duplicates"] or m["bad_events"]:
                notes.append(f"- {scen_name(scen)} · {peer}: median {fmt(m['duplicates'])} duplicate and "
                             f"{fmt(m['bad_events'])} truncated/wrong-length events per run")
            if peer == "seed" and m["server_log_lines"]:
                notes.append(f"- {scen_name(scen)} · seed: median {fmt(m['server_log_lines'])} server log lines "
                             "per run (\"Error reading or parsing file\": a half-written file was read)")
    out += ["", "Latency percentiles are over the events that did arrive: a peer that misses events "
            "(bold) can show a low p99 while losing updates. Missed = not received within the grace "
            "period after the last write. CPU s writes covers the write phase plus the grace period.", ""]
    if skipped:
        out += ["## Skipped", ""] + [f"- {s}" for s in skipped] + [""]
    if notes:
        out += ["## Notes", ""] + notes + [""]
    return "\n".join(out)


# ---------- part: fan-out (the original table) ----------

def part_fanout(args, bins, peers, skipped, fd_limit, repeats, t0):
    if args.scenario:
        scenarios = []
        for s in args.scenario:
            size, clients, mode = s.split(":")
            scenarios.append((int(size), int(clients), mode))
    else:
        scenarios = QUICK if args.quick else FULL
    spacing = f"{args.interval_ms} ms apart" if args.interval_ms else \
        "150 ms apart (clients/20 ms for more than 3000 clients: 4000 → 200 ms, 10000 → 500 ms)"
    settings = (f"{args.writes} writes per run, {spacing}, {args.grace_ms} ms grace; "
                f"{repeats} run(s) per measurement; idle-CPU window {args.idle_s:g} s; loadgen and server "
                "share the machine's cores.")
    table, raw = [], []
    skipped = list(skipped)
    for scen in scenarios:
        size, clients, mode = scen
        # Server and loadgen each need one fd per client plus a few of their own.
        if clients + 64 > fd_limit:
            skipped.append(f"{scen_name(scen)}: fd limit {fd_limit} is too small for {clients} clients "
                           "(hard RLIMIT_NOFILE; more was refused)")
            log("skipping " + skipped[-1])
            continue
        runs = {peer: [] for peer in peers}
        # Round by round, every peer once per round: drift on a shared machine hits them alike.
        for i in range(repeats):
            for peer in peers:
                r = run_once(peer, scen, args, bins)
                runs[peer].append(r)
                raw.append(r)
                log(f"[{time.monotonic() - t0:6.0f}s] {scen_name(scen)} {peer} run {i + 1}: "
                    + (r["error"] if "error" in r else
                       f"p50 {fmt(r.get('p50_ms'))} p99 {fmt(r.get('p99_ms'))} ms, missed {r.get('missed')}, "
                       f"connect {fmt(r.get('connect_ms'), 0)} ms, errors {r.get('errors')}"))
        table.append((scen, {peer: median_of(runs[peer]) for peer in peers}))
    with open(os.path.join(OUT_DIR, "results.json"), "w") as f:
        json.dump(raw, f, indent=1)
    return report(settings, table, skipped), []


# ---------- part: patch fan-out ----------

PATCH_SIZE = 65536
PATCH_CLIENTS_FULL = (1000, 4000, 10000)
PATCH_CLIENTS_QUICK = (1000,)


def med(runs, key):
    vals = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def part_patch_fanout(args, bins, have_mirror, fd_limit, repeats, t0):
    """64 KB document, only "seq" changes per write (loadgen --fixed-pad), rename mode.
    The floor sends the whole document per change; sse-mirror runs with emit: patch."""
    clients_list = PATCH_CLIENTS_QUICK if args.quick else PATCH_CLIENTS_FULL
    peers = ["floor", "floor-patch"] + (["sse-mirror"] if have_mirror else []) + ([BEFORE] if args.baseline else [])
    rows, raw, failures, skipped = [], [], [], []
    if not have_mirror:
        skipped.append("sse-mirror: no binary given (floor only)")
    for clients in clients_list:
        if clients + 64 > fd_limit:
            skipped.append(f"{clients} clients: fd limit {fd_limit} is too small")
            continue
        scen = (PATCH_SIZE, clients, "rename")
        row, runs_of = {}, {peer: [] for peer in peers}
        # Round by round, every peer once per round (as in the fan-out table).
        for i in range(repeats):
            for peer in peers:
                runs = runs_of[peer]
                r = run_once(peer, scen, args, bins, emit="patch" if peer.startswith("sse-mirror") else None,
                             fixed_pad=True)
                r["part"] = "patch-fanout"
                runs.append(r)
                raw.append(r)
                log(f"[{time.monotonic() - t0:6.0f}s] patch-fanout {clients} cl {peer} run {i + 1}: "
                    + (r["error"] if "error" in r else
                       f"p50 {fmt(r.get('p50_ms'))} p99 {fmt(r.get('p99_ms'))} ms, missed {r.get('missed')}, "
                       f"{fmt(r.get('bytes_per_client_write'), 0)} B/client/change, "
                       f"patch events {r.get('patch_events')}, bad patches {r.get('bad_patches')}"))
                if r.get("bad_patches"):
                    failures.append(f"patch fan-out {clients} cl {peer} run {i + 1}: {r['bad_patches']} patch "
                                    "events without a readable replace of /seq")
                if peer.startswith("sse-mirror") and "error" not in r and r.get("samples_received") \
                        and not r.get("patch_events"):
                    failures.append(f"patch fan-out {clients} cl {peer} run {i + 1}: no `patch` events "
                                    f"({r.get('state_events')} whole documents instead): emit: patch not in effect")
        for peer in peers:
            runs = runs_of[peer]
            m = median_of(runs)
            for k in ("bytes_per_client_write", "patch_events", "state_events", "bad_patches",
                      "samples_received"):
                m[k] = med(runs, k)
            row[peer] = m
        rows.append((clients, row))

    out = ["## Patch fan-out", "",
           f"A {PATCH_SIZE // 1024} KB document (`{{\"seq\":n,\"pad\":\"xx…\"}}`, the pad identical in every "
           "version, so one write changes `seq` only), written by temp file + rename; "
           f"{args.writes} writes per run, spaced as in the fan-out table; {repeats} run(s) per row, medians. "
           "The floor sends the whole document on every change; sse-mirror runs with `emit: patch` and "
           "sends `[{\"op\":\"replace\",\"path\":\"/seq\",\"value\":n}]`. **floor-patch** is the same C floor "
           "(`floor --patch-seq`) broadcasting that same patch instead of the document: the least a patch-sending "
           "mirror can do, for reference. **B/client/change** is the HTTP body "
           "bytes (chunk framing included) each client received per write. Target: sse-mirror p99 ≤ 0.5× "
           "floor p99.", "",
           "| clients | peer | clients ok | p50 ms | p90 ms | p99 ms | max ms | missed / expected | "
           "B/client/change | patch events (all clients) | whole-doc events (all clients) | CPU s writes | p99 ÷ floor p99 | p99 ÷ floor-patch p99 | target ≤ 0.5× | p99 ÷ before p99 |",
           "| " + " | ".join(["---"] * 16) + " |"]
    notes = []
    for clients, row in rows:
        floor = row.get("floor", {}).get("p99_ms")
        floor_patch = row.get("floor-patch", {}).get("p99_ms")
        before = row.get(BEFORE, {}).get("p99_ms")
        for peer, m in row.items():
            r = m["p99_ms"] / floor if (peer == "sse-mirror" and m["p99_ms"] is not None and floor) else None
            verdict = "–" if r is None else ("met" if r <= 0.5 else "**not met**")
            missed = f"{fmt(m['missed'])} / {fmt(m['samples_expected'])}"
            if m["missed"]:
                missed = f"**{missed}**"
            out.append(f"| {clients} | {peer} | {fmt(m['clients_connected'])} | {fmt(m['p50_ms'])} | "
                       f"{fmt(m['p90_ms'])} | {fmt(m['p99_ms'])} | {fmt(m['max_ms'])} | {missed} | "
                       f"{fmt(m['bytes_per_client_write'], 0)} | {fmt(m['patch_events'])} | "
                       f"{fmt(m['state_events'])} | {fmt(m['cpu_writes'])} | "
                       f"{ratio(m['p99_ms'], floor) if peer != 'floor' else '–'} | "
                       f"{ratio(m['p99_ms'], floor_patch) if peer == 'sse-mirror' else '–'} | {verdict} | "
                       f"{ratio(m['p99_ms'], before) if peer == 'sse-mirror' and before else '–'} |")
            for n in m["notes"]:
                notes.append(f"- {clients} cl · {peer}: {n}")
    out.append("")
    if skipped:
        out += ["Skipped: " + "; ".join(skipped) + ".", ""]
    if notes:
        out += notes + [""]
    with open(os.path.join(OUT_DIR, "results-patch-fanout.json"), "w") as f:
        json.dump(raw, f, indent=1)
    return "\n".join(out), failures


# ---------- part: big documents ----------

BIG_FULL = [(1_000_000, 7, 5), (10_000_000, 7, 5), (50_000_000, 5, 3)]  # (bytes, our repeats, python repeats)
BIG_QUICK = [(1_000_000, 3, 3), (10_000_000, 3, 3)]
_PAIRS = {}


def doc_pair(size):
    if size not in _PAIRS:
        import bigdoc
        t = time.monotonic()
        _PAIRS[size] = bigdoc.make_pair(size)
        log(f"generated two {len(_PAIRS[size][0]) / 1e6:.1f} MB documents in {time.monotonic() - t:.1f}s")
    return _PAIRS[size]


def import_jsonpatch():
    """jsonpatch (PyPI) is the Python baseline and checks sse-mirror's patches: installed on demand."""
    try:
        import jsonpatch
    except ImportError:
        log("installing jsonpatch: python3 -m pip install --quiet jsonpatch")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "jsonpatch"], check=True)
        import importlib
        importlib.invalidate_caches()
        import jsonpatch
    return jsonpatch


def mirror_config(tmp, port, streams):
    """streams: [(path, watch, extra keys dict)]"""
    cfg = os.path.join(tmp, "config.yaml")
    with open(cfg, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\nheartbeat: 0\nstreams:\n")
        for path, watch, extra in streams:
            f.write(f"  - path: {path}\n    watch: {watch}\n    format: json\n")
            for k, v in extra.items():
                f.write(f"    {k}: {v}\n")
    return cfg


def id_version(eid):
    try:
        return int(eid.rsplit("-", 1)[1], 36)
    except (AttributeError, IndexError, ValueError):
        return None


def big_docs_ours(args, size, repeats, old, new, jsonpatch):
    """Time from rename to the patch event's last byte at one SSE client; every patch is
    applied to the client's copy and compared with the document written."""
    import bigdoc
    res = {"size": len(old), "times_ms": [], "patch_bytes": [], "patch_ops": [], "failures": []}
    tmp = tempfile.mkdtemp(prefix="sse-bench-big-")
    srv = client = None
    srv_log_path = os.path.join(tmp, "server.log")
    try:
        path = os.path.join(tmp, "doc.json")
        with open(path, "wb") as f:
            f.write(old)
        port = free_port()
        cfg = mirror_config(tmp, port, [("/doc", path, {"emit": "patch", "max_size": "128MiB"})])
        srv, srv_log = spawn([args.sse_mirror, "serve", cfg], srv_log_path)
        if not wait_ready(port, srv, 30):
            res["failures"].append("server did not become ready: " + tail(srv_log_path))
            return res
        client = bigdoc.SSEClient(port, "/doc")
        etype, eid, data, _ = client.next_event(timeout=120)
        docs = [json.loads(old), json.loads(new)]
        if etype != "changed" or json.loads(data) != docs[0]:
            res["failures"].append(f"initial event is {etype!r}, not `changed` with the document")
            return res
        current = json.loads(data)
        version = id_version(eid)
        tmp_file = os.path.join(tmp, ".doc.json.tmp")
        for i in range(repeats):
            target = (i + 1) % 2  # old -> new -> old ...
            with open(tmp_file, "wb") as f:
                f.write(new if target else old)
            time.sleep(0.5 if len(old) < 20_000_000 else 1.5)  # let the server and the page cache settle
            t0 = time.perf_counter()
            os.rename(tmp_file, path)
            etype, eid, data, t1 = client.next_event(timeout=120)
            ms = (t1 - t0) * 1000
            v = id_version(eid)
            if version is not None and v is not None and v != version + 1:
                res["failures"].append(f"repeat {i + 1}: id {eid} after version {version} (a version skipped)")
            version = v
            if etype == "patch":
                patch = json.loads(data)
                res["patch_bytes"].append(len(data))
                res["patch_ops"].append(len(patch))
                try:
                    jsonpatch.apply_patch(current, patch, in_place=True)
                    ok = current == docs[target]
                except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as e:
                    ok = False
                    log(f"patch does not apply: {e}")
                if not ok:
                    res["failures"].append(f"repeat {i + 1}: WRONG PATCH: applied to the previous version it does "
                                           f"not give the document written; patch[:300] = {data[:300]!r}")
                    current = json.loads(new if target else old)
            else:
                res["failures"].append(f"repeat {i + 1}: expected a `patch` event, got `{etype}` "
                                       f"({len(data)} bytes)")
                current = json.loads(data) if etype == "changed" else current
            res["times_ms"].append(ms)
            log(f"  big-docs {len(old) / 1e6:.0f} MB sse-mirror repeat {i + 1}: {ms:.1f} ms, {etype} "
                f"{len(data)} bytes")
        res["rss_mib"] = rss_mib(srv.pid)
    except (OSError, bigdoc.SSEError, ValueError) as e:
        res["failures"].append(f"{type(e).__name__}: {e}; server log: {tail(srv_log_path)}")
    finally:
        if client:
            client.close()
        if srv:
            stop(srv)
            srv_log.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def big_docs_python(old, new, repeats, jsonpatch):
    times, ops = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        a, b = json.loads(old), json.loads(new)
        patch = jsonpatch.make_patch(a, b)
        times.append((time.perf_counter() - t0) * 1000)
        ops = len(patch.patch)
        if jsonpatch.apply_patch(a, patch) != b:
            raise SystemExit("jsonpatch.make_patch gave a wrong patch?!")
        del a, b, patch
    return times, ops


def part_big_docs(args, have_mirror, t0):
    jsonpatch = import_jsonpatch()
    plan = BIG_QUICK if args.quick else BIG_FULL
    rows, failures, raw = [], [], []
    for size, ours_n, py_n in plan:
        old, new, changes = doc_pair(size)
        ours = big_docs_ours(args, size, ours_n, old, new, jsonpatch) if have_mirror else None
        py_times, py_ops = big_docs_python(old, new, py_n, jsonpatch)
        log(f"[{time.monotonic() - t0:6.0f}s] big-docs {len(old) / 1e6:.1f} MB: python "
            f"{statistics.median(py_times):.0f} ms (median of {py_n})"
            + (f", sse-mirror {statistics.median(ours['times_ms']):.1f} ms (median of {len(ours['times_ms'])})"
               if ours and ours["times_ms"] else ""))
        if ours:
            failures += [f"big-docs {len(old) / 1e6:.0f} MB: {f}" for f in ours["failures"]]
        rows.append((size, len(old), changes, ours, py_times, py_ops))
        raw.append({"size": len(old), "changes": changes, "ours": ours, "python_ms": py_times,
                    "python_ops": py_ops})
    out = ["## Big documents", "",
           "`{\"items\":[{\"id\":…,\"name\":…,\"tags\":[…],\"value\":…,\"active\":…,\"owner\":{…}}, …]}` "
           "(compact JSON); the second version changes 4 fields in 4 scattered records (a number, a string, "
           "an array element, a nested string). **sse-mirror**: `emit: patch`, one SSE client (Python, "
           "stdlib sockets); the time from just before the `rename` of the new version into place to the "
           "arrival of the last byte of the `patch` event, median of the repeats (the file alternates between "
           "the two versions); every patch is applied (jsonpatch) to the client's copy and compared with the "
           "document written — a wrong patch fails the run. **Python**: `json.loads` of both versions + "
           "`jsonpatch.make_patch(old, new)`, timed in-process, median of the repeats, on the same pair. "
           "Target: ours ÷ python ≤ 0.5×; aim: under 100 ms at 10 MB.", "",
           "| document | sse-mirror ms (median) | min–max ms | repeats | patch bytes / ops | server RSS MiB | "
           "python ms (median) | repeats | python ops | ours ÷ python | target ≤ 0.5× |",
           "| " + " | ".join(["---"] * 11) + " |"]
    for size, actual, changes, ours, py_times, py_ops in rows:
        pm = statistics.median(py_times)
        if ours and ours["times_ms"]:
            om = statistics.median(ours["times_ms"])
            r = om / pm
            cells = [f"{om:.1f}", f"{min(ours['times_ms']):.1f}–{max(ours['times_ms']):.1f}",
                     str(len(ours["times_ms"])),
                     f"{fmt(statistics.median(ours['patch_bytes']) if ours['patch_bytes'] else None)} / "
                     f"{fmt(statistics.median(ours['patch_ops']) if ours['patch_ops'] else None)}",
                     fmt(ours.get("rss_mib"), 1)]
            rr, verdict = f"{r:.3f}×", ("met" if r <= 0.5 else "**not met**")
            if ours["failures"]:
                verdict += " · **FAILED** (see below)"
        else:
            cells, rr, verdict = ["–"] * 5, "–", ("**FAILED**" if ours else "– (no sse-mirror)")
        out.append(f"| {actual / 1e6:.1f} MB | " + " | ".join(cells) +
                   f" | {pm:.1f} | {len(py_times)} | {py_ops} | {rr} | {verdict} |")
    out.append("")
    if not have_mirror:
        out.append("sse-mirror not measured: no binary given.")
    out.append("")
    with open(os.path.join(OUT_DIR, "results-big-docs.json"), "w") as f:
        json.dump(raw, f, indent=1)
    return "\n".join(out), failures


# ---------- part: isolation ----------

def isolation_once(args, bins, watched, old, new, writes, clients):
    """Stream A (/big, emit: patch) on a 50 MB file a writer rewrites back to back, or (watched
    False) the same rewrites of an unwatched file in A's folder; stream B (/doc, snapshot) has
    `clients` loadgen clients and 1 KB changes. Returns loadgen's figures for B and the rest."""
    import bigdoc
    import threading
    res = {"watched": watched}
    tmp = tempfile.mkdtemp(prefix="sse-bench-iso-")
    srv = writer = lg = client = None
    stop_drain, counts = [], {}
    srv_log_path = os.path.join(tmp, "server.log")
    try:
        a_dir, b_dir = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        os.makedirs(a_dir)
        os.makedirs(b_dir)
        v0, v1 = os.path.join(tmp, "v0.json"), os.path.join(tmp, "v1.json")
        for p_, d in ((v0, old), (v1, new), (os.path.join(a_dir, "big.json"), old),
                      (os.path.join(a_dir, "other.json"), old)):
            with open(p_, "wb") as f:
                f.write(d)
        doc = os.path.join(b_dir, "doc.json")
        with open(doc, "wb") as f:
            f.write(make_doc(1024, -1))
        port = free_port()
        cfg = mirror_config(tmp, port, [("/big", os.path.join(a_dir, "big.json"),
                                         {"emit": "patch", "max_size": "128MiB"}),
                                        ("/doc", doc, {})])
        srv, srv_log = spawn([args.sse_mirror, "serve", cfg], srv_log_path)
        if not wait_ready(port, srv, 30):
            res["error"] = "server did not become ready: " + tail(srv_log_path)
            return res
        # One client on A, so A's events are really produced and sent; it drains in a thread.
        client = bigdoc.SSEClient(port, "/big")
        etype, _, _, _ = client.next_event(timeout=120)
        if etype != "changed":
            res["error"] = f"stream A started with {etype!r}"
            return res
        drain = threading.Thread(target=client.drain, args=(lambda: bool(stop_drain), counts), daemon=True)
        drain.start()
        target = os.path.join(a_dir, "big.json" if watched else "other.json")
        writer = subprocess.Popen([sys.executable, os.path.join(BENCH, "bigdoc.py"), "writer", target, v0, v1],
                                  stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        time.sleep(2.0)  # the writer is in its stride before B's clients connect
        lg = subprocess.Popen(
            [bins["loadgen"], "--port", str(port), "--file", doc, "--path", "/doc",
             "--clients", str(clients), "--writes", str(writes), "--interval-ms", "150", "--size", "1024",
             "--mode", "inplace", "--grace-ms", str(args.grace_ms),
             "--connect-timeout-ms", str(args.connect_timeout * 1000), "--wait-stdin"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        err = read_until_ready(lg, args.connect_timeout + 15)
        c0 = cpu_s(srv.pid)
        if b"READY" in err and lg.poll() is None:
            lg.stdin.write(b"go\n")
            lg.stdin.flush()
        out, err2 = lg.communicate(timeout=writes * 1.2 + args.grace_ms / 1000 + 60)
        res["cpu_writes"] = delta(c0, cpu_s(srv.pid))
        res["rss_mib"] = rss_mib(srv.pid)
        try:
            res.update(json.loads(out.decode()))
        except ValueError:
            res["error"] = "loadgen gave no JSON: " + (err + err2).decode(errors="replace")[-300:]
    except (OSError, bigdoc.SSEError, subprocess.TimeoutExpired) as e:
        res["error"] = f"{type(e).__name__}: {e}"
    finally:
        if lg and lg.poll() is None:
            lg.kill()
            lg.wait()
        if writer:
            writer.send_signal(signal.SIGTERM)
            try:
                w_out, _ = writer.communicate(timeout=30)
                res.update(json.loads(w_out.decode() or "{}"))
            except (subprocess.TimeoutExpired, ValueError):
                writer.kill()
                writer.wait()
        stop_drain.append(1)
        if client:
            client.close()
        res["a_events"] = dict(counts)
        if srv:
            stop(srv)
            srv_log.close()
            res["server_log_tail"] = tail(srv_log_path, 500)
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def part_isolation(args, bins, have_mirror, repeats, t0):
    if not have_mirror:
        return "## Isolation\n\nNot run: no sse-mirror binary given.\n", []
    old, new, _ = doc_pair(50_000_000)
    writes = 20 if args.quick else 60
    clients = 100
    runs = {True: [], False: []}
    failures = []
    for i in range(repeats):
        for watched in (True, False):  # interleaved, so drift in the machine hits both alike
            r = isolation_once(args, bins, watched, old, new, writes, clients)
            runs[watched].append(r)
            rate = r.get("rewrites", 0) / r["seconds"] if r.get("seconds") else 0
            log(f"[{time.monotonic() - t0:6.0f}s] isolation {'(i) watched' if watched else '(ii) unwatched'} "
                f"run {i + 1}: " + (r["error"] if "error" in r else
                                    f"B p50 {fmt(r.get('p50_ms'))} p99 {fmt(r.get('p99_ms'))} ms, missed "
                                    f"{r.get('missed')}; writer {r.get('rewrites')} rewrites ({rate:.1f}/s); "
                                    f"A events {r.get('a_events')}"))
            if watched and "error" not in r and not r.get("a_events", {}).get("patch"):
                failures.append(f"isolation run {i + 1}: stream A sent no `patch` events while its file was "
                                f"rewritten ({r.get('a_events')})")
    m = {}
    for watched in (True, False):
        rs = [r for r in runs[watched] if "error" not in r]
        m[watched] = {k: med(rs, k) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms", "missed", "samples_expected",
                                               "cpu_writes", "rss_mib", "rewrites", "seconds")}
        m[watched]["a_patch"] = statistics.median([r["a_events"].get("patch", 0) for r in rs]) if rs else None
        m[watched]["a_changed"] = statistics.median([r["a_events"].get("changed", 0) for r in rs]) if rs else None
        m[watched]["runs"] = len(rs)
        m[watched]["notes"] = sorted({r["error"] for r in runs[watched] if "error" in r})
    p_i, p_ii = m[True]["p99_ms"], m[False]["p99_ms"]
    r = p_i / p_ii if p_i is not None and p_ii else None
    out = ["## Isolation", "",
           f"One sse-mirror, two streams. **A** (`emit: patch`, `max_size: 128MiB`, one SSE client draining "
           f"it) watches a {len(old) / 1e6:.0f} MB JSON file; a writer process (`bench/bigdoc.py writer`) "
           "rewrites a file in A's folder back to back (write a temp file, rename it into place), alternating "
           "two versions that differ in 4 fields. **B** (snapshot, the default) has "
           f"{clients} loadgen clients and {writes} in-place 1 KB writes 150 ms apart. Run (i): the writer "
           "rewrites A's watched file; run (ii): the same rewrites go to an unwatched file in the same folder, "
           f"so the writer's CPU and disk cost is in both. {repeats} run(s) of each, interleaved; medians. "
           "**A patch events** is how many versions of A reached A's client while the writer ran (from 2 s before "
           "B's clients connect to the end of B's grace period), against **rewrites/s** of the writer: sse-mirror "
           "reads a file at most once at a time and keeps only the newest pending change, so it publishes "
           "fewer versions than are written; a count near 0 means A's clients were starved of updates. "
           "Target: B's p99 (i) ÷ (ii) ≤ 3×.", "",
           "| run | B p50 ms | B p90 ms | B p99 ms | B max ms | B missed / expected | rewrites/s | A patch events | "
           "A whole-doc events | server CPU s (B's writes) | server RSS MiB |",
           "| " + " | ".join(["---"] * 11) + " |"]
    for watched, name in ((True, "(i) A's file rewritten"), (False, "(ii) unwatched file rewritten")):
        x = m[watched]
        rate = x["rewrites"] / x["seconds"] if x["rewrites"] and x["seconds"] else None
        missed = f"{fmt(x['missed'])} / {fmt(x['samples_expected'])}"
        if x["missed"]:
            missed = f"**{missed}**"
        out.append(f"| {name} | {fmt(x['p50_ms'])} | {fmt(x['p90_ms'])} | {fmt(x['p99_ms'])} | {fmt(x['max_ms'])} | "
                   f"{missed} | {fmt(rate, 1)} | {fmt(x['a_patch'])} | {fmt(x['a_changed'])} | "
                   f"{fmt(x['cpu_writes'])} | {fmt(x['rss_mib'], 1)} |")
    out += ["", f"B p99 (i) ÷ (ii): **{ratio(p_i, p_ii)}** — target ≤ 3×: "
            + ("–" if r is None else ("met" if r <= 3 else "**not met**")) + "."]
    for watched in (True, False):
        for n in m[watched]["notes"]:
            out.append(f"- {'(i)' if watched else '(ii)'}: {n}")
    out.append("")
    with open(os.path.join(OUT_DIR, "results-isolation.json"), "w") as f:
        json.dump(runs[True] + runs[False], f, indent=1)
    return "\n".join(out), failures


# ---------- assembling RESULTS.md ----------

PARTS = ("fanout", "patch-fanout", "big-docs", "isolation", "tail", "tree", "soak", "nchan")


def split_sections(text):
    """{part: text} from a results file written by this script (markers), or, for a file
    from before the markers, everything after the machine table as the fan-out part."""
    found = {}
    # Every marked section, a part's or a record kept beside them (a redesign's before/after run).
    for part in dict.fromkeys(list(PARTS) + re.findall(r"<!-- bench:([\w-]+) -->", text)):
        a, b = f"<!-- bench:{part} -->\n", f"<!-- /bench:{part} -->"
        if a in text and b in text:
            found[part] = text[text.index(a) + len(a):text.index(b)].rstrip("\n")
    if not found and "## Settings" in text:
        found["fanout"] = text[text.index("## Settings"):].rstrip("\n")
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sse-mirror", metavar="PATH", help="sse-mirror binary (skipped if absent)")
    ap.add_argument("--baseline", metavar="PATH",
                    help=f"an earlier sse-mirror binary, run as peer '{BEFORE}' beside --sse-mirror in the "
                         "fanout and patch-fanout parts, round by round")
    ap.add_argument("--quick", action="store_true", help="smoke run: fewer clients, sizes and repeats")
    ap.add_argument("--only", metavar="PART[,PART]",
                    help=f"run only these parts of {','.join(PARTS)} (default: all); the other parts' "
                         "sections already in --out are kept")
    ap.add_argument("--out", default=os.path.join(BENCH, "RESULTS.md"), help="Markdown output file")
    ap.add_argument("--repeats", type=int, help="runs per measurement in fanout, patch-fanout and isolation "
                                                "(default 3, quick 1)")
    ap.add_argument("--peers", default=",".join(PEERS), help="comma list of floor,seed,sse-mirror (fanout)")
    ap.add_argument("--scenario", action="append", metavar="SIZE:CLIENTS:MODE",
                    help="fanout: run only these scenarios, e.g. 1024:10000:inplace (repeatable)")
    ap.add_argument("--writes", type=int, default=30, help="writes per run (fanout, patch-fanout)")
    ap.add_argument("--interval-ms", type=int,
                    help="spacing between writes (default 150 ms, or clients/20 ms if larger)")
    ap.add_argument("--grace-ms", type=int, default=2000)
    ap.add_argument("--idle-s", type=float, help="idle-CPU window (default 3, quick 2)")
    ap.add_argument("--connect-timeout", type=int, default=120, help="seconds for all clients to connect")
    args = ap.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    args.idle_s = args.idle_s or (2.0 if args.quick else 3.0)
    parts = PARTS if not args.only else [p.strip() for p in args.only.split(",") if p.strip()]
    for p in parts:
        if p not in PARTS:
            ap.error(f"--only: unknown part {p!r} (parts: {', '.join(PARTS)})")

    # Children inherit the fd limit: take the whole hard limit once here.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError) as e:
        log(f"could not raise RLIMIT_NOFILE to {hard}: {e}")
    fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]

    peers, skipped = [], []
    for p in args.peers.split(","):
        if p == "seed" and not shutil.which("node"):
            skipped.append("seed: `node` not found on PATH")
        elif p == "sse-mirror" and not (args.sse_mirror and os.access(args.sse_mirror, os.X_OK)):
            msg = f"sse-mirror: binary {args.sse_mirror!r} not found or not executable" if args.sse_mirror \
                else "sse-mirror: no --sse-mirror PATH given"
            skipped.append(msg)
        elif p in PEERS:
            peers.append(p)
    have_mirror = bool(args.sse_mirror and os.access(args.sse_mirror, os.X_OK))
    if args.sse_mirror:
        args.sse_mirror = os.path.abspath(args.sse_mirror)
    if args.baseline:
        if not os.access(args.baseline, os.X_OK):
            sys.exit(f"--baseline {args.baseline!r} is not an executable")
        args.baseline = os.path.abspath(args.baseline)
        peers.append(BEFORE)
    for s in skipped:
        log("skipping " + s)

    bins = build()
    facts = machine_facts()
    sys.path.insert(0, BENCH)
    sections, failures = {}, []
    t0 = time.monotonic()
    for part in parts:
        tp = time.monotonic()
        log(f"=== {part} ===")
        if part == "fanout":
            md, fails = part_fanout(args, bins, peers, skipped, fd_limit, repeats, t0)
        elif part == "patch-fanout":
            md, fails = part_patch_fanout(args, bins, have_mirror, fd_limit, repeats, t0)
        elif part == "big-docs":
            md, fails = part_big_docs(args, have_mirror, t0)
        elif part == "isolation":
            md, fails = part_isolation(args, bins, have_mirror, repeats, t0)
        elif part == "tail":
            import sources
            md, fails = sources.part_tail(args, bins, have_mirror, repeats)
        elif part == "soak":
            import soak
            md, fails = soak.part_soak(args, bins, have_mirror)
        elif part == "nchan":
            import nchan
            md, fails = nchan.part_nchan(args, bins, have_mirror, repeats)
        else:
            import sources
            md, fails = sources.part_tree(args, have_mirror, repeats, import_jsonpatch())
        if fails:
            md = md.rstrip("\n") + "\n\n" + "\n".join(f"- **FAILED**: {f}" for f in fails) + "\n"
        if part != "fanout":  # sections kept from another run say when they were taken
            when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            md = md.rstrip("\n") + f"\n\n_Measured {when}{' with --quick' if args.quick else ''}._\n"
        sections[part] = md
        failures += fails
        log(f"=== {part} done in {time.monotonic() - tp:.0f}s ===")

    kept = {}
    if args.only and os.path.exists(args.out):
        kept = split_sections(open(args.out).read())
    body = [header(facts)]
    for part in list(PARTS) + [name for name in kept if name not in PARTS]:
        text = sections.get(part, kept.get(part))
        if text is not None:
            body += [f"<!-- bench:{part} -->", text.rstrip("\n"), f"<!-- /bench:{part} -->", ""]
    if failures:
        body += ["## FAILURES", ""] + [f"- {f}" for f in failures] + [""]
    md = "\n".join(body)
    print(md)
    if os.path.dirname(os.path.abspath(args.out)):
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(md)
    log(f"wrote {args.out} (raw results in {OUT_DIR}) in {time.monotonic() - t0:.0f}s")
    if failures:
        log("\nBENCH FAILED:\n" + "\n".join("  " + f for f in failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
