"""Posts N comments concurrently (one connection each) and reports the time per post.

Usage: python3 scripts/bench_comments.py HOST:PORT ARTICLE_SLUG N CAPTCHA_ANSWER
Each client first loads a captcha image (which sets the challenge cookie), all wait the
server's minimum of 3 seconds, then all post at once. Exits non-zero unless every post got
the 303 of an accepted comment.
"""

import http.client
import statistics
import sys
import threading
import time
import urllib.parse


def main():
    host, port = sys.argv[1].split(":")
    slug, n, answer = sys.argv[2], int(sys.argv[3]), sys.argv[4]

    cookies = []
    for _ in range(n):
        conn = http.client.HTTPConnection(host, int(port))
        conn.request("GET", "/ma-kiem-tra.png")
        response = conn.getresponse()
        response.read()
        cookies.append(response.getheader("Set-Cookie").split(";")[0])
        conn.close()
    time.sleep(3.2)

    start = threading.Barrier(n)
    results = [None] * n

    def post(i):
        body = urllib.parse.urlencode({
            "name": f"Bạn đọc {i}",
            "title": f"Ý kiến số {i}",
            "content": f"Bình luận thử tải số {i} về bài viết.",
            "captcha": answer,
        })
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        start.wait()
        began = time.perf_counter()
        conn.request("POST", f"/bai-viet/{slug}/binh-luan", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookies[i],
            "Origin": f"http://{host}:{port}",
        })
        response = conn.getresponse()
        response.read()
        results[i] = (response.status, (time.perf_counter() - began) * 1000)
        conn.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(n)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = (time.perf_counter() - wall) * 1000

    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    times = sorted(ms for _, ms in results)
    print(f"posts: {n}, statuses: {statuses}")
    print(f"per post: median {statistics.median(times):.1f} ms, p95 {times[int(0.95 * (n - 1))]:.1f} ms, "
          f"max {times[-1]:.1f} ms; all {n} in {wall:.0f} ms")
    if statuses != {303: n}:
        sys.exit("some posts were not accepted")


if __name__ == "__main__":
    main()
