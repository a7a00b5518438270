"""The nchan part of bench/run.py (--only nchan): fan-out latency and memory through two nginx +
nchan nodes sharing one Redis (examples/scale), next to sse-mirror's own fan-out, at the same
client counts in the same run.

Each count runs twice with the same loadgen settings (1 KB documents written in place):
- `sse-mirror`: loadgen's clients on sse-mirror itself (bench/run.py's run_once);
- `nchan x2`: sse-mirror publishing to node A, loadgen's clients split between node A and
  node B (`--port2`), so half of them are one Redis hop further. Memory is sse-mirror's RSS and
  the sum over both nginx masters and workers (Redis apart).

Latency is file write → event at each client, as everywhere in this suite (loadgen finds the
write's "seq" in the `changed` document; nchan's ids differ from ours and are not used).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(ROOT, "Tests", "integration"))
import nchan_scale  # noqa: E402  (the deployment the integration test runs)
import run  # noqa: E402

COUNTS = (1000, 10000)
SIZE = 1024


def tree_rss_mib(pid):
    """RSS of a process and its children (an nginx master and its workers), MiB."""
    total = run.rss_mib(pid) or 0
    try:
        children = open(f"/proc/{pid}/task/{pid}/children").read().split()
    except OSError:
        children = []
    for child in children:
        total += run.rss_mib(int(child)) or 0
    return total


def nchan_once(args, bins, clients):
    res = {"peer": "nchan x2", "size": SIZE, "clients": clients, "mode": "inplace"}
    d = nchan_scale.Deployment(args.sse_mirror, keep=False, worker_connections=max(1024, clients // 2 + 512))
    try:
        d.start_redis()
        d.start_nginx("a")
        d.start_nginx("b")
        path = d.path("doc.json")
        with open(path, "wb") as f:
            f.write(run.make_doc(SIZE, -1))
        d.start_mirror(streams=f"heartbeat: 0\nstreams:\n  - path: /doc\n    watch: {path}\n    format: json\n")
        mirror = d.procs["mirror"].pid
        nodes = [d.procs["a"].pid, d.procs["b"].pid]
        time.sleep(0.5)
        res["rss_idle"] = run.rss_mib(mirror)
        res["nginx_rss_idle"] = sum(tree_rss_mib(p) for p in nodes)
        interval = run.interval_for(args, clients)
        lg = subprocess.Popen(
            [bins["loadgen"], "--port", str(d.ports["a_sub"]), "--port2", str(d.ports["b_sub"]), "--file", path,
             "--path", "/sub/doc", "--clients", str(clients), "--writes", str(args.writes),
             "--interval-ms", str(interval), "--size", str(SIZE), "--mode", "inplace",
             "--grace-ms", str(args.grace_ms), "--connect-timeout-ms", str(args.connect_timeout * 1000), "--wait-stdin"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            err = run.read_until_ready(lg, args.connect_timeout + 15)
            if b"READY" in err and lg.poll() is None:
                res["rss_connected"] = run.rss_mib(mirror)
                res["nginx_rss_connected"] = sum(tree_rss_mib(p) for p in nodes)
                lg.stdin.write(b"go\n")
                lg.stdin.flush()
            budget = args.writes * (interval / 1000 + 1) + args.grace_ms / 1000 + 60
            out, err2 = lg.communicate(timeout=budget)
            res["rss_after"] = run.rss_mib(mirror)
            res["nginx_rss_after"] = sum(tree_rss_mib(p) for p in nodes)
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
    except Exception as e:  # a node that does not start is a result to report, not a crash
        res["error"] = f"{type(e).__name__}: {e}"
    finally:
        d.close()
    return res


def part_nchan(args, bins, have_mirror, repeats):
    fails = []
    missing = [w for w, ok in (("nginx", os.access(nchan_scale.NGINX, os.X_OK)),
                               ("the nchan module", os.path.exists(nchan_scale.NCHAN)),
                               ("redis-server", shutil.which("redis-server"))) if not ok]
    if missing or not have_mirror:
        why = ", ".join(missing) + " missing" if missing else "no sse-mirror binary"
        return f"## Through nchan (two nodes, one Redis)\n\nSkipped: {why}.\n", []
    rows = []
    raw = []
    counts = (1000,) if args.quick else COUNTS
    for clients in counts:
        for peer in ("sse-mirror", "nchan x2"):
            runs = []
            for i in range(repeats):
                run.log(f"nchan part: {peer}, {clients} clients, run {i + 1}/{repeats}")
                r = run.run_once("sse-mirror", (SIZE, clients, "inplace"), args, bins) if peer == "sse-mirror" \
                    else nchan_once(args, bins, clients)
                r["peer"] = peer
                runs.append(r)
                raw.append(r)
                if "error" in r:
                    fails.append(f"nchan part, {peer} at {clients} clients: {r['error']}")
            good = [r for r in runs if "error" not in r]
            rows.append((peer, clients, good))
    os.makedirs(run.OUT_DIR, exist_ok=True)
    with open(os.path.join(run.OUT_DIR, "nchan.json"), "w") as f:
        json.dump(raw, f, indent=1)

    def med(runs, key):
        vals = [r[key] for r in runs if r.get(key) is not None]
        return sorted(vals)[len(vals) // 2] if vals else None

    out = ["## Through nchan (two nodes, one Redis)", "",
           f"1 KB documents written in place, {args.writes} writes, {repeats} run(s) per row (medians). "
           "`sse-mirror`: the clients on sse-mirror itself. `nchan x2`: sse-mirror publishes each change "
           "to node A's publisher location (examples/scale/nginx.conf, one worker per node); half the clients "
           "read node A, half node B, which gets the message through Redis. Latency is file write → event "
           "at each client (all clients, both nodes). Memory: sse-mirror's RSS, and both nginx nodes "
           "(masters + workers) summed; Redis is not counted.", "",
           "| Fan-out | Clients | p50 ms | p99 ms | max ms | missed | sse-mirror RSS MiB (connected / after) | nginx RSS MiB (connected / after) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for peer, clients, good in rows:
        if not good:
            out.append(f"| {peer} | {clients:,} | failed | | | | | |")
            continue
        nginx = "–" if peer == "sse-mirror" else f"{run.fmt(med(good, 'nginx_rss_connected'), 1)} / {run.fmt(med(good, 'nginx_rss_after'), 1)}"
        out.append(
            f"| {peer} | {clients:,} | {run.fmt(med(good, 'p50_ms'))} | {run.fmt(med(good, 'p99_ms'))} | "
            f"{run.fmt(med(good, 'max_ms'))} | {run.fmt(med(good, 'missed'), 0)} | "
            f"{run.fmt(med(good, 'rss_connected'), 1)} / {run.fmt(med(good, 'rss_after'), 1)} | {nginx} |")
    return "\n".join(out) + "\n", fails
