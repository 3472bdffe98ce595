"""Read, check and expand a directives path: the validated plan ``load`` writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dirtrack.errors import Problem, ValidationFailed
from dirtrack.graph import Expansion, expand
from dirtrack.registry import Registry
from dirtrack.spec.loader import Workspace, read_workspace
from dirtrack.spec.model import DirectiveSpec, Jurisdiction


@dataclass
class Plan:
    """Validated jurisdictions; directives are expanded on first use."""

    workspace: Workspace
    warnings: list[Problem]
    registries: dict[str, Registry]
    _expansions: dict[str, Expansion] = field(default_factory=dict)

    @property
    def jurisdictions(self) -> list[Jurisdiction]:
        return self.workspace.jurisdictions

    def directives(self) -> list[tuple[Jurisdiction, DirectiveSpec]]:
        return [(j, d) for j in self.jurisdictions for d in j.directives]

    def expansion(self, jurisdiction: Jurisdiction, directive: DirectiveSpec) -> Expansion:
        """Return the directive's instances, expanding it once; warnings join the plan's."""
        cached = self._expansions.get(directive.id)
        if cached is None:
            cached = expand(directive, self.registries[jurisdiction.id], jurisdiction.calendar)
            self._expansions[directive.id] = cached
            self.warnings.extend(cached.warnings)
        return cached


def read_plan(path: Path, *, catalog: Path | None = None, expand_all: bool = True) -> Plan:
    """Return the plan for ``path``; raise ValidationFailed listing every error found."""
    workspace, report = read_workspace(path, catalog)
    if report.errors:
        raise ValidationFailed(sorted(report.errors) + sorted(report.warnings))
    registries = {j.id: Registry(j.units, j.reorganisations, j.moves)
                  for j in workspace.jurisdictions}
    plan = Plan(workspace, sorted(report.warnings), registries)
    if expand_all:
        problems: list[Problem] = []
        for jur, directive in plan.directives():
            try:
                plan.expansion(jur, directive)
            except ValidationFailed as exc:  # every directive's errors, not the first's
                problems.extend(exc.problems)
        if problems:
            errors = [p for p in problems if p.severity == "error"]
            warnings = set(plan.warnings) | {p for p in problems if p.severity != "error"}
            raise ValidationFailed(sorted(errors) + sorted(warnings))
    return plan
