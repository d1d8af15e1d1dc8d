"""The search path (docs/PROTOCOL.md, "Finding the servers"): LM_LICENSE_FILE-style lists, where
FlexLM keeps them (~/.flexlmrc on UNIX, the registry on Windows), and what each entry dials.
Mirrors src/core/client/licensePath.ts, licensePathSources.ts and searchTargets.ts."""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from dataclasses import dataclass
from typing import List, Mapping, Optional, Sequence, Tuple

from .connection import Address

DEFAULT_PORT = 27000
PROBE_PORTS = tuple(range(DEFAULT_PORT, DEFAULT_PORT + 10))
_HOST_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?")
_PORT_TEXT = re.compile(r"[0-9]{1,5}")
_KEYWORDS = ("SERVER", "VENDOR", "DAEMON", "USE_SERVER", "FEATURE", "INCREMENT", "PACKAGE")
WINDOWS = sys.platform == "win32"


@dataclass(frozen=True)
class Target:
    """One entry of the list: what to dial, in order."""

    label: str  # as written: "27000@a,27000@b,27000@c", "@host", a license file path
    source: str  # "LM_LICENSE_FILE (environment)", "search path"...
    redundant: bool  # a triad: a member that is not serving sends the search to the next member
    addresses: Tuple[Address, ...]


class _EntryError(Exception):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _windows_hint(item: str, windows: bool) -> Optional[str]:
    return 'on Windows, separate entries with ";" (":" only separates them on UNIX)' if windows and ":" in item else None


def _is_ipv6(text: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False


def _server(text: str, windows: bool) -> Tuple[str, Optional[int]]:
    """"port@host", "@host" (port None: probe 27000-27009), "port@[v6]"."""
    if "@" not in text:
        raise _EntryError(f'"{text}" is not port@host', "write a server as 27000@host")
    port_text, written = text.split("@", 1)
    bracketed = re.fullmatch(r"\[(.*)\]", written)
    host = bracketed.group(1) if bracketed and _is_ipv6(bracketed.group(1)) else written
    if host == written and not _HOST_NAME.fullmatch(host):
        message = f'"{text}" names no host after @' if host == "" else f'"{host}" in "{text}" is not a valid host name'
        raise _EntryError(
            message,
            _windows_hint(text, windows)
            or "a host name has letters, digits, dots, hyphens and underscores, e.g. 27000@licsrv.example.com; an IPv6 address goes in brackets, 27000@[2001:db8::1]",
        )
    if port_text == "":
        return host, None
    port = int(port_text) if _PORT_TEXT.fullmatch(port_text) else 0
    if not 1 <= port <= 65535:
        raise _EntryError(f'port "{port_text}" in "{text}" is not a number from 1 to 65535', f"write it as 27000@{host}, or @{host} to probe ports 27000-27009")
    return host, port


def _path_like(item: str) -> bool:
    return bool(re.search(r"[\\/]", item)) or item.startswith((".", "~")) or (bool(re.search(r"\.(lic|dat)$", item, re.IGNORECASE)) and "@" not in item)


def _label(host: str, port: Optional[int]) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"@{shown}" if port is None else f"{port}@{shown}"


def _host_ports(host: str, port: Optional[int]) -> Tuple[Address, ...]:
    return tuple(Address(host, p) for p in PROBE_PORTS) if port is None else (Address(host, port),)


def _split_items(text: str, windows: bool) -> List[str]:
    """Splits at the separators (":" or ";" on UNIX, ";" on Windows), except inside @[...]."""
    items: List[str] = []
    current = ""
    i = 0
    while i < len(text):
        close = text.find("]", i) if text.startswith("@[", i) else -1
        if close > 0:
            current += text[i : close + 1]
            i = close + 1
            continue
        if text[i] == ";" or (not windows and text[i] == ":"):
            items.append(current)
            current = ""
        else:
            current += text[i]
        i += 1
    items.append(current)
    return items


def _logical_lines(text: str) -> List[str]:
    """License-file lines joined across trailing backslashes and indented continuations."""
    lines: List[str] = []
    continued = False
    for physical in text.splitlines():
        stripped = physical.strip()
        first = stripped.split(None, 1)[0].upper() if stripped else ""
        blank_or_comment = stripped == "" or stripped.startswith("#")
        joins = lines and (continued or (not blank_or_comment and physical[:1].isspace() and first not in _KEYWORDS))
        if blank_or_comment and not continued:
            continued = False
            continue
        body = physical.rstrip()
        continued = body.endswith("\\")
        body = body[:-1] if continued else body
        if joins:
            lines[-1] += " " + body
        else:
            lines.append(body)
    return lines


def _server_lines(text: str) -> List[Tuple[str, Optional[int]]]:
    """The SERVER lines of a license file: SERVER host hostid [port] [PORT=n] ..."""
    servers: List[Tuple[str, Optional[int]]] = []
    for line in _logical_lines(text):
        words = line.split()
        if len(words) < 3 or words[0].upper() != "SERVER":
            continue
        port: Optional[int] = None
        for word in words[3:]:
            digits = word[5:] if word.upper().startswith("PORT=") else (word if word[:1].isdigit() and port is None else None)
            if digits is not None and digits.isdigit() and 1 <= int(digits) <= 65535:
                port = int(digits)
        servers.append((words[1], port))
    return servers


class SearchList:
    """Targets in search order, without duplicates; problems worded for a person."""

    def __init__(self) -> None:
        self.targets: List[Target] = []
        self.problems: List[str] = []

    def _add(self, label: str, source: str, redundant: bool, addresses: Sequence[Address]) -> None:
        if all(target.label != label for target in self.targets):
            self.targets.append(Target(label, source, redundant, tuple(addresses)))

    def add_text(self, text: str, source: str, windows: bool = WINDOWS) -> None:
        for position, raw in enumerate(_split_items(text, windows), start=1):
            item = raw.strip()
            if item == "":
                continue
            try:
                self._add_entry(item, source, windows)
            except _EntryError as error:
                self.problems.append(f'{source}: entry {position} ("{item}"): {error.message}\n  hint: {error.hint}')

    def _add_entry(self, item: str, source: str, windows: bool) -> None:
        if _path_like(item):
            self._add_path(item, source)
        elif "," in item:
            # a comma joins the members of one redundant server: two or three, tried in order (as lmutil)
            parts = [part.strip() for part in item.split(",")]
            if len(parts) > 3:
                separator = '";"' if windows else '":"'
                raise _EntryError(
                    f'"{item}" lists {len(parts)} servers joined by commas; a comma joins the members of one redundant server, which has at most three',
                    "write the three members in license-file order (27000@primary,27000@secondary,27000@tertiary), "
                    f"and separate independent servers with {separator}",
                )
            members: List[Address] = []
            for part in parts:
                try:
                    host, port = _server(part, windows)
                except _EntryError as error:
                    raise _EntryError(f'in triad "{item}": {error.message}', error.hint) from None
                if port is None:
                    raise _EntryError(f'redundant server member "{part}" has no port; every member needs port@host', f"write it as 27000{part}")
                if any(m.host.lower() == host.lower() and m.port == port for m in members):
                    raise _EntryError(
                        f'"{item}" names {part} twice; the members of a redundant server are different machines',
                        "list each member once, in license-file order",
                    )
                members.append(Address(host, port))
            self._add(",".join(_label(m.host, m.port) for m in members), source, True, members)
        elif "@" in item:
            host, maybe_port = _server(item, windows)
            self._add(_label(host, maybe_port), source, False, _host_ports(host, maybe_port))
        elif _HOST_NAME.fullmatch(item):
            self._add(_label(item, DEFAULT_PORT), source, False, _host_ports(item, DEFAULT_PORT))
        else:
            raise _EntryError(
                f'"{item}" is neither port@host, @host, a host name nor a license file path',
                _windows_hint(item, windows) or "write a server as 27000@host, or a file as /path/to/license.lic",
            )

    def _add_path(self, written: str, source: str) -> None:
        path = os.path.expanduser(written) if written.startswith("~") else written
        if os.path.isdir(path):
            try:
                names = sorted(name for name in os.listdir(path) if name.lower().endswith(".lic"))
            except OSError:
                names = []
            for name in names:
                self._add_license_file(os.path.join(path, name), source)
        elif os.path.isfile(path):
            self._add_license_file(path, source)
        else:
            self.problems.append(f"{path}: no such license file or folder; check the search path or LM_LICENSE_FILE")

    def _add_license_file(self, file: str, source: str) -> None:
        try:
            with open(file, encoding="utf-8", errors="replace") as handle:
                servers = _server_lines(handle.read(16 << 20))
        except OSError as error:
            self.problems.append(f"{file}: cannot read the license file ({error.strerror})")
            return
        if not servers:
            self.problems.append(f"{file}: has no SERVER line, so it names no license server to contact")
        elif len(servers) == 3:
            portless = [host for host, port in servers if port is None]
            if portless:
                self.problems.append(f"{file}: three SERVER lines make a redundant triad, whose SERVER lines need a port; add one to {', '.join(portless)}")
                return
            self._add(file, source, True, [Address(host, port) for host, port in servers if port is not None])
        else:
            self._add(file, source, False, [address for host, port in servers for address in _host_ports(host, port)])


def rc_variable(text: str, name: str) -> Optional[str]:
    """The first `NAME=value` line of ~/.flexlmrc text, trimmed."""
    for line in text.splitlines():
        key, equals, value = line.partition("=")
        if equals and key.strip() == name:
            return value.strip()
    return None


def stored_variable(name: str) -> Optional[str]:
    """Where FlexLM keeps its variables: ~/.flexlmrc on UNIX; on Windows the registry value under
    HKEY_CURRENT_USER, else HKEY_LOCAL_MACHINE, "Software\\FLEXlm License Manager" (where FlexLM
    and IBM's License Key Administrator write it), in the native and then the 32-bit view."""
    if WINDOWS:
        return _registry_variable(name)
    try:
        with open(os.path.join(os.path.expanduser("~"), ".flexlmrc"), encoding="utf-8", errors="replace") as handle:
            return rc_variable(handle.read(1 << 20), name) or None
    except OSError:
        return None


def _registry_variable(name: str) -> Optional[str]:
    import winreg  # type: ignore[import-not-found,unused-ignore]

    for root in (winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE):
        for view in (0, winreg.KEY_WOW64_32KEY):
            try:
                with winreg.OpenKey(root, r"Software\FLEXlm License Manager", 0, winreg.KEY_QUERY_VALUE | view) as key:
                    value, kind = winreg.QueryValueEx(key, name)
            except OSError:
                continue
            if kind in (winreg.REG_SZ, winreg.REG_EXPAND_SZ) and isinstance(value, str) and value.strip():
                return value
    return None


def search_from_environment(vendor: Optional[str], environment: Optional[Mapping[str, str]] = None) -> SearchList:
    """<VENDOR>_LICENSE_FILE, then LM_LICENSE_FILE; each from the environment, else where FlexLM stores it."""
    env = os.environ if environment is None else environment
    found = SearchList()
    names = ([f"{vendor.upper()}_LICENSE_FILE"] if vendor else []) + ["LM_LICENSE_FILE"]
    for name in names:
        value = env.get(name) or None
        where = "environment"
        if value is None:
            value = stored_variable(name)
            where = "registry" if WINDOWS else "~/.flexlmrc"
        if value:
            found.add_text(value, f"{name} ({where})")
    return found
