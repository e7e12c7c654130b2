"""A discovery provider as the stage sees it: how to ask it, and how to read what it says."""

from __future__ import annotations

from typing import Protocol

from newsmon.config.discovery import ProviderConfig, ProviderKind
from newsmon.discovery.gdelt import GdeltProvider
from newsmon.discovery.results import SearchOutcome
from newsmon.discovery.rss import RssSearchProvider
from newsmon.http.client import FetchResult


class Provider(Protocol):
    config: ProviderConfig

    @property
    def accept(self) -> str:
        """The Accept header of its requests."""

    def supports(self, lang: str) -> bool:
        """Whether a search can be narrowed to this topic language ("any": no narrowing)."""

    def request_url(self, query: str, lang: str) -> str:
        """The URL that runs ``query`` narrowed to ``lang``."""

    def read_answer(self, result: FetchResult) -> SearchOutcome:
        """The articles of an answer, or why there are none; never raises."""


def provider_for(config: ProviderConfig) -> Provider:
    if config.kind == ProviderKind.GDELT:
        return GdeltProvider(config)
    return RssSearchProvider(config)
