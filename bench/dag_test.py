"""`airflow dags test DAG_ID`, with Airflow's in-process Execution API started before the DAG run.

    .venv/bin/python bench/dag_test.py news_monitor

`airflow dags test` runs every task in its own process through an in-process Execution API, which builds
its versioned routes (Cadwyn) on its first request: 10-30 s of CPU on a busy 2-core machine. That first
request is the first task's "task started" call, made after the task's start time is stamped, so the
whole start-up was booked to the DAG's first task (`prepare`) and to the DAG run. A deployment's API
server pays it once when it starts (scripts/prod.sh waits for it), never per run: here it is paid before
the run too, and its seconds are printed on stderr (bench/pipeline.py reports them beside the run).
"""

from __future__ import annotations

import sys
import time


def main(argv: list[str]) -> None:
    started = time.perf_counter()
    # Airflow's own in-process client, as dag.test() builds it for each task; the API object is cached, so
    # the run's tasks reuse the routes this request builds. (A private helper of the Task SDK: bench only.)
    from airflow.sdk.execution_time.supervisor import InProcessTestSupervisor

    InProcessTestSupervisor._api_client().get("health").raise_for_status()
    print(f"in-process Execution API started in {time.perf_counter() - started:.2f} s", file=sys.stderr)

    from airflow.__main__ import main as airflow_main

    sys.argv = ["airflow", "dags", "test", *argv]
    airflow_main()


if __name__ == "__main__":
    main(sys.argv[1:])
