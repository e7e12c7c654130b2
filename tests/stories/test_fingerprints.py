"""The fingerprints computed on numpy arrays are exactly zlib's CRCs and datasketch's affine32 MinHash:
the signatures already stored in a database stay comparable with new ones, and folding decides as before."""

from __future__ import annotations

import random
import zlib
from typing import Any

import numpy as np
import pytest
from datasketch import MinHash

from newsmon.stories.fingerprints import (
    LEAD_PAIR_BAND_OFFSET,
    Fingerprint,
    despace,
    despaced_prefix,
    fingerprint,
    kgram_hashes,
    lead_pair_buckets,
    shingles,
    signature,
)

# Messy text written for these tests: mixed scripts, digits, emoji, accents, a 4-byte character next to
# 1-byte ones, so k-grams of every byte length occur in one text.
MIXED = (
    "Минобороны сообщило в 14:05, что 1 200 детей вернулись; “the ministry” said ß-Straße 12 — ok 😀 "
    "وزارة الخارجية أعلنت ٢٠٢٤ 中文报道 naïve café Ёлка ЁЛКА"
)
ALPHABET = "abcxyz0129 йцукенёЁ ßé ع中😀_-.,"


def _zlib_kgrams(flat: str, k: int) -> list[int]:
    if len(flat) <= k:
        return [zlib.crc32(flat.encode("utf-8"))]
    return [zlib.crc32(flat[i : i + k].encode("utf-8")) for i in range(len(flat) - k + 1)]


@pytest.mark.parametrize("seed", range(40))
def test_kgram_hashes_are_zlib_crcs_of_every_kgram(seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 300)))
    if seed % 4 == 0:
        text = text.encode("ascii", "ignore").decode()
    flat = despace(text)
    for k in (1, 3, 8):
        assert kgram_hashes(flat, k).tolist() == (_zlib_kgrams(flat, k) if flat else [])
        assert shingles(flat, k) == (set(_zlib_kgrams(flat, k)) if flat else set())


@pytest.mark.parametrize(("num_perm", "seed"), [(126, 1), (36, 2), (24, 3)])
def test_signature_is_datasketch_affine32_minhash(num_perm: int, seed: int) -> None:
    values = shingles(despace(MIXED * 3), 8)
    reference = MinHash(num_perm=num_perm, seed=seed, hashfunc=int, scheme="affine32")
    reference.update_batch(list(values))
    expected = np.asarray(reference.hashvalues, dtype="<u4").tobytes()
    assert signature(values, num_perm, seed) == expected
    # An array with repeated values is the signature of its set.
    assert signature(kgram_hashes(despace(MIXED * 3), 8), num_perm, seed) == expected
    # The empty set: every slot at its maximum, as datasketch leaves it.
    empty = MinHash(num_perm=num_perm, seed=seed, hashfunc=int, scheme="affine32")
    assert signature(set(), num_perm, seed) == np.asarray(empty.hashvalues, dtype="<u4").tobytes()


def test_lead_and_openings_sliced_from_the_text_hash_like_texts_of_their_own() -> None:
    """A lead or opening found in the text is hashed from the text's k-grams; one that is not (a
    despaced stretch that crosses what despacing joined differently) is hashed on its own: both give
    the buckets the lead would have as a text of its own."""
    flat = despace(MIXED * 4)
    inside, outside = flat[40:100], despace("an opening that is nowhere in the text at all")

    def fp(text: str, lead_chars: int, **windows: Any) -> Fingerprint:
        return fingerprint(
            text,
            k=8,
            num_perm=126,
            n_bands=42,
            rows=3,
            lead_chars=lead_chars,
            lead_bands=12,
            lead_rows=3,
            **windows,
        )

    got = fp(MIXED * 4, 60, flat=flat, lead_flat=inside, probe_flats=[flat[90:150], outside])

    def lead_bands(window: str, offset: int) -> list[tuple[int, int]]:
        return [(b - 1000 + offset, h) for b, h in fp(window, len(window) + 1).bands if b >= 1000]

    assert signature(shingles(flat, 8), 126) == got.minhash
    assert got.shingle_count == len(shingles(flat, 8))
    for offset, window in ((1000, inside), (1012, flat[90:150]), (1024, outside)):
        assert set(lead_bands(window, offset)) <= set(got.bands)
    assert len({b for b, _ in got.bands if b >= 1000}) == 3 * 12


@pytest.mark.parametrize("n", [1, 7, 40, 300])
def test_despaced_prefix_is_the_start_of_the_despaced_text(n: int) -> None:
    # Combining marks, a ligature, ß that case-folds to two letters, no-break and ideographic spaces,
    # a combining accent right after a space: what NFKC and case folding change near a cut.
    tricky = "Cafe\u0301 ﬁnal STRAẞE\u00a0Ёлка \u0301x Ⅻ tore\u3000ro_ad  — 12,5\u202f% "
    rng = random.Random(n)
    for _ in range(30):
        text = "".join(rng.choice([tricky, MIXED, "word ", "\n", "  "]) for _ in range(rng.randint(0, 12)))
        assert despaced_prefix(text, n) == despace(text)[:n]


def test_lead_pair_buckets_meet_on_a_shared_figure_and_anchor_of_one_period() -> None:
    lead = ("tlv", "#14", "rsk", "mrs", "#37")
    # A translation's lead: the same anchors, one missing, one of its own, a pair in another order.
    other = ("tlv", "rsk", "#14", "nrd", "#37")
    mine, theirs = set(lead_pair_buckets(lead, (7,))), set(lead_pair_buckets(other, (7,)))
    assert len(mine) == 7  # every pair once, but the 3 of two names
    assert len(mine & theirs) == 5  # the pairs with a figure of {tlv, #14, rsk, #37}, in any order
    # One anchor in common is no pair, nor are two names; another period is another bucket.
    assert not mine & set(lead_pair_buckets(("tlv", "lnd", "#12", "vnk"), (7,)))
    assert not mine & set(lead_pair_buckets(("tlv", "rsk", "#12", "#40"), (7,)))
    assert not mine & set(lead_pair_buckets(lead, (8,)))


def test_fingerprint_stores_lead_pairs_of_its_period_and_probes_the_neighbours() -> None:
    lead = ("tlv", "#14", "rsk", "mrs")
    fp = fingerprint(
        "some text long enough to hash", k=8, num_perm=12, n_bands=4, rows=3, lead_anchors=lead, period=5
    )
    stored = {(b, h) for b, h in fp.bands if b >= LEAD_PAIR_BAND_OFFSET}
    assert stored == set(lead_pair_buckets(lead, (5,)))
    assert len({b for b, _ in fp.bands}) == len(fp.bands)  # one bucket per band, as copy_bands keys them
    assert set(lead_pair_buckets(lead, (4, 5, 6))) <= set(fp.probes)


def test_a_note_of_figures_only_meets_a_text_whose_lead_names_come_first() -> None:
    def fp(lead: tuple[str, ...], figures: tuple[str, ...]) -> Fingerprint:
        # Without text buckets (n_bands=0): only the pairs can meet.
        text = "a report long enough to hash"
        return fingerprint(text, k=8, num_perm=12, n_bands=0, rows=3, lead_anchors=lead, lead_figures=figures)

    names_first = ("trk", "snd", "stn", "smr", "knk", "blk", "vrn", "#6.1")
    later_figures = ("#6.1", "#10", "#19.53", "#4.6")
    note = ("#6.1", "#11", "#19.53", "#4.6")  # a caseless script: figures only
    assert not set(fp(note, note).probes) & set(fp(names_first, ()).bands)
    assert set(fp(note, note).probes) & set(fp(names_first, later_figures).bands)
