import os
import random
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from triad.frame import MAX_REPLY_BYTES, FrameDecoder, FrameTooLarge, encode_frame  # noqa: E402


class FrameDecoderTest(unittest.TestCase):
    def test_frames_split_anywhere_come_out_whole(self) -> None:
        rng = random.Random(1129)
        payloads = [bytes(rng.randrange(256) for _ in range(rng.randrange(300))) for _ in range(200)]
        stream = b"".join(encode_frame(p, MAX_REPLY_BYTES) for p in payloads)
        decoder = FrameDecoder()
        out = []
        i = 0
        while i < len(stream):
            step = rng.randrange(1, 50)
            decoder.push(stream[i : i + step])
            i += step
            while (payload := decoder.next()) is not None:
                out.append(payload)
        self.assertEqual(out, payloads)
        self.assertEqual(decoder.pending_bytes, 0)

    def test_an_oversize_announcement_fails_before_it_is_buffered(self) -> None:
        decoder = FrameDecoder()
        decoder.push(struct.pack(">I", MAX_REPLY_BYTES + 1))
        with self.assertRaises(FrameTooLarge):
            decoder.next()
        decoder.push(b"x" * 100)
        self.assertEqual(decoder.pending_bytes, 0)
        with self.assertRaises(FrameTooLarge):
            decoder.next()

    def test_requests_over_64_kib_are_refused(self) -> None:
        with self.assertRaises(FrameTooLarge):
            encode_frame(b"x" * (64 * 1024 + 1))


if __name__ == "__main__":
    unittest.main()
