"""The conformance suite's driver for the Python client (test/integration/conformance/README.md
describes the line protocol): commands on stdin, answers and events on stdout, one per line."""

from __future__ import annotations

import os
import sys
import threading
from typing import Dict, Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import triad  # noqa: E402

_output = threading.Lock()


def say(line: str) -> None:
    with _output:
        sys.stdout.write(line.replace("\n", " ").replace("\r", " ") + "\n")
        sys.stdout.flush()


def main() -> int:
    context: Optional[triad.Context] = None
    licenses: Dict[str, triad.License] = {}

    def listener(name: str) -> triad.EventListener:
        def on_event(license: triad.License, event: triad.Event) -> None:
            if event.kind == "lost" and event.error is not None:
                say(f"EVENT {name} LOST {event.error.code} {event.error.message}")
            else:
                info = license.info
                say(f"EVENT {name} {event.kind.upper()} {info.lease_id} {info.port}@{info.server}")

        return on_event

    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command = words[0]
        if command == "ping":
            say("PONG")
        elif command == "quit":
            break
        elif command == "open":
            path = words[1] if len(words) > 1 else "-"
            options = dict(word.split("=", 1) for word in words[2:] if "=" in word)
            names = {"user": "user", "host": "host", "display": "display", "fingerprint": "tls_fingerprint", "ca": "tls_ca_file", "vendor": "vendor"}
            kwargs = {names[key]: value for key, value in options.items() if key in names}
            for timeout in ("connect_timeout", "request_timeout"):
                if timeout in options:
                    kwargs[timeout] = int(options[timeout]) / 1000  # type: ignore[assignment]
            try:
                context = triad.open(None if path == "-" else path, **kwargs)
                say("OK open")
            except triad.TriadError as error:
                say(f"ERROR open {error.code} {error.message}")
        elif command == "checkout" and len(words) == 5:
            name, feature, version, count = words[1:5]
            if context is None or name in licenses:
                say(f"ERROR {name} -42 no context, or the handle name is in use")
                continue
            try:
                license = context.checkout(feature, version, int(count), on_event=listener(name))
            except triad.TriadError as error:
                say(f"{'DENIED' if error.denied else 'ERROR'} {name} {error.code} {error.message}")
                continue
            licenses[name] = license
            info = license.info
            say(f"GRANTED {name} {info.lease_id} {info.port}@{info.server}")
        elif command in ("checkin", "state") and len(words) == 2:
            name = words[1]
            held = licenses.get(name)
            if held is None:
                say(f"ERROR {name} -42 no such handle")
            elif command == "state":
                info = held.info
                lost = held.state
                say(f"STATE {name} {lost.code if lost else 0} {info.lease_id} {info.port}@{info.server}")
            else:
                lost = held.state
                held.checkin()
                del licenses[name]
                say(f"CHECKEDIN {name} {lost.code if lost else 0}")
        else:
            say(f"ERROR ? -42 unknown command {command}")
    for held in licenses.values():
        held.checkin()
    return 0


if __name__ == "__main__":
    sys.exit(main())
