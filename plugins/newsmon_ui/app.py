"""The News Monitor FastAPI app: server-rendered pages plus the JSON API they are built on.

Mounted by Airflow at /newsmon. Both the pages and the API go through the same query functions in
`newsmon.store.queries` (the only place that speaks SQL); this module only validates input, checks the
user and renders. Routes are sync `def`: SQLAlchemy sessions are blocking, FastAPI runs them in its
thread pool.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Path, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsmon.config.settings import load_settings, parse_duration
from newsmon.extract.outcome import FetchFailure
from newsmon.health import HealthReport, Status, Thresholds, check_health, limit_text
from newsmon.http.links import Link, link_for
from newsmon.outbound import atom, export, tokens
from newsmon.store import outbound, overview, queries
from newsmon.store.backfills import backfill_for
from newsmon.store.db import session_scope
from newsmon.topics.highlight import mark_terms
from newsmon.topics.model import Topic, TopicConfigError, load_topics
from newsmon.topics.preview import preview_topic
from newsmon.topics.version import short, topic_hash
from newsmon_ui import PREFIX, URL_ROUTE, charts
from newsmon_ui.highlight import highlight
from newsmon_ui.schemas import FeedbackIn, StoryQuery, TopicName
from newsmon_ui.security import (
    ERROR_CSS,
    CurrentUser,
    SecurityHeaders,
    require_same_origin,
    requires_authenticated,
)
from newsmon_ui.settings import db_url, ensure_schema

log = logging.getLogger(__name__)

DAG_ID = "news_monitor"
BACKFILL_DAG_ID = "news_backfill"
# The routes that answer without an Airflow login: the health status, one word, for probes; and each
# topic's Atom feed, which answers only to the topic's secret token (newsmon.outbound.tokens).
PUBLIC_PATHS = ("/api/health", "/feeds/{topic}.atom")
FEED_ENTRIES = 50
PREVIEW_SPANS = ("1d", "7d", "30d", "90d")
HERE = FilePath(__file__).parent
STATIC_FILES = {"newsmon.css": "text/css", "newsmon.js": "text/javascript"}
CHART_DAYS = 30
CHOICES_TTL = 60.0  # seconds; topics and languages change on the scale of days
_choices: dict[str, tuple[float, tuple[tuple[str, ...], tuple[str, ...]]]] = {}


def _now() -> datetime:
    return datetime.now(UTC)


def get_session(request: Request) -> Iterator[Session]:
    url = request.app.state.db_url()
    ensure_schema(url)
    with session_scope(url) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


# ------------------------------------------------------------------------------------ template helpers


def _fmt_time(value: datetime | None) -> str:
    return "—" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _link(url: str | None, fetch_reason: str | None = None) -> Link:
    """A stored URL as a link, or as text with the reason it is not one (`newsmon.http.links`)."""
    failure = FetchFailure.parse(fetch_reason)
    return link_for(url, failure.kind if failure else None, outcome_known=True)


def _build_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _fmt_time
    env.filters["link"] = _link
    env.filters["score"] = lambda v: f"{v:.2f}"
    env.filters["threshold"] = limit_text
    env.filters["mark_terms"] = mark_terms
    env.filters["short"] = short
    return Jinja2Templates(env=env)


def _root(request: Request) -> str:
    """The app's own path prefix as mounted (e.g. "/newsmon", or "/base/newsmon" behind a base_url)."""
    return request.scope.get("root_path", "").rstrip("/")


def _url(request: Request, route: str, query: dict | None = None, /, **params) -> str:
    path = _root(request) + request.app.url_path_for(route, **params)
    return f"{path}?{urlencode(query)}" if query else path


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(_root(request) + "/api")


def _airflow_base(request: Request) -> str:
    """Where the Airflow UI itself is: the app's mount point without its own prefix."""
    return _root(request)[: -len(PREFIX)] if _root(request).endswith(PREFIX) else ""


def _in_airflow(request: Request) -> str:
    """This same page inside the Airflow UI: Airflow embeds /plugin/<route>/<path> as an iframe of <path>.

    Used where the page was opened on its own (an alert email's link, a bookmark) so the analyst gets back
    to Airflow's navigation, and by the 401 page: Airflow's UI sends a visitor without a login to its login
    form and back to this address afterwards."""
    airflow_base = _airflow_base(request)
    if request.method != "GET":  # a refused form post: land on the list, not on a POST-only address
        return f"{airflow_base}/plugin/{URL_ROUTE}"
    target = f"{airflow_base}/plugin/{URL_ROUTE}{request.url.path}"
    return f"{target}?{request.url.query}" if request.url.query else target


def health_report(request: Request, session: Session) -> HealthReport:
    """The health checks as of the app's clock, thresholds from the environment (read per request, so an
    operator's change applies without a restart)."""
    return check_health(
        session,
        now=request.app.state.clock(),
        thresholds=request.app.state.thresholds(),
        max_fetch_attempts=load_settings().max_fetch_attempts,
    )


def _banner_health(request: Request) -> HealthReport | None:
    """The banner's report; the page still renders (without a banner) if the checks cannot be read."""
    try:
        with session_scope(request.app.state.db_url()) as session:
            return health_report(request, session)
    except Exception:
        log.exception("health checks failed; the page is shown without its banner")
        return None


def _cause_link(request: Request, check: str) -> str:
    """Where an operator sees the cause of a check's status."""
    if check == "failing_feeds":
        return _url(request, "feeds")
    if check == "last_run":
        return f"{_airflow_base(request)}/dags/{DAG_ID}"
    return f"{_url(request, 'health')}#{check}"


def _render(request: Request, name: str, user: str | None, status_code: int = 200, **context) -> Response:
    if user is not None and "health" not in context:  # never on error pages: a 401 shows nothing
        context["health"] = _banner_health(request)
    context.setdefault("health", None)
    context.update(
        url=lambda route, query=None, **p: _url(request, route, query, **p),
        cause_link=lambda check: _cause_link(request, check),
        user=user,
        in_airflow=_in_airflow(request),
    )
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status_code)


# --------------------------------------------------------------------------------------------- pages


def _filter_choices(request: Request, session: Session) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The filter drop-downs' options, cached briefly: two DISTINCT scans are a third of the list's cost
    on a large database, and a topic or language appearing a minute late in a drop-down harms no one."""
    url = request.app.state.db_url()
    cached = _choices.get(url)
    now = time.monotonic()
    if cached is None or cached[0] < now:
        cached = (now + CHOICES_TTL, queries.filter_choices(session))
        _choices[url] = cached
    return cached[1]


pages = APIRouter(include_in_schema=False)


@pages.get("/", name="stories")
def stories_page(
    request: Request, session: SessionDep, user: CurrentUser, query: Annotated[StoryQuery, Query()]
) -> Response:
    result = queries.list_flagged(session, query.to_filter(), user=user)
    topics, langs = _filter_choices(request, session)
    now = _now()
    chart = None
    if query.scope == "flagged":  # the chart is about flags; on "all stories" it would only take room
        chart = charts.daily_chart(queries.flagged_per_day(session, CHART_DAYS, now), now.date(), CHART_DAYS)
    # An empty list without filters is a first run (or a broken one): say why instead of an empty table.
    first_run = None
    if not result.total and query.scope == "flagged" and not query.filtered:
        first_run = overview.overview(session)
    export_query = query.params(page=None, per_page=None)
    return _render(
        request,
        "stories.html",
        user,
        page=result,
        query=query,
        topics=topics,
        langs=langs,
        chart=chart,
        first_run=first_run,
        export_query=export_query,
        monitor_dag=f"{_airflow_base(request)}/dags/{DAG_ID}",
    )


@pages.get("/stories/{story_id}", name="story")
def story_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_id: int,
    topic: Annotated[TopicName | None, Query()] = None,
) -> Response:
    resolved = queries.resolve_story_id(session, story_id)
    if resolved is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such story")
    if resolved != story_id:
        return RedirectResponse(_url(request, "story", story_id=resolved), status.HTTP_303_SEE_OTHER)
    detail = queries.story_detail(session, story_id, topic=topic)
    assert detail is not None
    chosen = next((f for f in detail.flags if f.topic == topic), detail.flags[0] if detail.flags else None)
    evidence = chosen.evidence if chosen else ()
    sentences = [e.sentence for e in evidence if e.weight >= 0]
    against = [e.sentence for e in evidence if e.weight < 0]
    terms = sorted({t for e in chosen.evidence for t in e.terms}, key=len, reverse=True) if chosen else []
    mine = {f.topic: f for f in detail.feedback if f.user == user}
    return _render(
        request,
        "story.html",
        user,
        story=detail,
        flag=chosen,
        paragraphs=highlight(detail.text, sentences, terms, against),
        timeline=charts.copies_timeline(detail.copies),
        mine=mine,
        saved=request.query_params.get("saved") == "1",
    )


@pages.post(
    "/stories/{story_id}/feedback", name="story_feedback", dependencies=[Depends(require_same_origin)]
)
def story_feedback_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    story_id: int,
    topic: Annotated[TopicName, Form()],
    verdict: Annotated[Literal["relevant", "not_relevant"], Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        queries.set_feedback(session, story_id, topic, user, verdict == "relevant", note, _now())
    except queries.UnknownFlag as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    session.commit()  # before the redirect: the next page load must see it
    log.info("feedback on story %s topic %s by %s: %s", story_id, topic, user, verdict)
    target = _url(request, "story", {"topic": topic, "saved": "1"}, story_id=story_id)
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


@pages.get("/feeds", name="feeds")
def feeds_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    now = _now()
    feeds = [(f, f.status(now)) for f in queries.feed_health(session)]
    providers = [(p, p.status(now)) for p in queries.discovery_health(session)]
    return _render(request, "feeds.html", user, feeds=feeds, providers=providers, now=now)


@pages.get("/export.{fmt}", name="export")
def export_list(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    fmt: Literal["csv", "json"],
    query: Annotated[StoryQuery, Query()],
) -> Response:
    """The list as filtered on the page, every page of it (up to export.MAX_ROWS rows)."""
    ui_url = _public_base(request)
    records = [export.record(r, ui_url) for r in export.rows(session, query.to_filter(), user=user)]
    stamp = _now().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        body, media = (
            "\ufeff" + export.to_csv(records),
            "text/csv; charset=utf-8",
        )  # the BOM: Excel reads UTF-8
    else:
        body, media = export.to_json(records, filters=query.params()), "application/json"
    disposition = f'attachment; filename="newsmon-stories-{stamp}.{fmt}"'
    log.info("export of %d row(s) as %s by %s", len(records), fmt, user)
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


def _topic_files() -> tuple[list[Topic], str | None]:
    """The topics of the config folder (as the monitor loads them), or the FILE:LINE error that stops it."""
    try:
        return load_topics(load_settings().topics_dir), None
    except TopicConfigError as exc:
        return [], str(exc)


@pages.get("/topics/preview", name="preview")
def preview_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    topic: Annotated[TopicName | None, Query()] = None,
    since: Annotated[Literal["1d", "7d", "30d", "90d"], Query()] = "30d",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """What a topic file in the config folder, as it is on disk now, would flag over the stored archive,
    compared with the flags stored now. Read-only: the preview runs in a read-only transaction."""
    topics, error = _topic_files()
    chosen = next((t for t in topics if t.name == topic), None)
    if topic and chosen is None and error is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no topic file named {topic!r}")
    result = backfill = None
    if chosen is not None:
        start = _now() - parse_duration(since)
        result = preview_topic(request.app.state.db_url(), chosen, since=start, limit=limit, live=chosen)
        backfill = backfill_for(session, chosen.name, topic_hash(chosen))
        log.info("topic preview of %s over %s by %s: %s s", chosen.name, since, user, result.seconds)
    return _render(
        request,
        "preview.html",
        user,
        topics=topics,
        error=error,
        chosen=chosen,
        since=since,
        spans=PREVIEW_SPANS,
        result=result,
        backfill=backfill,
        backfill_dag=f"{_airflow_base(request)}/dags/{BACKFILL_DAG_ID}",
    )


@pages.get("/health", name="health")
def health_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    report = health_report(request, session)
    return _render(request, "health.html", user, health=report, report=report, dag_id=DAG_ID)


@pages.get("/static/{name}", name="static")
def static_file(name: str) -> Response:
    if name not in STATIC_FILES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such file")
    return FileResponse(
        HERE / "static" / name,
        media_type=STATIC_FILES[name],
        headers={"Cache-Control": "private, max-age=300"},
    )


# ----------------------------------------------------------------------------------------------- API


api = APIRouter(prefix="/api", tags=["newsmon"])


class FeedStatus(BaseModel):
    feed: queries.FeedHealth
    status: str


@api.get("/stories", response_model=queries.StoryPage, summary="Flagged stories, filtered and paged")
def api_stories(session: SessionDep, user: CurrentUser, query: Annotated[StoryQuery, Query()]):
    return queries.list_flagged(session, query.to_filter(), user=user)


@api.get("/stories/{story_id}", response_model=queries.StoryDetail, summary="One story with its copies")
def api_story(session: SessionDep, story_id: int, topic: Annotated[TopicName | None, Query()] = None):
    resolved = queries.resolve_story_id(session, story_id)
    if resolved is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such story")
    return queries.story_detail(session, resolved, topic=topic)


@api.put(
    "/stories/{story_id}/feedback",
    response_model=queries.FeedbackView,
    summary="Record the current user's verdict on a flagged story",
)
def api_feedback(session: SessionDep, user: CurrentUser, story_id: int, body: FeedbackIn):
    try:
        saved = queries.set_feedback(session, story_id, body.topic, user, body.relevant, body.note, _now())
    except queries.UnknownFlag as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    session.commit()
    return saved


@api.get("/feeds", response_model=list[FeedStatus], summary="Polling health of every feed")
def api_feeds(session: SessionDep):
    now = _now()
    return [FeedStatus(feed=f, status=f.status(now)) for f in queries.feed_health(session)]


class ProviderStatus(BaseModel):
    provider: queries.ProviderHealth
    status: str


@api.get("/discovery", response_model=list[ProviderStatus], summary="State of every discovery provider")
def api_discovery(session: SessionDep):
    now = _now()
    return [ProviderStatus(provider=p, status=p.status(now)) for p in queries.discovery_health(session)]


@api.get("/stats/flagged-per-day", response_model=list[queries.DayCount], summary="Flags per day and topic")
def api_flagged_per_day(session: SessionDep, days: Annotated[int, Query(ge=1, le=366)] = CHART_DAYS):
    return queries.flagged_per_day(session, days, _now())


def _health_status_code(status_name: str) -> int:
    """503 on fail, so a probe that reads only the HTTP status (curl -f, a load balancer) sees it too."""
    return status.HTTP_503_SERVICE_UNAVAILABLE if status_name == Status.FAIL else status.HTTP_200_OK


@api.get(
    "/health/detail",
    summary="Every health check with its value, thresholds and cause (503 when one fails)",
    responses={503: {"description": "at least one check fails"}},
)
def api_health_detail(request: Request, session: SessionDep) -> JSONResponse:
    report = health_report(request, session)
    return JSONResponse(report.as_dict(), status_code=_health_status_code(report.status))


public = APIRouter(prefix="/api", tags=["newsmon"])


@public.get(
    "/health",
    summary="Liveness: the overall health status and nothing else; no login needed (503 on fail)",
    responses={503: {"description": "at least one check fails, or the database cannot be read"}},
)
def api_health(request: Request) -> JSONResponse:
    """Deliberately the only route without a login: it says ok / warn / fail and nothing else, so no feed,
    title, count or error message leaves through it (tests/ui/test_health.py asserts this)."""
    try:
        url = request.app.state.db_url()
        ensure_schema(url)  # as every page does: before the first run, "not working yet" is warn, not fail
        with session_scope(url) as session:
            state = str(health_report(request, session).status)
    except Exception:
        log.exception("health checks failed")
        state = str(Status.FAIL)
    return JSONResponse({"status": state}, status_code=_health_status_code(state))


feeds_public = APIRouter(tags=["newsmon"])


def _public_base(request: Request) -> str:
    """This app's address as the client reached it: the base of the links a feed or an export carries."""
    return f"{request.url.scheme}://{request.url.netloc}{_root(request)}"


@feeds_public.get(
    "/feeds/{topic}.atom",
    name="topic_feed",
    summary="A topic's flagged stories as Atom, for feed readers: no login, the topic's token instead",
    responses={403: {"description": "the token is missing, wrong or revoked"}},
)
def topic_feed(
    request: Request,
    topic: Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_\-]*$")],
    token: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The token travels as `?token=` (Airflow's access log masks a query parameter of that name); it is
    compared by hash in constant time and never logged, not even when it is wrong."""
    url = request.app.state.db_url()
    ensure_schema(url)
    with session_scope(url) as session:
        if not tokens.verify(session, topic, token):
            log.info("feed of topic %s refused: missing, wrong or revoked token", topic)
            return Response(
                "403: this feed needs its topic's current token (newsmon tokens create|rotate TOPIC)\n",
                status_code=status.HTTP_403_FORBIDDEN,
                media_type="text/plain; charset=utf-8",
            )
        rows = outbound.topic_flags(session, topic, limit=FEED_ENTRIES)
    titles = {t.name: t.title for t in _topic_files()[0]}
    base = _public_base(request)
    document = atom.build_feed(
        topic=topic,
        title=titles.get(topic, topic),
        rows=rows,
        ui_url=base,
        self_url=f"{base}/feeds/{topic}.atom",
        now=_now(),
    )
    return Response(document, media_type="application/atom+xml; charset=utf-8")


@api.get("/openapi.json", include_in_schema=False)
def api_schema(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


# ------------------------------------------------------------------------------------------- errors


def _html_error(request: Request, code: int, message: str) -> Response:
    # ERROR_CSS is our own file, not data: it goes in verbatim so its CSP hash matches.
    css = Markup(ERROR_CSS)  # noqa: S704
    return _render(request, "error.html", None, status_code=code, code=code, message=message, error_css=css)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    if exc.status_code == status.HTTP_401_UNAUTHORIZED:
        message = "You are not logged in to Airflow."
    else:
        message = str(exc.detail)
    return _html_error(request, exc.status_code, message)


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": jsonable_errors(exc)}, status_code=422)
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
    return _html_error(request, 422, f"Invalid request — {problems}")


def jsonable_errors(exc: RequestValidationError) -> list[dict]:
    return [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]


# ---------------------------------------------------------------------------------------------- app


def create_app(
    db_url_provider: Callable[[], str] | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    thresholds: Callable[[], Thresholds] | None = None,
) -> FastAPI:
    """The News Monitor app. Every route requires an Airflow login except the health status (PUBLIC_PATHS).

    Tests pass their own database, and a clock and thresholds for the health checks."""
    app = FastAPI(
        title="newsmon News Monitor",
        version="1",
        description="Flagged stories, their copies and evidence, analyst feedback, feed health and the "
        "pipeline's health checks.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by /api/openapi.json, behind the login like everything else
    )
    app.state.db_url = db_url_provider or db_url
    app.state.clock = clock or _now
    app.state.thresholds = thresholds or Thresholds.from_env
    app.state.templates = _build_templates()
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    login = [Depends(requires_authenticated())]
    app.include_router(pages, dependencies=login)
    app.include_router(api, dependencies=login)
    app.include_router(public)
    app.include_router(feeds_public)
    return app
