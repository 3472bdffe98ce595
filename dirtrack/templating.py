"""Jinja2 environments for digests and reports; a province may replace any template.

``DIRTRACK_TEMPLATES`` names a folder searched before the package's own templates,
so a file of the same name there (``review.html.j2``, ``digest.vi.txt.j2``) wins.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any, NoReturn

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)

from dirtrack.config import settings
from dirtrack.errors import ConfigError

STEP_LABELS = {
    "en": {"reminder": "Reminder: due soon", "overdue": "Overdue",
           "supervisor": "Overdue, reported to the supervising unit",
           "issuer": "Overdue, reported to the issuing body",
           "standing-committee": "Overdue, reported to the standing committee",
           "root-cause": "Your overdue task is blocking another unit's task"},
    "vi": {"reminder": "Nhắc việc: sắp đến hạn", "overdue": "Quá hạn",
           "supervisor": "Quá hạn, đã báo cáo đơn vị cấp trên",
           "issuer": "Quá hạn, đã báo cáo cơ quan ban hành",
           "standing-committee": "Quá hạn, đã báo cáo Ban Thường vụ",
           "root-cause": "Nhiệm vụ quá hạn của đơn vị đang làm chậm nhiệm vụ của đơn vị khác"},
}


def vndate(value: date | None) -> str:
    """Return a date the Vietnamese way, dd/mm/yyyy.

    >>> vndate(date(2024, 5, 7))
    '07/05/2024'
    """
    return value.strftime("%d/%m/%Y") if value else ""


def step_label(step: str, language: str) -> str:
    return STEP_LABELS.get(language, STEP_LABELS["en"]).get(step, step)


class _Templates(Environment):
    """Templates whose errors, once a province has replaced some, name the file and line."""

    custom: str = ""

    def handle_exception(self, source: Any = None) -> NoReturn:
        exc = sys.exc_info()[1]
        if self.custom and isinstance(exc, TemplateError):
            where = (f"{exc.filename or exc.name}:{exc.lineno}: "
                     if isinstance(exc, TemplateSyntaxError) else "")
            raise ConfigError(f"template error: {where}{exc.message}; check the templates "
                              f"in DIRTRACK_TEMPLATES ({self.custom})") from exc
        super().handle_exception(source)


def environment(autoescape: bool = False) -> Environment:
    loaders: list = []
    custom = settings().templates
    if custom is not None:
        if not custom.is_dir():
            raise ConfigError(f"DIRTRACK_TEMPLATES='{custom}' is not a folder; point it at the "
                              "folder of your templates, or unset it")
        loaders.append(FileSystemLoader(custom))
    loaders.append(PackageLoader("dirtrack", "templates"))
    env = _Templates(loader=ChoiceLoader(loaders), undefined=StrictUndefined,
                      autoescape=autoescape, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["vndate"] = vndate
    env.custom = str(custom or "")
    return env
