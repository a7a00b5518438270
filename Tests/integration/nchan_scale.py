#!/usr/bin/env python3
"""The examples/scale deployment, for real: Redis, two nginx + nchan nodes sharing it, and the
sse-mirror binary publishing to node A. EventSource clients read node B.

Checks (issue #11): every change reaches node B in order with its event name (`changed`,
`removed`; a patch stream's whole documents too); a client that reconnects with Last-Event-ID
(the header, and nchan's `last_event_id` query parameter) gets exactly what it missed; a stream
with `publish: null` is not published; node A's nginx stopped for a few seconds while files
change, then started again, ends with the clients on the file's current document, sse-mirror's
own clients served throughout, the outage logged once, and sse-mirror's memory flat.

Run by `make test` after the Swift tests. Skips (exit 0, with the reason) when nginx, the nchan
module or redis-server is missing; `.ci/run` installs them. Works as root (nginx workers then
run as root too) and as an ordinary user.

    python3 Tests/integration/nchan_scale.py [--sse-mirror .build/debug/sse-mirror] [--keep]
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Tests", "support"))
import mirror_process  # noqa: E402  (how sse-mirror is started and stopped, shared with examples/ and bench/)
NGINX = "/usr/sbin/nginx"
NCHAN = "/usr/share/nginx/modules/ngx_nchan_module.so"
EXAMPLE = os.path.join(ROOT, "examples", "scale", "nginx.conf")


def log(msg):
    print(f"[nchan_scale {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def expect_port(port, timeout=10.0):
    assert mirror_process.wait_port(port, timeout=timeout), f"nothing listens on 127.0.0.1:{port} after {timeout}s"


def http(port, method, path, body=b"", headers=None, timeout=5.0):
    """One HTTP/1.1 request with Connection: close; returns (status, body)."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
    for k, v in (headers or {}).items():
        head += f"{k}: {v}\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head.encode() + b"\r\n" + body)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""


class EventSourceClient:
    """A raw-socket EventSource: GET with Accept: text/event-stream, parsed per WHATWG HTML
    §9.2.6 (event, id, data lines; a blank line dispatches). Events land in `events`."""

    def __init__(self, port, path, last_event_id=None, name="client"):
        self.port, self.path, self.name = port, path, name
        self.events = []
        self.cond = threading.Condition()
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        headers = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n"
        if last_event_id:
            headers += f"Last-Event-ID: {last_event_id}\r\n"
        self.sock.sendall((headers + "\r\n").encode())
        self.closed = False
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        buf = b""
        try:
            while b"\r\n\r\n" not in buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                buf += chunk
            head, buf = buf.split(b"\r\n\r\n", 1)
            if not head.startswith(b"HTTP/1.1 200"):
                self.error = head.decode(errors="replace").split("\r\n")[0]
                return
            chunked = b"transfer-encoding: chunked" in head.lower()
            body = b""
            event = {"event": "message", "id": None, "data": []}
            while True:
                if chunked:
                    # Decode as much as is whole; keep the rest.
                    while True:
                        end = buf.find(b"\r\n")
                        if end < 0:
                            break
                        size = int(buf[:end].split(b";")[0], 16)
                        if len(buf) < end + 2 + size + 2:
                            break
                        body += buf[end + 2:end + 2 + size]
                        buf = buf[end + 2 + size + 2:]
                else:
                    body += buf
                    buf = b""
                while b"\n" in body:
                    line, body = body.split(b"\n", 1)
                    line = line.decode()
                    if line == "":
                        if event["data"]:
                            with self.cond:
                                self.events.append({"event": event["event"], "id": event["id"], "data": "\n".join(event["data"])})
                                self.cond.notify_all()
                        event = {"event": "message", "id": event["id"], "data": []}
                        continue
                    if line.startswith(":"):
                        continue
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "event":
                        event["event"] = value
                    elif field == "id":
                        event["id"] = value
                    elif field == "data":
                        event["data"].append(value)
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                buf += chunk
        except OSError:
            return
        finally:
            with self.cond:
                self.closed = True
                self.cond.notify_all()

    def wait_for(self, predicate, timeout=10.0, what="events"):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate(self.events):
                if self.error:
                    raise AssertionError(f"{self.name}: answered {self.error}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.name}: timed out waiting for {what}; got {summary(self.events)}")
                self.cond.wait(left)
            return list(self.events)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def summary(events):
    out = []
    for e in events[-40:]:
        try:
            seq = json.loads(e["data"]).get("seq", e["data"][:40])
        except Exception:
            seq = e["data"][:40]
        out.append(f"{e['event']}:{seq}")
    return ", ".join(out)


def seqs(events, name="changed"):
    return [json.loads(e["data"])["seq"] for e in events if e["event"] == name]


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f)
    os.rename(tmp, path)


class Deployment:
    def __init__(self, binary, keep, worker_connections=512):
        self.binary = binary
        self.keep = keep
        self.worker_connections = worker_connections
        self.dir = tempfile.mkdtemp(prefix="sse-mirror-nchan-")
        os.chmod(self.dir, 0o755)
        self.procs = {}
        self.log_offsets = {}
        self.ports = {name: mirror_process.free_port() for name in ("redis", "a_pub", "a_sub", "b_pub", "b_sub", "mirror")}

    def start_redis(self):
        out = open(os.path.join(self.dir, "redis.log"), "w")
        self.procs["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(self.ports["redis"]), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir],
            stdout=out, stderr=subprocess.STDOUT)
        expect_port(self.ports["redis"])

    def nginx_conf(self, node):
        """examples/scale/nginx.conf with only its ports, Redis address and paths changed; each
        substitution must apply, so the test breaks if the example changes shape."""
        prefix = os.path.join(self.dir, node)
        os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
        os.makedirs(os.path.join(prefix, "temp"), exist_ok=True)
        text = open(EXAMPLE).read()
        subs = [
            (r"redis://127\.0\.0\.1:6379", f"redis://127.0.0.1:{self.ports['redis']}"),
            (r"listen 127\.0\.0\.1:8081;", f"listen 127.0.0.1:{self.ports[node + '_pub']};"),
            (r"listen 8080;", f"listen 127.0.0.1:{self.ports[node + '_sub']};"),
            (r"worker_processes auto;", "worker_processes 1;"),
            (r"error_log logs/error\.log warn;", "error_log logs/error.log info;"),
            (r"worker_connections \d+;", f"worker_connections {self.worker_connections};"),
        ]
        for pattern, replacement in subs:
            text, count = re.subn(pattern, lambda _: replacement, text, count=1)
            assert count == 1, f"examples/scale/nginx.conf no longer has {pattern!r}"
        if self.worker_connections > 512:
            text = f"worker_rlimit_nofile {2 * self.worker_connections + 64};\n" + text
        if os.geteuid() == 0:
            # Workers would switch to `nobody`, who cannot write this prefix.
            text = "user root;\n" + text
        path = os.path.join(prefix, "nginx.conf")
        with open(path, "w") as f:
            f.write(text)
        return prefix, path

    def start_nginx(self, node):
        prefix, conf = self.nginx_conf(node)
        out = open(os.path.join(prefix, "stdout.log"), "a")
        self.procs[node] = subprocess.Popen(
            [NGINX, "-p", prefix, "-c", conf, "-e", os.path.join(prefix, "startup.log"),
             "-g", f"daemon off; pid {prefix}/nginx.pid;"],
            stdout=out, stderr=subprocess.STDOUT)
        expect_port(self.ports[node + "_pub"])
        expect_port(self.ports[node + "_sub"])
        # Until its worker has connected to Redis, a node answers 503.
        deadline = time.monotonic() + 10
        error_log = os.path.join(prefix, "logs", "error.log")
        start = self.log_offsets.get(node, 0)
        while True:
            text = open(error_log).read()[start:] if os.path.exists(error_log) else ""
            if "Redis upstream sse_mirror_redis: ready" in text:
                self.log_offsets[node] = start + len(text)
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"node {node} never connected to Redis: {text[-2000:]}")
            time.sleep(0.05)

    def stop_nginx(self, node):
        proc = self.procs.pop(node)
        proc.send_signal(signal.SIGTERM)  # nginx: fast shutdown
        proc.wait(timeout=10)

    def start_mirror(self, streams=None):
        """sse-mirror publishing to node A; `streams` replaces the test's own streams: list."""
        config = os.path.join(self.dir, "mirror.yaml")
        with open(config, "w") as f:
            f.write(f"""listen: 127.0.0.1:{self.ports['mirror']}
publish:
  nchan: "http://mirror:hunter2@127.0.0.1:{self.ports['a_pub']}/pub/{{stream}}"   # Basic, which nginx ignores here; never shown
""" + (streams or """streams:
  - path: /config
    watch: config.json
    history: {events: 16}     # so that its own history, full after the warm-up, cannot look like growth
  - path: /patched
    watch: patched.json
    emit: patch
  - path: /private
    watch: private.json
    publish: null
"""))
        self.mirror_log = os.path.join(self.dir, "sse-mirror.log")
        self.mirror = mirror_process.MirrorProcess([self.binary, config], self.mirror_log, cwd=self.dir)
        self.procs["mirror"] = self.mirror.proc

    def log(self):
        with open(self.mirror_log) as f:
            return f.read()

    def path(self, name):
        return os.path.join(self.dir, name)

    def close(self):
        for proc in self.procs.values():
            mirror_process.stop(proc)
        if self.keep:
            log(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def doc(seq, pad=64):
    return {"seq": seq, "service": "checkout", "pad": "x" * pad}


def run(binary, keep):
    d = Deployment(binary, keep)
    clients = []
    try:
        d.start_redis()
        d.start_nginx("a")
        d.start_nginx("b")
        write_json(d.path("config.json"), doc(0))
        write_json(d.path("patched.json"), {"seq": 0, "items": [1, 2, 3], "pad": "x" * 500})
        write_json(d.path("private.json"), {"seq": 0})
        d.start_mirror()
        b_sub = d.ports["b_sub"]

        # 1. Every change, in order, with its event name, on node B.
        log("every change reaches node B in order")
        live = EventSourceClient(b_sub, "/sub/config", name="B/config")
        patched = EventSourceClient(b_sub, "/sub/patched", name="B/patched")
        own = EventSourceClient(d.ports["mirror"], "/patched", name="mirror/patched")
        clients += [live, patched, own]
        for client in (live, patched, own):
            client.wait_for(lambda ev: 0 in seqs(ev), what="the first state")
        changes = 20
        for seq in range(1, changes + 1):
            write_json(d.path("config.json"), doc(seq))
            write_json(d.path("patched.json"), {"seq": seq, "items": [1, 2, 3, seq], "pad": "x" * 500})
            time.sleep(0.1)
        events = live.wait_for(lambda ev: changes in seqs(ev), what=f"seq {changes}")
        assert seqs(events) == list(range(0, changes + 1)), f"out of order or missing: {summary(events)}"
        assert all(e["event"] == "changed" for e in events), summary(events)
        assert json.loads(events[-1]["data"]) == doc(changes)
        ids = [e["id"] for e in events]
        assert len(set(ids)) == len(ids) and all(ids), f"nchan ids: {ids}"
        # A patch stream's own clients get patches; nchan gets whole documents.
        got = patched.wait_for(lambda ev: changes in seqs(ev), what="patched seq 20")
        assert seqs(got) == list(range(0, changes + 1)) and all(e["event"] == "changed" for e in got), summary(got)
        mine = own.wait_for(lambda ev: sum(e["event"] == "patch" for e in ev) >= changes, what="20 patches from sse-mirror")
        assert mine[0]["event"] == "changed" and all(e["event"] == "patch" for e in mine[1:]), summary(mine)
        # removed, then back.
        os.unlink(d.path("config.json"))
        events = live.wait_for(lambda ev: ev[-1]["event"] == "removed", what="removed")
        assert json.loads(events[-1]["data"]) == {"path": "config.json"}, events[-1]
        write_json(d.path("config.json"), doc(changes + 1))
        live.wait_for(lambda ev: (changes + 1) in seqs(ev), what="changed after removed")
        # publish: null keeps a stream off the hub (the publisher answers 404 for a channel it never saw).
        status, _ = http(d.ports["a_pub"], "GET", "/pub/private", headers={"Accept": "text/json"})
        assert status == 404, f"/private was published: {status}"
        status, _ = http(d.ports["a_pub"], "GET", "/pub/config", headers={"Accept": "text/json"})
        assert status == 200, status
        # The publisher location is private: node B's public side has none.
        status, _ = http(b_sub, "POST", "/pub/config", body=b"{}")
        assert status == 404, f"a publisher on the public port: {status}"

        # 2. Resume with Last-Event-ID, as the header and as nchan's query parameter.
        log("resume with Last-Event-ID")
        for how in ("header", "query"):
            base = changes + 1 if how == "header" else changes + 4  # the newest state now
            first = EventSourceClient(b_sub, "/sub/config", name=f"resume-{how}")
            # A new subscriber gets nchan's buffer oldest first: wait for the newest.
            before = first.wait_for(lambda ev: base in seqs(ev), what="the newest state")
            last_id = next(e["id"] for e in before if e["event"] == "changed" and json.loads(e["data"])["seq"] == base)
            first.close()
            for seq in range(base + 1, base + 4):
                write_json(d.path("config.json"), doc(seq))
                time.sleep(0.1)
            live.wait_for(lambda ev: (base + 3) in seqs(ev), what=f"seq {base + 3}")
            if how == "header":
                again = EventSourceClient(b_sub, "/sub/config", last_event_id=last_id, name="resumed-header")
            else:
                again = EventSourceClient(b_sub, f"/sub/config?last_event_id={last_id}", name="resumed-query")
            clients.append(again)
            got = again.wait_for(lambda ev: (base + 3) in seqs(ev), what="the missed changes")
            time.sleep(0.3)
            assert seqs(again.events) == [base + 1, base + 2, base + 3], f"resume by {how}: {summary(again.events)}"
        newest = changes + 7

        # 3. Node A's nginx down for a few seconds while files change.
        log("outage of node A")
        mirror_pid = d.procs["mirror"].pid
        # Warm up: the same load once with the hub up, so allocator growth is not counted as a leak.
        for seq in range(newest + 1, newest + 41):
            write_json(d.path("config.json"), doc(seq, pad=20_000))
            time.sleep(0.02)
        newest += 40
        live.wait_for(lambda ev: newest in seqs(ev), what=f"seq {newest}")
        local = EventSourceClient(d.ports["mirror"], "/config", name="mirror/config")
        clients.append(local)
        local.wait_for(lambda ev: newest in seqs(ev), what="sse-mirror's own first state")
        rss_before = vm_rss_kib(mirror_pid)
        d.stop_nginx("a")
        rss_peak = rss_before
        outage = float(os.environ.get("NCHAN_SCALE_OUTAGE_S", "4"))
        outage_end = time.monotonic() + outage
        samples = []
        while time.monotonic() < outage_end:
            newest += 1
            write_json(d.path("config.json"), doc(newest, pad=20_000))
            time.sleep(0.02)
            samples.append(vm_rss_kib(mirror_pid))
            rss_peak = max(rss_peak, samples[-1])
        log(f"VmRSS during the outage, KiB: {samples[::max(1, len(samples) // 8)]}")
        # Publishing never blocks local fan-out: sse-mirror's own client has the newest already.
        local.wait_for(lambda ev: newest in seqs(ev), timeout=5, what="sse-mirror's own clients during the outage")
        assert "publish target unreachable" in d.log(), d.log()
        d.start_nginx("a")
        events = live.wait_for(lambda ev: newest in seqs(ev), timeout=15, what="the current document after the outage")
        assert json.loads(events[-1]["data"]) == doc(newest, pad=20_000), summary(events)
        got = seqs(events)
        assert got == sorted(got), f"out of order across the outage: {summary(events)}"
        late = EventSourceClient(b_sub, "/sub/config", name="late")
        clients.append(late)
        late.wait_for(lambda ev: newest in seqs(ev), what="a late subscriber's base")
        # The patch stream's state was re-published too: a late subscriber has a base on node B.
        late_patched = EventSourceClient(b_sub, "/sub/patched", name="late/patched")
        clients.append(late_patched)
        late_patched.wait_for(lambda ev: changes in seqs(ev), what="the patch stream's base")
        for _ in range(100):
            if "publish target reachable again" in d.log():
                break
            time.sleep(0.05)
        text = d.log()
        assert text.count("publish target unreachable") == 1, text
        assert "publish target reachable again" in text, text
        rss_after = vm_rss_kib(mirror_pid)
        growth = max(rss_peak, rss_after) - rss_before
        log(f"sse-mirror VmRSS {rss_before} KiB before, peak {rss_peak} KiB during, {rss_after} KiB after the outage")
        assert growth < 4 * 1024, f"sse-mirror grew by {growth} KiB across the outage"
        status, metrics = http(d.ports["mirror"], "GET", "/metrics")
        metrics = metrics.decode()
        def metric(name):
            return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines() if line.startswith(name + "{"))
        assert metric("sse_mirror_publish_failures_total") >= 1, metrics
        assert metric("sse_mirror_publish_dropped_total") >= 1, metrics
        assert metric("sse_mirror_publish_sent_total") >= changes, metrics
        log(f"metrics: sent {metric('sse_mirror_publish_sent_total'):.0f}, dropped {metric('sse_mirror_publish_dropped_total'):.0f}, "
            f"failures {metric('sse_mirror_publish_failures_total'):.0f}")
        assert "hunter2" not in text and "hunter2" not in metrics, "the URL's password was shown"
        assert f'target="http://***@127.0.0.1:{d.ports["a_pub"]}/pub/{{stream}}"' in metrics, metrics
        log("passed")
    except BaseException:
        for name in ("a", "b"):
            for kind in ("logs/error.log", "startup.log"):
                p = os.path.join(d.dir, name, kind)
                if os.path.exists(p):
                    print(f"--- {name}/{kind} (tail)\n" + "".join(open(p).readlines()[-20:]), file=sys.stderr)
        if os.path.exists(os.path.join(d.dir, "sse-mirror.log")):
            print("--- sse-mirror.log (tail)\n" + "".join(open(d.mirror_log).readlines()[-40:]), file=sys.stderr)
        raise
    finally:
        for c in clients:
            c.close()
        d.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sse-mirror", default=os.path.join(ROOT, ".build", "debug", "sse-mirror"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    missing = [what for what, ok in (
        ("nginx (/usr/sbin/nginx)", os.access(NGINX, os.X_OK)),
        (f"the nchan module ({NCHAN})", os.path.exists(NCHAN)),
        ("redis-server", shutil.which("redis-server") is not None),
    ) if not ok]
    if missing:
        print(f"nchan_scale: skipped: {', '.join(missing)} not installed "
              "(Debian: apt-get install nginx-light libnginx-mod-nchan redis-server)")
        return 0
    if not os.access(args.sse_mirror, os.X_OK):
        print(f"nchan_scale: {args.sse_mirror} is not built (swift build --product sse-mirror)", file=sys.stderr)
        return 1
    run(os.path.abspath(args.sse_mirror), args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
