import json
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from triad.messages import InvalidMessage, decode_server_message, fits, valid_version  # noqa: E402

GRANTED = {
    "type": "granted", "id": 3, "leaseId": "L", "resumeToken": "T", "feature": "cad", "version": "1.0", "count": 1,
    "heartbeatIntervalMs": 1000, "timeoutMs": 3000, "expiry": "permanent", "server": "a", "port": 27000, "handle": 1, "resumed": False,
}


def payload(value: object) -> bytes:
    return json.dumps(value).encode()


class DecodeTest(unittest.TestCase):
    def test_a_grant_with_fields_a_newer_server_adds(self) -> None:
        message = decode_server_message(payload({**GRANTED, "priority": "high", "members": [{"host": "b", "port": 2, "zone": "eu"}]}))
        self.assertEqual((message.type, message.lease_id, message.members[0].host), ("granted", "L", "b"))

    def test_names_the_field_that_is_wrong(self) -> None:
        for change, field in [({"leaseId": 42}, "leaseId"), ({"count": 1.5}, "count"), ({"resumed": "no"}, "resumed"), ({"resumeToken": "x" * 129}, "resumeToken")]:
            with self.assertRaisesRegex(InvalidMessage, field):
                decode_server_message(payload({**GRANTED, **change}))

    def test_rejects_what_is_not_the_protocol(self) -> None:
        for raw in [b"\xff\xfe", b"not json", b"[]", b'{"type":"surprise"}', b'{"type":"granted","id":NaN}', b"[" * 100000 + b"]" * 100000]:
            with self.assertRaises(InvalidMessage):
                decode_server_message(raw)

    def test_never_raises_anything_else_on_random_bytes(self) -> None:
        rng = random.Random(3201)
        for _ in range(2000):
            raw = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
            try:
                decode_server_message(raw)
            except InvalidMessage:
                pass

    def test_request_limits(self) -> None:
        self.assertTrue(valid_version("1.0") and valid_version("12"))
        self.assertFalse(valid_version("1.") or valid_version("v1") or valid_version("١"))
        self.assertTrue(fits("x" * 256, 1, 256))
        self.assertFalse(fits("\U0001F600" * 129, 1, 256))  # 258 UTF-16 units


if __name__ == "__main__":
    unittest.main()
