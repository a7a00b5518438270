#!/usr/bin/env python3
"""Self-test for loadgen's HTTP and event-stream parsing.

Runs a deliberately awkward SSE server on 127.0.0.1 that sends every event in
a randomly mangled but spec-valid form: CR / LF / CRLF line ends (CRLF split
across TCP segments), comments, id/retry fields, unnamed and named events,
"data:" without a space, data split over two lines, a leading BOM, chunk
extensions, chunks split anywhere (down to one byte), and some connections
without chunked encoding at all. loadgen must still see every write exactly
once with the right length.

A second run (--fixed-pad) sends most changes as RFC 6902 `patch` events in
varied spellings: members in any order, whitespace, a `test` of /seq and a
`copy` from /seq around the `replace` that carries the new seq; some changes
still come as a whole `changed` document.

Usage: python3 bench/loadgen/selftest.py PATH/TO/loadgen
"""
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time

CLIENTS, WRITES, SIZE = 24, 15, 1024


def mangle_event(doc: bytes, rng: random.Random) -> bytes:
    """One event carrying `doc`, encoded in one of many equivalent ways."""
    last = [b""]

    def eol():
        # A lone LF right after a lone CR would merge into one CRLF line end.
        choices = [b"\r", b"\r\n"] if last[0] == b"\r" else [b"\n", b"\r", b"\r\n"]
        last[0] = rng.choice(choices)
        return last[0]

    out = b""
    if rng.random() < 0.5:
        out += b": comment" + eol()
    if rng.random() < 0.5:
        out += b"event: " + rng.choice([b"changed", b"message"]) + eol()
    if rng.random() < 0.3:
        out += b"id: " + str(rng.randint(0, 99)).encode() + eol()
    if rng.random() < 0.3:
        out += b"retry: 1000" + eol()
    if rng.random() < 0.3:
        # Two data lines joined by the parser's LF: drop one pad byte so the
        # joined length still equals SIZE.
        cut = doc.index(b"xxxx") + 2
        out += b"data: " + doc[:cut] + eol() + b"data:" + doc[cut + 1:] + eol()
    else:
        out += rng.choice([b"data: ", b"data:"]) + doc + eol()
    return out + eol()


def patch_data(old_seq: int, seq: int, rng: random.Random) -> bytes:
    """An RFC 6902 patch from old_seq to seq, spelled one of many equivalent ways."""
    members = [b'"op":"replace"', b'"path":"/seq"', b'"value":%d' % seq]
    rng.shuffle(members)
    sep = rng.choice([b",", b", ", b" ,\t"])
    op = b"{" + sep.join(m.replace(b":", rng.choice([b":", b": ", b" : "])) for m in members) + b"}"
    ops = [op]
    if rng.random() < 0.4:
        ops.insert(0, b'{"path":"/seq","op":"test","value":%d}' % old_seq)
    if rng.random() < 0.4:
        ops.append(b'{"op":"copy","from":"/seq","path":"/prev"}')
    return b"[" + b",".join(ops) + b"]"


def mangle_patch(data: bytes, rng: random.Random) -> bytes:
    eol = rng.choice([b"\n", b"\r\n"])
    out = b": comment" + eol if rng.random() < 0.3 else b""
    if rng.random() < 0.5:
        out += b"id: r-%d" % rng.randint(0, 99) + eol
    return out + b"event: patch" + eol + rng.choice([b"data: ", b"data:"]) + data + eol + eol


def send_pieces(sock, payload: bytes, chunked: bool, rng: random.Random):
    """Frame `payload` (as 1..3 chunks if chunked) and send it in random slices."""
    if chunked:
        framed, i = b"", 0
        while i < len(payload):
            n = rng.choice([1, 2, 7, 300, len(payload)])
            part = payload[i:i + n]
            ext = b";x=y" if rng.random() < 0.2 else b""
            framed += b"%x%s\r\n%s\r\n" % (len(part), ext, part)
            i += n
    else:
        framed = payload
    i = 0
    while i < len(framed):
        n = rng.choice([1, 2, 3, 50, 2000])
        sock.sendall(framed[i:i + n])
        i += n
        if rng.random() < 0.05:
            time.sleep(0.001)  # force a separate read on the client side


class Server:
    def __init__(self, path, patch=False):
        self.path, self.clients, self.lock, self.patch = path, [], threading.Lock(), patch
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(256)
        self.port = self.lsock.getsockname()[1]
        self.stop = False

    def serve(self):
        self.lsock.settimeout(0.2)
        while not self.stop:
            try:
                s, _ = self.lsock.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self.client, args=(s,), daemon=True).start()

    def client(self, s):
        rng = random.Random(s.fileno())
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.settimeout(10)
        req = b""
        while b"\r\n\r\n" not in req:
            part = s.recv(4096)
            if not part:
                return
            req += part
        chunked = rng.random() < 0.75
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        head += b"Transfer-Encoding: chunked\r\n\r\n" if chunked else b"Connection: close\r\n\r\n"
        s.sendall(head)
        lock = threading.Lock()
        entry = (s, chunked, rng, lock)
        with self.lock:
            doc = open(self.path, "rb").read()
            self.clients.append(entry)
        bom = b"\xef\xbb\xbf" if rng.random() < 0.5 else b""
        with lock:
            send_pieces(s, bom + mangle_event(doc, rng), chunked, rng)

    def watch(self, until):
        last = open(self.path, "rb").read()
        while time.monotonic() < until and not self.stop:
            time.sleep(0.002)
            try:
                cur = open(self.path, "rb").read()  # rename mode: always a whole document
            except OSError:
                return  # test over, directory removed
            if cur == last:
                continue
            old_seq, last = json.loads(last)["seq"], cur
            seq = json.loads(cur)["seq"]
            with self.lock:
                targets = list(self.clients)
            for s, chunked, rng, lock in targets:
                with lock:
                    try:
                        # an unrelated event and an empty event first: neither is a sample
                        noise = b"event: other\ndata: x\n\n" if rng.random() < 0.3 else b""
                        noise += b"event: ignored\n\n" if rng.random() < 0.3 else b""
                        if self.patch and rng.random() < 0.8:
                            event = mangle_patch(patch_data(old_seq, seq, rng), rng)
                        else:
                            event = mangle_event(cur, rng)
                        send_pieces(s, noise + event, chunked, rng)
                    except OSError:
                        pass


def run(loadgen, patch):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "doc.json")
        pre = b'{"seq":-1,"pad":"'
        pad = SIZE - 22 if patch else SIZE - len(pre) - 2  # as loadgen's make_doc
        open(path, "wb").write(pre + b"x" * pad + b'"}')
        srv = Server(path, patch)
        threading.Thread(target=srv.serve, daemon=True).start()
        threading.Thread(target=srv.watch, args=(time.monotonic() + 60,), daemon=True).start()
        out = subprocess.run(
            [loadgen, "--port", str(srv.port), "--file", path, "--clients", str(CLIENTS),
             "--writes", str(WRITES), "--interval-ms", "60", "--size", str(SIZE),
             "--mode", "rename", "--grace-ms", "3000", "--connect-timeout-ms", "10000"]
            + (["--fixed-pad"] if patch else []),
            capture_output=True, text=True, timeout=60)
        srv.stop = True
    res = json.loads(out.stdout)
    print(json.dumps(res))
    ok = (res["samples_received"] == CLIENTS * WRITES and res["errors"] == 0
          and res["bad_events"] == 0 and res["duplicates"] == 0 and res["bad_patches"] == 0
          and (not patch or res["patch_events"] > 0))
    return ok


def main():
    loadgen = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../.out/loadgen")
    results = [run(loadgen, patch) for patch in (False, True)]
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
