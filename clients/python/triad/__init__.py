"""Triad license client for Python (standard library only). docs/PROTOCOL.md is the wire protocol.

    import triad

    with triad.checkout("cad"):            # searches as FlexLM does: LM_LICENSE_FILE, ~/.flexlmrc, registry
        run_the_application()

    ctx = triad.open("27000@a,27000@b,27000@c", tls_fingerprint="AB:CD:...")
    with ctx.checkout("cad", "2.0", count=2) as license:
        ...                                # a background thread heartbeats and follows the triad

Errors are TriadError (code, minor, message) or its subclass LicenseDenied (a server's denial).
"""

from __future__ import annotations

from typing import Any, Optional

from . import errors
from .client import CLIENT_VERSION, Context, default_context
from .errors import LicenseDenied, TriadError, error_text
from .license import Event, EventListener, License, LicenseInfo
from .messages import PROTOCOL_VERSION

__version__ = CLIENT_VERSION


def open(search_path: Optional[str] = None, **options: Any) -> Context:  # noqa: A001 - the C API's name
    """A context for a search path (None: FlexLM's search order). Options: vendor, user, host,
    display, tls_fingerprint, tls_ca_file, connect_timeout, request_timeout, agent."""
    return Context(search_path, **options)


def checkout(feature: str, version: str = "1.0", count: int = 1, *, on_event: Optional[EventListener] = None) -> License:
    """Checks out through the process's default context (FlexLM's search order)."""
    return default_context().checkout(feature, version, count, on_event=on_event)


__all__ = [
    "CLIENT_VERSION",
    "PROTOCOL_VERSION",
    "Context",
    "Event",
    "EventListener",
    "License",
    "LicenseDenied",
    "LicenseInfo",
    "TriadError",
    "checkout",
    "error_text",
    "errors",
    "open",
]
