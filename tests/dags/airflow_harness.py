"""Running newsmon's DAGs in real Airflow from pytest: a migrated metadata DB and serialized DAGs."""

from __future__ import annotations

from functools import lru_cache

from tests.conftest import REPO


@lru_cache(maxsize=1)
def airflow_ready() -> dict:
    """Build Airflow's metadata DB once per test session and register the DAG files; returns the DAGs."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db
    from airflow.utils import db

    db.resetdb()
    DagBundlesManager().sync_bundles_to_db()
    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}, bag.import_errors
    sync_bag_to_db(bag, "dags-folder", None)
    return bag.dags


def run_dag(dag_id: str, **kwargs):
    """One complete run of a DAG in this process (`dag.test(**kwargs)`: `run_conf`...); returns the DagRun."""
    dag = airflow_ready()[dag_id]
    return dag.test(**kwargs)
