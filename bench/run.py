#!/usr/bin/env python3
"""Benchmark orchestrator: floor vs. seed vs. sse-mirror (python3 stdlib only).

For each scenario (document size, client count, write mode) and each peer it
starts the server on a free 127.0.0.1 port with a fresh watched file, runs
bench/loadgen against it, samples the server's RSS and CPU from /proc, stops
the server, and repeats. Medians over the repeats go into a Markdown table
that is printed and written to --out.

    python3 bench/run.py --sse-mirror .build/release/sse-mirror
    python3 bench/run.py --quick                 # ~2 minute smoke run
    python3 bench/run.py --peers floor --scenario 1024:10000:inplace
"""
import argparse
import datetime
import json
import os
import platform
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
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


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------- building and machine facts ----------

def build():
    """Compile floor and loadgen (they build warning-free with -Wall -Wextra)."""
    os.makedirs(OUT_DIR, exist_ok=True)
    bins = {}
    for name, src in (("floor", "floor/floor.c"), ("loadgen", "loadgen/loadgen.c")):
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_doc(size, seq):
    """Same shape loadgen writes: one-line JSON padded to exactly `size` bytes."""
    head = '{"seq":%d,"pad":"' % seq
    return (head + "x" * (size - len(head) - 2) + '"}').encode()


def server_cmd(peer, bins, port, path, tmp, sse_mirror):
    if peer == "floor":
        return [bins["floor"], str(port), path]
    if peer == "seed":
        return ["node", os.path.join(BENCH, "seed", "server.js"), str(port), path]
    cfg = os.path.join(tmp, "config.yaml")
    with open(cfg, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\nheartbeat: 0\nstreams:\n"
                f"  - path: /doc\n    watch: {path}\n    format: json\n")
    return [sse_mirror, "serve", cfg]


def wait_ready(port, proc, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


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


def run_once(peer, scenario, args, bins):
    size, clients, mode = scenario
    tmp = tempfile.mkdtemp(prefix="sse-bench-")
    res = {"peer": peer, "size": size, "clients": clients, "mode": mode}
    try:
        path = os.path.join(tmp, "doc.json")
        with open(path, "wb") as f:
            f.write(make_doc(size, -1))
        port = free_port()
        srv_log = open(os.path.join(tmp, "server.log"), "wb")
        srv = subprocess.Popen(server_cmd(peer, bins, port, path, tmp, args.sse_mirror),
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
                 "--wait-stdin"],
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


def report(facts, settings, table, skipped):
    out = ["# sse-mirror benchmark", "", "## Machine", ""]
    out += ["| fact | value |", "| --- | --- |"] + [f"| {k} | {v} |" for k, v in facts]
    out += ["", "## Settings", "", settings, "", "## Results (medians over runs)", ""]
    out += ["| scenario | peer | clients ok | p50 ms | p90 ms | p99 ms | max ms | missed / expected | "
            "connect ms | RSS idle MiB | RSS conn MiB | RSS after MiB | KB/client | CPU s writes | "
            "CPU s idle | errors | p99 ÷ floor p99 | seed p99 ÷ this p99 |",
            "| " + " | ".join(["---"] * 18) + " |"]
    notes = []
    for scen, peers in table:
        floor = peers.get("floor", {}).get("p99_ms")
        seed = peers.get("seed", {}).get("p99_ms")
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
                       f"{fmt(m['cpu_idle'])} | {fmt(m['errors'])} | {vs_floor} | {seed_vs} |")
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sse-mirror", metavar="PATH", help="sse-mirror binary (skipped if absent)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 1 and 100 clients, one repeat")
    ap.add_argument("--out", default=os.path.join(BENCH, "RESULTS.md"), help="Markdown output file")
    ap.add_argument("--repeats", type=int, help="runs per measurement (default 3, quick 1)")
    ap.add_argument("--peers", default=",".join(PEERS), help="comma list of floor,seed,sse-mirror")
    ap.add_argument("--scenario", action="append", metavar="SIZE:CLIENTS:MODE",
                    help="run only these scenarios, e.g. 1024:10000:inplace (repeatable)")
    ap.add_argument("--writes", type=int, default=30)
    ap.add_argument("--interval-ms", type=int,
                    help="spacing between writes (default 150 ms, or clients/20 ms if larger)")
    ap.add_argument("--grace-ms", type=int, default=2000)
    ap.add_argument("--idle-s", type=float, help="idle-CPU window (default 3, quick 2)")
    ap.add_argument("--connect-timeout", type=int, default=120, help="seconds for all clients to connect")
    args = ap.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    args.idle_s = args.idle_s or (2.0 if args.quick else 3.0)

    # Children inherit the fd limit: take the whole hard limit once here.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError) as e:
        log(f"could not raise RLIMIT_NOFILE to {hard}: {e}")
    fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]

    if args.scenario:
        scenarios = []
        for s in args.scenario:
            size, clients, mode = s.split(":")
            scenarios.append((int(size), int(clients), mode))
    else:
        scenarios = QUICK if args.quick else FULL

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
    if args.sse_mirror:
        args.sse_mirror = os.path.abspath(args.sse_mirror)
    for s in skipped:
        log("skipping " + s)

    bins = build()
    facts = machine_facts()
    spacing = f"{args.interval_ms} ms apart" if args.interval_ms else \
        "150 ms apart (clients/20 ms for more than 3000 clients: 4000 → 200 ms, 10000 → 500 ms)"
    settings = (f"{args.writes} writes per run, {spacing}, {args.grace_ms} ms grace; "
                f"{repeats} run(s) per measurement; idle-CPU window {args.idle_s:g} s; loadgen and server "
                "share the machine's cores.")
    table, raw = [], []
    t0 = time.monotonic()
    for scen in scenarios:
        size, clients, mode = scen
        # Server and loadgen each need one fd per client plus a few of their own.
        if clients + 64 > fd_limit:
            skipped.append(f"{scen_name(scen)}: fd limit {fd_limit} is too small for {clients} clients "
                           "(hard RLIMIT_NOFILE; more was refused)")
            log("skipping " + skipped[-1])
            continue
        row = {}
        for peer in peers:
            runs = []
            for i in range(repeats):
                r = run_once(peer, scen, args, bins)
                runs.append(r)
                raw.append(r)
                log(f"[{time.monotonic() - t0:6.0f}s] {scen_name(scen)} {peer} run {i + 1}: "
                    + (r["error"] if "error" in r else
                       f"p50 {fmt(r.get('p50_ms'))} p99 {fmt(r.get('p99_ms'))} ms, missed {r.get('missed')}, "
                       f"connect {fmt(r.get('connect_ms'), 0)} ms, errors {r.get('errors')}"))
            row[peer] = median_of(runs)
        table.append((scen, row))

    md = report(facts, settings, table, skipped)
    print(md)
    if os.path.dirname(os.path.abspath(args.out)):
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(md + "\n")
    with open(os.path.join(OUT_DIR, "results.json"), "w") as f:
        json.dump(raw, f, indent=1)
    log(f"wrote {args.out} and {os.path.join(OUT_DIR, 'results.json')} in {time.monotonic() - t0:.0f}s")


if __name__ == "__main__":
    main()
