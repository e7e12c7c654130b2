"""Fingerprints of an article's text: an exact hash, a MinHash signature with its LSH bands, and the
features the fold stage compares two candidate copies on.

Everything works on the *despaced* text: lower-cased word characters with every space and punctuation
mark removed. Mirror sites break spacing ("govern ment", "thegovernment"), swap quote styles and add
stray punctuation; none of that survives despacing, so those mirrors hash like the original. Shingles
are character n-grams of the despaced text rather than word n-grams for the same reason, and because a
swapped synonym or a typo then costs only the few n-grams that touch it instead of whole word windows.

datasketch is imported inside the functions that need it, so importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from datasketch import MinHash

_WORD_RE = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Unicode-compatibility fold, case fold, "ё"->"е": spellings that are one text to a reader."""
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def despace(text: str) -> str:
    """The text's word characters only, joined: immune to spacing, punctuation and quote-style edits."""
    return "".join(_WORD_RE.findall(normalise(text))).replace("_", "")


def shingles(flat: str, k: int) -> set[int]:
    """Character k-grams of a despaced text, as 32-bit CRCs of their UTF-8 (fast, C-implemented, stable
    across runs).

    The text is encoded once and the k-grams are sliced out of the bytes (encoding every k-gram again
    was most of the cost); outside ASCII, each character's start in the bytes comes from its width.
    """
    if not flat:
        return set()
    if len(flat) <= k:
        return {zlib.crc32(flat.encode("utf-8"))}
    crc = zlib.crc32
    data = flat.encode("utf-8")
    n = len(flat) - k + 1
    if len(data) == len(flat):  # ASCII: one byte per character
        return {crc(data[i : i + k]) for i in range(n)}
    import numpy as np

    points = np.frombuffer(flat.encode("utf-32-le"), dtype=np.uint32)
    widths = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
    starts = np.zeros(len(points) + 1, dtype=np.int64)
    np.cumsum(widths, out=starts[1:])
    at = starts.tolist()
    return {crc(data[at[i] : at[i + k]]) for i in range(n)}


#: datasketch's 32-bit scheme: signatures fit uint32, so a 128-slot signature is 512 bytes in the DB.
_SCHEME = "affine32"


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int) -> Any:
    """datasketch's permutation parameters, created once per (num_perm, seed) instead of per copy."""
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=seed, scheme=_SCHEME).permutations


def minhash(shingle_set: set[int], num_perm: int, seed: int = 1) -> MinHash:
    """A datasketch MinHash of the shingle set (already 32-bit hashed, so the hash function is identity)."""
    import numpy as np
    from datasketch import MinHash

    mh = MinHash(
        num_perm=num_perm, seed=seed, hashfunc=int, permutations=_permutations(num_perm, seed), scheme=_SCHEME
    )
    if shingle_set:
        mh.update_batch(np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set)))
    return mh


def signature_bytes(mh: MinHash) -> bytes:
    """The signature as it is stored in ``copies.minhash``: num_perm little-endian uint32 values."""
    import numpy as np

    return np.asarray(mh.hashvalues, dtype="<u4").tobytes()


def signature_from_bytes(blob: bytes) -> npt.NDArray[np.uint32]:
    import numpy as np

    return np.frombuffer(blob, dtype="<u4")


def estimated_jaccard(a: bytes, b: bytes) -> float:
    """Share of equal signature slots: an unbiased estimate of the shingle sets' Jaccard similarity."""
    import numpy as np

    sa, sb = signature_from_bytes(a), signature_from_bytes(b)
    if len(sa) != len(sb) or not len(sa):
        return 0.0
    return float(np.count_nonzero(sa == sb)) / len(sa)


def bands(blob: bytes, n_bands: int, rows: int) -> list[tuple[int, int]]:
    """LSH buckets: each band of `rows` signature slots hashed to a signed 64-bit bucket number.

    Two copies land in one bucket of some band with probability 1-(1-J^rows)^n_bands, so a look-up of
    the copy's buckets on the (band, bucket) index finds likely near-duplicates without a scan.
    """
    width = 4 * rows
    out = []
    for band in range(n_bands):
        chunk = blob[band * width : (band + 1) * width]
        if len(chunk) < width:
            break
        digest = hashlib.blake2b(chunk, digest_size=8, person=b"newsmon-lsh").digest()
        out.append((band, int.from_bytes(digest, "big", signed=True)))
    return out


#: Band numbers of the lead's buckets start here, so they never collide with the whole text's bands.
LEAD_BAND_OFFSET = 1000
# Openings from later sentences stored beside the lead (band numbers below ANCHOR_BAND_OFFSET).
MAX_PROBE_WINDOWS = 4
#: Band numbers of the anchor buckets (figures and names, see `anchors`) start here.
ANCHOR_BAND_OFFSET = 2000


def anchor_bands(
    keys: frozenset[str], n_bands: int, rows: int, periods: Sequence[int]
) -> list[tuple[int, int]]:
    """LSH buckets of a text's anchor set, each bucket also keyed by a time period.

    Anchors are far less specific than 8-grams (a topic's stories share its places and years), so
    a bucket of all time would grow with the archive. Keyed by period, a bucket holds only the copies
    of one period: a copy is stored under its own period and looks up its own and the two
    neighbouring ones, so the cost of a look-up stays flat however large the archive grows.
    """
    blob = signature_bytes(minhash({zlib.crc32(k.encode("utf-8")) for k in keys}, n_bands * rows, seed=3))
    raw = bands(blob, n_bands, rows)
    out = []
    for period in periods:
        salt = b"%d" % period
        for band, bucket in raw:
            mixed = hashlib.blake2b(bucket.to_bytes(8, "big", signed=True), digest_size=8, key=salt)
            out.append((ANCHOR_BAND_OFFSET + band, int.from_bytes(mixed.digest(), "big", signed=True)))
    return out


@dataclass(frozen=True)
class Fingerprint:
    """What the fold stage stores for a copy (hash, signature, shingle count, bands of text and lead)."""

    text_hash: str | None
    minhash: bytes | None
    shingle_count: int
    bands: tuple[tuple[int, int], ...]  # stored: the copy's buckets
    probes: tuple[tuple[int, int], ...] = ()  # looked up: the same, anchor buckets of 3 periods


def fingerprint(
    text: str,
    *,
    k: int,
    num_perm: int,
    n_bands: int,
    rows: int,
    lead_chars: int = 0,
    lead_bands: int = 0,
    lead_rows: int = 0,
    flat: str | None = None,
    shingle_set: set[int] | None = None,
    lead_set: set[int] | None = None,
    anchor_keys: frozenset[str] = frozenset(),
    period: int = 0,
    anchor_n_bands: int = 0,
    anchor_rows: int = 0,
    probe_lead_sets: Sequence[set[int]] = (),
) -> Fingerprint:
    """The copy's fingerprints. `flat`, `shingle_set` and `lead_set` may be passed when the caller has
    them already (the fold stage compares on the same sets), so they are not computed twice; they must
    be `despace(text)`, `shingles(flat, k)` and the shingles of the lead (the fold stage hashes the
    opening of the body, after headline lines: `compare.Features.lead_flat`). `anchor_keys` (see
    `anchors.Anchors.keys`) of the copy's time `period` add the anchor buckets. `probe_lead_sets`
    (shingles of openings that start at later sentences) are stored and looked up with the lead buckets:
    a copy whose own lead is a standfirst or an aggregator's summary finds the article whose lead it
    repeats further down, and, the other way round, that article finds the copy when the copy was stored
    first. Looked up only, folding depended on which of the two arrived first (a run broken half-way
    folded differently from a clean one)."""
    flat = despace(text or "") if flat is None else flat
    if not flat:
        return Fingerprint(None, None, 0, ())
    sh = shingles(flat, k) if shingle_set is None else shingle_set
    blob = signature_bytes(minhash(sh, num_perm))
    all_bands = bands(blob, n_bands, rows)
    if lead_chars and lead_bands and lead_rows:
        lead = shingles(flat[:lead_chars], k) if lead_set is None else lead_set
        lead_blob = signature_bytes(minhash(lead, lead_bands * lead_rows, seed=2))
        all_bands += [(LEAD_BAND_OFFSET + b, h) for b, h in bands(lead_blob, lead_bands, lead_rows)]
    probes = list(all_bands)
    if lead_chars and lead_bands and lead_rows:
        # Window w's buckets are stored under band numbers of their own (one bucket per band and copy);
        # a lead is looked up under every window's numbers, a window under the leads'.
        own_lead = [(b, h) for b, h in all_bands if b >= LEAD_BAND_OFFSET]
        for w, window in enumerate(probe_lead_sets[:MAX_PROBE_WINDOWS], start=1):
            blob_w = signature_bytes(minhash(window, lead_bands * lead_rows, seed=2))
            window_bands = bands(blob_w, lead_bands, lead_rows)
            all_bands += [(LEAD_BAND_OFFSET + w * lead_bands + b, h) for b, h in window_bands]
            probes += [(LEAD_BAND_OFFSET + b, h) for b, h in window_bands]
            probes += [(b + w * lead_bands, h) for b, h in own_lead]
    if anchor_keys and anchor_n_bands and anchor_rows:
        near = anchor_bands(anchor_keys, anchor_n_bands, anchor_rows, (period, period - 1, period + 1))
        all_bands += near[:anchor_n_bands]  # stored under its own period only
        probes += near
    return Fingerprint(
        text_hash=hashlib.sha256(flat.encode("utf-8")).hexdigest(),
        minhash=blob,
        shingle_count=len(sh),
        bands=tuple(all_bands),
        probes=tuple(probes),
    )
