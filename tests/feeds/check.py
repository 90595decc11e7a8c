#!/usr/bin/env python3
"""The RSS feeds and sitemaps of a running Tòa Soạn, read by real parsers.

Starts the built server (debug/toasoan in Cargo's target directory, or $TOASOAN_BIN) on a
free port over a fresh database (toasoan_feeds_{pid}_{random}, with the demo content), then
reads /rss.xml and a category feed with feedparser, validates /sitemap.xml (and, after
generating 50,000 more articles, the sitemap index and its pages) with xmllint against the
sitemaps.org schemas in $TOASOAN_SITEMAP_SCHEMAS (default: ../shared/schemas beside the
repository), checks the Google News sitemap and robots.txt, and stops the server and drops the
database.

Needs: the built binary (`cargo build --bin toasoan`), the PostgreSQL server named by
$TOASOAN_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), psql, xmllint
(libxml2-utils), Python 3 with feedparser.
Run from anywhere: python3 tests/feeds/check.py. The last line is "N passed, M failed".
"""

import datetime as dt
import os
import json
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(os.environ.get("TOASOAN_SITEMAP_SCHEMAS", ROOT.parent / "shared" / "schemas"))
SERVER_URL = os.environ.get("TOASOAN_TEST_DATABASE_URL",
                            "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = f"toasoan_feeds_{os.getpid()}_{secrets.token_hex(3)}"


def url_of(database):
    """SERVER_URL naming `database` instead."""
    return urllib.parse.urlsplit(SERVER_URL)._replace(path="/" + database).geturl()


def built_binary():
    if "TOASOAN_BIN" in os.environ:
        return Path(os.environ["TOASOAN_BIN"])
    metadata = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                              cwd=ROOT, check=True, capture_output=True, text=True)
    return Path(json.loads(metadata.stdout)["target_directory"]) / "debug" / "toasoan"


BIN = built_binary()
DATABASE_URL = url_of(DB_NAME)

# Articles added for the sitemap-index check: with the demo content, past the 50,000 URLs of
# one sitemap file.
GENERATED = 50_000
SITEMAP_LIMIT = 50_000

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "atom": "http://www.w3.org/2005/Atom",
}
# W3C datetime as the sitemaps write it: seconds precision, an offset, no fraction.
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")

feedparser = None  # imported in preflight(), for a clear message when it is missing
base_url = ""
work_dir = None
server = None
server_log = None
results = []  # (name, error or None)
state = {}  # what one check leaves for the next


# --- plumbing ------------------------------------------------------------------------------


def psql(sql, database=None):
    out = subprocess.run(
        ["psql", "-d", url_of(database) if database else SERVER_URL, "-qAtX",
         "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True, text=True, timeout=60,
    )
    return [line for line in out.stdout.splitlines() if line]


def drop_database():
    psql(f'drop database if exists "{DB_NAME}" with (force)')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(path, expect_status=200):
    """(status, content type, body bytes) of GET base_url + path (or an absolute URL)."""
    url = path if path.startswith("http") else base_url + path
    request = urllib.request.Request(url, headers={"User-Agent": "toasoan-feeds-check"})
    try:
        with urllib.request.urlopen(request, timeout=60) as res:
            status, headers, body = res.status, res.headers, res.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    assert status == expect_status, f"GET {url}: HTTP {status}, expected {expect_status}"
    return status, headers.get("Content-Type", ""), body


def xmllint(schema, body, name):
    path = Path(work_dir) / name
    path.write_bytes(body)
    out = subprocess.run(
        ["xmllint", "--noout", "--schema", str(SCHEMAS / schema), str(path)],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, (
        f"xmllint --schema {schema} refuses {name} (exit {out.returncode}):\n"
        f"{out.stderr.strip()[:3000]}"
    )


def check(name):
    def register(fn):
        CHECKS.append((name, fn))
        return fn
    return register


CHECKS = []


def parse_feed(path):
    status, content_type, body = fetch(path)
    assert content_type == "application/rss+xml; charset=utf-8", f"{path}: {content_type}"
    ET.fromstring(body)  # a strict XML parser first: feedparser would also read broken XML
    # No content-location: relative links would stay relative and fail the checks below.
    feed = feedparser.parse(body, response_headers={"content-type": content_type})
    assert feed.bozo == 0, f"{path}: feedparser complains: {feed.get('bozo_exception')!r}"
    assert feed.version == "rss20", f"{path}: version {feed.version!r}"
    return feed


def check_feed(feed, self_path):
    assert feed.feed.get("title"), "channel without a title"
    assert feed.feed.get("language") == "vi", f"language {feed.feed.get('language')!r}"
    assert feed.feed.get("link", "").startswith(base_url + "/"), f"link {feed.feed.get('link')!r}"
    assert feed.feed.get("subtitle"), "channel without a description"
    selves = [l.href for l in feed.feed.get("links", []) if l.get("rel") == "self"]
    assert selves == [base_url + self_path], f"atom:link rel=self: {selves}"
    assert 0 < len(feed.entries) <= 50, f"{len(feed.entries)} entries"
    dates = []
    for e in feed.entries:
        assert e.get("title"), f"entry without a title: {e}"
        link = e.get("link", "")
        assert link.startswith(base_url + "/bai-viet/"), f"link not absolute: {link!r}"
        assert e.get("id", "").startswith("tag:"), f"guid {e.get('id')!r}"
        assert e.get("guidislink") is False, f"guid {e.get('id')!r} taken for a permalink"
        assert e.get("published_parsed"), f"{link}: pubDate unreadable: {e.get('published')!r}"
        assert e.get("summary"), f"{link}: no description"
        assert e.get("tags"), f"{link}: no category"
        dates.append(time.mktime(e.published_parsed))
    assert dates == sorted(dates, reverse=True), "entries are not newest first"
    ids = [e.id for e in feed.entries]
    assert len(ids) == len(set(ids)), "duplicate guids"


# --- the checks ----------------------------------------------------------------------------


@check("/rss.xml is RSS 2.0 that feedparser reads without complaint")
def site_feed():
    feed = parse_feed("/rss.xml")
    check_feed(feed, "/rss.xml")
    state["site_feed"] = feed


@check("every enclosure is an image the site serves, with its exact length")
def enclosures():
    feed = state["site_feed"]
    seen = 0
    for e in feed.entries:
        for enc in e.get("enclosures", []):
            href = enc.get("href", "")
            assert href.startswith(base_url + "/media/"), f"enclosure not absolute: {href!r}"
            _, content_type, body = fetch(href)
            assert enc.get("type") == content_type, f"{href}: type {enc.get('type')} vs {content_type}"
            assert content_type.startswith("image/"), f"{href}: {content_type}"
            assert int(enc.get("length", -1)) == len(body), (
                f"{href}: length {enc.get('length')} but the file has {len(body)} bytes"
            )
            seen += 1
    assert seen > 0, "no enclosure at all (the demo articles have covers)"


@check("/chuyen-muc/tin-tuc/rss.xml has the category and its sub-categories, nothing else")
def category_feed():
    feed = parse_feed("/chuyen-muc/tin-tuc/rss.xml")
    check_feed(feed, "/chuyen-muc/tin-tuc/rss.xml")
    assert feed.feed.title.startswith("Tin tức - "), f"title {feed.feed.title!r}"
    names = set(psql(
        "select name from category where slug = 'tin-tuc' or parent_id = "
        "(select category_id from category where slug = 'tin-tuc')",
        DB_NAME,
    ))
    site = state["site_feed"]
    expected = [e.link for e in site.entries if e.tags[0].term in names]
    got = [e.link for e in feed.entries]
    assert got == expected, f"category feed {got}\nexpected {expected}"
    assert len(got) < len(site.entries), "the category feed has every article of the site"
    _, content_type, _ = fetch("/chuyen-muc/khong-ton-tai/rss.xml", expect_status=404)
    assert content_type.startswith("text/html"), content_type


@check("/sitemap.xml validates against sitemaps.org's sitemap.xsd")
def sitemap():
    _, content_type, body = fetch("/sitemap.xml")
    assert content_type == "application/xml; charset=utf-8", content_type
    xmllint("sitemap.xsd", body, "sitemap.xml")
    root = ET.fromstring(body)
    assert root.tag == f"{{{NS['sm']}}}urlset", root.tag
    locs = [u.findtext("sm:loc", namespaces=NS) for u in root.findall("sm:url", NS)]
    assert len(locs) == len(set(locs)), "duplicate URLs"
    for loc in locs:
        assert loc.startswith(base_url + "/"), f"not absolute: {loc!r}"
    for lastmod in root.iterfind("sm:url/sm:lastmod", NS):
        assert W3C_DATETIME.match(lastmod.text), f"lastmod {lastmod.text!r}"
    assert base_url + "/" in locs, "no home page"
    assert base_url + "/chuyen-muc/tin-tuc" in locs, "no category page"
    missing = [e.link for e in state["site_feed"].entries if e.link not in locs]
    assert not missing, f"articles of the feed missing from the sitemap: {missing}"
    state["sitemap_locs"] = set(locs)


@check("/sitemap-news.xml has the Google News elements, for the last 48 hours")
def news_sitemap():
    _, content_type, body = fetch("/sitemap-news.xml")
    assert content_type == "application/xml; charset=utf-8", content_type
    text = body.decode("utf-8")
    assert f'xmlns:news="{NS["news"]}"' in text, "news namespace not declared as xmlns:news"
    root = ET.fromstring(body)
    assert root.tag == f"{{{NS['sm']}}}urlset", root.tag
    urls = root.findall("sm:url", NS)
    assert 0 < len(urls) <= 1000, f"{len(urls)} URLs"
    site_name = state["site_feed"].feed.title
    now = dt.datetime.now(dt.timezone.utc)
    for url in urls:
        children = [c.tag for c in url]
        assert children == [f"{{{NS['sm']}}}loc", f"{{{NS['news']}}}news"], children
        loc = url.findtext("sm:loc", namespaces=NS)
        assert loc in state["sitemap_locs"], f"{loc} is not in sitemap.xml"
        news = url.find("news:news", NS)
        assert [c.tag.split("}")[1] for c in news] == [
            "publication", "publication_date", "title"], [c.tag for c in news]
        publication = news.find("news:publication", NS)
        assert [c.tag.split("}")[1] for c in publication] == ["name", "language"]
        assert publication.findtext("news:name", namespaces=NS) == site_name
        assert publication.findtext("news:language", namespaces=NS) == "vi"
        date = news.findtext("news:publication_date", namespaces=NS)
        assert W3C_DATETIME.match(date), f"publication_date {date!r}"
        age = now - dt.datetime.fromisoformat(date)
        assert dt.timedelta(minutes=-5) < age <= dt.timedelta(hours=48, minutes=5), f"{loc}: {date}"
        assert news.findtext("news:title", namespaces=NS), f"{loc}: no title"


@check("/robots.txt shuts out /admin and names both sitemaps")
def robots():
    _, content_type, body = fetch("/robots.txt")
    assert content_type == "text/plain; charset=utf-8", content_type
    lines = body.decode("utf-8").splitlines()
    assert lines[0] == "User-agent: *", lines
    for rule in ["Disallow: /admin", "Disallow: /bai-viet/*/binh-luan", "Disallow: /ma-kiem-tra"]:
        assert rule in lines, f"no {rule!r}"
    sitemaps = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Sitemap:")]
    assert sitemaps == [base_url + "/sitemap.xml", base_url + "/sitemap-news.xml"], sitemaps


@check(f"past {SITEMAP_LIMIT:,} URLs, /sitemap.xml is an index (siteindex.xsd) of valid pages")
def sitemap_index():
    def counts():
        return [int(psql(f"select count(*) from {what}", DB_NAME)[0])
                for what in ("article where status = 'published'", "category")]

    before = counts()
    out = subprocess.run(
        [str(BIN), "generate", "--articles", str(GENERATED)],
        cwd=ROOT, env=server_env(), capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, f"toasoan generate failed:\n{out.stdout}\n{out.stderr}"
    # The small sitemap (home, categories, articles, pages, documents…) plus what was generated.
    total = len(state["sitemap_locs"]) + sum(a - b for a, b in zip(counts(), before))
    assert total > SITEMAP_LIMIT, f"only {total} URLs"

    _, content_type, body = fetch("/sitemap.xml")
    assert content_type == "application/xml; charset=utf-8", content_type
    xmllint("siteindex.xsd", body, "sitemap-index.xml")
    root = ET.fromstring(body)
    assert root.tag == f"{{{NS['sm']}}}sitemapindex", root.tag
    pages = [s.findtext("sm:loc", namespaces=NS) for s in root.findall("sm:sitemap", NS)]
    expected_pages = -(-total // SITEMAP_LIMIT)
    assert pages == [f"{base_url}/sitemap-{n}.xml" for n in range(1, expected_pages + 1)], pages
    locs = []
    for n, page in enumerate(pages, start=1):
        _, content_type, body = fetch(page)
        assert content_type == "application/xml; charset=utf-8", content_type
        xmllint("sitemap.xsd", body, f"sitemap-{n}.xml")
        urls = ET.fromstring(body).findall("sm:url/sm:loc", NS)
        assert 0 < len(urls) <= SITEMAP_LIMIT, f"page {n}: {len(urls)} URLs"
        locs.extend(u.text for u in urls)
    assert len(locs) == total, f"{len(locs)} URLs in the pages, {total} expected"
    assert len(set(locs)) == total, "a URL is on two pages"
    assert state["sitemap_locs"] <= set(locs), "URLs of the small sitemap went missing"
    fetch(f"/sitemap-{len(pages) + 1}.xml", expect_status=404)


# --- the server ----------------------------------------------------------------------------


def server_env():
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": DATABASE_URL,
        "TOASOAN_ADDR": base_url.removeprefix("http://"),
        "TOASOAN_BASE_URL": base_url,
        "TOASOAN_MEDIA_DIR": str(Path(work_dir) / "media"),
        "TOASOAN_DEMO": "on",
        "RUST_LOG": "warn",
    })
    return env


def start_server():
    global server, server_log
    server_log = open(Path(work_dir) / "server.log", "w+b")
    server = subprocess.Popen([str(BIN)], cwd=ROOT, env=server_env(), stdin=subprocess.DEVNULL,
                              stdout=server_log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    last = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}) before answering /healthz")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as res:
                if res.status == 200:
                    return
                last = f"HTTP {res.status}"
        except (urllib.error.URLError, OSError) as error:
            last = str(error)
        time.sleep(0.25)
    raise RuntimeError(f"/healthz did not answer 200 within 60 s (last: {last})")


def stop_server():
    if server is None or server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def log_tail(lines=40):
    if server_log is None:
        return "(no log)"
    server_log.flush()
    server_log.seek(0)
    text = server_log.read().decode("utf-8", "replace").splitlines()
    return "\n".join(text[-lines:]) or "(empty: the server logged no warning or error)"


def preflight():
    global feedparser
    problems = []
    if not BIN.is_file():
        problems.append(f"{BIN} is missing: run `cargo build --bin toasoan` first")
    for schema in ["sitemap.xsd", "siteindex.xsd"]:
        if not (SCHEMAS / schema).is_file():
            problems.append(
                f"{SCHEMAS / schema} is missing: the sitemaps.org schemas are read from "
                "$TOASOAN_SITEMAP_SCHEMAS, by default ../shared/schemas beside the repository "
                "(CI's clone has shared/ there)")
    for tool, package in [("xmllint", "libxml2-utils"), ("psql", "postgresql-client")]:
        if shutil.which(tool) is None:
            problems.append(f"{tool} is not installed (Debian package {package})")
    try:
        import feedparser as fp
        feedparser = fp
    except ImportError:
        problems.append("feedparser is not installed: python3 -m pip install feedparser")
    return problems


def main():
    global base_url, work_dir
    problems = preflight()
    if problems:
        for problem in problems:
            print(f"cannot run: {problem}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    work_dir = tempfile.mkdtemp(prefix="toasoan-feeds-")
    base_url = f"http://127.0.0.1:{free_port()}"
    failed_setup = None
    try:
        drop_database()
        start_server()
    except Exception as error:  # noqa: BLE001 - reported as one failure below
        failed_setup = f"starting the server: {error}"
    try:
        if failed_setup is None:
            for name, fn in CHECKS:
                started = time.monotonic()
                try:
                    fn()
                    results.append((name, None))
                    print(f"ok   {name} ({time.monotonic() - started:.1f} s)", flush=True)
                except Exception as error:  # noqa: BLE001 - every failure is reported
                    detail = str(error) if isinstance(error, AssertionError) else traceback.format_exc()
                    results.append((name, detail or "assertion failed"))
                    print(f"FAIL {name}\n     {detail}", flush=True)
        else:
            results.append(("server starts", failed_setup))
            print(f"FAIL {failed_setup}", flush=True)
    finally:
        stop_server()
        if any(error for _, error in results):
            print(f"--- server log (last lines) ---\n{log_tail()}\n---")
        if server_log is not None:
            server_log.close()
        try:
            drop_database()
        except subprocess.CalledProcessError as error:
            print(f"dropping {DB_NAME}: {error.stderr}", file=sys.stderr)
        shutil.rmtree(work_dir, ignore_errors=True)

    failed = sum(1 for _, error in results if error)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
