"""What every command needs: the settings, with --db applied."""

from __future__ import annotations

import argparse

from newsmon.config.settings import Settings, load_settings


def settings_from_args(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    if getattr(args, "db", None):
        settings = settings.with_(db_url=args.db)
    return settings
