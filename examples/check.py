#!/usr/bin/env python3
"""Runs every example against the real sse-mirror binary, so none of them rots (`make examples`).

    python3 examples/check.py .build/debug/sse-mirror [NAME ...]

Each check starts the binary on 127.0.0.1 with a free port (`--listen 127.0.0.1:0`), with the example's own
mirror.yaml where it has one (its absolute paths moved into a temp folder), changes files on disk and reads the
streams over real sockets. A check whose tool is missing (nginx, systemd-analyze) says "skipped" and why. Exit
status 1 when any check fails. Python 3 standard library only.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

EXAMPLES = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(EXAMPLES)
sys.path.insert(0, os.path.join(ROOT, "Tests", "support"))
from mirror_process import MirrorProcess, StartFailed, free_port, wait_port  # noqa: E402
TIMEOUT = 10.0


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


# ---------- the server ----------

class Server(MirrorProcess):
    """The real binary on a free loopback port; the port is read from its `listening on` log line."""

    def __init__(self, binary, config, env=None, user=None):
        cmd = [binary, "serve", config, "--listen", "127.0.0.1:0"]
        if user is not None:
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "--no-new-privs"] + cmd
        try:
            super().__init__(cmd, env=env, timeout=TIMEOUT)
        except StartFailed as failure:
            raise CheckFailed(str(failure)) from None


# ---------- an event-stream client (WHATWG HTML §9.2.6, enough for these checks) ----------

class EventStream:
    def __init__(self, port, path, headers=None, host="127.0.0.1"):
        self.conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream", **(headers or {})})
        self.response = self.conn.getresponse()
        expect(self.response.status == 200, f"GET {path}: {self.response.status} {self.response.reason}")
        expect(self.response.getheader("Content-Type", "").startswith("text/event-stream"),
               f"GET {path}: Content-Type {self.response.getheader('Content-Type')}")

    def next(self, timeout=TIMEOUT):
        """The next event as (name, id, data), skipping comments; raises CheckFailed on timeout."""
        self.conn.sock.settimeout(timeout)
        name, event_id, data = "message", None, []
        try:
            while True:
                raw = self.response.readline()
                expect(raw, "the event stream ended")
                line = raw.decode().rstrip("\r\n")
                if line == "":
                    if data:
                        return name, event_id, "\n".join(data)
                    name, event_id, data = "message", None, []
                    continue
                if line.startswith(":"):
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "event":
                    name = value
                elif field == "id":
                    event_id = value
                elif field == "data":
                    data.append(value)
        except (socket.timeout, TimeoutError):
            raise CheckFailed(f"no event within {timeout} s")

    def close(self):
        self.conn.close()


def get_json(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    conn.request("GET", path, headers={"Accept": "application/json", **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if not response.getheader("Content-Type", "").startswith("application/json"):
        return response.status, body
    return response.status, json.loads(body)


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def config_with(example, replacements, folder):
    """The example's mirror.yaml with its absolute paths moved into `folder`."""
    with open(os.path.join(EXAMPLES, example)) as f:
        text = f.read()
    for old, new in replacements.items():
        expect(old in text, f"{example} no longer mentions {old}; update examples/check.py with it")
        text = text.replace(old, new)
    path = os.path.join(folder, "mirror.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


# ---------- the checks ----------

def check_configs(binary, tmp):
    """Every mirror.yaml under examples/ (and the repository's) passes `sse-mirror check`."""
    configs = [os.path.join(ROOT, "mirror.yaml")]
    for folder, _, files in os.walk(EXAMPLES):
        configs += [os.path.join(folder, f) for f in files if f == "mirror.yaml"]
    for config in sorted(configs):
        # A config may name an environment variable for its tokens; `check` wants it set.
        result = subprocess.run([binary, "check", config], capture_output=True, text=True,
                                env={**os.environ, "SSE_MIRROR_TOKENS": "check-only"})
        expect(result.returncode == 0, f"sse-mirror check {os.path.relpath(config, ROOT)}:\n{result.stderr}")
    return f"{len(configs)} configs valid"


def check_logs(binary, tmp):
    """logs/mirror.yaml: every line once and in order through a logrotate-style rename; JSON access lines
    arrive parsed, without the omitted member."""
    app, access = os.path.join(tmp, "app.log"), os.path.join(tmp, "access.log")
    with open(app, "w") as f:
        f.write("".join(f"old {i}\n" for i in range(300)))
    open(access, "w").close()
    config = config_with("logs/mirror.yaml", {"/var/log/app/app.log": app, "/var/log/nginx/access.log": access}, tmp)
    with Server(binary, config) as server:
        stream = EventStream(server.port, "/logs/app")
        name, _, data = stream.next()
        expect(name == "changed" and json.loads(data) == [f"old {i}" for i in range(100, 300)],
               f"first event on /logs/app: {name} {data[:200]}")
        received = []

        def take(count):
            while len(received) < count:
                name, _, data = stream.next()
                expect(name == "appended", f"expected appended, got {name}: {data[:200]}")
                received.extend(json.loads(data))

        with open(app, "a") as f:
            f.write("".join(f"line {i}\n" for i in range(50)))
        take(50)
        os.rename(app, app + ".1")          # logrotate's default: rename, then a new file
        with open(app + ".1", "a") as f:    # the last lines a writer puts in before it reopens
            f.write("line 50\n")
        with open(app, "w") as f:
            f.write("".join(f"line {i}\n" for i in range(51, 80)))
        take(80)
        expect(received == [f"line {i}" for i in range(80)], f"lines out of order or repeated: {received}")
        stream.close()

        access_stream = EventStream(server.port, "/logs/access")
        expect(access_stream.next()[0] == "changed", "first event on /logs/access")
        with open(access, "a") as f:
            f.write(json.dumps({"remote_addr": "203.0.113.9", "request": "GET / HTTP/1.1", "status": 200}) + "\n")
        name, _, data = access_stream.next()
        expect(name == "appended" and json.loads(data) == [{"request": "GET / HTTP/1.1", "status": 200}],
               f"access line: {name} {data}")
        access_stream.close()
    return "80 lines through a rotation, in order; JSON access line parsed, address omitted"


def check_kubernetes(binary, tmp):
    """kubernetes/mirror.yaml over a folder laid out as the kubelet lays out a ConfigMap volume, updated as
    the kubelet updates it: new timestamped folder, `..data` symlink renamed over, old folder removed."""
    mount = os.path.join(tmp, "etc-app")
    os.mkdir(mount)
    with open(os.path.join(EXAMPLES, "kubernetes", "config.json")) as f:
        first = json.load(f)

    def publish(generation, document):
        folder = f"..2026_11_26_00_00_0{generation}.000000001"
        os.mkdir(os.path.join(mount, folder))
        with open(os.path.join(mount, folder, "config.json"), "w") as f:
            json.dump(document, f)
        os.symlink(folder, os.path.join(mount, "..data_tmp"))
        old = os.readlink(os.path.join(mount, "..data")) if os.path.islink(os.path.join(mount, "..data")) else None
        os.rename(os.path.join(mount, "..data_tmp"), os.path.join(mount, "..data"))
        if not os.path.islink(os.path.join(mount, "config.json")):
            os.symlink("..data/config.json", os.path.join(mount, "config.json"))
        if old:
            shutil.rmtree(os.path.join(mount, old))

    publish(1, first)
    config = config_with("kubernetes/mirror.yaml", {"/etc/app/": mount + "/"}, tmp)
    token = "example-token-" + os.urandom(8).hex()
    auth = {"Authorization": f"Bearer {token}"}
    with Server(binary, config, env={"SSE_MIRROR_TOKENS": token}) as server:
        status, health = get_json(server.port, "/healthz")
        expect(status == 200 and health["streams"][0]["state"] == "ok", f"/healthz without a token: {status} {health}")
        status, _ = get_json(server.port, "/config")
        expect(status == 401, f"/config without a token: {status}")
        stream = EventStream(server.port, "/config", auth)
        name, _, data = stream.next()
        shown = json.loads(data)
        expect(name == "changed" and shown["db"]["password"] == "[redacted]", f"first event: {name} {data}")
        second = json.loads(json.dumps(first))
        second["feature_flags"]["new_checkout"] = True
        publish(2, second)
        name, _, data = stream.next()
        expect(name == "patch", f"after the ConfigMap update: {name} {data}")
        status, now = get_json(server.port, "/config", auth)
        second["db"]["password"] = "[redacted]"
        expect(status == 200 and now == second, f"document after the update: {now}")
        stream.close()
    return "kubelet-style ..data swap → patch; tokens and public /healthz as configured"


def find_nginx():
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def start_nginx(nginx, tmp, upstream_port):
    """A real nginx on a free loopback port with nginx/sse-mirror.conf in its server block, pointed at
    `upstream_port`; returns (process, port). Stop it with SIGTERM (SIGQUIT waits for open streams)."""
    port = free_port()
    with open(os.path.join(EXAMPLES, "nginx", "sse-mirror.conf")) as f:
        snippet = f.read().replace("127.0.0.1:8080", f"127.0.0.1:{upstream_port}")
    with open(os.path.join(tmp, "snippet.conf"), "w") as f:
        f.write(snippet)
    with open(os.path.join(tmp, "nginx.conf"), "w") as f:
        f.write(f"""daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        include {tmp}/snippet.conf;
    }}
}}
""")
    proxy = subprocess.Popen([nginx, "-p", tmp, "-c", os.path.join(tmp, "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if not wait_port(port, proxy, TIMEOUT):
        proxy.kill()
        raise CheckFailed(f"nginx did not start: {proxy.stderr.read().decode()}")
    return proxy, port


def check_nginx(binary, tmp):
    """nginx/sse-mirror.conf in a real nginx: an event passes through at once, and a resume with
    Last-Event-ID through the proxy gets only what it missed."""
    nginx = find_nginx()
    if not nginx:
        return "skipped: nginx is not installed"
    doc = os.path.join(tmp, "app.json")
    pad = "a document larger than a patch of it, so that changes go out as patches"
    with open(doc, "w") as f:
        json.dump({"n": 0, "pad": pad}, f)
    config = os.path.join(tmp, "mirror.yaml")
    with open(config, "w") as f:
        f.write(f"heartbeat: 15s\nstreams:\n  - path: /config\n    watch: {doc}\n    emit: patch\n")
    with Server(binary, config) as server:
        proxy, port = start_nginx(nginx, tmp, server.port)
        try:
            stream = EventStream(port, "/mirror/config")
            name, first_id, data = stream.next()
            expect(name == "changed" and json.loads(data) == {"n": 0, "pad": pad}, f"first event through nginx: {name} {data}")
            started = time.monotonic()
            write_atomically(doc, json.dumps({"n": 1, "pad": pad}))
            name, _, data = stream.next(timeout=2)
            took = time.monotonic() - started
            expect(name == "patch" and json.loads(data) == [{"op": "replace", "path": "/n", "value": 1}],
                   f"change through nginx: {name} {data}")
            stream.close()
            write_atomically(doc, json.dumps({"n": 2, "pad": pad}))
            time.sleep(0.3)
            resumed = EventStream(port, "/mirror/config", {"Last-Event-ID": first_id})
            patches = [resumed.next(), resumed.next()]
            expect([json.loads(d)[0]["value"] for _, _, d in patches] == [1, 2] and
                   all(n == "patch" for n, _, _ in patches), f"resume through nginx: {patches}")
            resumed.close()
        finally:
            proxy.send_signal(signal.SIGTERM)   # fast shutdown: SIGQUIT would wait for open streams
            proxy.wait(timeout=10)
    return f"event through nginx {took * 1000:.0f} ms after the write; Last-Event-ID resume got both missed patches"


def check_systemd(binary, tmp):
    """systemd/sse-mirror.service passes `systemd-analyze verify`, and its ExecStart serves when run as an
    unprivileged user with no capabilities."""
    with open(os.path.join(EXAMPLES, "systemd", "sse-mirror.service")) as f:
        unit = f.read()
    expect("/usr/local/bin/sse-mirror serve /etc/sse-mirror/mirror.yaml" in unit, "ExecStart changed; update the check")
    notes = []
    analyze = shutil.which("systemd-analyze")
    if analyze:
        path = os.path.join(tmp, "sse-mirror.service")
        with open(path, "w") as f:
            f.write(unit.replace("/usr/local/bin/sse-mirror", os.path.abspath(binary)))
        result = subprocess.run([analyze, "verify", path], capture_output=True, text=True)
        # Only the unit's own lines count: verify also reports on the host's other units.
        own = [l for l in (result.stdout + result.stderr).splitlines() if "sse-mirror.service" in l]
        expect(result.returncode == 0 and not own, f"systemd-analyze verify:\n{result.stdout}{result.stderr}")
        notes.append("systemd-analyze verify clean")
    else:
        notes.append("systemd-analyze skipped (not installed)")
    user = 65534 if os.geteuid() == 0 else None   # nobody:nogroup
    os.chmod(tmp, 0o755)
    doc = os.path.join(tmp, "app.json")
    with open(doc, "w") as f:
        json.dump({"user": "unprivileged"}, f)
    os.chmod(doc, 0o644)
    config = os.path.join(tmp, "mirror.yaml")
    with open(config, "w") as f:
        f.write(f"streams:\n  - path: /config\n    watch: {doc}\n")
    os.chmod(config, 0o644)
    with Server(binary, config, user=user) as server:
        status, body = get_json(server.port, "/config")
        expect(status == 200 and body == {"user": "unprivileged"}, f"as {user or 'this user'}: {status} {body}")
        stream = EventStream(server.port, "/config")
        stream.next()
        write_atomically(doc, json.dumps({"user": "unprivileged", "n": 1}))
        os.chmod(doc, 0o644)
        name, _, _ = stream.next()
        expect(name == "changed", f"change as {user}: {name}")
        stream.close()
    notes.append(f"served as {'uid 65534' if user else 'the current user'} with no new privileges")
    return "; ".join(notes)


CHECKS = {"configs": check_configs, "logs": check_logs, "kubernetes": check_kubernetes,
          "nginx": check_nginx, "systemd": check_systemd}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or list(CHECKS)
    failed = []
    for name in names:
        tmp = tempfile.mkdtemp(prefix=f"sse-mirror-example-{name}-")
        started = time.monotonic()
        try:
            outcome = CHECKS[name](binary, tmp)
            print(f"examples/{name}: ok ({outcome}) [{time.monotonic() - started:.1f} s]", flush=True)
        except (CheckFailed, OSError, subprocess.SubprocessError) as error:
            failed.append(name)
            print(f"examples/{name}: FAILED: {error}", flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    if failed:
        sys.exit(f"examples failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
