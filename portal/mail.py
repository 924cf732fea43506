"""SMTP backend that lets the outbox record a hand-over right before the end-of-data dot.

An SMTP server takes responsibility for a message only when it answers 250 to the "." that
ends DATA; a connection lost before that dot leaves the transaction unfinished and the server
discards it (RFC 5321 §4.1.1.4, §6.1; a broken connection is a failed transaction, §3.8). So
the one moment after which an e-mail may have gone out is the write of the dot.
``portal.outbox`` sets ``message.before_dot`` to a callable that commits "handed over" for the
outbox row; this backend sends the whole body, calls it, and writes the dot only if it returns
true. Otherwise (or if it raises) the connection is dropped without the dot, which is the only
way to abandon a message in the middle of DATA (anything we wrote, RSET included, would be
read as message text).

Messages without ``before_dot`` go out exactly as with Django's SMTP backend."""

import smtplib
import socket

from django.core.mail.backends.smtp import EmailBackend as DjangoSmtpBackend


class HandoverRefused(smtplib.SMTPException):
    """``before_dot`` said no (the outbox row is no longer ours): the message was abandoned
    before the dot and the connection closed, so the server delivers nothing."""


class _BeforeDotMixin:
    before_dot = None  # set per message by EmailBackend._send

    def _get_socket(self, host, port, timeout):
        # The dot is a small write after the body: without TCP_NODELAY, Nagle's algorithm holds
        # it until the server acknowledges the body, which a delayed ACK puts off by ~40 ms.
        sock = super()._get_socket(host, port, timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def data(self, msg):
        if self.before_dot is None:
            return super().data(msg)
        # smtplib.SMTP.data() with a pause before the dot: DATA, 354, the body with lines
        # starting with "." doubled and a final CRLF, then (hook permitting) ".", the reply.
        self.putcmd("data")
        code, repl = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, repl)
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")
        body = smtplib._quote_periods(msg)
        if body[-2:] != smtplib.bCRLF:
            body += smtplib.bCRLF
        self.send(body)
        try:
            go_ahead = self.before_dot()
        except BaseException:
            self.close()  # no dot: the server discards what it got
            raise
        if not go_ahead:
            self.close()
            raise HandoverRefused("the message was abandoned before the end of data")
        self.send(b"." + smtplib.bCRLF)
        return self.getreply()


class SMTP(_BeforeDotMixin, smtplib.SMTP):
    pass


class SMTP_SSL(_BeforeDotMixin, smtplib.SMTP_SSL):  # noqa: N801 (smtplib's name)
    pass


class EmailBackend(DjangoSmtpBackend):
    """Django's SMTP backend, calling ``message.before_dot()`` right before the dot."""

    calls_before_dot = True  # portal.outbox: the hook is called here, not before sending

    @property
    def connection_class(self):
        return SMTP_SSL if self.use_ssl else SMTP

    def _send(self, email_message):
        conn = self.connection
        conn.before_dot = getattr(email_message, "before_dot", None)
        try:
            return super()._send(email_message)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server answered and smtplib reset the transaction (or closed on 421)
        except BaseException:
            # Anything else may leave the conversation in an unknown state: inside DATA, or
            # with a reply still on its way. Drop the socket without QUIT.
            conn.close()
            raise
        finally:
            conn.before_dot = None
            if conn.sock is None:  # closed: the next send_messages() opens a new connection
                self.connection = None
