"""Jinja2 environments for digests and reports; a province may replace any template.

``DIRTRACK_TEMPLATES`` names a folder searched before the package's own templates,
so a file of the same name there (``review.html.j2``, ``digest.vi.txt.j2``) wins.
Templates render in the sandbox (``dirtrack.spec.sandbox``): a replaced template
reads the review or the digest it is given, nothing else of the server.
"""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.debug import rewrite_traceback_stack
from jinja2.loaders import split_template_path

from dirtrack.config import settings
from dirtrack.errors import ConfigError
from dirtrack.spec.files import inside
from dirtrack.spec.sandbox import Sandbox, template_line

STEP_LABELS = {
    "en": {"reminder": "Reminder: due soon", "overdue": "Overdue",
           "supervisor": "Overdue, reported to the supervising unit",
           "issuer": "Overdue, reported to the issuing body",
           "standing-committee": "Overdue, reported to the standing committee",
           "locality": "Overdue, every body of the locality informed",
           "commune": "Overdue, every body of the locality informed",
           "root-cause": "Your overdue task is blocking another unit's task"},
    "vi": {"reminder": "Nhắc việc: sắp đến hạn", "overdue": "Quá hạn",
           "supervisor": "Quá hạn, đã báo cáo đơn vị cấp trên",
           "issuer": "Quá hạn, đã báo cáo cơ quan ban hành",
           "standing-committee": "Quá hạn, đã báo cáo Ban Thường vụ",
           "locality": "Quá hạn, đã thông báo các cơ quan trên địa bàn",
           "commune": "Quá hạn, đã thông báo các cơ quan trên địa bàn",
           "root-cause": "Nhiệm vụ quá hạn của đơn vị đang làm chậm nhiệm vụ của đơn vị khác"},
}


def vndate(value: date | None) -> str:
    """Return a date the Vietnamese way, dd/mm/yyyy.

    >>> vndate(date(2024, 5, 7)), vndate(date(1, 1, 1))
    ('07/05/2024', '01/01/0001')
    """
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}" if value else ""


def step_label(step: str, language: str) -> str:
    return STEP_LABELS.get(language, STEP_LABELS["en"]).get(step, step)


def _replaced(custom: str, message: str) -> ConfigError:
    return ConfigError(f"template error: {message}; check the templates in DIRTRACK_TEMPLATES "
                       f"({custom})")


class _ProvinceLoader(FileSystemLoader):
    """The folder of DIRTRACK_TEMPLATES: a template, or a link, leading out of it is refused.

    Jinja2 already refuses names with '..'; a link inside the folder could still
    point at any file of the server.
    """

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.folder = folder

    def get_source(self, environment: Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        path = Path(posixpath.join(self.folder, *split_template_path(template)))
        if path.is_file() and not inside(path, self.folder):
            raise _replaced(str(self.folder), f"{path} is a link to a file outside the folder; "
                                              "copy the file itself into it")
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError:
            raise _replaced(str(self.folder), f"{path}: this is not UTF-8 text; save the file "
                                              "as UTF-8") from None


class _Templates(Sandbox):
    """Templates whose errors, once a province has replaced some, name the file and line."""

    custom: str = ""

    def handle_exception(self, source: Any = None) -> NoReturn:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConfigError):  # an included template refused by the loader
            raise exc
        if self.custom and isinstance(exc, TemplateSyntaxError):
            raise _replaced(self.custom, f"{exc.filename or exc.name}:{exc.lineno}: "
                                         f"{exc.message}") from exc
        if self.custom and isinstance(exc, Exception):  # raised while rendering
            found = template_line(rewrite_traceback_stack(source))
            where = f"{found[0]}:{found[1]}: " if found else ""
            if isinstance(exc, TemplateNotFound):
                what = (f"no template '{exc.name}' (a template includes files of its folder "
                        "only)")
            elif isinstance(exc, TemplateError):
                what = str(exc)
            else:
                what = f"{type(exc).__name__}: {exc}"
            raise _replaced(self.custom, where + what) from exc
        super().handle_exception(source)


def environment(autoescape: bool = False) -> Environment:
    """Return the templates' environment: the replacement folder's (DIRTRACK_TEMPLATES)
    before the package's own.

    One per folder and escaping in a process: each template is compiled once however
    many reviews and digests are written, and again when its file changes.
    """
    custom = settings().templates
    if custom is not None and not custom.is_dir():
        raise ConfigError(f"DIRTRACK_TEMPLATES='{custom}' is not a folder; point it at the "
                          "folder of your templates, or unset it")
    return _environment(autoescape, custom)


@lru_cache(maxsize=8)
def _environment(autoescape: bool, custom: Path | None) -> Environment:
    loaders: list[BaseLoader] = []
    if custom is not None:
        loaders.append(_ProvinceLoader(custom))
    loaders.append(PackageLoader("dirtrack", "templates"))
    env = _Templates(loader=ChoiceLoader(loaders), undefined=StrictUndefined,
                      autoescape=autoescape, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["vndate"] = vndate
    env.custom = str(custom or "")
    return env
