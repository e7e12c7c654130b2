"""Airflow entry point: mounts the News Monitor app and puts a link to it under Browse.

Every Airflow process that loads plugins imports this file, and that includes every task process (the
Task SDK loads the plugins for their macros): building the app here cost each task about 1.4 s of imports
(FastAPI, Airflow's API security, the UI's queries) for a page it never serves. So the app is mounted as
a small ASGI callable that builds it on its first request, in the API server only.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from airflow.plugins_manager import AirflowPlugin

from newsmon_ui import PREFIX, URL_ROUTE


class NewsMonitorApp:
    """The News Monitor ASGI app, built (``newsmon_ui.app.create_app``) when the first request reaches it."""

    def __init__(self) -> None:
        self._app: Any = None
        self._lock = threading.Lock()

    def _built(self) -> Any:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    from newsmon_ui.app import create_app

                    self._app = create_app()
        return self._app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await self._built()(scope, receive, send)


class NewsMonitorPlugin(AirflowPlugin):
    name = "newsmon_ui"
    fastapi_apps: ClassVar[list[dict]] = [
        {"app": NewsMonitorApp(), "url_prefix": PREFIX, "name": "News Monitor"}
    ]
    external_views: ClassVar[list[dict]] = [
        {
            "name": "News Monitor",
            "href": f"{PREFIX}/",
            "url_route": URL_ROUTE,
            "destination": "nav",
            "category": "browse",
        }
    ]
