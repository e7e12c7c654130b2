"""Thresholds of the fold stage, each with the reason it has its value; overridable from a YAML file.

The defaults were set from the kinds of copies and near misses listed in the project's issue 6 (see
bench/data/stories/ for one labelled example of each) and from what the measures mean, not by
searching for the best score on that set: a threshold that only fits one set would not survive real feeds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields, replace
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FoldConfig:
    # --- fingerprints (changing these changes stored fingerprints: re-index after a change) ---
    # 8 characters of despaced text is about a word and a half: long enough that unrelated articles in
    # one language share almost no n-grams, short enough that a swapped synonym or a typo costs only the
    # handful of n-grams that touch it (word trigrams would lose three whole windows per change).
    shingle_chars: int = 8
    # 42 bands of 3 rows (126 slots): a pair is found with probability 1-(1-J^3)^42, i.e. 50% at
    # J≈0.28 and 99% at J≈0.5, so heavily reworded copies still become candidates, while unrelated
    # articles (J≈0.01) hit a shared bucket about once in 25,000 pairs.
    num_perm: int = 126
    bands: int = 42
    rows: int = 3
    # The lead gets its own buckets, so a summary or lead-only copy finds the full
    # article even though its Jaccard to the whole text is tiny (containment, not equality).
    # 300 characters: the first two sentences or so, what a feed summary or teaser usually repeats;
    # 12 bands of 3 rows find a lead sharing 60% of its n-grams with probability 0.9.
    lead_chars: int = 300
    lead_bands: int = 12
    lead_rows: int = 3
    # Candidates verified per copy: the most-shared buckets first. A story's copies are near-identical,
    # so a few dozen suffice even for a wire story on hundreds of sites; the cap bounds the work per copy.
    max_candidates: int = 40
    # Candidates whose stored signatures agree on fewer slots than this are dropped before their text is
    # loaded: far below every acceptance threshold below, with room for the estimate's noise (±0.05).
    min_estimated_jaccard: float = 0.08

    # --- the same-story decision ---
    # Syndication, republication and mirrors happen within days or weeks; a story that comes back a
    # year later with the same wording (anniversaries, yearly reports) is a new story.
    max_gap_days: float = 45.0
    # "New names": the share of a copy's names and figures that appear nowhere in the other copy's text.
    # The check takes the side with fewer new names, because a true copy is the other text plus at most
    # some extras (a caption, a byline, "ISIS" -> "Daesh"), so at least one side adds almost nothing;
    # two different stories that share paragraphs or a template each bring names of their own.
    # Near-identical: more than half of all 8-grams shared. Other boilerplate, headline, captions or a
    # few edits leave a copy far above this; two outlets' own words stay far below (measured ≈0.03-0.1).
    near_jaccard: float = 0.5
    # ...and one side names at most a quarter of its names anew (mirrors with typos in names need room).
    near_new_names: float = 0.25
    # Contained: a lead-only or truncated copy whose n-grams are almost all inside the longer copy...
    contained: float = 0.8
    # ...provided the shorter copy is long enough to be specific (about two sentences)...
    min_contained_shingles: int = 120
    # ...starts like the longer one (a truncated copy keeps the lead; a story reusing background
    # paragraphs has a lead of its own)...
    lead_overlap: float = 0.5
    # ...and brings few names the longer copy lacks.
    contained_new_names: float = 0.2
    # Reworded (machine-spun, synonyms swapped): a fifth of the 8-grams survive, one side names nothing
    # new, and the names and figures come in the same order (spinners keep sentence order). Two wires
    # on one event share names but neither a fifth of their 8-grams nor the order they name things in.
    reworded_jaccard: float = 0.2
    reworded_new_names: float = 0.1
    reworded_name_order: float = 0.7
    # With fewer names than this the order test means nothing; such a copy must then share more text
    # (two fifths of its 8-grams: still well below what an unspun copy keeps, far above own words).
    reworded_min_names: int = 6
    reworded_few_names_jaccard: float = 0.4
    # A copy declaring another as its source (attribution URL) joins it on this much textual overlap:
    # the declaration is strong evidence, but an article citing a source is not a copy of it.
    attributed_jaccard: float = 0.15
    # Fewer names than this on a side make its "new names" share meaningless; that side then counts 0.
    min_entities: int = 3
    # Different declared languages never fold (cross-lingual folding is off: see the module fold.py).
    same_lang_only: bool = True
    # Pending copies read per query: bounds memory, not the work of one run.
    batch_size: int = 200

    def with_(self, **changes) -> FoldConfig:
        return replace(self, **changes)


def load_config(path: str | Path | None = None) -> FoldConfig:
    """The defaults, overridden by the keys of a YAML mapping (config/stories.yaml when it exists).

    Unknown keys are logged and ignored, so a typo never stops the pipeline but is visible.
    """
    if path is None:
        from newsmon.config.settings import default_config_dir

        path = default_config_dir() / "stories.yaml"
    path = Path(path)
    if not path.is_file():
        return FoldConfig()
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        log.warning("%s: expected a mapping of thresholds, ignoring it", path)
        return FoldConfig()
    known = {f.name: f for f in fields(FoldConfig)}
    changes = {}
    for key, value in data.items():
        if key not in known:
            log.warning("%s: unknown key %r ignored", path, key)
            continue
        default = getattr(FoldConfig, key)
        try:
            changes[key] = type(default)(value)
        except (TypeError, ValueError):
            log.warning("%s: %r=%r is not a %s, ignored", path, key, value, type(default).__name__)
    return FoldConfig(**changes)
