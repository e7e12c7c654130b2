"""Validated inputs of the page and the API.

The HTML filter form sends empty strings for "no filter"; they become None before validation, so
one model serves the form and the JSON API. Anything else malformed is a 422, never a query.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from newsmon.store.queries import MAX_PER_PAGE, StoryFilter


def _blank_to_none(value):
    if isinstance(value, str) and not value.strip():
        return None
    return value


Blankable = BeforeValidator(_blank_to_none)
TopicName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[\w][\w .:-]*$")]
LangCode = Annotated[str, Field(min_length=2, max_length=16, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]


class StoryQuery(BaseModel):
    """Filters, search, sort and page of the flagged-stories list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scope: Literal["flagged", "all"] = "flagged"
    topic: Annotated[TopicName | None, Blankable] = None
    date_from: Annotated[date | None, Blankable] = None
    date_to: Annotated[date | None, Blankable] = None
    lang: Annotated[LangCode | None, Blankable] = None
    feedback: Literal["any", "none", "relevant", "not_relevant"] = "any"
    min_score: Annotated[Annotated[float, Field(ge=0, le=1_000_000)] | None, Blankable] = None
    q: Annotated[Annotated[str, Field(max_length=200)] | None, Blankable] = None
    sort: Literal["first_seen", "score", "copies", "flagged", "title"] = "first_seen"
    order: Literal["asc", "desc"] = "desc"
    page: Annotated[int, Field(ge=1, le=100_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE)] = 50

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self

    @property
    def filtered(self) -> bool:
        """Whether any filter narrows the list (sorting and paging do not)."""
        return any(
            (
                self.topic,
                self.date_from,
                self.date_to,
                self.lang,
                self.min_score is not None,
                self.q,
                self.feedback != "any",
            )
        )

    def to_filter(self) -> StoryFilter:
        return StoryFilter(
            scope=self.scope,
            topic=self.topic,
            date_from=self.date_from,
            date_to=self.date_to,
            lang=self.lang,
            feedback=self.feedback,
            min_score=self.min_score,
            q=self.q.strip() if self.q else None,
            sort=self.sort,
            descending=self.order == "desc",
            page=self.page,
            per_page=self.per_page,
        )

    def params(self, **changes) -> dict[str, str]:
        """The query string of this view with some values changed (links for sort and pages);
        defaults are left out so URLs stay short."""
        merged = {**self.model_dump(), **changes}
        defaults = StoryQuery().model_dump()
        return {k: str(v) for k, v in merged.items() if v is not None and v != defaults[k]}


class FeedbackIn(BaseModel):
    """An analyst's verdict on a flagged story (JSON API)."""

    model_config = ConfigDict(extra="forbid")

    topic: TopicName
    relevant: bool
    note: Annotated[str | None, Field(max_length=2000)] = None
