"""The context and the search (docs/PROTOCOL.md, "Checking out"): entries in order; an entry that
does not answer or denies moves the search on; a triad member that is not serving (-96) moves it to
the next member; after the first grant the granting server is tried first. Mirrors
src/core/client/search.ts."""

from __future__ import annotations

import getpass
import os
import socket
import threading
from typing import List, Optional

from . import errors
from .attempt import SERVER_NOT_SERVING, Granted, SeatRequest, checkout_at
from .connection import Address, ConnectSettings, TlsSettings, normalise_fingerprint
from .errors import LicenseDenied, TriadError
from .license import EventListener, License
from .messages import NAME_MAX, fits, valid_version
from .search_path import WINDOWS, SearchList, Target, search_from_environment

CLIENT_VERSION = "1.0.0"


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry, no USER: FlexLM reports something anyway
        return "unknown"


def _tls_settings(fingerprint: Optional[str], ca_file: Optional[str]) -> Optional[TlsSettings]:
    """TLS from the arguments, else TRIAD_TLS_FINGERPRINT / TRIAD_TLS_CA (as the triad command reads them)."""
    fingerprint = fingerprint or os.environ.get("TRIAD_TLS_FINGERPRINT", "").strip() or None
    ca_file = ca_file or os.environ.get("TRIAD_TLS_CA", "").strip() or None
    if fingerprint is None and ca_file is None:
        return None
    pin = normalise_fingerprint(fingerprint) if fingerprint is not None else None
    if fingerprint is not None and pin is None:
        raise TriadError.client(
            errors.BAD_PARAM,
            errors.MINOR_BAD_PARAM,
            f'TLS fingerprint "{fingerprint[:200]}" is not a SHA-256 fingerprint: 64 hex digits, as `openssl x509 -noout -fingerprint -sha256 -in server.crt` prints',
        )
    return TlsSettings(pin, ca_file)


def _checked(value: str, what: str, allow_empty: bool = False) -> str:
    if not fits(value, 0 if allow_empty else 1, NAME_MAX):
        raise TriadError.client(errors.BAD_PARAM, errors.MINOR_BAD_PARAM, f'the {what} "{value[:80]}" must be text of {"up to" if allow_empty else "1 to"} {NAME_MAX} characters')
    return value


class Context:
    """A search path and who is asking. Thread-safe: checkouts may run from several threads at once."""

    def __init__(
        self,
        search_path: Optional[str] = None,
        *,
        vendor: Optional[str] = None,
        user: Optional[str] = None,
        host: Optional[str] = None,
        display: Optional[str] = None,
        tls_fingerprint: Optional[str] = None,
        tls_ca_file: Optional[str] = None,
        connect_timeout: float = 3.0,
        request_timeout: float = 30.0,
        agent: Optional[str] = None,
    ) -> None:
        """search_path: an LM_LICENSE_FILE-style list; None searches as FlexLM does (<VENDOR>_LICENSE_FILE,
        then LM_LICENSE_FILE, each from the environment, else ~/.flexlmrc or the registry)."""
        self._user = _checked(user if user is not None else _login_name(), "user name")
        self._host = _checked(host if host is not None else socket.gethostname(), "host name")
        self._display = _checked(display if display is not None else (os.environ.get("DISPLAY") or "console"), "display", allow_empty=True)
        self._settings = ConnectSettings(
            connect_timeout=connect_timeout,
            request_timeout=request_timeout,
            agent=_checked(agent or f"triad-python {CLIENT_VERSION}", "agent", allow_empty=True),
            tls=_tls_settings(tls_fingerprint, tls_ca_file),
        )
        if search_path is not None:
            found = SearchList()
            found.add_text(search_path, "search path", WINDOWS)
        else:
            found = search_from_environment(vendor)
        #: the search order; problems: entries that could not be used, one per line
        self.targets: List[Target] = found.targets
        self.problems: List[str] = found.problems
        if not self.targets:
            if self.problems:
                raise TriadError.client(errors.BAD_SEARCH_PATH, errors.MINOR_BAD_SEARCH_PATH, "no usable entry in the search path: " + "\n".join(self.problems))
            variable = f"{vendor.upper()}_LICENSE_FILE or " if vendor else ""
            raise TriadError.client(
                errors.NO_SEARCH_PATH, errors.MINOR_NO_SEARCH_PATH, f"no license server to contact: pass a search path such as 27000@host, or set {variable}LM_LICENSE_FILE"
            )
        self._lock = threading.Lock()
        self._sticky: Optional[Address] = None

    def checkout(self, feature: str, version: str = "1.0", count: int = 1, *, on_event: Optional[EventListener] = None) -> License:
        """Checks out count seats of feature at version or newer. Raises LicenseDenied (a server's
        denial, with its code and reason) or TriadError (no server could be reached, bad arguments).
        on_event(license, event) runs on the license's heartbeat thread."""
        _checked(feature, "feature name")
        if not valid_version(version):
            raise TriadError.client(errors.BAD_PARAM, errors.MINOR_BAD_PARAM, f'version "{version[:40]}": write a version such as 1.0 (digits, a dot, digits)')
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1_000_000:
            raise TriadError.client(errors.BAD_PARAM, errors.MINOR_BAD_PARAM, f"count {count!r}: ask for 1 to 1000000 seats")
        request = SeatRequest(feature, version, count, self._user, self._host, self._display)
        granted = self._search(request)
        return License(request, self._settings, granted, on_event)

    def _search(self, request: SeatRequest) -> Granted:
        with self._lock:
            sticky = self._sticky
        plan = ([Target(str(sticky), "sticky", False, (sticky,))] if sticky is not None else []) + self.targets
        denial: Optional[LicenseDenied] = None
        unreachable: List[TriadError] = []
        for target in plan:
            for address in target.addresses:
                outcome = checkout_at(address, request, None, self._settings)
                if isinstance(outcome, Granted):
                    with self._lock:
                        if self._sticky is None:
                            self._sticky = outcome.connection.address
                    return outcome
                if isinstance(outcome, LicenseDenied):
                    denial = outcome
                    if target.redundant and outcome.code == SERVER_NOT_SERVING:
                        continue
                    break
                unreachable.append(outcome)
        if denial is not None:
            raise denial
        if len(unreachable) == 1:
            raise unreachable[0]
        codes = {error.code for error in unreachable}
        code, minor = (unreachable[0].code, unreachable[0].minor) if len(codes) == 1 else (errors.CANT_CONNECT, errors.MINOR_CANT_CONNECT)
        reasons = "; ".join(_reason(error) for error in unreachable)
        raise TriadError.client(code, minor, f"no license server could be reached: {reasons}")

    def close(self) -> None:
        """Nothing to release today; licenses outlive their context. Kept for symmetry with the C API."""

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(error: TriadError) -> str:
    """An error's message without its leading sentence and trailing numbers."""
    text = error.message
    sentence = errors.error_text(error.code)
    if text.startswith(sentence):
        text = text[len(sentence) :].lstrip()
    suffix = f" ({error.code},{error.minor})"
    return text[: -len(suffix)] if text.endswith(suffix) else text


_default: Optional[Context] = None
_default_lock = threading.Lock()


def default_context() -> Context:
    """One context per process for the FlexLM search order, so that later checkouts stick to the server of the first."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Context()
        return _default
