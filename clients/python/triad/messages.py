"""Messages (docs/PROTOCOL.md, "Messages"): requests as JSON, server messages checked field by field.

Fields a newer server adds are ignored; a message type a v1 server never sends, or a field of the
wrong kind, is an InvalidMessage ("Compatibility").
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

PROTOCOL_VERSION = 1
NAME_MAX = 256
LEASE_ID_MAX = 128
TOKEN_MAX = 128
VERSION_PATTERN = re.compile(r"[0-9]+(\.[0-9]+)?")
_INT_LIMIT = 2**31 - 1
_ID_LIMIT = 2**53 - 1


class InvalidMessage(Exception):
    """What is wrong with a payload, worded for the error a person reads."""


@dataclass
class Member:
    host: str
    port: int


@dataclass
class ServerMessage:
    type: str
    id: Optional[int] = None
    # welcome
    protocol_version: int = 0
    server_version: str = ""
    # welcome, granted: the answering member's SERVER-line host and port; redirect: the master
    host: str = ""
    port: int = 0
    # granted
    lease_id: str = ""
    resume_token: str = ""
    feature: str = ""
    version: str = ""
    expiry: str = ""
    count: int = 0
    heartbeat_interval_ms: int = 0
    timeout_ms: int = 0
    handle: int = 0
    resumed: bool = False
    members: List[Member] = field(default_factory=list)
    failover_ms: int = 0
    # denied
    code: int = 0
    # denied/refused reason, error/done message, shutdown/revoked reason
    text: str = ""
    # error: the server's code ("BAD_MESSAGE"...)
    error_code: str = ""
    # heartbeatAck.unknown, revoked.leaseIds
    lease_ids: List[str] = field(default_factory=list)


class _Reader:
    def __init__(self, obj: Dict[str, Any], type_name: str) -> None:
        self.obj = obj
        self.type = type_name

    def problem(self, name: str, expected: str) -> InvalidMessage:
        return InvalidMessage(f"invalid message at {self.type}.{name}: expected {expected}")

    def string(self, name: str, min_length: int = 0, max_length: Optional[int] = None) -> str:
        value = self.obj.get(name)
        if not isinstance(value, str):
            raise self.problem(name, "a string")
        if len(value) < min_length:
            raise self.problem(name, "a non-empty string")
        if max_length is not None and len(value) > max_length:
            raise self.problem(name, f"a string of at most {max_length} characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise self.problem(name, "Unicode text (it has a lone surrogate)") from None
        return value

    def integer(self, name: str, low: float, high: float) -> int:
        value = self.obj.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.problem(name, "a number")
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value) or not value.is_integer()):
            raise self.problem(name, f"a whole number from {low:.0f} to {high:.0f}")
        if not low <= value <= high:
            raise self.problem(name, f"a whole number from {low:.0f} to {high:.0f}")
        return int(value)

    def boolean(self, name: str) -> bool:
        value = self.obj.get(name)
        if not isinstance(value, bool):
            raise self.problem(name, "true or false")
        return value

    def lease_list(self, name: str) -> List[str]:
        value = self.obj.get(name)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.problem(name, "a list of lease ids (strings)")
        return list(value)

    def request_id(self) -> int:
        return self.integer("id", 0, _ID_LIMIT)


def _members(reader: _Reader) -> List[Member]:
    value = reader.obj.get("members")
    if value is None:
        return []  # a single server sends none
    if not isinstance(value, list) or len(value) > 3 or not all(isinstance(item, dict) for item in value):
        raise reader.problem("members", "a list of at most three {host, port}")
    members = []
    for item in value:
        inner = _Reader(item, "granted.members")
        members.append(Member(inner.string("host", 1, NAME_MAX), inner.integer("port", 1, 65535)))
    return members


def _granted(r: _Reader) -> ServerMessage:
    failover = r.integer("failoverMs", 0, _INT_LIMIT) if "failoverMs" in r.obj else 0
    return ServerMessage(
        type="granted",
        id=r.request_id(),
        lease_id=r.string("leaseId", 1, LEASE_ID_MAX),
        resume_token=r.string("resumeToken", 1, TOKEN_MAX),
        feature=r.string("feature"),
        version=r.string("version"),
        count=r.integer("count", 1, _INT_LIMIT),
        heartbeat_interval_ms=r.integer("heartbeatIntervalMs", 1, _INT_LIMIT),
        timeout_ms=r.integer("timeoutMs", 1, _INT_LIMIT),
        expiry=r.string("expiry"),
        host=r.string("server", 1, NAME_MAX),
        port=r.integer("port", 0, 65535),
        handle=r.integer("handle", -_INT_LIMIT, _INT_LIMIT),
        resumed=r.boolean("resumed"),
        members=_members(r),
        failover_ms=failover,
    )


def _decode_fields(r: _Reader) -> ServerMessage:
    t = r.type
    if t == "welcome":
        return ServerMessage(
            type=t,
            protocol_version=r.integer("version", -_INT_LIMIT, _INT_LIMIT),
            host=r.string("server"),
            port=r.integer("port", -_INT_LIMIT, _INT_LIMIT),
            server_version=r.string("serverVersion"),
        )
    if t == "granted":
        return _granted(r)
    if t == "denied":
        return ServerMessage(type=t, id=r.request_id(), code=r.integer("code", -_INT_LIMIT, _INT_LIMIT), text=r.string("reason"))
    if t == "redirect":
        return ServerMessage(type=t, id=r.request_id(), host=r.string("host", 1, NAME_MAX), port=r.integer("port", 1, 65535))
    if t == "heartbeatAck":
        return ServerMessage(type=t, id=r.request_id(), lease_ids=r.lease_list("unknown"))
    if t == "checkedIn":
        return ServerMessage(type=t, id=r.request_id(), lease_id=r.string("leaseId"))
    if t == "statusReply":
        request_id = r.request_id()
        if not isinstance(r.obj.get("status"), dict):
            raise r.problem("status", "an object")
        return ServerMessage(type=t, id=request_id)
    if t == "done":
        return ServerMessage(type=t, id=r.request_id(), text=r.string("message"))
    if t == "refused":
        return ServerMessage(type=t, id=r.request_id(), text=r.string("reason"))
    if t == "error":
        return ServerMessage(type=t, error_code=r.string("code"), text=r.string("message"))
    if t == "shutdown":
        return ServerMessage(type=t, text=r.string("reason"))
    if t == "revoked":
        return ServerMessage(type=t, lease_ids=r.lease_list("leaseIds"), text=r.string("reason"))
    raise InvalidMessage(f'invalid message: unknown type "{t[:64]}"')


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_server_message(payload: bytes) -> ServerMessage:
    """Payload bytes -> a checked message; raises InvalidMessage saying what is wrong."""
    try:
        value = json.loads(payload.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidMessage("frame is not UTF-8 JSON") from None
    if not isinstance(value, dict):
        raise InvalidMessage("invalid message: expected a JSON object")
    type_name = value.get("type")
    if not isinstance(type_name, str):
        raise InvalidMessage("invalid message at type: expected a message type")
    return _decode_fields(_Reader(value, type_name))


def _encode(message: Dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def hello(agent: str) -> bytes:
    return _encode({"type": "hello", "version": PROTOCOL_VERSION, "role": "client", "agent": agent})


def checkout(
    request_id: int, feature: str, version: str, count: int, user: str, host: str, display: str, resume_token: Optional[str]
) -> bytes:
    message: Dict[str, Any] = {
        "type": "checkout",
        "id": request_id,
        "feature": feature,
        "version": version,
        "count": count,
        "user": user,
        "host": host,
        "display": display,
    }
    if resume_token is not None:
        message["resumeToken"] = resume_token
    return _encode(message)


def heartbeat(request_id: int, lease_id: str) -> bytes:
    return _encode({"type": "heartbeat", "id": request_id, "leaseIds": [lease_id]})


def checkin(request_id: int, lease_id: str) -> bytes:
    return _encode({"type": "checkin", "id": request_id, "leaseId": lease_id})


def utf16_units(text: str) -> int:
    """What the server counts: characters beyond U+FFFF are two UTF-16 units."""
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def fits(text: str, low: int, high: int) -> bool:
    return low <= utf16_units(text) <= high


def valid_version(version: str) -> bool:
    return len(version) <= 32 and VERSION_PATTERN.fullmatch(version) is not None


__all__: Tuple[str, ...] = ("ServerMessage", "Member", "InvalidMessage", "decode_server_message", "PROTOCOL_VERSION")
