"""The Jinja2 sandbox for templates a province writes: catalog templates, digests, reviews.

A template reads the values it is given and nothing else: no attribute starting
with ``_`` (so no walking from ``''.__class__`` to every class of the process), no
method that changes a list or a mapping, and no ``*`` or ``**`` building more
than MAX_REPEAT items or digits.

>>> Sandbox().from_string("{{ title|upper }} {{ 'ab' * 2 }}").render(title="plan")
'PLAN abab'
>>> Sandbox().from_string("{{ ''.__class__.__mro__ }}").render()
Traceback (most recent call last):
...
jinja2.exceptions.SecurityError: access to attribute '__class__' of 'str' object is unsafe.
>>> Sandbox().from_string("{{ 'lol' * 10 ** 9 }}").render()  # doctest: +ELLIPSIS
Traceback (most recent call last):
jinja2.exceptions.SecurityError: '*' would build 3,000,000,000 items; a template builds at ...
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_REPEAT = 100_000  # items of a repeated text or list, digits of a power


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with ``*`` and ``**`` bounded."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (isinstance(seq, (str, list, tuple)) and isinstance(times, int)
                        and len(seq) * times > MAX_REPEAT):
                    raise SecurityError(f"'*' would build {len(seq) * times:,} items; a "
                                        f"template builds at most {MAX_REPEAT:,}")
        elif (isinstance(left, int) and isinstance(right, int) and right > 0
              and abs(left) > 1 and abs(left).bit_length() * right > 4 * MAX_REPEAT):
            raise SecurityError(f"'**' would build a number of more than {MAX_REPEAT:,} "
                                "digits; a template builds at most that")
        return super().call_binop(context, operator, left, right)


def template_line(exc: BaseException) -> tuple[str, int] | None:
    """Return the template file and line an error was raised at, or None when unknown.

    Jinja2 rewrites the traceback of an error raised while rendering so that it goes
    through the template's lines; the last of these is where the error was raised.
    """
    found = None
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        names = tb.tb_frame.f_globals
        if "__jinja_exception__" in names:
            found = (str(names.get("__file__", "")), tb.tb_lineno)
        tb = tb.tb_next
    return found
