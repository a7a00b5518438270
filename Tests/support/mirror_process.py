"""Starting and stopping the real sse-mirror binary, for the Python checks and benchmarks
(examples/check.py, Tests/integration/nchan_scale.py, bench/): one copy of how it is spawned, how
its readiness is seen and how it is stopped, so that a change to its start (a log line, a flag)
is made once. Python 3 standard library only.

    sys.path.insert(0, os.path.join(ROOT, "Tests", "support"))
    from mirror_process import MirrorProcess

    with MirrorProcess([binary, "serve", config, "--listen", "127.0.0.1:0"]) as server:
        ...  # server.port is the port it printed
"""
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

# What sse-mirror prints once its socket is bound: "listening on http://127.0.0.1:PORT ...". The
# port's end must have been written too (a read can end inside the number), hence the \D.
LISTENING = re.compile(rb"listening on https?://[^\s]*?:(\d+)\D")


class StartFailed(Exception):
    """The server exited, or never said it listens, before the timeout; the message ends with its log."""


def free_port():
    """A port the kernel just gave out and took back, for a server that needs its port before it starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(command, log_path=None, env=None, cwd=None):
    """Starts `command` with standard output and error into `log_path` (an anonymous temporary file
    when None) and no standard input; returns (process, log file)."""
    log = open(log_path, "w+b") if log_path else tempfile.TemporaryFile()
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=None if env is None else {**os.environ, **env}, cwd=cwd)
    return proc, log


def read_log(log):
    """Everything written to the log file so far. pread(2), not seek and read: the server writes
    through the same open file, so a seek would move where its next line lands."""
    chunks, offset = [], 0
    while True:
        chunk = os.pread(log.fileno(), 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def wait_listening(proc, log, timeout):
    """The port from the server's `listening on` line, or None if it exits or `timeout` passes first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        match = LISTENING.search(read_log(log))
        if match:
            return int(match.group(1))
        if proc.poll() is not None:
            return None
        time.sleep(0.05)
    return None


def wait_port(port, proc=None, timeout=10.0):
    """Whether 127.0.0.1:`port` accepts a connection before `timeout` (and before `proc` exits): the
    readiness of a server that prints nothing (nginx, the benchmark's floor and seed peers)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def stop(proc, timeout=10):
    """SIGTERM (sse-mirror's graceful shutdown), then SIGKILL after `timeout` s; the process is reaped."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class MirrorProcess:
    """sse-mirror (`command`, the binary first or behind a wrapper such as setpriv) started and
    awaited until it listens; `port` is the port it printed. Stopped and reaped on `stop()` or at the
    end of a `with` block."""

    def __init__(self, command, log_path=None, env=None, cwd=None, timeout=20.0):
        self.proc, self.log = spawn(command, log_path, env, cwd)
        self.port = wait_listening(self.proc, self.log, timeout)
        if self.port is None:
            self.stop()
            raise StartFailed("the server did not start:\n" + self.output().decode(errors="replace")[-2000:])

    @property
    def pid(self):
        return self.proc.pid

    def output(self):
        """Everything the server has written, standard error and output."""
        return read_log(self.log)

    def stop(self, timeout=10):
        stop(self.proc, timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        self.log.close()
