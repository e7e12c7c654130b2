"""Fingerprints of an article's text: an exact hash, a MinHash signature with its LSH bands, and the
features the fold stage compares two candidate copies on.

Everything works on the *despaced* text: lower-cased word characters with every space and punctuation
mark removed. Mirror sites break spacing ("govern ment", "thegovernment"), swap quote styles and add
stray punctuation; none of that survives despacing, so those mirrors hash like the original. Shingles
are character n-grams of the despaced text rather than word n-grams for the same reason, and because a
swapped synonym or a typo then costs only the few n-grams that touch it instead of whole word windows.

numpy is imported inside the functions that need it, so importing this module stays cheap. Signatures
are datasketch's affine32 MinHash, computed here on numpy arrays: datasketch's `update_batch` called the
hash function once per k-gram in Python, and importing it took seconds.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_WORD_RE = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Unicode-compatibility fold, case fold, "ё"->"е": spellings that are one text to a reader."""
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def despace(text: str) -> str:
    """The text's word characters only, joined: immune to spacing, punctuation and quote-style edits."""
    return "".join(_WORD_RE.findall(normalise(text))).replace("_", "")


_SPACE_RE = re.compile(r"\s")


def despaced_prefix(text: str, n: int) -> str:
    """`despace(text)[:n]`, despacing only as much of the text as it takes (a lead or an opening of a
    long article is a few hundred characters of it).

    The text is cut before a whitespace character: nothing composes with what precedes a space under
    NFKC, case folding and the word-character filter work character by character, so the despaced cut
    is the start of the despaced whole. The first cut is a quarter past `n` characters: despacing drops
    about a sixth of a text in an alphabet (spaces, punctuation), none of kana or Han; a cut that falls
    short is tried again twice as far.
    """
    end = n + n // 4
    while end < len(text):
        space = _SPACE_RE.search(text, end)
        if space is None:
            break
        flat = despace(text[: space.start()])
        if len(flat) >= n:
            return flat[:n]
        end = 2 * space.start() + 1
    return despace(text)[:n]


def shingles(flat: str, k: int) -> set[int]:
    """Character k-grams of a despaced text, as 32-bit CRCs of their UTF-8 (stable across runs)."""
    return set(kgram_hashes(flat, k).tolist())


@lru_cache(maxsize=1)
def _crc_table() -> npt.NDArray[np.uint32]:
    """The byte table of CRC-32 (IEEE, reflected: zlib's), for hashing every k-gram at once."""
    import numpy as np

    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table[i] = c
    return table


@lru_cache(maxsize=4)
def _crc_terms(max_bytes: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """CRC-32 is linear in its register and its input bytes, so the CRC of n bytes is a sum (XOR) of one
    term a byte and a constant: `terms[d][b]` is the term of byte value b with d bytes after it,
    `ends[n]` the constant of n bytes (the initial register's share, final inversion included)."""
    import numpy as np

    table = _crc_table()
    terms = np.empty((max_bytes, 256), dtype=np.uint32)
    terms[0] = table
    for d in range(1, max_bytes):
        terms[d] = table[terms[d - 1] & 0xFF] ^ (terms[d - 1] >> 8)
    ends = np.empty(max_bytes + 1, dtype=np.uint32)
    register = 0xFFFFFFFF
    for n in range(max_bytes + 1):
        ends[n] = register ^ 0xFFFFFFFF
        register = int(table[register & 0xFF]) ^ (register >> 8)
    return terms, ends


def kgram_hashes(flat: str, k: int) -> npt.NDArray[np.uint32]:
    """`zlib.crc32` of the UTF-8 of every k-gram of a despaced text, in text order (duplicates kept).

    One CRC per k-gram in a Python loop was most of a copy's fingerprint cost; here every k-gram's CRC
    is summed at once from the terms of its bytes (see `_crc_terms`), a k-gram's last byte first (k
    steps in ASCII, up to 4k elsewhere, a k-gram shorter in bytes adding nothing once its bytes are
    used up). Advancing a CRC register a byte at a time took three times as many array operations.
    The values are zlib's, so the stored signatures of older copies stay comparable.
    """
    import numpy as np

    if not flat:
        return np.zeros(0, dtype=np.uint32)
    data = flat.encode("utf-8")
    if len(flat) <= k:
        return np.array([zlib.crc32(data)], dtype=np.uint32)
    n = len(flat) - k + 1
    terms, ends = _crc_terms(4 * k)
    # The bytes as indices into a term table, and a zero byte after them (its terms are 0).
    codes = np.frombuffer(data + b"\0", dtype=np.uint8).astype(np.intp)
    if len(data) == len(flat):  # ASCII: one byte per character, every k-gram k bytes long
        crc = np.full(n, ends[k], dtype=np.uint32)
        for d in range(k):
            # The bytes d before each k-gram's last are a stretch of the text: a slice, not a gather.
            crc ^= terms[d][codes[k - 1 - d : k - 1 - d + n]]
        return crc
    points = np.frombuffer(flat.encode("utf-32-le"), dtype=np.uint32)
    widths = 1 + (points >= 0x80).astype(np.intp) + (points >= 0x800) + (points >= 0x10000)
    at = np.zeros(len(points) + 1, dtype=np.intp)
    np.cumsum(widths, out=at[1:])
    last = at[k : k + n] - 1  # each k-gram's last byte
    lengths = at[k : k + n] - at[:n]
    sums: npt.NDArray[np.uint32] = ends[lengths]
    shortest, longest = int(lengths.min()), int(lengths.max())
    for d in range(longest):
        at_d = last - d if d < shortest else np.where(d < lengths, last - d, len(data))
        sums ^= terms[d][codes[at_d]]
    return sums


def window_hashes(flat: str, hashes: npt.NDArray[np.uint32], window: str, k: int) -> npt.NDArray[np.uint32]:
    """`kgram_hashes(window, k)`, sliced out of the text's own `hashes` when `window` is a stretch of
    `flat` (a lead or a later opening usually is): the same bytes give the same k-grams."""
    if len(window) > k and (at := flat.find(window)) >= 0:
        return hashes[at : at + len(window) - k + 1]
    return kgram_hashes(window, k)


#: Signatures are datasketch's 32-bit scheme (affine32): a 128-slot signature is 512 bytes in the DB.
_NO_HASH = 0xFFFFFFFF  # an empty set's slot value (datasketch's)


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """The affine permutations (a, b) of datasketch's affine32 scheme for (num_perm, seed): the same
    draws from the same generator, so signatures equal datasketch's MinHash (tests check it) without
    importing datasketch (seconds per task process)."""
    import numpy as np

    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _premix(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """The 32-bit MurmurHash3 finalizer datasketch's affine32 scheme applies to each input hash."""
    import numpy as np

    hv = values.astype(np.uint32)
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


#: Rows of the (values x slots) matrix computed at a time: bounds the memory of a very long text.
_CHUNK = 4096


def _slot_minima(mixed: npt.NDArray[np.uint32], num_perm: int, seed: int) -> npt.NDArray[np.uint32]:
    """Each slot's least permuted value: (a * x + b) mod 2**32 over the values x, per permutation (a, b).

    The block is a permutation a row (each row's minimum a contiguous run) and is built in place: the
    values a column with `* a + b` as two new arrays took three times as long (the fold's largest
    numpy cost per copy)."""
    import numpy as np

    a, b = _permutations(num_perm, seed)
    if not len(mixed):
        return np.full(num_perm, _NO_HASH, dtype=np.uint32)
    out = _block_minima(a, b, mixed[:_CHUNK])
    for lo in range(_CHUNK, len(mixed), _CHUNK):
        np.minimum(out, _block_minima(a, b, mixed[lo : lo + _CHUNK]), out=out)
    return out


def _block_minima(
    a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], values: npt.NDArray[np.uint32]
) -> npt.NDArray[np.uint32]:
    """`_slot_minima` of one block of values. The ufunc's reduce is called straight away: `block.min`
    and `np.full` (a start of all ones) went through Python wrappers, a few microseconds each for the
    six signatures of a copy."""
    import numpy as np

    block = np.multiply(a[:, None], values[None, :])
    block += b[:, None]
    least: npt.NDArray[np.uint32] = np.minimum.reduce(block, axis=1)
    return least


def signature(values: npt.NDArray[np.uint32] | set[int], num_perm: int, seed: int = 1) -> bytes:
    """The MinHash signature of a set of 32-bit hashes, as stored in ``copies.minhash`` (num_perm
    little-endian uint32 slots): exactly datasketch's affine32 MinHash with the identity hash, computed
    on the array in one pass (repeated values change no minimum, so an array of k-gram hashes with
    duplicates gives the signature of their set)."""
    import numpy as np

    if isinstance(values, set):
        values = np.fromiter(values, dtype=np.uint32, count=len(values))
    return _slot_minima(_premix(values), num_perm, seed).astype("<u4").tobytes()


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


#: The hash of a band's slots (see `bands`).
_LSH_HASH = hashlib.blake2b(digest_size=8, person=b"newsmon-lsh")


def _digests(start: hashlib.blake2b, chunks: Iterable[bytes]) -> tuple[int, ...]:
    """The 8-byte digest of each chunk, hashed from a copy of `start`, as a signed big-endian number.
    A copy costs half of a new hash object's set-up from its parameters, and the numbers are read all
    at once."""
    digests = []
    for chunk in chunks:
        h = start.copy()
        h.update(chunk)
        digests.append(h.digest())
    return struct.unpack(f">{len(digests)}q", b"".join(digests))


def bands(blob: bytes, n_bands: int, rows: int) -> list[tuple[int, int]]:
    """LSH buckets: each band of `rows` signature slots hashed to a signed 64-bit bucket number.

    Two copies land in one bucket of some band with probability 1-(1-J^rows)^n_bands, so a look-up of
    the copy's buckets on the (band, bucket) index finds likely near-duplicates without a scan.
    """
    width = 4 * rows
    n = min(n_bands, len(blob) // width)
    return list(enumerate(_digests(_LSH_HASH, (blob[i * width : (i + 1) * width] for i in range(n)))))


#: Band numbers of the lead's buckets start here, so they never collide with the whole text's bands.
LEAD_BAND_OFFSET = 1000
# Openings from later sentences stored beside the lead (band numbers below ANCHOR_BAND_OFFSET).
MAX_PROBE_WINDOWS = 4
#: Band numbers of the anchor buckets (figures and names, see `anchors`) start here.
ANCHOR_BAND_OFFSET = 2000


#: Band numbers of the lead's anchor pairs (see `lead_pair_buckets`) start here: above every other.
LEAD_PAIR_BAND_OFFSET = 1 << 20
#: ...and take one of this many numbers, drawn from the pair (`copy_bands` holds one bucket per band
#: and copy, so a copy's pairs need numbers of their own, and two copies' same pair the same number).
_PAIR_SLOTS = 1 << 20


def lead_pair_buckets(lead: Sequence[str], periods: Sequence[int]) -> list[tuple[int, int]]:
    """Buckets of every pair of the lead's anchors (`anchors.Anchors.lead`) that holds a figure ("#"),
    each keyed by a time period as the anchor buckets are (see `anchor_bands`), the first period's first.

    The anchor buckets estimate the Jaccard of two whole texts' anchor sets; a translation of a long
    article and a short version of it (a lead and two paragraphs) share most of the short one's anchors
    but few of the long one's, and never meet there. Both keep the lead, though, and its names and
    figures: two copies meet here when they share a figure and another anchor of their leads' first,
    whatever the rest of the texts say. A figure with a name or another figure of one lead in one
    fortnight is specific to an event; two names are not (name keys are three consonants: a topic's
    stories share their places and people), and pairs of names only tripled the candidates of the
    synthetic load for no labelled translation the other buckets missed. The verdict still rests on
    the whole texts. A pair's band number is drawn from the pair alone, so two copies file it under the
    same number (a copy whose two pairs draw one number keeps the first: one pair less, rarely)."""
    pairs = []
    for i, x in enumerate(lead):
        for y in lead[i + 1 :]:
            if x[0] != "#" and y[0] != "#":
                continue
            pair = "\x00".join(sorted((x, y))).encode("utf-8")
            digest = hashlib.blake2b(pair, digest_size=8, person=b"newsmon-pair").digest()
            pairs.append(
                (LEAD_PAIR_BAND_OFFSET + zlib.crc32(pair) % _PAIR_SLOTS, int.from_bytes(digest, "big"))
            )
    return [(band, _with_period(h, period)) for period in periods for band, h in pairs]


_MASK64 = (1 << 64) - 1


def _with_period(h: int, period: int) -> int:
    """A 64-bit hash mixed with a period (splitmix64's finaliser), as a signed bucket number: one
    blake2b per pair instead of one per pair and period: a third of the time (75 against 221 us
    for a copy's 18 + 6 pairs in 3 periods)."""
    z = (h ^ (period * 0x9E3779B97F4A7C15)) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    z ^= z >> 31
    return z - (1 << 64) if z >> 63 else z


def anchor_bands(
    keys: frozenset[str], n_bands: int, rows: int, periods: Sequence[int]
) -> list[tuple[int, int]]:
    """LSH buckets of a text's anchor set, each bucket also keyed by a time period.

    Anchors are far less specific than 8-grams (a topic's stories share its places and years), so
    a bucket of all time would grow with the archive. Keyed by period, a bucket holds only the copies
    of one period: a copy is stored under its own period and looks up its own and the two
    neighbouring ones, so the cost of a look-up stays flat however large the archive grows.
    """
    blob = signature({zlib.crc32(k.encode("utf-8")) for k in keys}, n_bands * rows, seed=3)
    raw = bands(blob, n_bands, rows)
    numbers = [ANCHOR_BAND_OFFSET + band for band, _ in raw]
    chunks = [bucket.to_bytes(8, "big", signed=True) for _, bucket in raw]
    out: list[tuple[int, int]] = []
    for period in periods:
        out += zip(numbers, _digests(hashlib.blake2b(digest_size=8, key=b"%d" % period), chunks), strict=True)
    return out


def _distinct(values: npt.NDArray[np.uint32]) -> int:
    """How many distinct values: sorted, then counted where they change (a fifth of `np.unique`'s time
    on a text's k-grams, which builds the distinct values themselves)."""
    import numpy as np

    if not len(values):
        return 0
    ordered = np.sort(values)
    return 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))


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
    lead_flat: str | None = None,
    anchor_keys: frozenset[str] = frozenset(),
    period: int = 0,
    anchor_n_bands: int = 0,
    anchor_rows: int = 0,
    probe_flats: Sequence[str] = (),
    lead_anchors: Sequence[str] = (),
    lead_figures: Sequence[str] = (),
) -> Fingerprint:
    """The copy's fingerprints. `flat` and `lead_flat` may be passed when the caller has them already;
    they must be `despace(text)` and the despaced lead (the fold stage hashes the opening of the body,
    after headline lines: `compare.Features.lead_flat`; default: the first `lead_chars` of `flat`).
    `anchor_keys` (see `anchors.Anchors.keys`) of the copy's time `period` add the anchor buckets.
    `probe_flats` (despaced openings that start at later sentences) are stored and looked up with the
    lead buckets: a copy whose own lead is a standfirst or an aggregator's summary finds the article
    whose lead it repeats further down, and, the other way round, that article finds the copy when the
    copy was stored first. Looked up only, folding depended on which of the two arrived first (a run
    broken half-way folded differently from a clean one).
    `lead_anchors` and `lead_figures` (see `anchors.Anchors.lead`) of the same `period` add the
    buckets of their pairs (`lead_pair_buckets`): a translation or a shortened version finds the text
    whose lead it keeps.

    The text's k-grams are hashed and pre-mixed once; the lead and the openings are stretches of the
    text, so their k-grams are slices of the same array (hashed anew only when one is not)."""

    flat = despace(text or "") if flat is None else flat
    if not flat:
        return Fingerprint(None, None, 0, ())
    hashes = kgram_hashes(flat, k)
    mixed = _premix(hashes)

    def stretch(window: str) -> npt.NDArray[np.uint32]:
        if len(window) > k and (at := flat.find(window)) >= 0:
            return mixed[at : at + len(window) - k + 1]
        return _premix(kgram_hashes(window, k))

    def slots(values: npt.NDArray[np.uint32], num: int, seed: int) -> bytes:
        return _slot_minima(values, num, seed).astype("<u4").tobytes()

    blob = slots(mixed, num_perm, 1)
    all_bands = bands(blob, n_bands, rows)
    if lead_chars and lead_bands and lead_rows:
        lead = stretch(flat[:lead_chars] if lead_flat is None else lead_flat)
        lead_blob = slots(lead, lead_bands * lead_rows, 2)
        all_bands += [(LEAD_BAND_OFFSET + b, h) for b, h in bands(lead_blob, lead_bands, lead_rows)]
    probes = list(all_bands)
    if lead_chars and lead_bands and lead_rows:
        # Window w's buckets are stored under band numbers of their own (one bucket per band and copy);
        # a lead is looked up under every window's numbers, a window under the leads'.
        own_lead = [(b, h) for b, h in all_bands if b >= LEAD_BAND_OFFSET]
        for w, window in enumerate(probe_flats[:MAX_PROBE_WINDOWS], start=1):
            blob_w = slots(stretch(window), lead_bands * lead_rows, 2)
            window_bands = bands(blob_w, lead_bands, lead_rows)
            all_bands += [(LEAD_BAND_OFFSET + w * lead_bands + b, h) for b, h in window_bands]
            probes += [(LEAD_BAND_OFFSET + b, h) for b, h in window_bands]
            probes += [(b + w * lead_bands, h) for b, h in own_lead]
    if anchor_keys and anchor_n_bands and anchor_rows:
        near = anchor_bands(anchor_keys, anchor_n_bands, anchor_rows, (period, period - 1, period + 1))
        all_bands += near[:anchor_n_bands]  # stored under its own period only
        probes += near
    taken = {b for b, _ in all_bands}
    pair_probes: dict[tuple[int, int], None] = {}  # the figures' pairs are often the lead's already
    for keys in (lead_anchors, lead_figures):
        pairs = lead_pair_buckets(keys, (period, period - 1, period + 1))
        for band, bucket in pairs[: len(pairs) // 3]:  # stored under its own period only
            if band not in taken:
                taken.add(band)
                all_bands.append((band, bucket))
        pair_probes.update(dict.fromkeys(pairs))
    probes += pair_probes
    return Fingerprint(
        text_hash=hashlib.sha256(flat.encode("utf-8")).hexdigest(),
        minhash=blob,
        shingle_count=_distinct(hashes),
        bands=tuple(all_bands),
        probes=tuple(probes),
    )
