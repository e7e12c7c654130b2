"""The batch's look-ahead downloads (pipeline.Downloads): hosts in parallel, one request at a time per host
in the plan's order, never more than the window ahead of the page being extracted, failures raised where
the page is taken."""

from __future__ import annotations

import threading

import pytest

from newsmon.http.politeness import HostDeferred
from newsmon.pipeline import Downloads, EntryWork
from newsmon.store.entries import EntryToFetch


def work(*links: str) -> list[tuple[int, EntryWork]]:
    return [
        (i, EntryWork(EntryToFetch(i, link, "", "", None, 1, None, False), link))
        for i, link in enumerate(links)
    ]


class Recorder:
    """A download that records what ran, when, and how many ran at once per host."""

    def __init__(self, gate=None) -> None:
        self.lock = threading.Lock()
        self.started: list[str] = []
        self.in_flight: dict[str, int] = {}
        self.most: dict[str, int] = {}
        self.gate = gate

    def __call__(self, item: EntryWork) -> str:
        link = item.entry.link or ""
        host = link.split("/")[2]
        with self.lock:
            self.started.append(link)
            self.in_flight[host] = self.in_flight.get(host, 0) + 1
            self.most[host] = max(self.most.get(host, 0), self.in_flight[host])
        try:
            if self.gate is not None:
                self.gate(link)
            return link
        finally:
            with self.lock:
                self.in_flight[host] -= 1


def test_each_host_one_request_at_a_time_in_plan_order_and_results_in_order() -> None:
    links = [f"http://{host}.example/{n}" for n in range(4) for host in ("a", "b", "c")]
    recorder = Recorder()
    with Downloads(work(*links), recorder, window=4) as downloads:
        got = [downloads.get(i).result() for i in range(len(links))]
    assert got == links
    assert recorder.most == {"a.example": 1, "b.example": 1, "c.example": 1}
    for host in ("a", "b", "c"):
        assert [x for x in recorder.started if f"//{host}." in x] == [x for x in links if f"//{host}." in x]


def test_two_hosts_are_downloaded_at_once() -> None:
    """Each first page waits until the other host's first page has started: only parallel downloads pass."""
    both = threading.Barrier(2, timeout=30)

    def gate(link: str) -> None:
        if link.endswith("/0"):
            both.wait()

    links = ["http://a.example/0", "http://b.example/0", "http://a.example/1"]
    with Downloads(work(*links), Recorder(gate), window=2) as downloads:
        assert [downloads.get(i).result() for i in range(3)] == links


def test_no_page_starts_more_than_the_window_ahead() -> None:
    second = threading.Event()

    def gate(link: str) -> None:
        if link == "http://b.example/1":
            second.set()

    links = ["http://a.example/0", "http://b.example/1", "http://c.example/2", "http://a.example/3"]
    recorder = Recorder(gate)
    with Downloads(work(*links), recorder, window=2) as downloads:
        assert downloads.get(0).result() == links[0]
        assert second.wait(30)  # the window's second page started without being asked for
    # Only page 0 was taken: pages 2 and 3 are beyond the window, whatever the threads did meanwhile.
    assert sorted(recorder.started) == links[:2]


def test_a_deferral_is_raised_where_the_page_is_taken_and_the_others_go_on() -> None:
    def gate(link: str) -> None:
        if link.endswith("/1"):
            raise HostDeferred("a.example:80", "next request allowed in 100s")

    links = [f"http://a.example/{n}" for n in range(3)]
    with Downloads(work(*links), Recorder(gate), window=3) as downloads:
        assert downloads.get(0).result() == links[0]
        with pytest.raises(HostDeferred):
            downloads.get(1).result()
        assert downloads.get(2).result() == links[2]


def test_pages_not_downloaded_ahead_are_none() -> None:
    items = work("http://a.example/0", "http://a.example/1")
    with Downloads(items[:1], Recorder(), window=2) as downloads:
        assert downloads.get(0).result() == "http://a.example/0"
        assert downloads.get(1) is None
