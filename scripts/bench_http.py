"""Times sequential GETs over one keep-alive connection: p50/p95/p99 per URL, in ms.

Usage: python3 scripts/bench_http.py HOST:PORT PATH [PATH ...]
"""

import http.client
import statistics
import sys
import time

WARMUP = 30
RUNS = 500


def measure(conn, path):
    times = []
    for i in range(WARMUP + RUNS):
        started = time.perf_counter()
        conn.request("GET", path, headers={"Accept-Encoding": "br"})
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            sys.exit(f"{path}: HTTP {response.status}")
        if i >= WARMUP:
            times.append(elapsed)
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    return len(body), statistics.median(times), pick(0.95), pick(0.99), times[-1]


def main():
    host, port = sys.argv[1].split(":")
    conn = http.client.HTTPConnection(host, int(port))
    print(f"{'page':48} {'bytes':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for path in sys.argv[2:]:
        size, p50, p95, p99, worst = measure(conn, path)
        shown = path if len(path) <= 48 else path[:45] + "..."
        print(f"{shown:48} {size:>7} {p50:>7.2f} {p95:>7.2f} {p99:>7.2f} {worst:>7.2f}")


if __name__ == "__main__":
    main()
