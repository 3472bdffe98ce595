"""Validating and loading directives as a Prefect flow: the deployment's entrypoint
(prefect.yaml). Its steps, and what it returns, are in ``flows/steps/sync.py``.
"""

from __future__ import annotations

import flows.runtime  # noqa: F401  (the worker loads this file by path: prepare Prefect)
from flows.steps import sync as steps

sync_directives = steps.sync_directives.prefect
