"""Prints what explains a failed pytest log: faulthandler's stack dumps of a test that hung
(every thread's stack, pyproject's faulthandler_timeout) and each failure's traceback
without its captured output, which would bury it. A tail of the log alone showed a
timed-out test's captured logs and nothing of where it hung."""

import re
import sys

MAX_LINES = 400
SECTION = re.compile(r"^[-_=]{3,} (.+?) [-_=]{3,}$")
STACK = re.compile(r'^(Timeout \(|Thread 0x|Current thread 0x|  File "|\s*$)')


def explanation(lines: list[str]) -> list[str]:
    shown: list[str] = []
    in_dump = in_report = in_capture = False
    for line in lines:
        if "Timeout (" in line and not in_report:  # may follow a progress line's dots
            line, in_dump = line[line.index("Timeout ("):], True
        elif in_dump and not STACK.match(line):
            in_dump = False
        if in_dump:
            shown.append(line)
            continue
        title = SECTION.match(line)
        if title:
            in_report = in_report or title.group(1) in ("FAILURES", "ERRORS")
            in_capture = title.group(1).startswith("Captured")
        if in_report and not in_capture:
            shown.append(line)
    if len(shown) > MAX_LINES:
        shown = shown[: MAX_LINES // 2] + ["[…]"] + shown[-MAX_LINES // 2 :]
    return shown


if __name__ == "__main__":
    with open(sys.argv[1], errors="replace") as log:
        print("\n".join(explanation(log.read().splitlines())))
