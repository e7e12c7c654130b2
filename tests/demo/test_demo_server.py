"""The demo server speaks HTTP the way the pipeline expects real sites to, and stays inside its root."""

from __future__ import annotations

import email.utils
import http.client
import json
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import feedparser
import pytest
import yaml
from protego import Protego

from newsmon.demo.corpus import load_expected
from newsmon.demo.server import DemoServer, clean_path, content_type

EXPECTED = load_expected()
FEED_TYPES = {
    "rss2": ("application/rss+xml", "rss20"),
    "atom": ("application/atom+xml", "atom10"),
    "rss1": ("application/rdf+xml", "rss10"),
    "jsonfeed": ("application/feed+json", None),
}
SCRIPT = "<script>alert(1)</script>"
DEADLINE = 120.0  # seconds: how long a step may take on a loaded machine before the test gives up


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer() as srv:
        yield srv


def get(srv: DemoServer, target: str, headers: dict[str, str] | None = None, method: str = "GET"):
    """Send the request target exactly as written (http.client does not normalise `..`)."""
    conn = http.client.HTTPConnection("127.0.0.1", urlsplit(srv.base_url).port, timeout=DEADLINE)
    try:
        conn.request(method, target, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def test_binds_loopback_on_a_free_port(server: DemoServer) -> None:
    parts = urlsplit(server.base_url)
    assert parts.scheme == "http" and parts.hostname == "127.0.0.1"
    assert parts.port and parts.port > 0


@pytest.mark.parametrize("site", sorted(EXPECTED["sites"]))
def test_every_feed_is_served_with_base_replaced_and_parses(server: DemoServer, site: str) -> None:
    info = EXPECTED["sites"][site]
    mime, version = FEED_TYPES[info["format"]]
    status, headers, body = get(server, info["feed"])
    assert status == 200
    assert headers["Content-Type"] == mime
    assert b"{{BASE}}" not in body
    if version is None:
        data = json.loads(body)
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        assert data["feed_url"] == server.base_url + info["feed"]
        links = [item["url"] for item in data["items"]]
        titles = [item["title"] for item in data["items"]]
    else:
        parsed = feedparser.parse(body)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == version
        links = [entry.link for entry in parsed.entries]
        titles = [entry.title for entry in parsed.entries]
    assert all(title.strip() for title in titles)
    assert all(link.startswith(server.base_url + f"/{site}/") for link in links)
    expected_paths = {p for p, a in EXPECTED["articles"].items() if a["site"] == site}
    assert {urlsplit(link).path for link in links} == expected_paths


def test_feeds_list_points_at_this_server_and_matches_yaml(server: DemoServer) -> None:
    feeds = server.feeds()
    assert [f["url"] for f in feeds] == [server.base_url + s["feed"] for s in EXPECTED["sites"].values()]
    assert {f["lang"] for f in feeds} == {"en", "ru"}
    assert all(f["name"] and "demo" in f["tags"] for f in feeds)
    text = server.feeds_yaml()
    assert text.startswith("feeds:\n  - url: ")
    assert yaml.safe_load(text) == {"feeds": feeds}


@pytest.mark.parametrize("path", sorted(EXPECTED["articles"]))
def test_article_pages_are_html_with_canonical_on_this_server(server: DemoServer, path: str) -> None:
    status, headers, body = get(server, path)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    html = body.decode("utf-8")
    assert "{{BASE}}" not in html
    assert f'<link rel="canonical" href="{server.base_url}{path}">' in html
    assert f'<html lang="{EXPECTED["articles"][path]["lang"]}">' in html
    assert "<time datetime=" in html and 'property="og:title"' in html
    assert SCRIPT not in html  # the hostile title appears only escaped


def test_script_title_survives_as_plain_text_in_the_feed(server: DemoServer) -> None:
    _, _, body = get(server, EXPECTED["sites"]["aggregator"]["feed"])
    assert SCRIPT.encode() not in body and b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
    titles = [entry.title for entry in feedparser.parse(body).entries]
    assert sum(SCRIPT in title for title in titles) == 1


def test_copy_attribution_line_points_at_the_original_on_this_server(server: DemoServer) -> None:
    copy = next(p for p, a in EXPECTED["articles"].items() if a["site"] == "aggregator" and a["copy_of"])
    _, _, body = get(server, copy)
    original = EXPECTED["articles"][copy]["copy_of"]
    assert f"{server.base_url}{original})" in body.decode("utf-8")


def test_conditional_get_with_etag_gives_304(server: DemoServer) -> None:
    path = EXPECTED["sites"]["daily"]["feed"]
    _, headers, _ = get(server, path)
    status, again, body = get(server, path, {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert again["ETag"] == headers["ETag"]
    status, _, body = get(server, path, {"If-None-Match": '"something-else"'})
    assert status == 200 and body


def test_conditional_get_with_date_gives_304_unless_older(server: DemoServer) -> None:
    path = EXPECTED["sites"]["wire"]["feed"]
    _, headers, _ = get(server, path)
    assert get(server, path, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    modified = email.utils.parsedate_to_datetime(headers["Last-Modified"]).timestamp()
    older = email.utils.formatdate(modified - 3600, usegmt=True)
    assert get(server, path, {"If-Modified-Since": older})[0] == 200
    assert get(server, path, {"If-Modified-Since": "not a date"})[0] == 200


def test_head_sends_headers_without_body(server: DemoServer) -> None:
    status, headers, body = get(server, "/novosti/feed.json", method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) == len(get(server, "/novosti/feed.json")[2])


@pytest.mark.parametrize(
    "target",
    [
        "/nope.html",
        "/wire/2026/",  # a directory without index.html: no listing
        "/../expected.json",
        "/wire/../../expected.json",
        "/%2e%2e/expected.json",
        "/wire/%2E%2E/%2e%2e/server.py",
        "/..%2fexpected.json",
        "/wire\\..\\..\\expected.json",
        "/wire/rss.xml%00.html",
    ],
)
def test_unknown_and_escaping_paths_are_404(server: DemoServer, target: str) -> None:
    status, _, body = get(server, target)
    assert status == 404
    assert b"child_repatriation" not in body and b"import" not in body


def test_directory_with_index_and_robots(server: DemoServer) -> None:
    assert get(server, "/wire/")[0] == 200
    assert get(server, "/")[0] == 200
    status, headers, body = get(server, "/robots.txt")
    assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8"
    robots = Protego.parse(body.decode())
    assert all(robots.can_fetch(server.base_url + p, "newsmon") for p in EXPECTED["articles"])


def test_overlay_publishes_a_new_copy_between_runs(server: DemoServer) -> None:
    feed_path = EXPECTED["sites"]["daily"]["feed"]
    page_path = "/daily/news/2026/03/15/children-home-from-syria-a-fourth-copy.html"
    _, before, _ = get(server, feed_path)
    original_feed = server.source(feed_path)
    entry = (
        "<entry><id>tag:courier.example,2026:fourth-copy</id><title>Fourth copy</title>"
        '<link rel="alternate" href="{{BASE}}'
        + page_path
        + '"/><updated>2026-03-15T09:00:00Z</updated></entry>\n'
    ).encode()
    try:
        server.overlay[page_path] = b"<!DOCTYPE html><title>Fourth copy</title><p>{{BASE}}</p>"
        server.overlay[feed_path] = original_feed.replace(b"</feed>", entry + b"</feed>")
        status, after, body = get(server, feed_path, {"If-None-Match": before["ETag"]})
        assert status == 200 and after["ETag"] != before["ETag"]
        assert get(server, feed_path, {"If-Modified-Since": before["Last-Modified"]})[0] == 200
        links = [e.link for e in feedparser.parse(body).entries]
        assert server.base_url + page_path in links and len(links) == 5
        status, headers, page = get(server, page_path)
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert server.base_url.encode() in page
        server.overlay[page_path] = "changed again"  # str is accepted and encoded as UTF-8
        assert get(server, page_path)[2] == b"changed again"
    finally:
        del server.overlay[page_path]
        del server.overlay[feed_path]
    assert get(server, page_path)[0] == 404
    assert get(server, feed_path)[1]["ETag"] == before["ETag"]


def test_overlay_last_modified_moves_forward_within_one_second() -> None:
    with DemoServer(overlay={"/x.html": b"one"}) as srv:
        first = get(srv, "/x.html")[1]["Last-Modified"]
        srv.overlay["x.html"] = b"two"  # the leading slash is optional
        second = get(srv, "/x.html")[1]["Last-Modified"]
        assert email.utils.parsedate_to_datetime(second) > email.utils.parsedate_to_datetime(first)
        assert get(srv, "/x.html", {"If-Modified-Since": first})[0] == 200


def test_requests_do_not_write_to_stderr(server: DemoServer, capfd: pytest.CaptureFixture[str]) -> None:
    get(server, "/wire/rss.xml")
    get(server, "/missing")
    get(server, "/x", method="DELETE")
    with socket.create_connection(("127.0.0.1", urlsplit(server.base_url).port), timeout=DEADLINE) as sock:
        sock.sendall(b"GARBAGE\r\n\r\n")  # a malformed request line
        sock.recv(1024)  # the server logs before it answers: once the answer is here, any log line is too
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_refuses_non_loopback_and_frees_its_port() -> None:
    with pytest.raises(ValueError):
        DemoServer("0.0.0.0")  # noqa: S104 - the point is that it is refused
    srv = DemoServer().start()
    port = urlsplit(srv.base_url).port
    srv.stop()
    with pytest.raises(RuntimeError):
        _ = srv.base_url
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/wire/rss.xml", "application/rss+xml"),
        ("/daily/atom.xml", "application/atom+xml"),
        ("/aggregator/index.rdf", "application/rdf+xml"),
        ("/novosti/feed.json", "application/feed+json"),
        ("/a/page.html", "text/html; charset=utf-8"),
        ("/other.xml", "application/xml"),
        ("/blob.bin", "application/octet-stream"),
    ],
)
def test_content_type_by_name(path: str, expected: str) -> None:
    assert content_type(path) == expected


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/wire/rss.xml?utm_source=x", "/wire/rss.xml"),
        ("//wire//./rss.xml", "/wire/rss.xml"),
        ("/wire/", "/wire/"),
        ("http://127.0.0.1:1/daily/atom.xml", "/daily/atom.xml"),
        ("/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8", "/новости"),
        ("/a/../b", None),
        ("relative/path", None),
    ],
)
def test_clean_path(target: str, expected: str | None) -> None:
    assert clean_path(target) == expected


def _lines_until(lines: queue.Queue, marker: str, deadline: float) -> list[str]:
    """Output lines up to the one holding ``marker``, or all of them if the process ended first."""
    seen: list[str] = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            break
        if line is None:  # end of output
            break
        seen.append(line)
        if marker in line:
            break
    return seen


def test_serve_blocks_until_interrupted_and_prints_the_feeds() -> None:
    """Deadlines, not durations: a busy machine may start Python slowly, the test only waits longer."""
    # Started as a terminal starts it: Ctrl-C raises KeyboardInterrupt. A process launched in the
    # background by a shell inherits SIGINT ignored (so would this child, and then it rightly keeps serving).
    code = (
        "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from newsmon.demo.server import serve; serve(0)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()

    def pump(stream) -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=pump, args=(proc.stdout,), daemon=True)
    reader.start()
    try:
        seen = _lines_until(lines, "/novosti/feed.json", time.monotonic() + DEADLINE)
        base = re.search(r"http://127\.0\.0\.1:\d+", seen[0] if seen else "")
        assert base, seen
        conn = http.client.HTTPConnection("127.0.0.1", urlsplit(base.group(0)).port, timeout=DEADLINE)
        conn.request("GET", "/wire/rss.xml")
        assert conn.getresponse().status == 200
        conn.close()
        assert proc.poll() is None  # still serving
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=DEADLINE)
        reader.join(DEADLINE)
        out = "".join(seen + _lines_until(lines, "\0", time.monotonic() + DEADLINE))
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == 0, err
    assert "feeds:\n  - url: " + base.group(0) + "/wire/rss.xml" in out
    assert out.rstrip().endswith("demo server stopped")
    assert err == ""
