"""One framed connection to one license server: connect (TCP, optionally TLS), hello/welcome, then
requests whose replies are matched by id. One thread uses a connection at a time."""

from __future__ import annotations

import hashlib
import re
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Callable, Optional

from . import errors, messages
from .errors import TriadError
from .frame import FrameDecoder, FrameTooLarge, MAX_REPLY_BYTES, encode_frame
from .messages import InvalidMessage, ServerMessage

_READ_CHUNK = 65536


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.port}@[{self.host}]" if ":" in self.host else f"{self.port}@{self.host}"


def normalise_fingerprint(text: str) -> Optional[str]:
    """"AB:CD:..." as openssl prints it (any case, colons, spaces) -> 64 hex digits, or None."""
    digits = re.sub(r"[\s:]", "", re.sub(r"^sha256\s*fingerprint\s*=\s*", "", text.strip(), flags=re.IGNORECASE)).upper()
    return digits if re.fullmatch(r"[0-9A-F]{64}", digits) else None


@dataclass(frozen=True)
class TlsSettings:
    fingerprint: Optional[str] = None  # normalised; pins the certificate (the CA is then not consulted)
    ca_file: Optional[str] = None


@dataclass(frozen=True)
class ConnectSettings:
    connect_timeout: float = 3.0
    request_timeout: float = 30.0
    agent: str = "triad-python"
    tls: Optional[TlsSettings] = None


def _tls_wrap(sock: socket.socket, address: Address, tls: TlsSettings, timeout: float) -> ssl.SSLSocket:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if tls.fingerprint is not None:
        # a pinned certificate is usually self-signed: the fingerprint decides after the handshake
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context.load_verify_locations(cafile=tls.ca_file)
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
    sock.settimeout(timeout)
    wrapped = context.wrap_socket(sock, server_hostname=address.host)
    if tls.fingerprint is not None:
        der = wrapped.getpeercert(binary_form=True)
        actual = hashlib.sha256(der).hexdigest().upper() if der else "unknown"
        if actual != tls.fingerprint:
            wrapped.close()
            raise ssl.SSLError(f"the server's certificate (SHA-256 {actual}) is not the pinned one; refusing to talk to it")
    return wrapped


class Connection:
    def __init__(self, sock: socket.socket, address: Address) -> None:
        self._sock = sock
        self.address = address
        self._decoder = FrameDecoder(MAX_REPLY_BYTES)
        self._next_id = 1
        self.broken = False
        # added to a failure to read before the welcome: the likely cause (a TLS server, for a plain client)
        self._hint: Optional[str] = None
        #: set when an unsolicited `revoked` named the lease a request asked about
        self.revoked_reason: Optional[str] = None

    @classmethod
    def open(cls, address: Address, settings: ConnectSettings) -> "Connection":
        """Connects and completes the hello; raises TriadError saying what failed and where."""
        try:
            sock = socket.create_connection((address.host, address.port), timeout=settings.connect_timeout)
        except socket.timeout:
            raise TriadError.client(errors.CANT_CONNECT, errors.MINOR_CANT_CONNECT, f"{address}: no answer within {settings.connect_timeout * 1000:.0f} ms") from None
        except ConnectionRefusedError:
            raise TriadError.client(errors.CANT_CONNECT, errors.MINOR_CANT_CONNECT, f"{address}: Connection refused") from None
        except socket.gaierror as error:
            raise TriadError.client(errors.CANT_CONNECT, errors.MINOR_CANT_CONNECT, f"{address}: cannot resolve host name ({error.strerror})") from None
        except OSError as error:
            raise TriadError.client(errors.CANT_CONNECT, errors.MINOR_CANT_CONNECT, f"{address}: {error.strerror or error}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if settings.tls is not None:
            try:
                sock = _tls_wrap(sock, address, settings.tls, settings.connect_timeout)
            except (ssl.SSLError, ssl.CertificateError, OSError) as error:
                sock.close()
                reason = error.args[0] if isinstance(error, ssl.SSLError) and isinstance(error.args[0], str) else str(error)
                raise TriadError.client(errors.CANT_CONNECT, errors.MINOR_TLS, f"{address}: TLS: {reason}") from None
        connection = cls(sock, address)
        if settings.tls is None:
            # a TLS server waits for a handshake and then drops a plain client's hello
            connection._hint = "if the server uses TLS, set its certificate fingerprint or CA"
        try:
            connection._send(messages.hello(settings.agent), settings.connect_timeout)
            welcome = connection._read_message(time.monotonic() + settings.connect_timeout, settings.connect_timeout, "answer to the hello")
        except TriadError:
            connection.close()
            raise
        connection._hint = None
        if welcome.type == "error":
            connection.close()
            raise TriadError.client(errors.CANT_CONNECT, errors.MINOR_CANT_CONNECT, f"{address}: the server refused the connection: {welcome.text} ({welcome.error_code})")
        if welcome.type != "welcome":
            connection.close()
            raise TriadError.client(errors.BAD_REPLY, errors.MINOR_BAD_REPLY, f"{address}: not a Triad license server (it sent {welcome.type} before welcome)")
        return connection

    def _broken(self, code: int, minor: int, detail: str) -> TriadError:
        self.broken = True
        hint = f" ({self._hint})" if self._hint is not None and code == errors.CANT_READ else ""
        return TriadError.client(code, minor, f"{self.address}: {detail}{hint}")

    def _send(self, payload: bytes, timeout: float) -> None:
        try:
            frame = encode_frame(payload)
        except FrameTooLarge:
            raise self._broken(errors.BAD_PARAM, errors.MINOR_BAD_PARAM, "the request is larger than 64 KiB") from None
        try:
            self._sock.settimeout(timeout)
            self._sock.sendall(frame)
        except OSError:
            raise self._broken(errors.CANT_READ, errors.MINOR_CONNECTION_LOST, "cannot send to the server (connection lost)") from None

    def _read_message(self, deadline: float, timeout: float, waiting_for: str) -> ServerMessage:
        while True:
            try:
                payload = self._decoder.next()
            except FrameTooLarge as error:
                raise self._broken(
                    errors.BAD_REPLY, errors.MINOR_BAD_REPLY, f"the server sent an oversize frame ({error.announced} bytes announced; the limit is {error.limit})"
                ) from None
            if payload is not None:
                try:
                    return messages.decode_server_message(payload)
                except InvalidMessage as error:
                    raise self._broken(errors.BAD_REPLY, errors.MINOR_BAD_REPLY, f"the server sent an {error}") from None
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._broken(errors.CANT_READ, errors.MINOR_CONNECTION_LOST, f"no {waiting_for} within {timeout * 1000:.0f} ms")
            try:
                self._sock.settimeout(left)
                chunk = self._sock.recv(_READ_CHUNK)
            except socket.timeout:
                raise self._broken(errors.CANT_READ, errors.MINOR_CONNECTION_LOST, f"no {waiting_for} within {timeout * 1000:.0f} ms") from None
            except OSError:
                raise self._broken(errors.CANT_READ, errors.MINOR_CONNECTION_LOST, "the connection failed") from None
            if not chunk:
                raise self._broken(errors.CANT_READ, errors.MINOR_CONNECTION_LOST, "connection closed by the server")
            self._decoder.push(chunk)

    def request(self, build: Callable[[int], bytes], timeout: float, lease_of_interest: Optional[str] = None) -> ServerMessage:
        """Sends build(id) and waits for the reply with that id. Any failure marks the connection broken."""
        if self.broken:
            raise self._broken(errors.CANT_READ, errors.MINOR_CONNECTION_LOST, "the connection is closed")
        request_id = self._next_id
        self._next_id += 1
        self._send(build(request_id), timeout)
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline, timeout, "reply")
            if reply.id == request_id:
                return reply
            if reply.id is not None:
                continue  # a late reply to an earlier request that timed out
            if reply.type == "revoked":
                if lease_of_interest is not None and lease_of_interest in reply.lease_ids:
                    self.revoked_reason = reply.text
            elif reply.type == "error":
                raise self._broken(errors.CANT_READ, errors.MINOR_CONNECTION_LOST, f"the server closed the connection: {reply.text} ({reply.error_code})")
            elif reply.type != "shutdown":
                raise self._broken(errors.BAD_REPLY, errors.MINOR_BAD_REPLY, "the server sent a reply without an id")

    def close(self) -> None:
        self.broken = True
        try:
            self._sock.close()
        except OSError:
            pass
