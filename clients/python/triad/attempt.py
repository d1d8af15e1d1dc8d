"""Checkout at one address (docs/PROTOCOL.md, "Checking out"), following a standby's redirect."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from . import errors, messages
from .connection import Address, ConnectSettings, Connection
from .errors import LicenseDenied, TriadError
from .messages import ServerMessage

MAX_REDIRECTS = 2
SERVER_NOT_SERVING = -96


@dataclass(frozen=True)
class SeatRequest:
    """What a checkout asks for; kept by the license so that it can resume on its own."""

    feature: str
    version: str
    count: int
    user: str
    host: str
    display: str


@dataclass
class Granted:
    connection: Connection
    grant: ServerMessage


Outcome = Union[Granted, LicenseDenied, TriadError]
"""A grant, a server's denial, or why the address could not be used."""


def checkout_at(address: Address, request: SeatRequest, resume_token: Optional[str], settings: ConnectSettings) -> Outcome:
    """One checkout at one address; resume_token presents a seat held before a lost connection."""
    first = address
    for _ in range(MAX_REDIRECTS + 1):
        try:
            connection = Connection.open(address, settings)
        except TriadError as error:
            return error
        try:
            reply = connection.request(
                lambda request_id: messages.checkout(
                    request_id, request.feature, request.version, request.count, request.user, request.host, request.display, resume_token
                ),
                settings.request_timeout,
            )
        except TriadError as error:
            connection.close()
            return error
        if reply.type == "granted":
            return Granted(connection, reply)
        connection.close()
        if reply.type == "denied":
            return LicenseDenied(reply.code, reply.text)
        if reply.type == "redirect":
            address = Address(reply.host, reply.port)
            continue
        if reply.type == "refused":
            # a server that cannot serve this moment (no master yet, grant not durable): try elsewhere
            return TriadError.client(SERVER_NOT_SERVING, errors.MINOR_NOT_SERVING, f"{address} refused: {reply.text}")
        return TriadError.client(errors.BAD_REPLY, errors.MINOR_BAD_REPLY, f"{address}: unexpected {reply.type} in reply to a checkout")
    return TriadError.client(errors.CANT_CONNECT, errors.MINOR_CANT_CONNECT, f"{first}: too many redirects (more than {MAX_REDIRECTS})")
