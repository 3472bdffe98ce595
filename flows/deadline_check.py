"""The deadline check as a Prefect flow: the deployment's entrypoint (prefect.yaml).

Its steps, and what it returns, are in ``flows/steps/deadline_check.py``.
"""

from __future__ import annotations

import flows.runtime  # noqa: F401  (the worker loads this file by path: prepare Prefect)
from flows.steps import deadline_check as steps

deadline_check = steps.deadline_check.prefect
