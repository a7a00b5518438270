"""The line-stream and directory-stream parts of bench/run.py (stdlib, plus jsonpatch for checking).

    tail:  1 GB of 100-byte lines appended by one writer as fast as it can; MB/s delivered to one
           SSE client that counts lines (bench/linecount), against `tail -F -n 0 FILE | wc -l`
           (done when tail has written every byte, read from /proc/PID/io). Also the RSS of a
           stream that keeps the last 100,000 lines.
    tree:  a 10,000-file artifact tree (1 KB to 1 MB, log-uniform sizes, random bytes): the first
           scan with SHA-256 (server start to a client holding the full manifest) against
           `find DIR -type f -exec sha256sum {} +`; then one file rewritten in place, write to
           `patch` at a client, against a single-file stream of the same server given the same
           bytes; RSS after the scan. Every manifest is checked against sha256sum's output.
"""
import json
import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

from run import free_port, log, rss_mib, spawn, stop, tail as log_tail, wait_ready  # noqa: E402

LINE = 100                      # bytes per line, newline included
BLOCK_LINES = 10_000            # lines per write(2) of the writer
TREE_FILES = 10_000
TREE_DIRS = 100


def fmt(v, digits=2):
    return "–" if v is None else f"{v:.{digits}f}"


def config(tmp, port, streams):
    """streams: [(path, watch, {key: value})]"""
    cfg = os.path.join(tmp, "config.yaml")
    with open(cfg, "w") as f:
        f.write(f"listen: 127.0.0.1:{port}\nheartbeat: 0\nstreams:\n")
        for path, watch, extra in streams:
            f.write(f"  - path: {path}\n    watch: {json.dumps(watch)}\n")
            for k, v in extra.items():
                f.write(f"    {k}: {v}\n")
    return cfg


def start_server(sse_mirror, cfg, tmp):
    log_path = os.path.join(tmp, "server.log")
    proc, out = spawn([sse_mirror, "serve", cfg], log_path)
    return proc, out, log_path


# ---------- tail ----------

def line_block():
    """BLOCK_LINES lines of exactly LINE bytes (the same block every write: the count is checked)."""
    text = "".join(f"{i:08d} " + "l" * (LINE - 10) + "\n" for i in range(BLOCK_LINES))
    return text.encode()


def write_log(path, total_bytes):
    """Appends total_bytes of lines to path as fast as one writer can; returns the start time."""
    block = line_block()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    t0 = time.monotonic()
    written = 0
    while written < total_bytes:
        written += os.write(fd, block)
    os.close(fd)
    return t0


def tail_peer_once(path, total_bytes, lines):
    """`tail -F -n 0 path | wc -l`; done when tail has written total_bytes (its /proc/PID/io)."""
    open(path, "wb").close()
    wc = subprocess.Popen(["wc", "-l"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    tl = subprocess.Popen(["tail", "-F", "-n", "0", path], stdout=wc.stdin, stderr=subprocess.DEVNULL)
    wc.stdin.close()
    time.sleep(0.5)  # tail opens the file and reaches its end
    t0 = write_log(path, total_bytes)
    done = None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        with open(f"/proc/{tl.pid}/io") as f:
            wchar = int(next(l for l in f if l.startswith("wchar:")).split()[1])
        if wchar >= total_bytes:
            done = time.monotonic()
            break
        time.sleep(0.002)
    tl.send_signal(signal.SIGTERM)
    tl.wait(timeout=10)
    counted = int(wc.stdout.read().split()[0])
    wc.wait(timeout=30)
    if done is None or counted != lines:
        raise RuntimeError(f"tail -F | wc -l counted {counted} of {lines} lines")
    return done - t0


def tail_ours_once(args, bins, path, total_bytes, lines, tmp):
    open(path, "wb").close()
    port = free_port()
    cfg = config(tmp, port, [("/log", path, {"format": "lines"})])
    srv, out, log_path = start_server(args.sse_mirror, cfg, tmp)
    try:
        if not wait_ready(port, srv, 30):
            raise RuntimeError("server did not become ready: " + log_tail(log_path))
        counter = subprocess.Popen([bins["linecount"], str(port), "/log", str(lines)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready = counter.stderr.readline()
        if b"READY" not in ready:
            raise RuntimeError(f"linecount: {ready!r}")
        time.sleep(0.3)  # the first `changed` (no lines) is in
        t0 = write_log(path, total_bytes)
        try:
            stdout, stderr = counter.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            counter.kill()
            raise RuntimeError("linecount timed out")
        if counter.returncode != 0:
            raise RuntimeError(f"linecount: {stderr.decode(errors='replace').strip()}; "
                               f"server log: {log_tail(log_path)}")
        counted, t_end, body = stdout.split()
        return float(t_end) - t0, int(body), rss_mib(srv.pid)
    finally:
        stop(srv)
        out.close()


def tail_rss(args, tmp, keep=100_000):
    """RSS of a stream keeping the last `keep` lines of a log that has them."""
    path = os.path.join(tmp, "rss.log")
    with open(path, "wb") as f:
        for _ in range(keep // BLOCK_LINES + 1):
            f.write(line_block())
    port = free_port()
    cfg = config(tmp, port, [("/log", path, {"format": "lines", "tail": keep})])
    srv, out, log_path = start_server(args.sse_mirror, cfg, tmp)
    try:
        if not wait_ready(port, srv, 30):
            raise RuntimeError("server did not become ready: " + log_tail(log_path))
        import bigdoc
        client = bigdoc.SSEClient(port, "/log")
        etype, _, data, _ = client.next_event(timeout=60)
        n = len(json.loads(data)) if etype == "changed" else None
        client.close()
        if n != keep:
            raise RuntimeError(f"first event {etype} with {n} lines, expected {keep}")
        return rss_mib(srv.pid)
    finally:
        stop(srv)
        out.close()


def part_tail(args, bins, have_mirror, repeats):
    total = (200 if args.quick else 1000) * BLOCK_LINES * LINE
    lines = total // LINE
    fails, ours, peer, body, rss = [], [], [], [], None
    tmp = tempfile.mkdtemp(prefix="sse-bench-tail-")
    try:
        path = os.path.join(tmp, "app.log")
        for i in range(repeats):
            s = tail_peer_once(path, total, lines)
            peer.append(s)
            log(f"  tail: tail -F | wc -l repeat {i + 1}: {s:.2f} s, {total / 1e6 / s:.0f} MB/s")
            if have_mirror:
                try:
                    s, b, r = tail_ours_once(args, bins, path, total, lines, tmp)
                    ours.append(s)
                    body.append(b)
                    log(f"  tail: sse-mirror repeat {i + 1}: {s:.2f} s, {total / 1e6 / s:.0f} MB/s, RSS {r:.0f} MiB")
                except RuntimeError as e:
                    fails.append(f"tail: sse-mirror: {e}")
                    break
        if have_mirror and not fails:
            try:
                rss = tail_rss(args, tmp)
            except RuntimeError as e:
                fails.append(f"tail RSS: {e}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    mb = total / 1e6
    peer_mbs = mb / statistics.median(peer)
    ours_mbs = mb / statistics.median(ours) if ours else None
    r = ours_mbs / peer_mbs if ours_mbs else None
    md = [
        "## Tail throughput",
        "",
        f"{mb:.0f} MB of {LINE}-byte lines ({lines:,} lines) appended by one writer (`write(2)` of "
        f"{BLOCK_LINES:,} lines at a time) as fast as it can. **tail -F**: `tail -F -n 0 FILE | wc -l`, done "
        "when tail has written every byte (`/proc/PID/io`); **sse-mirror**: `format: lines`, one SSE client "
        "(`bench/linecount`, C) that counts the lines of every `appended` event, done at the last line. "
        "Both counts are checked. MB/s of log delivered, from the writer's first write; median of "
        f"{repeats} run(s). Target: sse-mirror ≥ 0.5× tail -F.",
        "",
        "| peer | MB/s (median) | seconds per run | SSE body bytes per log byte | ÷ tail -F | target ≥ 0.5× |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| tail -F \\| wc -l | {peer_mbs:.0f} | {', '.join(fmt(s) for s in peer)} | – | – | – |",
    ]
    if ours:
        md.append(f"| sse-mirror | {ours_mbs:.0f} | {', '.join(fmt(s) for s in ours)} | "
                  f"{statistics.median(body) / total:.3f} | {r:.2f}× | {'met' if r >= 0.5 else '**not met**'} |")
    md += ["", f"Server RSS with `tail: 100000` after the first event (100,000 lines of {LINE} bytes "
               f"held): **{fmt(rss, 1)} MiB**.", ""]
    return "\n".join(md) + "\n", fails


# ---------- tree ----------

def make_tree(root, files, seed=8):
    """files regular files in TREE_DIRS folders two levels deep, sizes log-uniform 1 KB..1 MB."""
    rnd = random.Random(seed)
    total = 0
    for i in range(files):
        d = os.path.join(root, f"g{i % 10}", f"d{(i // 10) % (TREE_DIRS // 10):02d}")
        os.makedirs(d, exist_ok=True)
        size = int(math.exp(rnd.uniform(math.log(1024), math.log(1 << 20))))
        with open(os.path.join(d, f"artifact-{i:05d}.bin"), "wb") as f:
            f.write(os.urandom(size))
        total += size
    return total


def sha256sum_tree(root):
    """{relative path: hex} from `find ROOT -type f -exec sha256sum {} +`, and its seconds."""
    t0 = time.monotonic()
    out = subprocess.run(["find", root, "-type", "f", "-exec", "sha256sum", "{}", "+"],
                         check=True, stdout=subprocess.PIPE).stdout
    s = time.monotonic() - t0
    sums = {}
    for line in out.decode().splitlines():
        digest, name = line.split("  ", 1)
        sums[os.path.relpath(name, root)] = digest
    return sums, s


def check_manifest(doc, sums):
    if not isinstance(doc, dict):
        return f"the manifest is not an object: {str(doc)[:100]}"
    got = {k: (v.get("sha256") if isinstance(v, dict) else None) for k, v in doc.items()}
    if got == sums:
        return None
    missing = sorted(set(sums) - set(got))[:3]
    extra = sorted(set(got) - set(sums))[:3]
    wrong = sorted(k for k in set(got) & set(sums) if got[k] != sums[k])[:3]
    return (f"manifest differs from sha256sum: {len(set(sums) - set(got))} missing {missing}, "
            f"{len(set(got) - set(sums))} extra {extra}, wrong hashes {wrong}")


def follow_until(client, doc, done, jsonpatch, timeout):
    """Applies events to doc until done(doc); returns (doc, time of the last event)."""
    t = None
    deadline = time.monotonic() + timeout
    while not done(doc):
        left = deadline - time.monotonic()
        if left <= 0:
            raise RuntimeError("timed out following the manifest")
        etype, _, data, t = client.next_event(timeout=left)
        if etype == "changed":
            doc = json.loads(data)
        elif etype == "patch":
            doc = jsonpatch.apply_patch(doc, json.loads(data), in_place=True)
        elif etype == "invalid":
            raise RuntimeError(f"invalid: {data[:300]!r}")
    return doc, t


def tree_ours(args, root, sums, jsonpatch, tmp, repeats, changes):
    """First scan (server start to a client holding a manifest equal to sums), then `changes`
    in-place rewrites alternating between a file of the tree and a single-file stream."""
    import bigdoc
    single = os.path.join(tmp, "single.json")
    victim = os.path.join(root, "g0", "d00", "artifact-00000.bin")
    with open(single, "wb") as f:
        f.write(b"{}")
    res = {"scan_s": [], "tree_ms": [], "single_ms": [], "rss": None, "patch_bytes": []}
    for rep in range(repeats):
        port = free_port()
        cfg = config(tmp, port, [("/tree", root + "/", {}), ("/single", single, {"format": "json"})])
        t0 = time.perf_counter()  # the clock bigdoc stamps events with
        srv, out, log_path = start_server(args.sse_mirror, cfg, tmp)
        client = None
        try:
            while True:
                if srv.poll() is not None:
                    raise RuntimeError("server exited: " + log_tail(log_path))
                try:
                    client = bigdoc.SSEClient(port, "/tree")
                    break
                except OSError:
                    time.sleep(0.005)
            doc, t_end = follow_until(client, None,
                                      lambda d: isinstance(d, dict) and len(d) >= len(sums)
                                      and all(isinstance(v, dict) and "sha256" in v for v in d.values()),
                                      jsonpatch, 600)
            scan = t_end - t0
            err = check_manifest(doc, sums)
            if err:
                raise RuntimeError("first scan: " + err)
            res["scan_s"].append(scan)
            log(f"  tree: sse-mirror first scan repeat {rep + 1}: {scan:.2f} s")
            if rep == 0:
                res["rss"] = rss_mib(srv.pid)
                single_client = bigdoc.SSEClient(port, "/single")
                single_client.next_event(timeout=30)
                for i in range(changes):
                    content = json.dumps({"seq": i, "pad": "x" * 65_000}).encode()
                    for which in ("tree", "single"):
                        time.sleep(0.3)
                        path = victim if which == "tree" else single
                        w0 = time.perf_counter()
                        with open(path, "wb") as f:
                            f.write(content)
                        if which == "tree":
                            etype, _, data, t1 = client.next_event(timeout=30)
                            if etype != "patch":
                                raise RuntimeError(f"tree change {i}: expected `patch`, got `{etype}`")
                            jsonpatch.apply_patch(doc, json.loads(data), in_place=True)
                            res["patch_bytes"].append(len(data))
                            res["tree_ms"].append((t1 - w0) * 1000)
                        else:
                            etype, _, data, t1 = single_client.next_event(timeout=30)
                            res["single_ms"].append((t1 - w0) * 1000)
                single_client.close()
                sums_after, _ = sha256sum_tree(root)
                err = check_manifest(doc, sums_after)
                if err:
                    raise RuntimeError("after the changes: " + err)
                sums.clear()
                sums.update(sums_after)
        finally:
            if client:
                client.close()
            stop(srv)
            out.close()
    return res


def part_tree(args, have_mirror, repeats, jsonpatch):
    files = 1000 if args.quick else TREE_FILES
    fails = []
    tmp = tempfile.mkdtemp(prefix="sse-bench-tree-")
    root = os.path.join(tmp, "artifacts")
    try:
        log(f"  tree: writing {files} files")
        total = make_tree(root, files)
        sha256sum_tree(root)  # warm the page cache the same way for both
        peer = []
        for i in range(repeats):
            sums, s = sha256sum_tree(root)
            peer.append(s)
            log(f"  tree: find -exec sha256sum repeat {i + 1}: {s:.2f} s")
        ours = None
        if have_mirror:
            try:
                ours = tree_ours(args, root, sums, jsonpatch, tmp, repeats, 5 if args.quick else 15)
            except (RuntimeError, OSError, ValueError) as e:
                fails.append(f"tree: sse-mirror: {e}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    peer_s = statistics.median(peer)
    md = [
        "## Directory streams",
        "",
        f"An artifact tree of {files:,} files ({total / 1e6:.0f} MB; sizes log-uniform from 1 KB to 1 MB, random "
        f"bytes) in {TREE_DIRS} folders two levels deep, page cache warm. **First scan**: sse-mirror started on "
        "`watch: artifacts/` (`format: manifest`, SHA-256 on) until one SSE client holds a manifest whose every "
        "`sha256` equals `sha256sum`'s, against `find DIR -type f -exec sha256sum {} +`; medians of "
        f"{repeats} run(s). Target ≤ 1.2×.",
        "",
        "| peer | seconds (median) | runs | ÷ sha256sum | target ≤ 1.2× |",
        "| --- | --- | --- | --- | --- |",
        f"| find -exec sha256sum | {peer_s:.2f} | {', '.join(fmt(s) for s in peer)} | – | – |",
    ]
    if ours and ours["scan_s"]:
        s = statistics.median(ours["scan_s"])
        md.append(f"| sse-mirror | {s:.2f} | {', '.join(fmt(x) for x in ours['scan_s'])} | {s / peer_s:.2f}× | "
                  f"{'met' if s / peer_s <= 1.2 else '**not met**'} |")
    if ours and ours["tree_ms"]:
        t, o = statistics.median(ours["tree_ms"]), statistics.median(ours["single_ms"])
        md += [
            "",
            f"**One file changed**: a 65 KB rewrite in place (`open(O_TRUNC)`, `write`, `close`) of one file of the "
            "tree, then the same bytes to a single-file stream (`format: json`) of the same server, alternately "
            f"with 300 ms between, {len(ours['tree_ms'])} times each; time from the `open` to the event's last byte "
            "at a client (the tree's client applies every `patch`, and its manifest is checked against "
            "`sha256sum` at the end). Target: tree ≤ 5× single file.",
            "",
            "| stream | median ms | min–max ms | event bytes (median) | ÷ single file | target ≤ 5× |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| single file | {o:.1f} | {min(ours['single_ms']):.1f}–{max(ours['single_ms']):.1f} | – | – | – |",
            f"| tree ({files:,} files) | {t:.1f} | {min(ours['tree_ms']):.1f}–{max(ours['tree_ms']):.1f} | "
            f"{statistics.median(ours['patch_bytes']):.0f} | {t / o:.2f}× | {'met' if t / o <= 5 else '**not met**'} |",
            "",
            f"Server RSS after the first scan of the {files:,}-file tree: **{fmt(ours['rss'], 1)} MiB**.",
        ]
    return "\n".join(md) + "\n", fails
