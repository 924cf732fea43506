"""portal.mail.EmailBackend against a real SMTP server on loopback (aiosmtpd, tests/conftest.py
``smtp``): the hand-over hook runs after the whole body and before the end-of-data dot, and a
message whose dot never comes (hook says no, hook fails, the sending process is killed) is
never delivered. No database."""

import smtplib
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from django.core.mail import EmailMessage, get_connection

from portal.mail import EmailBackend, HandoverRefused
from tests.celery_harness import ROOT, wait_until


@pytest.fixture
def backend(smtp):
    return EmailBackend(host="127.0.0.1", port=smtp.port, timeout=5)


def message(to="mottagare@exempel.se", body="Hej!\n.en rad som börjar med punkt\n..och två\n"):
    return EmailMessage("Ämne", body, "noreply@exempel.se", [to])


class WireRecorder:
    """A minimal SMTP server on loopback that records the bytes it receives, to see exactly
    what had gone over the wire when the hook ran."""

    def __init__(self):
        self.received = b""
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        conn, _ = self.server.accept()
        with conn:
            conn.sendall(b"220 recorder\r\n")
            in_data = False
            while chunk := conn.recv(65536):
                self.received += chunk
                if in_data:
                    if self.received.endswith(b"\r\n.\r\n"):
                        in_data = False
                        conn.sendall(b"250 OK\r\n")
                    continue
                for line in chunk.split(b"\r\n")[:-1]:
                    verb = line[:4].upper()
                    if verb == b"DATA":
                        in_data = True
                        conn.sendall(b"354 go ahead\r\n")
                    elif verb == b"QUIT":
                        conn.sendall(b"221 bye\r\n")
                        return
                    else:
                        conn.sendall(b"250 OK\r\n")


def test_the_hook_runs_after_the_whole_body_and_before_the_dot():
    wire = WireRecorder()
    seen = {}

    def before_dot():
        wait_until(lambda: wire.received.endswith(b"..och tv\xc3\xa5\r\n"), 5, message="the body")
        seen["wire"] = wire.received
        return True

    msg = message()
    msg.encoding = "utf-8"
    msg.before_dot = before_dot
    backend = EmailBackend(host="127.0.0.1", port=wire.port, timeout=5)
    assert backend.send_messages([msg]) == 1
    data = seen["wire"].split(b"\r\ndata\r\n", 1)[1]
    assert data.startswith(b"Content-Type: ") and b"\r\nSubject: " in data  # the headers…
    assert data.endswith(b"\r\n\r\nHej!\r\n..en rad som b\xc3\xb6rjar med punkt\r\n...och tv\xc3\xa5\r\n")  # …the
    # whole body, dot-stuffed, and no end-of-data dot yet; it came after the hook.
    assert wire.received == seen["wire"] + b".\r\nquit\r\n"


def test_the_message_arrives_intact(smtp, backend):
    msg = message()
    msg.before_dot = lambda: True
    assert backend.send_messages([msg]) == 1
    [got] = smtp.messages
    assert got["To"] == "mottagare@exempel.se"
    # Lines that start with "." went through smtplib's dot-stuffing and arrive as written.
    assert got.get_content().splitlines() == ["Hej!", ".en rad som börjar med punkt", "..och två"]


def test_a_refusing_hook_abandons_the_message_and_the_next_one_goes_out(smtp, backend):
    refused, plain = message("nej@exempel.se"), message("ja@exempel.se")
    refused.before_dot = lambda: False
    with backend:  # one connection for both, as a batch uses it
        with pytest.raises(HandoverRefused):
            backend.send_messages([refused])
        assert backend.send_messages([plain]) == 1  # on a new connection
    time.sleep(0.5)  # anything of the abandoned one would have arrived
    assert [m["To"] for m in smtp.messages] == ["ja@exempel.se"]


def test_a_failing_hook_abandons_the_message(smtp, backend):
    def broken():
        raise RuntimeError("database gone")

    msg = message()
    msg.before_dot = broken
    with pytest.raises(RuntimeError):
        backend.send_messages([msg])
    time.sleep(0.5)
    assert smtp.messages == []


def test_without_a_hook_it_is_djangos_smtp_backend(smtp, settings):
    settings.EMAIL_BACKEND = "portal.mail.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    assert isinstance(get_connection(), EmailBackend)
    assert message().send() == 1
    assert len(smtp.messages) == 1


def test_a_refusal_after_the_dot_is_the_servers_answer(smtp, backend):
    smtp.refuse = 1
    msg = message()
    msg.before_dot = lambda: True
    with pytest.raises(smtplib.SMTPDataError):
        backend.send_messages([msg])
    assert smtp.messages == [] and smtp.refused == 1


SENDER = textwrap.dedent(
    """
    import sys, time
    from portal.mail import SMTP

    def before_dot():
        print("body sent, before the dot", flush=True)
        if sys.argv[2] == "hang":
            time.sleep(60)  # killed here
        return True

    client = SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
    client.before_dot = before_dot
    client.sendmail("noreply@exempel.se", ["mottagare@exempel.se"],
                    b"Subject: Test\\r\\nTo: mottagare@exempel.se\\r\\n\\r\\nHej!\\r\\n")
    client.quit()
    print("sent", flush=True)
    """
)


@pytest.mark.parametrize("killed", [True, False], ids=["killed before the dot", "control: not killed"])
def test_a_sender_killed_before_the_dot_delivers_nothing(smtp, killed):
    proc = subprocess.Popen(
        [sys.executable, "-c", SENDER, str(smtp.port), "hang" if killed else "go"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "body sent, before the dot"
        if killed:
            proc.kill()  # SIGKILL: the kernel closes the socket; no dot was written
        proc.wait(20)
        if not killed:
            wait_until(lambda: smtp.messages, 10, message="the control message")
        time.sleep(0.5)
        assert len(smtp.messages) == (0 if killed else 1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
