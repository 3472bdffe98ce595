"""The quarterly review: what a quarter covers, its figures per assignment and per plan
task, its lists, and the head of the document it becomes (see docs/review.md)."""

from dirtrack.review.build import (
    build_review,
    previous_quarter_end,
    quarter_of,
    shift_quarter,
)
from dirtrack.review.lists import LIST_LIMIT
from dirtrack.review.model import (
    AwaitingGroup,
    Change,
    OverdueLine,
    PlanTask,
    Review,
    Section,
    TaskGroup,
    Totals,
    UnitLine,
    league_order,
    plan_status,
)

__all__ = ["LIST_LIMIT", "AwaitingGroup", "Change", "OverdueLine", "PlanTask", "Review",
           "Section", "TaskGroup", "Totals", "UnitLine", "build_review", "league_order",
           "plan_status", "previous_quarter_end", "quarter_of", "shift_quarter"]
