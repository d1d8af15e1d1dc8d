import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from triad.connection import Address  # noqa: E402
from triad.search_path import SearchList, rc_variable, search_from_environment  # noqa: E402


def parse(text: str, windows: bool = False) -> SearchList:
    found = SearchList()
    found.add_text(text, "test", windows)
    return found


class SearchPathTest(unittest.TestCase):
    def test_entries_in_order(self) -> None:
        found = parse("27000@a,27001@b,27002@c:@probe;licsrv:27005@[2001:db8::1]")
        self.assertEqual([t.label for t in found.targets], ["27000@a,27001@b,27002@c", "@probe", "27000@licsrv", "27005@[2001:db8::1]"])
        self.assertTrue(found.targets[0].redundant)
        self.assertEqual(len(found.targets[1].addresses), 10)
        self.assertEqual(found.targets[3].addresses, (Address("2001:db8::1", 27005),))
        self.assertEqual(found.problems, [])

    def test_windows_separates_only_with_semicolons(self) -> None:
        found = parse("27000@a;27000@b", windows=True)
        self.assertEqual(len(found.targets), 2)
        bad = parse("27000@a:27000@b", windows=True)
        self.assertEqual(bad.targets, [])
        self.assertIn('on Windows, separate entries with ";"', bad.problems[0])

    def test_bad_entries_are_named_and_skipped(self) -> None:
        found = parse("27000@a,27000@b,27000@c,27000@d::70000@x:@:27000@ok")
        self.assertEqual([t.label for t in found.targets], ["27000@ok"])
        self.assertEqual(len(found.problems), 3)
        self.assertIn("at most three", found.problems[0])
        self.assertIn("entry 3", found.problems[1])

    def test_a_comma_joins_two_or_three_members_of_one_redundant_server(self) -> None:
        two = parse("27000@a,27001@b")
        self.assertEqual(two.problems, [])
        self.assertEqual([(t.label, t.redundant, len(t.addresses)) for t in two.targets], [("27000@a,27001@b", True, 2)])
        twice = parse("27000@a,27000@A,27000@c")
        self.assertEqual(twice.targets, [])
        self.assertIn("names 27000@A twice", twice.problems[0])

    def test_duplicates_are_tried_once(self) -> None:
        self.assertEqual(len(parse("27000@a:27000@a").targets), 1)

    def test_license_files_name_their_servers(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            with open(os.path.join(folder, "b.lic"), "w") as handle:
                handle.write("# triad\nSERVER a 0a1b2c3d4e5f 27000\nSERVER b 0a1b2c3d4e5f \\\n  27001\nSERVER c ANY PORT=27002\nVENDOR ibmratl\n")
            with open(os.path.join(folder, "a.lic"), "w") as handle:
                handle.write("SERVER solo ANY\n")
            found = parse(folder)
            self.assertEqual([t.redundant for t in found.targets], [False, True])
            self.assertEqual(len(found.targets[0].addresses), 10)
            self.assertEqual(found.targets[1].addresses, (Address("a", 27000), Address("b", 27001), Address("c", 27002)))

    def test_flexlm_order_vendor_variable_first_then_flexlmrc(self) -> None:
        with tempfile.TemporaryDirectory() as home:
            with open(os.path.join(home, ".flexlmrc"), "w") as handle:
                handle.write("LM_LICENSE_FILE = 27000@fromrc\n")
            old = os.environ.get("HOME")
            os.environ["HOME"] = home
            try:
                found = search_from_environment("ibmratl", {"IBMRATL_LICENSE_FILE": "27000@vendor"})
            finally:
                if old is not None:
                    os.environ["HOME"] = old
            self.assertEqual([t.label for t in found.targets], ["27000@vendor", "27000@fromrc"])
            self.assertEqual(found.targets[1].source, "LM_LICENSE_FILE (~/.flexlmrc)")

    def test_rc_variable(self) -> None:
        self.assertEqual(rc_variable("A=1\nLM_LICENSE_FILE= x \nLM_LICENSE_FILE=y", "LM_LICENSE_FILE"), "x")
        self.assertIsNone(rc_variable("# LM_LICENSE_FILE", "LM_LICENSE_FILE"))


if __name__ == "__main__":
    unittest.main()
