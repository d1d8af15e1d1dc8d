"""Result codes and errors (docs/PROTOCOL.md, "Errors"): FlexLM's public numbers and sentences."""

from __future__ import annotations

import re
NO_SEARCH_PATH = -1
BAD_SEARCH_PATH = -2
BAD_REPLY = -12
CANT_CONNECT = -15
CANT_READ = -16
NO_MEMORY = -40
BAD_PARAM = -42
SERVER_DOWN = -96
REVOKED = -900  # Triad's own: the server reclaimed or removed the seat

# Minor numbers of failures the client finds itself (Triad's own; the server uses 900-949).
MINOR_NO_SEARCH_PATH = 950
MINOR_BAD_SEARCH_PATH = 951
MINOR_BAD_REPLY = 952
MINOR_CANT_CONNECT = 953
MINOR_TLS = 954
MINOR_CONNECTION_LOST = 955
MINOR_BAD_PARAM = 957
MINOR_LOST_CONTACT = 958
MINOR_REVOKED = 959
MINOR_NOT_SERVING = 960

_TEXTS = {
    0: "Success.",
    -1: "Cannot find license file.",
    -2: "Invalid license file syntax.",
    -4: "Licensed number of users already reached.",
    -5: "No such feature exists.",
    -8: "Invalid license signature.",
    -9: "Invalid host.",
    -10: "Feature has expired.",
    -12: "Invalid returned data from license server system.",
    -15: "Cannot connect to license server system.",
    -16: "Cannot read data from license server system.",
    -25: "License server does not support this version of this feature.",
    -31: "Feature start date is in the future.",
    -38: "User/host on EXCLUDE list for feature.",
    -39: "User/host not on INCLUDE list for feature.",
    -40: "Cannot allocate dynamic memory.",
    -42: "Invalid checkout request.",
    -87: "Checkout exceeds MAX specified in options file.",
    -96: "License server machine is down or not responding.",
    REVOKED: "License was reclaimed or removed by the license server.",
}


def error_text(code: int) -> str:
    """The FlexLM sentence for a code ("Cannot connect to license server system.")."""
    return _TEXTS.get(code, "License request failed.")


class TriadError(Exception):
    """A failure with a FlexLM-style code: `message` says what failed, where, and how to fix it."""

    def __init__(self, code: int, minor: int, message: str, denied: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.minor = minor
        self.message = message
        #: True when a server denied the request (code and message are the server's).
        self.denied = denied

    @classmethod
    def client(cls, code: int, minor: int, detail: str) -> "TriadError":
        """A failure the client found: "<sentence> <detail> (code,minor)"."""
        return cls(code, minor, f"{error_text(code)} {detail.rstrip()} ({code},{minor})")


class LicenseDenied(TriadError):
    """A server denied the checkout; the reason is the server's, ending in "(major,minor)"."""

    def __init__(self, code: int, reason: str) -> None:
        numbers = re.search(r"\((-?\d+),(\d+)\)\s*$", reason)
        minor = int(numbers.group(2)) if numbers and int(numbers.group(1)) == code else 0
        super().__init__(code, minor, reason, denied=True)
