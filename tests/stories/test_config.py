"""FoldConfig from YAML: overrides apply, typos and wrong types are ignored (logged), never fatal."""

from __future__ import annotations

import logging

from newsmon.stories.config import FoldConfig, load_config


def test_yaml_overrides_and_ignores_unknown_or_malformed_keys(tmp_path, caplog) -> None:
    path = tmp_path / "stories.yaml"
    path.write_text(
        "copy_coverage: 0.6\nmax_gap_days: 10\ncopy_coverag: 0.1\nsentence_strong: lots\n", encoding="utf-8"
    )
    with caplog.at_level(logging.WARNING):
        cfg = load_config(path)
    assert cfg.copy_coverage == 0.6 and cfg.max_gap_days == 10.0
    assert cfg.sentence_strong == FoldConfig().sentence_strong
    assert "copy_coverag" in caplog.text and "sentence_strong" in caplog.text


def test_missing_or_empty_file_gives_the_defaults(tmp_path) -> None:
    assert load_config(tmp_path / "absent.yaml") == FoldConfig()
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    assert load_config(tmp_path / "empty.yaml") == FoldConfig()


def test_the_shipped_config_file_loads() -> None:
    assert isinstance(load_config(), FoldConfig)
