"""The quarterly review as a Prefect flow: the deployment's entrypoint (prefect.yaml).

Its steps, and what it returns, are in ``flows/steps/quarterly_review.py``.
"""

from __future__ import annotations

import flows.runtime  # noqa: F401  (the worker loads this file by path: prepare Prefect)
from flows.steps import quarterly_review as steps

quarterly_review = steps.quarterly_review.prefect
