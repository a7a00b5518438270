"""The soak part of bench/run.py: slow clients must cost the healthy ones nothing.

    soak:  2,000 SSE clients (bench/loadgen) and one client that connects and never reads a byte
           (its receive buffer shrunk to 4 KiB), on one stream with `limits: {client_buffer: 256KiB}`;
           a 64 KB document rewritten (temp file + rename) twice a second for 60 s. Checked: every
           healthy client got every change (none missed), the stalled client was disconnected (its
           socket reaches end of file or a reset once what the kernel holds is drained), and the
           server's RSS stays flat (sampled every 5 s from the moment all clients are connected).
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time

from run import free_port, log, make_doc, read_until_ready, rss_mib, spawn, stop, tail as log_tail, wait_ready  # noqa: E402

SIZE = 64 * 1024
CLIENTS = 2000
WRITES = 120            # 2 a second for 60 s
INTERVAL_MS = 500
BUFFER = "256KiB"
RSS_EVERY_S = 5


def fmt(v, digits=1):
    return "–" if v is None else f"{v:.{digits}f}"


def stalled_client(port):
    """A client that sends its request and never reads: the kernel's buffers fill, then the
    server's queue for it grows until the bound."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /doc HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    return s


def disconnected(sock, timeout_s=10):
    """Reads what the kernel still holds for the stalled client; True once the server's close
    shows (end of file or a reset) within the timeout."""
    sock.settimeout(1)
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            if not sock.recv(1 << 20):
                return True
        except socket.timeout:
            continue
        except ConnectionResetError:
            return True
    return False


def part_soak(args, bins, have_mirror):
    if not have_mirror:
        return "## Soak\n\nSkipped: no sse-mirror binary given.\n", []
    clients = 200 if args.quick else CLIENTS
    writes = 20 if args.quick else WRITES
    tmp = tempfile.mkdtemp(prefix="sse-soak-")
    res, failures = {}, []
    try:
        path = os.path.join(tmp, "doc.json")
        with open(path, "wb") as f:
            f.write(make_doc(SIZE, -1))
        port = free_port()
        cfg = os.path.join(tmp, "config.yaml")
        with open(cfg, "w") as f:
            f.write(f"listen: 127.0.0.1:{port}\nheartbeat: 15s\nlimits: {{client_buffer: {BUFFER}}}\n"
                    f"streams:\n  - path: /doc\n    watch: {path}\n")
        srv, srv_log = spawn([args.sse_mirror, "serve", cfg], os.path.join(tmp, "server.log"))
        samples, sampling = [], threading.Event()
        try:
            if not wait_ready(port, srv, 30):
                return "## Soak\n\n", ["soak: the server did not start: " + log_tail(os.path.join(tmp, "server.log"))]
            lg = subprocess.Popen(
                [bins["loadgen"], "--port", str(port), "--file", path, "--path", "/doc", "--clients", str(clients),
                 "--writes", str(writes), "--interval-ms", str(INTERVAL_MS), "--size", str(SIZE), "--mode", "rename",
                 "--grace-ms", "3000", "--wait-stdin"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                err = read_until_ready(lg, 180)
                if b"READY" not in err:
                    return "## Soak\n\n", ["soak: loadgen never got its clients ready: " + err.decode(errors="replace")[-300:]]
                stalled = stalled_client(port)

                def sample():
                    while not sampling.wait(RSS_EVERY_S):
                        samples.append(rss_mib(srv.pid))

                samples.append(rss_mib(srv.pid))
                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                started = time.monotonic()
                lg.stdin.write(b"go\n")
                lg.stdin.flush()
                out, err2 = lg.communicate(timeout=writes * INTERVAL_MS / 1000 + 120)
                res["duration_s"] = time.monotonic() - started
                sampling.set()
                sampler.join()
                samples.append(rss_mib(srv.pid))
                res.update(json.loads(out.decode()))
                res["stalled_disconnected"] = disconnected(stalled)
                stalled.close()
            finally:
                if lg.poll() is None:
                    lg.kill()
                    lg.wait()
        finally:
            stop(srv)
            srv_log.close()
            server_log = open(os.path.join(tmp, "server.log"), "rb").read().decode(errors="replace")
            res["slow_client_closes"] = server_log.count("does not keep up")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rss = [s for s in samples if s is not None]
    res["rss_samples"] = rss
    growth = (rss[-1] - rss[0]) if len(rss) >= 2 else None
    log(f"soak: {res.get('clients_connected')} clients, missed {res.get('missed')} / {res.get('samples_expected')}, "
        f"p99 {fmt(res.get('p99_ms'))} ms, stalled disconnected {res.get('stalled_disconnected')}, RSS {rss}")
    if res.get("missed"):
        failures.append(f"soak: healthy clients missed {res['missed']} of {res['samples_expected']} events")
    if res.get("clients_connected") != clients:
        failures.append(f"soak: {res.get('clients_connected')} of {clients} clients connected")
    if not res.get("stalled_disconnected"):
        failures.append("soak: the client that never reads was not disconnected")
    if growth is not None and growth > 32:
        failures.append(f"soak: RSS grew by {growth:.1f} MiB over the run")
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".out", "soak.json"), "w") as f:
        json.dump(res, f, indent=1)

    md = ["## Soak", "",
          f"{clients} SSE clients and one that never reads (4 KiB receive buffer), one stream with "
          f"`limits: {{client_buffer: {BUFFER}}}`; a {SIZE // 1024} KB document rewritten by temp file + rename "
          f"every {INTERVAL_MS} ms, {writes} times ({writes * INTERVAL_MS / 1000:.0f} s). RSS sampled every "
          f"{RSS_EVERY_S} s from the moment every client is connected. Targets: no event missed by a healthy client, "
          "the stalled client disconnected, RSS flat.", "",
          "| healthy clients | events missed / expected | p50 ms | p99 ms | stalled client disconnected | "
          "slow-client closes logged | RSS first → last MiB | RSS median MiB | RSS max MiB |",
          "| " + " | ".join(["---"] * 9) + " |",
          f"| {res.get('clients_connected')} | {res.get('missed')} / {res.get('samples_expected')} | "
          f"{fmt(res.get('p50_ms'))} | {fmt(res.get('p99_ms'))} | {'yes' if res.get('stalled_disconnected') else '**no**'} | "
          f"{res.get('slow_client_closes')} | {fmt(rss[0] if rss else None)} → {fmt(rss[-1] if rss else None)} | "
          f"{fmt(statistics.median(rss) if rss else None)} | {fmt(max(rss) if rss else None)} |", ""]
    return "\n".join(md) + "\n", failures
