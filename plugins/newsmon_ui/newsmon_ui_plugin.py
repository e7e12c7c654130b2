"""Airflow entry point: mounts the News Monitor app and puts a link to it under Browse."""

from __future__ import annotations

from typing import ClassVar

from airflow.plugins_manager import AirflowPlugin

from newsmon_ui.app import PREFIX, URL_ROUTE, create_app


class NewsMonitorPlugin(AirflowPlugin):
    name = "newsmon_ui"
    fastapi_apps: ClassVar[list[dict]] = [{"app": create_app(), "url_prefix": PREFIX, "name": "News Monitor"}]
    external_views: ClassVar[list[dict]] = [
        {
            "name": "News Monitor",
            "href": f"{PREFIX}/",
            "url_route": URL_ROUTE,
            "destination": "nav",
            "category": "browse",
        }
    ]
