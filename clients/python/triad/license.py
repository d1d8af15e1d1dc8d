"""A held seat (docs/PROTOCOL.md, "Holding a seat" and "Following a triad through failover").

A heartbeat thread beats on the connection that was granted the seat; when that connection breaks,
a standby redirects, or the member stops serving, _resume() presents the resume token at the
members until one keeps the seat, or the seat's timeout (plus the triad's failover time) has
passed. Mirrors HeldLicense in src/core/client/checkout.ts.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass
from typing import Callable, List, Optional

from . import errors, messages
from .attempt import SERVER_NOT_SERVING, Granted, SeatRequest, checkout_at
from .connection import Address, ConnectSettings, Connection
from .errors import LicenseDenied, TriadError
from .messages import ServerMessage


@dataclass(frozen=True)
class Event:
    kind: str  # "resumed": kept the seat; "regranted": the old seat was gone, this is a new one; "lost"
    server: str
    port: int
    error: Optional[TriadError] = None  # "lost": why


EventListener = Callable[["License", Event], None]


@dataclass(frozen=True)
class LicenseInfo:
    feature: str
    version: str  # of the line that granted the seat
    count: int
    lease_id: str
    expiry: str
    server: str
    port: int
    handle: int
    heartbeat_interval_ms: int
    timeout_ms: int


class License:
    """A granted seat; a context manager that checks it in on exit.

    Thread safety: checkin() once, from any thread but the license's own event listener;
    state and info from any thread at any time.
    """

    def __init__(self, request: SeatRequest, settings: ConnectSettings, granted: Granted, on_event: Optional[EventListener]) -> None:
        self._request = request
        self._settings = settings
        self._on_event = on_event
        self._lock = threading.Condition()
        self._stopping = False
        self._lost: Optional[TriadError] = None
        # the heartbeat thread's own; checkin()'s once that thread has ended
        self._connection: Optional[Connection] = granted.connection
        self._last_address = granted.connection.address
        self._grant = granted.grant
        self._redirect_to: Optional[Address] = None
        self._last_confirmed = time.monotonic()
        self._info = self._make_info()
        self._thread = threading.Thread(target=self._heartbeats, name=f"triad heartbeat {request.feature}", daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- the application's side

    @property
    def info(self) -> LicenseInfo:
        with self._lock:
            return self._info

    @property
    def state(self) -> Optional[TriadError]:
        """None while the seat is held; after a loss, why."""
        with self._lock:
            return self._lost

    def checkin(self) -> None:
        """Returns the seat (on the member that holds it now). Safe to call after a loss."""
        if threading.current_thread() is self._thread:
            raise TriadError.client(errors.BAD_PARAM, errors.MINOR_BAD_PARAM, "checkin() from the license's own event listener would wait for itself")
        with self._lock:
            already = self._stopping
            self._stopping = True
            self._lock.notify_all()
        if already:
            return
        self._thread.join()
        if self._lost is None:
            self._return_seat()
        self._drop_connection()

    def __enter__(self) -> "License":
        return self

    def __exit__(self, *exc: object) -> None:
        self.checkin()

    # ---------------------------------------------------------------- the heartbeat thread

    def _make_info(self) -> LicenseInfo:
        g = self._grant
        return LicenseInfo(g.feature, g.version, g.count, g.lease_id, g.expiry, g.host, g.port, g.handle, g.heartbeat_interval_ms, g.timeout_ms)

    def _pause(self, seconds: float) -> bool:
        """Waits, unless checkin() asks the thread to stop; True when it did."""
        until = time.monotonic() + seconds
        with self._lock:
            while not self._stopping and time.monotonic() < until:
                self._lock.wait(until - time.monotonic())
            return self._stopping

    def _heartbeats(self) -> None:
        while not self._pause(self._grant.heartbeat_interval_ms / 1000) and self._lost is None:
            try:
                self._beat()
            except Exception as error:  # noqa: BLE001 - a bug here must not end the heartbeats silently
                self._lose(TriadError.client(errors.CANT_READ, errors.MINOR_CONNECTION_LOST, f"internal error in the heartbeat: {error!r}"))

    def _emit(self, kind: str, error: Optional[TriadError] = None) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(self, Event(kind, self._grant.host, self._grant.port, error))
        except Exception:  # noqa: BLE001 - the application's listener must not stop the heartbeats
            traceback.print_exc()

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._last_address = self._connection.address
            self._connection.close()
            self._connection = None

    def _lose(self, error: TriadError) -> None:
        self._drop_connection()
        with self._lock:
            self._lost = error
        self._emit("lost", error)

    def _adopt(self, granted: Granted) -> None:
        self._drop_connection()
        self._connection = granted.connection
        self._last_address = granted.connection.address
        self._grant = granted.grant
        self._last_confirmed = time.monotonic()
        with self._lock:
            self._info = self._make_info()
        self._emit("resumed" if granted.grant.resumed else "regranted")

    def _heartbeat_timeout(self) -> float:
        """A heartbeat waits for its reply at most one interval (at least a second)."""
        return min(max(self._grant.heartbeat_interval_ms / 1000, 1.0), self._settings.request_timeout)

    def _beat(self) -> None:
        connection = self._connection
        if connection is None:
            self._resume()
            return
        lease_id = self._grant.lease_id
        reply: Optional[ServerMessage] = None
        try:
            reply = connection.request(lambda request_id: messages.heartbeat(request_id, lease_id), self._heartbeat_timeout(), lease_id)
        except TriadError:
            reply = None
        if connection.revoked_reason is not None:
            self._lose(TriadError.client(errors.REVOKED, errors.MINOR_REVOKED, f"the server took the seat away: {connection.revoked_reason}"))
            return
        if reply is not None and reply.type == "heartbeatAck":
            if lease_id in reply.lease_ids:
                self._lose(
                    TriadError.client(errors.REVOKED, errors.MINOR_REVOKED, "the server no longer holds the seat (reclaimed after missed heartbeats, or removed)")
                )
            else:
                self._last_confirmed = time.monotonic()
            return
        if reply is not None and reply.type == "redirect":
            # this member stopped being the master: take the seat to the one it names
            self._redirect_to = Address(reply.host, reply.port)
        # broken, refused (this member is not serving) or not the protocol: find the seat elsewhere
        self._resume()

    def _candidates(self) -> List[Address]:
        """Where the seat may live now: a master a standby named, the last server, the granting one, a triad's members."""
        found: List[Address] = []
        options = [self._redirect_to, self._last_address, Address(self._grant.host, self._grant.port)]
        options += [Address(member.host, member.port) for member in self._grant.members]
        for address in options:
            if address is not None and 1 <= address.port <= 65535 and address.host and address not in found:
                found.append(address)
        return found

    def _resume(self) -> None:
        """The resume rule, in one place: present the resume token at each candidate until one
        grants, a denial other than -96 ends the seat, or the deadline passes: the last confirmed
        heartbeat + the seat's timeout + the triad's failover time."""
        self._drop_connection()
        deadline = self._last_confirmed + (self._grant.timeout_ms + self._grant.failover_ms) / 1000
        candidates = self._candidates()
        self._redirect_to = None
        token = self._grant.resume_token
        pause = min(1.0, self._grant.heartbeat_interval_ms / 1000)
        while not self._stopping and time.monotonic() < deadline:
            for address in candidates:
                outcome = checkout_at(address, self._request, token, self._settings)
                if isinstance(outcome, Granted):
                    self._adopt(outcome)  # also when stopping: checkin() returns it on this connection
                    return
                # a member without a master (-96) may have one in a moment; any other denial is final
                if isinstance(outcome, LicenseDenied) and outcome.code != SERVER_NOT_SERVING:
                    self._lose(TriadError(outcome.code, outcome.minor, f"could not resume the seat: {outcome.message}"))
                    return
                if self._stopping:
                    return
            self._pause(pause)
        if not self._stopping:
            total = self._grant.timeout_ms + self._grant.failover_ms
            self._lose(
                TriadError.client(errors.SERVER_DOWN, errors.MINOR_LOST_CONTACT, f"lost contact with the license server: no member kept the seat within {total} ms")
            )

    def _return_seat(self) -> None:
        """Checkin on the seat's connection; after a failover, on the member that holds it now."""
        elsewhere: List[Address] = []
        connection = self._connection
        lease_id = self._grant.lease_id
        if connection is not None:
            try:
                reply = connection.request(lambda request_id: messages.checkin(request_id, lease_id), self._settings.request_timeout)
                if reply.type in ("checkedIn", "refused"):
                    return
                if reply.type == "redirect":
                    elsewhere = [Address(reply.host, reply.port)]
            except TriadError:
                pass
            self._drop_connection()
        for address in elsewhere or self._candidates():
            outcome = checkout_at(address, self._request, self._grant.resume_token, self._settings)
            if isinstance(outcome, Granted):
                grant = outcome.grant
                try:
                    outcome.connection.request(lambda request_id: messages.checkin(request_id, grant.lease_id), self._settings.request_timeout)
                except TriadError:
                    pass
                outcome.connection.close()
                return
        # nobody answers: the server reclaims the seat after its timeout
