"""Reads wrk --latency output on stdin; prints "req/s p50_ms p99_ms non_2xx"."""

import re
import sys

text = sys.stdin.read()


def ms(percentile):
    found = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\b", text, re.MULTILINE)
    value, unit = float(found.group(1)), found.group(2)
    return {"us": value / 1000, "ms": value, "s": value * 1000}[unit]


rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{rps:.0f} {ms(50):.3f} {ms(99):.3f} {errors.group(1) if errors else 0}")
