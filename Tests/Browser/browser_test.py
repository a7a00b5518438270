#!/usr/bin/env python3
"""Browser tests: headless Chromium drives the dashboard (GET /) and the plain example page
(examples/eventsource.html) while files change on disk, and checks what the page shows against
the files.

    python3 Tests/Browser/browser_test.py [--binary .build/debug/sse-mirror] [-k NAME]

Runs the real binary on 127.0.0.1 (port 0) with a config in a temporary folder. Exits 1 when a
test fails; the last line is "browser: N passed, N failed". Standard library only.
"""

import argparse
import functools
import hashlib
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from cdp import Chromium, find_chromium  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "examples"))
import check as examples  # noqa: E402  (examples/check.py: nginx with the example snippet)

TOKEN = "browser-test-token"


class Failure(AssertionError):
    pass


def eventually(description, check, timeout=15.0, interval=0.1):
    """Polls `check` (returning (ok, detail)) until ok; fails naming what was seen last."""
    deadline = time.monotonic() + timeout
    detail = None
    while True:
        try:
            ok, detail = check()
        except Exception as error:  # the page may be between documents
            ok, detail = False, f"{type(error).__name__}: {error}"
        if ok:
            return detail
        if time.monotonic() > deadline:
            raise Failure(f"{description}: not within {timeout} s; last seen:\n{detail}")
        time.sleep(interval)


class Mirror:
    """The sse-mirror binary serving a config; restartable on the same port."""

    def __init__(self, binary, config, env=None):
        self.binary, self.config, self.env = binary, config, env
        self.process = None
        self.port = None
        self.log = []

    def start(self):
        arguments = [self.binary, self.config]
        if self.port:
            arguments += ["--listen", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        env={**os.environ, **(self.env or {})}, cwd=os.path.dirname(self.config))
        listening = threading.Event()

        def read(stream):
            for raw in stream:
                line = raw.decode(errors="replace").rstrip("\n")
                self.log.append(line)
                found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
                if found:
                    self.port = int(found.group(1))
                    listening.set()

        threading.Thread(target=read, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + 20
        while not listening.wait(0.1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise Failure("sse-mirror did not start:\n" + "\n".join(self.log[-20:]))
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"


def write_in_place(path, text):
    """An in-place save: the same inode, truncated and rewritten (as `>` in a shell does)."""
    with open(path, "w") as f:
        f.write(text)


def write_by_rename(path, text):
    """An atomic save: a temp file renamed over the name (as most editors and config tools do)."""
    temp = path + ".tmp-save"
    with open(temp, "w") as f:
        f.write(text)
    os.replace(temp, path)


def dump(document):
    return json.dumps(document, indent=2)


class Suite:
    def __init__(self, binary, chromium, only):
        self.binary, self.chromium, self.only = binary, chromium, only
        self.dir = tempfile.mkdtemp(prefix="sse-mirror-browser-")
        self.results = []

    # ---- fixtures ----

    def path(self, name):
        return os.path.join(self.dir, name)

    def setup(self):
        os.makedirs(self.path("artifacts"))
        write_in_place(self.path("app.json"), dump({"service": "checkout", "replicas": 3, "limits": {"rps": 250}}))
        write_in_place(self.path("flags.json"), dump({"flags": {"beta": True, "a/b": 1, "m~n": [1, 2, 3]}, "rollout": [10, 20]}))
        write_in_place(self.path("merge.json"), dump({"owner": "ops", "settings": {"depth": 1, "color": "red"}}))
        write_in_place(self.path("app.log"), "".join(f"boot line {i}\n" for i in range(1, 6)))
        write_in_place(self.path("artifacts/VERSION"), "1.0.0\n")

        # The example page is served from another origin, as a user's own page would be.
        handler = functools.partial(QuietHandler, directory=os.path.join(ROOT, "examples"))
        self.pages = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.pages.serve_forever, daemon=True).start()
        self.pages_origin = f"http://127.0.0.1:{self.pages.server_address[1]}"

        config = self.path("mirror.yaml")
        write_in_place(config, f"""listen: 127.0.0.1:0
cors:
  origins: ["{self.pages_origin}"]
streams:
  - path: /config
    watch: app.json
  - path: /flags
    watch: flags.json
    emit: patch
  - path: /merge
    watch: merge.json
    emit: merge-patch
  - path: /log
    watch: app.log
    format: lines
    tail: 50
  - path: /artifacts
    watch: artifacts/
""")
        self.mirror = Mirror(self.binary, config).start()

        os.makedirs(self.path("auth"))
        write_in_place(self.path("auth/secret.json"), dump({"secret": "shown with a token"}))
        auth_config = self.path("auth/mirror.yaml")
        write_in_place(auth_config, """listen: 127.0.0.1:0
auth:
  tokens_env: BROWSER_TEST_TOKENS
streams:
  - path: /secret
    watch: secret.json
""")
        self.auth_mirror = Mirror(self.binary, auth_config, env={"BROWSER_TEST_TOKENS": TOKEN}).start()
        self.page = self.chromium.new_page()

    def teardown(self):
        for mirror in (getattr(self, "mirror", None), getattr(self, "auth_mirror", None)):
            if mirror:
                mirror.stop()
        if getattr(self, "pages", None):
            self.pages.shutdown()

    # ---- reading the page ----

    def text(self, selector):
        return self.page.evaluate(f"document.querySelector({json.dumps(selector)})?.innerText ?? null")

    def shows_document(self, path, selector="#doc"):
        """(ok, detail): the page's pretty-printed document is the file's."""
        with open(path) as f:
            expected = json.load(f)
        shown = self.text(selector)
        if shown is None:
            return False, f"no {selector} in the page; it shows:\n{self.text('body')}"
        try:
            ok = json.loads(shown) == expected
        except ValueError:
            ok = False
        return ok, f"page:\n{shown}\nfile:\n{dump(expected)}"

    def wait_document(self, description, path, selector="#doc", timeout=15):
        eventually(description, lambda: self.shows_document(path, selector), timeout)

    def open_dashboard(self, query=""):
        self.page.navigate(self.mirror.url("/" + query))

    # ---- tests ----

    def test_client_js_appliers(self):
        """client.js passes RFC 6902's and RFC 7396's examples (Appendix A of each) and edge cases."""
        self.open_dashboard()
        with open(os.path.join(HERE, "patch_cases.json")) as f:
            cases = f.read()
        failures = self.page.evaluate(f"""(async () => {{
            const {{ applyPatch, applyMergePatch, jsonEqual }} = await import("/client.js");
            const cases = JSON.parse({json.dumps(cases)});
            const failures = [];
            for (const c of cases.patch) {{
                const before = JSON.stringify(c.doc);
                try {{
                    const out = applyPatch(c.doc, c.patch);
                    if (c.error) failures.push(c.name + ": no error");
                    else if (!jsonEqual(out, c.expected)) failures.push(c.name + ": got " + JSON.stringify(out));
                }} catch (e) {{
                    if (!c.error || e.name !== "PatchError") failures.push(c.name + ": " + e);
                }}
                if (JSON.stringify(c.doc) !== before) failures.push(c.name + ": changed its input");
            }}
            for (const c of cases.merge) {{
                const out = applyMergePatch(c.target, c.patch);
                if (!jsonEqual(out, c.expected)) failures.push("merge " + JSON.stringify(c.patch) + ": got " + JSON.stringify(out));
            }}
            return failures;
        }})()""")
        if failures:
            raise Failure("\n".join(failures))

    def test_lists_streams(self):
        """The dashboard lists every stream with its kind, state and clients (from /healthz)."""
        self.open_dashboard()

        def listed():
            rows = self.page.evaluate("""[...document.querySelectorAll('#streams tr[data-path]')].map(r =>
                [r.dataset.path, r.querySelector('.kind').innerText, r.querySelector('.state').innerText])""")
            expected = [["/config", "file", "ok"], ["/flags", "file", "ok"], ["/merge", "file", "ok"],
                        ["/log", "lines", "ok"], ["/artifacts", "tree", "ok"]]
            return rows == expected, rows

        eventually("the five streams listed", listed)
        # The page itself is a client once a stream is open: the list counts it within a refresh.
        self.open_dashboard("?stream=/config")
        eventually("/config counts the page as a client",
                   lambda: (self.text('#streams tr[data-path="/config"] .clients') == "1",
                            self.text("#streams")), timeout=10)

    def test_snapshot_stream(self):
        """A snapshot stream follows in-place saves and renames; the touched line lights up."""
        self.open_dashboard("?stream=/config")
        self.wait_document("the first document", self.path("app.json"))
        eventually("the badge says live", lambda: (self.text("#conn") == "live", self.text("#conn")))
        write_in_place(self.path("app.json"), dump({"service": "checkout", "replicas": 4, "limits": {"rps": 250}}))
        self.wait_document("after an in-place save", self.path("app.json"))
        lit = self.page.evaluate("[...document.querySelectorAll('#doc .lit')].map(s => s.innerText.trim())")
        if lit != ['"replicas": 4,']:
            raise Failure(f"the lit lines are {lit}, not the replicas line")
        good = {"service": "cart", "replicas": 4, "limits": {"rps": 300, "burst": 10}}
        write_by_rename(self.path("app.json"), dump(good))
        self.wait_document("after a rename over the file", self.path("app.json"))
        write_in_place(self.path("app.json"), '{"service": "cart",\n  "replicas": }')
        eventually("an invalid shows where", lambda: ("2:" in (self.text("#warning") or "") and
                                                      self.page.evaluate("!document.getElementById('warning').hidden"),
                                                      self.text("#warning")))
        shown = json.loads(self.text("#doc"))
        if shown != good:
            raise Failure(f"the last good document is not shown under the invalid: {shown}")
        write_by_rename(self.path("app.json"), dump({"service": "cart", "replicas": 5}))
        self.wait_document("after the invalid is corrected", self.path("app.json"))
        eventually("the warning goes", lambda: (self.page.evaluate("document.getElementById('warning').hidden"),
                                                self.text("#warning")))
        os.unlink(self.path("app.json"))
        eventually("removed is shown", lambda: ("removed: app.json" in self.text("#view-body"), self.text("#view-body")))
        write_by_rename(self.path("app.json"), dump({"service": "cart", "replicas": 6}))
        self.wait_document("after the file is back", self.path("app.json"))

    def test_patch_stream(self):
        """A patch stream: the page applies RFC 6902 patches and shows exactly the file."""
        self.open_dashboard("?stream=/flags")
        path = self.path("flags.json")
        self.wait_document("the first document", path)
        versions = [
            {"flags": {"beta": False, "a/b": 1, "m~n": [1, 2, 3]}, "rollout": [10, 20]},
            {"flags": {"beta": False, "a/b": 2, "m~n": [1, 3, 4]}, "rollout": [5, 10, 20]},
            {"flags": {"beta": False, "m~n": [3], "new": {"deep": [True, None]}}, "rollout": [20]},
            {"flags": {"beta": True, "m~n": [3], "new": {"deep": [True, None, "x"]}}, "rollout": [20], "note": "é ✓"},
        ]
        for i, version in enumerate(versions):
            (write_in_place if i % 2 else write_by_rename)(path, dump(version))
            self.wait_document(f"version {i + 2}", path)
        eventually("the last event was a patch", lambda: (self.text("#last-event").startswith("patch "),
                                                          self.text("#last-event")))
        if "resyncs" in self.text("#reconnects"):
            raise Failure("a patch did not apply: " + self.text("#reconnects"))

    def test_merge_patch_stream(self):
        """A merge-patch stream: RFC 7396 patches applied in the page."""
        self.open_dashboard("?stream=/merge")
        path = self.path("merge.json")
        self.wait_document("the first document", path)
        for version in [{"owner": "ops", "settings": {"depth": 2}},
                        {"owner": "dev", "settings": {"depth": 2, "extra": [1, 2]}, "added": {"x": "y"}}]:
            write_by_rename(path, dump(version))
            self.wait_document("after a change", path)
        eventually("the last event was a merge patch",
                   lambda: (self.text("#last-event").startswith("merge-patch "), self.text("#last-event")))

    def shown_lines(self):
        text = self.text("#lines")
        return [] if not text else text.split("\n")

    def test_line_stream(self):
        """A log's tail follows appends and a rotation; the filter box and pause work."""
        self.open_dashboard("?stream=/log")
        log = self.path("app.log")
        expected = [f"boot line {i}" for i in range(1, 6)]
        eventually("the first lines", lambda: (self.shown_lines() == expected, self.shown_lines()))
        with open(log, "a") as f:
            f.write("GET /a 200\nGET /b 500\n")
        expected += ["GET /a 200", "GET /b 500"]
        eventually("appended lines", lambda: (self.shown_lines() == expected, self.shown_lines()))
        # logrotate's `create`: the log is renamed away and a new one made; lines of both arrive in order.
        with open(log, "a") as f:
            f.write("last line of the old file\n")
        os.rename(log, log + ".1")
        with open(log, "w") as f:
            f.write("first line of the new file\n")
        expected += ["last line of the old file", "first line of the new file"]
        eventually("lines across a rotation", lambda: (self.shown_lines() == expected, self.shown_lines()), timeout=20)

        self.page.evaluate("""(() => { const f = document.getElementById('filter');
            f.value = 'get /'; f.dispatchEvent(new Event('input')); })()""")
        eventually("the filter keeps matching lines", lambda: (self.shown_lines() == ["GET /a 200", "GET /b 500"],
                                                               self.shown_lines()))
        self.page.evaluate("""(() => { const f = document.getElementById('filter');
            f.value = ''; f.dispatchEvent(new Event('input')); })()""")
        self.page.evaluate("document.getElementById('pause').click()")
        with open(log, "a") as f:
            f.write("while paused\n")
        eventually("paused counts the new line", lambda: ("1 new" in self.text("#line-count"), self.text("#line-count")))
        if "while paused" in self.shown_lines():
            raise Failure("a line was shown while paused")
        self.page.evaluate("document.getElementById('pause').click()")
        expected.append("while paused")
        eventually("resume shows it", lambda: (self.shown_lines() == expected, self.shown_lines()))

    def tree_row(self, key):
        return self.page.evaluate(f"""(() => {{
            const row = [...document.querySelectorAll('#tree tr[data-key]')].find(r => r.dataset.key === {json.dumps(key)});
            return row ? [...row.cells].map(c => c.innerText) : null; }})()""")

    def test_directory_stream(self):
        """A folder is a table of path, size, time and hash; a new file's row appears, a gone one goes."""
        self.open_dashboard("?stream=/artifacts")
        eventually("the VERSION row", lambda: (self.tree_row("VERSION") is not None, self.text("#view-body")))
        content = os.urandom(3000)
        with open(self.path("artifacts/app.tar.gz"), "wb") as f:
            f.write(content)
        digest = hashlib.sha256(content).hexdigest()
        eventually("the new file's row",
                   lambda: ((row := self.tree_row("app.tar.gz")) is not None and row[1] == "3000" and row[3] == digest,
                            self.tree_row("app.tar.gz")))
        os.unlink(self.path("artifacts/VERSION"))
        eventually("the removed file's row goes", lambda: (self.tree_row("VERSION") is None, self.text("#view-body")))

    def test_server_restart(self):
        """The server restarts: the page reconnects, counts it, and shows the file as it is now."""
        self.open_dashboard("?stream=/flags")
        path = self.path("flags.json")
        self.wait_document("the first document", path)
        eventually("live", lambda: (self.text("#conn") == "live", self.text("#conn")))
        self.mirror.stop()
        eventually("the badge shows the drop", lambda: (self.text("#conn") == "reconnecting", self.text("#conn")))
        write_by_rename(path, dump({"changed": "while the server was down"}))
        self.mirror.start()
        self.wait_document("the document of the new run", path, timeout=20)
        eventually("live again, one reconnect", lambda: (self.text("#conn") == "live" and
                                                         self.text("#reconnects").startswith("reconnects: 1"),
                                                         self.text(".status")))
        write_in_place(path, dump({"changed": "after the restart", "n": [1, 2]}))
        self.wait_document("a change after the restart", path)

    def test_behind_a_proxy_prefix(self):
        """Behind nginx with examples/nginx/sse-mirror.conf (the server under /mirror/), the page
        finds client.js, /healthz and the streams below the prefix. Skipped without nginx."""
        nginx = examples.find_nginx()
        if not nginx:
            print("     (skipped: nginx is not installed)")
            return
        folder = self.path("nginx")
        os.makedirs(folder, exist_ok=True)
        proxy, port = examples.start_nginx(nginx, folder, self.mirror.port)
        try:
            self.page.navigate(f"http://127.0.0.1:{port}/mirror/?stream=/flags")
            path = self.path("flags.json")
            self.wait_document("the document through the proxy", path)
            eventually("the list through the proxy", lambda: (
                self.text('#streams tr[data-path="/flags"] .state') == "ok", self.text("body")))
            link = self.page.evaluate("document.querySelector('#streams a').href")
            if not link.startswith(f"http://127.0.0.1:{port}/mirror/?stream="):
                raise Failure(f"a stream's link leaves the prefix: {link}")
            write_by_rename(path, dump({"through": "nginx", "n": [1]}))
            self.wait_document("a change through the proxy", path)
        finally:
            proxy.send_signal(signal.SIGTERM)
            proxy.wait(timeout=10)

    def test_example_page(self):
        """examples/eventsource.html, served from another origin (cors:), shows the document live."""
        query = f"?server=http://127.0.0.1:{self.mirror.port}&stream=/config"
        self.page.navigate(f"{self.pages_origin}/eventsource.html{query}")
        path = self.path("app.json")
        self.wait_document("the example's first document", path)
        eventually("live", lambda: (self.text("#state") == "live", self.text("#state")))
        write_by_rename(path, dump({"service": "example", "replicas": 7}))
        self.wait_document("the example after a change", path)
        write_in_place(path, "{ broken")
        eventually("the example shows invalid", lambda: ("invalid at 1:" in self.text("#problem"), self.text("body")))

    def test_access_token(self):
        """With auth on, the page and client.js need no token; the page passes ?access_token= on."""
        base = f"http://127.0.0.1:{self.auth_mirror.port}"
        for route, kind in (("/", "text/html"), ("/client.js", "text/javascript")):
            with urllib.request.urlopen(base + route, timeout=5) as response:
                if response.status != 200 or not response.headers["Content-Type"].startswith(kind):
                    raise Failure(f"{route}: {response.status} {response.headers['Content-Type']}")
        for route in ("/secret", "/healthz"):
            try:
                urllib.request.urlopen(base + route, timeout=5).close()
                raise Failure(f"{route} answered without a token")
            except urllib.error.HTTPError as error:
                if error.code != 401:
                    raise
        self.page.navigate(base + "/?stream=/secret")
        eventually("without a token the page says so",
                   lambda: ("needs a token" in self.text("#streams"), self.text("body")))
        self.page.navigate(base + f"/?stream=/secret&access_token={TOKEN}")
        self.wait_document("the document with a token", self.path("auth/secret.json"))
        eventually("the list with a token", lambda: (self.text('#streams tr[data-path="/secret"] .state') == "ok",
                                                     self.text("#streams")))
        link = self.page.evaluate("document.querySelector('#streams a').href")
        if f"access_token={TOKEN}" not in link:
            raise Failure(f"the stream's link drops the token: {link}")

    # ---- running ----

    def run(self):
        tests = [name for name in dir(self) if name.startswith("test_") and (not self.only or self.only in name)]
        tests.sort(key=lambda name: getattr(Suite, name).__code__.co_firstlineno)
        try:
            self.setup()
            for name in tests:
                started = time.monotonic()
                console_start = len(self.page.console)
                try:
                    getattr(self, name)()
                    self.results.append((name, None))
                    print(f"ok   {name} ({time.monotonic() - started:.1f} s)", flush=True)
                except Exception as error:
                    message = str(error) if isinstance(error, Failure) else traceback.format_exc()
                    self.results.append((name, message))
                    print(f"FAIL {name} ({time.monotonic() - started:.1f} s)\n{message}", flush=True)
                    console = self.page.console[console_start:]
                    if console:
                        print("  page console:\n    " + "\n    ".join(console[-20:]), flush=True)
        finally:
            self.teardown()
        failed = sum(1 for _, message in self.results if message)
        print(f"browser: {len(self.results) - failed} passed, {failed} failed", flush=True)
        return failed == 0


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/debug/sse-mirror"))
    parser.add_argument("-k", dest="only", help="run only the tests whose name holds this")
    arguments = parser.parse_args()
    binary = find_chromium()
    if binary is None:
        print("browser tests skipped: no chromium on PATH (apt-get install chromium)")
        return 0
    chromium = Chromium(binary)
    try:
        ok = Suite(os.path.abspath(arguments.binary), chromium, arguments.only).run()
    finally:
        chromium.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
