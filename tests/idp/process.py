"""What the test identity providers share (tests/idp/oidc.py, tests/idp/saml.py): each runs
as a process of its own on 127.0.0.1, prints ``READY <url>`` when it listens, and is stopped by
the tests; its HTTP server is the standard library's, threaded and quiet."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


class IdPProcess:
    """An identity provider's script (``script``) run with ``--port`` and ``--config`` (the
    ``config`` dict as a JSON file); ``url`` is the address it printed."""

    name = "identity provider"

    def __init__(self, script, config, port=0):
        self.script = script
        self.config = config
        self.port = port
        self.process = None
        self.url = None
        self.config_path = None

    def start(self):
        fd, self.config_path = tempfile.mkstemp(suffix=".json", prefix="idp-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.config, f)
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        self.process = subprocess.Popen(  # noqa: S603 (our own script)
            [sys.executable, str(self.script), "--port", str(self.port), "--config", self.config_path],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"the test {self.name} did not start: {line!r} {self.process.stderr.read()[-2000:]}")
        self.url = line.split(" ", 1)[1].strip()
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        if self.config_path:
            Path(self.config_path).unlink(missing_ok=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def serve(app, port):
    """Serve the WSGI ``app`` on 127.0.0.1:``port`` (0: a free one), announce it, forever."""
    import socket
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True
        address_family = socket.AF_INET

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *a):
            pass

    server = make_server("127.0.0.1", port, app, server_class=Server, handler_class=QuietHandler)
    print(f"READY http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
