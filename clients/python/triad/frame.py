"""Wire framing (docs/PROTOCOL.md, "Framing"): a 4-byte big-endian length, then UTF-8 JSON.

Socket-free: bytes go in as the socket delivers them, whole payloads come out.
"""

from __future__ import annotations

import struct
from typing import Optional

HEADER_BYTES = 4
MAX_REQUEST_BYTES = 64 * 1024
"""Largest payload a client sends (servers close a connection that sends more)."""
MAX_REPLY_BYTES = 16 * 1024 * 1024
"""Largest payload a client accepts from a server."""


class FrameTooLarge(Exception):
    def __init__(self, announced: int, limit: int) -> None:
        super().__init__(f"frame of {announced} bytes exceeds the {limit}-byte limit")
        self.announced = announced
        self.limit = limit


def encode_frame(payload: bytes, max_bytes: int = MAX_REQUEST_BYTES) -> bytes:
    if len(payload) > max_bytes:
        raise FrameTooLarge(len(payload), max_bytes)
    return struct.pack(">I", len(payload)) + payload


class FrameDecoder:
    """Holds at most one frame plus one read; an oversize announcement fails before it is buffered."""

    def __init__(self, max_payload: int = MAX_REPLY_BYTES) -> None:
        self._buffer = bytearray()
        self._max = max_payload
        self._failed: Optional[FrameTooLarge] = None

    def push(self, data: bytes) -> None:
        if self._failed is None:
            self._buffer += data

    def next(self) -> Optional[bytes]:
        """The next whole payload, None when more bytes are needed; raises FrameTooLarge (for good)."""
        if self._failed is not None:
            raise self._failed
        if len(self._buffer) < HEADER_BYTES:
            return None
        (length,) = struct.unpack_from(">I", self._buffer, 0)
        if length > self._max:
            self._failed = FrameTooLarge(length, self._max)
            self._buffer = bytearray()
            raise self._failed
        if len(self._buffer) < HEADER_BYTES + length:
            return None
        payload = bytes(self._buffer[HEADER_BYTES : HEADER_BYTES + length])
        del self._buffer[: HEADER_BYTES + length]
        return payload

    @property
    def pending_bytes(self) -> int:
        return len(self._buffer)
