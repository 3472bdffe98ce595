"""Prefect flows: orchestration only. The work is set-based SQL and one graph pass in
the ``dirtrack`` library; a flow's tasks are coarse steps, never one per tracked task."""

from flows.runtime import prepare

prepare()  # before any flow module imports Prefect
