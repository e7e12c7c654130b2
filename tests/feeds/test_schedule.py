"""The fetch plan: new before retries, round-robin over hosts and feeds, newest first, bounded."""

from __future__ import annotations

from newsmon.feeds.schedule import batches, fair_order
from newsmon.store.entries import PendingEntry


def pending(entry_id: int, feed_id: int, host: str, rank: int, retry: bool = False) -> PendingEntry:
    return PendingEntry(entry_id, feed_id, f"https://{host}/a{entry_id}", retry, rank)


def test_a_huge_feed_takes_turns_with_the_others() -> None:
    huge = [pending(i, 1, "big.example", rank=i) for i in range(1, 51)]
    small = [pending(100 + f, 10 + f, f"site{f}.example", rank=1) for f in range(5)]
    plan = fair_order(huge + small, limit=8)
    assert set(range(100, 105)) <= set(plan)  # every small feed's entry in the first 8 of 55
    assert plan.count(1) == 1 and len(plan) == 8


def test_new_entries_come_before_retries_and_newest_first_within_a_feed() -> None:
    entries = [
        pending(1, 1, "a.example", rank=3, retry=True),
        pending(2, 1, "a.example", rank=2),
        pending(3, 1, "a.example", rank=1),
        pending(4, 2, "b.example", rank=1, retry=True),
    ]
    assert fair_order(entries, limit=10) == [3, 2, 1, 4]


def test_feeds_sharing_a_host_take_turns_and_hosts_alternate() -> None:
    entries = [
        pending(1, 1, "wire.example", rank=1),
        pending(2, 1, "wire.example", rank=2),
        pending(3, 2, "wire.example", rank=1),
        pending(4, 3, "daily.example", rank=1),
        pending(5, 3, "daily.example", rank=2),
    ]
    plan = fair_order(entries, limit=10)
    hosts = ["wire" if i in (1, 2, 3) else "daily" for i in plan]
    assert hosts[:4] == ["daily", "wire", "daily", "wire"]  # alternating while both have work
    assert plan.index(3) < plan.index(2)  # feed 2's first before feed 1's second


def test_the_plan_is_the_same_for_the_same_input_and_batches_keep_its_order() -> None:
    entries = [pending(i, i % 7, f"h{i % 3}.example", rank=i) for i in range(1, 40)]
    plan = fair_order(entries, limit=100)
    assert plan == fair_order(list(reversed(entries)), limit=100)
    assert sorted(plan) == list(range(1, 40))
    assert [i for batch in batches(plan, 10) for i in batch] == plan
    assert [len(b) for b in batches(plan, 10)] == [10, 10, 10, 9]
