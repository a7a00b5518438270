#!/usr/bin/env python3
"""Big JSON documents, a one-client SSE reader and a continuous writer for bench/run.py (stdlib only).

    make_pair(size)  -> (old_bytes, new_bytes, changes): {"items":[{"id":..,"name":..,"tags":[..],
                        "value":..,"active":..,"owner":{..}}, ...]} of about `size` bytes (compact JSON),
                        and the same document with a few fields changed in scattered records
    SSEClient        -> one SSE connection (HTTP/1.1 chunked or plain body, WHATWG event-stream
                        fields), giving each event with the monotonic time its last byte arrived
    python3 bench/bigdoc.py writer TARGET V0 V1
                     -> rewrites TARGET back to back (write a temp file in TARGET's folder, rename it
                        over TARGET), alternating the contents of the files V0 and V1, until SIGTERM;
                        then prints {"rewrites": n, "seconds": s} on stdout
"""
import json
import os
import signal
import socket
import sys
import time

NAMES = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet")
TEAMS = ("payments", "search", "checkout", "identity", "storage", "billing")
REGIONS = ("eu-west-1", "us-east-1", "ap-south-1", "sa-east-1")


def record(i):
    """Record i: a deterministic function of i (no RNG, so both versions share it)."""
    return {
        "id": i,
        "name": f"{NAMES[i % 10]}-{NAMES[(i // 10) % 10]}-{i:07d}",
        "tags": [NAMES[(i * 7) % 10], TEAMS[(i * 3) % 6], f"t{i % 97}"],
        "value": round(((i * 7919) % 1000003) / 100.0, 2),
        "active": i % 3 != 0,
        "owner": {"team": TEAMS[i % 6], "region": REGIONS[i % 4]},
    }


def dump(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def make_pair(size):
    """Two versions of a ~size-byte document that differ in 4 fields of 4 scattered records:
    a number, a string, an array element and a boolean (a nested one for the fourth)."""
    recs, total = [], 12
    while total < size or len(recs) < 8:
        recs.append(dump(record(len(recs))))
        total += len(recs[-1]) + 1
    n = len(recs)
    old = ('{"items":[' + ",".join(recs) + "]}").encode()
    changes = []
    for frac, what in ((0.13, "value"), (0.41, "name"), (0.67, "tags"), (0.93, "owner")):
        k = int(n * frac)
        r = record(k)
        if what == "value":
            r["value"] = r["value"] + 1000.5
            changes.append(f"/items/{k}/value")
        elif what == "name":
            r["name"] = r["name"] + "-renamed"
            changes.append(f"/items/{k}/name")
        elif what == "tags":
            r["tags"][1] = "moved"
            changes.append(f"/items/{k}/tags/1")
        else:
            r["owner"]["region"] = "me-central-1"
            changes.append(f"/items/{k}/owner/region")
        recs[k] = dump(r)
    new = ('{"items":[' + ",".join(recs) + "]}").encode()
    return old, new, changes


class SSEError(Exception):
    pass


class SSEClient:
    """One SSE connection to 127.0.0.1:port path. next_event() returns
    (type, id, data_bytes, t_done) where t_done is time.perf_counter() right after the
    recv() that delivered the event's last byte (the blank line that dispatches it)."""

    def __init__(self, port, path, timeout=30.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          "Accept: text/event-stream\r\n\r\n".encode())
        self.raw = bytearray()   # bytes received, not yet de-chunked
        self.body = bytearray()  # event-stream text not yet dispatched
        self.scan = 0            # where to resume looking for an event's end in body
        self.head_done = False
        self.chunked = False
        self.chunk_left = 0      # data bytes left in the current chunk
        self.chunk_crlf = False  # the CRLF after a chunk's data is pending
        self.ended = False
        self.events = []         # parsed, not yet returned
        self.body_bytes = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _recv(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise SSEError("timed out waiting for an event")
        self.sock.settimeout(min(left, 1.0))
        try:
            part = self.sock.recv(1 << 20)
        except socket.timeout:
            return False
        t = time.perf_counter()
        if not part:
            raise SSEError("server closed the connection")
        self.raw += part
        self._feed(t)
        return True

    def _feed(self, t):
        if not self.head_done:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.raw[:end]).decode("latin-1").split("\r\n")
            if not head[0].startswith("HTTP/1.") or head[0].split()[1] != "200":
                raise SSEError("bad response: " + head[0])
            for line in head[1:]:
                k, _, v = line.partition(":")
                if k.strip().lower() == "transfer-encoding" and "chunked" in v.lower():
                    self.chunked = True
            del self.raw[:end + 4]
            self.head_done = True
        if not self.chunked:
            self.body_bytes += len(self.raw)
            self.body += self.raw
            self.raw.clear()
        else:
            pos = 0
            raw = self.raw
            while True:
                if self.chunk_crlf:
                    if len(raw) - pos < 2:
                        break
                    if raw[pos:pos + 2] != b"\r\n":
                        raise SSEError("chunk not followed by CRLF")
                    pos += 2
                    self.chunk_crlf = False
                if self.chunk_left:
                    take = min(self.chunk_left, len(raw) - pos)
                    if take == 0:
                        break
                    self.body += raw[pos:pos + take]
                    pos += take
                    self.chunk_left -= take
                    if self.chunk_left == 0:
                        self.chunk_crlf = True
                    continue
                nl = raw.find(b"\r\n", pos)
                if nl < 0:
                    break
                size = int(bytes(raw[pos:nl]).split(b";")[0].strip(), 16)
                pos = nl + 2
                if size == 0:
                    self.ended = True
                    break
                self.chunk_left = size
            self.body_bytes += pos
            del raw[:pos]
        self._events(t)

    def _events(self, t):
        # The server ends lines with LF (PROTOCOL.md); CR and CRLF are folded to LF first.
        while True:
            end = self.body.find(b"\n\n", self.scan)
            if end < 0:
                self.scan = max(0, len(self.body) - 1)
                return
            block = bytes(self.body[:end])
            del self.body[:end + 2]
            self.scan = 0
            if b"\r" in block:
                block = block.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            etype, eid, data = "message", None, []
            for line in block.split(b"\n"):
                if not line or line.startswith(b":"):
                    continue
                name, _, value = line.partition(b":")
                if value.startswith(b" "):
                    value = value[1:]
                if name == b"data":
                    data.append(value)
                elif name == b"event":
                    etype = value.decode()
                elif name == b"id":
                    eid = value.decode()
            if data:
                self.events.append((etype, eid, b"\n".join(data), t))

    def next_event(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        while not self.events:
            if self.ended:
                raise SSEError("stream ended")
            self._recv(deadline)
        return self.events.pop(0)

    def drain(self, stop, counts):
        """Read until stop() is true, counting events by type into `counts` (a dict)."""
        while not stop():
            try:
                self._recv(time.monotonic() + 1.0)
            except SSEError as e:
                if "timed out" in str(e):
                    continue
                counts["error"] = str(e)
                return
            except OSError as e:
                counts["error"] = str(e)
                return
            for etype, _, _, _ in self.events:
                counts[etype] = counts.get(etype, 0) + 1
            self.events.clear()


def writer(target, v0_path, v1_path):
    """Rewrite target back to back: write a temp file beside it, rename it over target."""
    versions = [open(v0_path, "rb").read(), open(v1_path, "rb").read()]
    folder, name = os.path.split(os.path.abspath(target))
    tmp = os.path.join(folder, f".{name}.writer.tmp")
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    n, t0 = 0, time.monotonic()
    while not stop:
        with open(tmp, "wb") as f:
            f.write(versions[(n + 1) % 2])  # target starts as V0: the first rewrite changes it
        os.rename(tmp, target)
        n += 1
    print(json.dumps({"rewrites": n, "seconds": round(time.monotonic() - t0, 3)}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "writer":
        writer(*sys.argv[2:])
    else:
        sys.exit(__doc__)
