"""Real HTTP servers on 127.0.0.1 for tests: the tool, a demo platform, fake remotes.

A WSGI app served by werkzeug in a daemon thread, stopped at teardown. Tests then talk
to it over real sockets (requests, Playwright), as a browser or an LMS would.

Ports are the one shared resource between a test run and everything else on the
machine, so they are handed out with care (see :func:`free_port`), and a port that is
taken after all raises :class:`OSError` here rather than werkzeug's ``sys.exit(1)``,
which would derail pytest's fixture teardown for every later test.
"""

from __future__ import annotations

import datetime
import ipaddress
import random
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server

#: The kernel's ephemeral range when /proc does not say (Linux's default).
DEFAULT_EPHEMERAL = (32768, 60999)
#: Ports already handed out in this run: each goes to one server only.
_handed_out: set[int] = set()


class LiveServer:
    """``ssl_context``: serve HTTPS (e.g. with :func:`throwaway_certificate`)."""

    def __init__(
        self,
        app: Callable[..., Any],
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        listener = _listening_socket(host, port)
        try:
            # werkzeug duplicates the descriptor; binding it ourselves means a port
            # taken meanwhile raises OSError instead of exiting the interpreter.
            self._server = make_server(
                host, port, app, threaded=True, fd=listener.fileno(), ssl_context=ssl_context
            )
        finally:
            listener.close()
        self.host = host
        self.port = self._server.port
        self.scheme = "https" if ssl_context is not None else "http"
        # A short poll interval: ``shutdown`` waits for the loop to look, and the default
        # half second, twice per world (tool and platform), was most of a test's teardown.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()


def throwaway_certificate(directory: Path, names: tuple[str, ...]) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for host ``names``.

    For tests only: browsers are told to accept it (``ignore_https_errors``); the
    certificate and key are written under ``directory`` and live as long as it does.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    alternatives: list[x509.GeneralName] = []
    for name in names:
        try:
            alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternatives.append(x509.DNSName(name))
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "tls-cert.pem", directory / "tls-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    return sock


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on, outside the kernel's ephemeral range, never given twice.

    Servers here are told their port before they bind it (an app must know its own URL
    when it is built, and ``make run`` is a separate process). A port picked by
    binding port 0 comes from the ephemeral range, where any outgoing connection of
    the run (to PostgreSQL, from requests or the browser) may take it in between.
    Ports below that range are never chosen for outgoing connections.
    """
    low, high = _ephemeral_range()
    candidates = [p for p in range(10000, low) if p not in _handed_out]
    candidates += [p for p in range(high + 1, 65536) if p not in _handed_out]
    random.shuffle(candidates)
    for port in candidates[:200]:
        try:
            _listening_socket(host, port).close()
        except OSError:
            continue
        _handed_out.add(port)
        return port
    with socket.socket() as sock:  # a machine whose ephemeral range is everything
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return DEFAULT_EPHEMERAL


@contextmanager
def serving(
    app: Callable[..., Any],
    port: int = 0,
    host: str = "127.0.0.1",
    ssl_context: ssl.SSLContext | None = None,
) -> Iterator[LiveServer]:
    server = LiveServer(app, host, port, ssl_context).start()
    try:
        yield server
    finally:
        server.stop()
