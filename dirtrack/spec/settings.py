"""``escalation.yaml``: a jurisdiction's alert language, escalation ladder and channels.

Secrets never live here: a channel names the environment variable (``url_env``,
``smtp_env``) or the Prefect Secret block (``url_block``, ``smtp_block``) that
holds its address and credentials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dirtrack.registry import KINDS, LEVELS, Registry
from dirtrack.spec.fields import (
    Report,
    as_choice,
    as_list,
    as_map,
    as_slug,
    check_keys,
    check_text,
    suggestion,
)
from dirtrack.spec.files import relative_inside
from dirtrack.spec.yamlpos import YList, YMap

LANGUAGES = ("vi", "en")
CHANNELS = ("log", "file", "webhook", "email")
# "locality": every body of the lead's locality on the day (a commune's Party committee,
# People's Committee and Front committee); the lead alone when it has no locality.
RECIPIENTS = ("lead", "parent", "issuer", "locality")
CHANNEL_KEYS = {
    "log": (),
    "file": ("folder",),
    "webhook": ("url_env", "url_block"),
    "email": ("smtp_env", "smtp_block", "sender"),
}


@dataclass(frozen=True)
class LadderStep:
    """Fires ``days`` after the deadline (negative: before it) to ``to``.

    ``to`` is ``lead``, ``parent`` (the lead's supervising unit), ``issuer``, ``locality``
    (every body of the lead's locality) or a unit id.
    """

    step: str
    days: int
    to: str


@dataclass(frozen=True)
class Route:
    """Which units a channel reaches: listed units, the bodies of listed localities, or
    units of given levels or kinds."""

    channel: str
    units: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    localities: tuple[str, ...] = ()

    def reaches(self, unit_id: str, level: str, kind: str, locality: str = "") -> bool:
        if not (self.units or self.levels or self.kinds or self.localities):
            return True
        return (unit_id in self.units or level in self.levels or kind in self.kinds
                or bool(locality) and locality in self.localities)


DEFAULT_LADDER = (
    LadderStep("reminder", -3, "lead"),
    LadderStep("overdue", 1, "lead"),
    LadderStep("supervisor", 7, "parent"),
    LadderStep("issuer", 15, "issuer"),
)


EXTENSION_REQUESTS = ("escalate", "hold")
SINGULAR = {"units": "unit", "levels": "level", "kinds": "kind", "localities": "locality"}


@dataclass
class AlertSettings:
    language: str = "vi"
    ladder: tuple[LadderStep, ...] = DEFAULT_LADDER
    channels: dict[str, dict[str, str]] = field(default_factory=lambda: {"log": {}})
    routes: tuple[Route, ...] = ()
    # While a unit's extension request waits for an answer: "escalate" (the ladder goes
    # on, the default: an unanswered request never silences an overdue task) or "hold"
    # (no further step fires until the request is granted or refused).
    extension_requests: str = "escalate"

    def channels_for(self, unit_id: str, level: str, kind: str,
                     locality: str = "") -> list[str]:
        """Return the channels that reach a unit; the log channel reaches everyone."""
        found = ["log"]
        for route in self.routes:
            if route.channel not in found and route.reaches(unit_id, level, kind, locality):
                found.append(route.channel)
        return found


def read_ladder(raw: Any, path: str, line: int, registry: Registry,
                report: Report) -> tuple[LadderStep, ...] | None:
    """Return the ladder written under ``ladder:``; report every mistake."""
    items = as_list(raw, path, line, "ladder", report)
    if items is None:
        return None
    steps: list[LadderStep] = []
    names: set[str] = set()
    for i, entry in enumerate(items):
        item = as_map(entry, path, items.line_of(i), "ladder", report)
        if item is None or not check_keys(item, ["step", "before", "after", "to"],
                                          ["step", "to"], path, report):
            continue
        name = as_slug(item["step"], path, item.line_of("step"), "step", report)
        if ("before" in item) == ("after" in item):
            report.error(path, item.line, "after",
                         "give each step either 'before: N' (days before the deadline) or "
                         "'after: N' (days overdue)")
            continue
        key = "before" if "before" in item else "after"
        value = item[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            report.error(path, item.line_of(key), key,
                         f"'{value}' is not a number of days; write a whole number >= 0")
            continue
        to = str(item["to"])
        if to not in RECIPIENTS and to not in registry:
            report.error(path, item.line_of("to"), "to",
                         f"'{to}' is neither lead, parent, issuer, locality nor a known unit"
                         + suggestion(to, [*RECIPIENTS, *registry.units]))
            continue
        if name is None:
            continue
        if name in names:
            report.error(path, item.line_of("step"), "step",
                         f"duplicate step '{name}'; give each step its own name")
            continue
        names.add(name)
        steps.append(LadderStep(name, -value if key == "before" else value, to))
    return tuple(sorted(steps, key=lambda s: (s.days, s.step)))


def read_settings(doc: Any, path: str, registry: Registry, report: Report) -> AlertSettings:
    """Return the alert settings of ``escalation.yaml``; defaults where a key is absent."""
    settings = AlertSettings()
    doc = as_map(doc, path, 1, "escalation", report) if doc is not None else None
    if doc is None:
        return settings
    check_keys(doc, ["language", "ladder", "channels", "routes", "extension_requests"], [],
               path, report)
    if "extension_requests" in doc:
        rule = as_choice(doc["extension_requests"], EXTENSION_REQUESTS, path,
                         doc.line_of("extension_requests"), "extension_requests", report)
        settings.extension_requests = rule or settings.extension_requests
    if "language" in doc:
        language = as_choice(doc["language"], LANGUAGES, path, doc.line_of("language"),
                             "language", report)
        settings.language = language or settings.language
    if "ladder" in doc:
        ladder = read_ladder(doc["ladder"], path, doc.line_of("ladder"), registry, report)
        if ladder is not None:
            settings.ladder = ladder
    channels = as_map(doc.get("channels", YMap()), path, doc.line_of("channels"), "channels",
                      report) if "channels" in doc else None
    for name, options in (channels or {}).items():
        assert channels is not None
        if as_choice(name, CHANNELS, path, channels.line_of(name), "channels", report) is None:
            continue
        options = options if options is not None else YMap()
        if isinstance(options, YMap):
            check_keys(options, CHANNEL_KEYS[name], [], path, report, where=f" of channel {name}")
            check_text(options, CHANNEL_KEYS[name], path, report, where=f" of channel {name}")
            folder = options.get("folder")
            if name == "file" and folder is not None and not relative_inside(str(folder)):
                report.error(path, options.line_of("folder"), "folder",
                             f"'{folder}' leads out of the alerts folder (DIRTRACK_ALERTS_DIR); "
                             "write a folder inside it, such as ninh-binh, without '..'")
            settings.channels[name] = {k: str(v) for k, v in options.items()}
        else:
            report.error(path, channels.line_of(name), name, "must be a mapping of options")
    routes: list[Route] = []
    raw_routes = as_list(doc.get("routes"), path, doc.line_of("routes"), "routes", report)
    for i, entry in enumerate(raw_routes or YList()):
        assert raw_routes is not None
        item = as_map(entry, path, raw_routes.line_of(i), "routes", report)
        if item is None or not check_keys(item, ["channel", "units", "levels", "kinds",
                                                 "localities"], ["channel"], path, report):
            continue
        channel = as_choice(item["channel"], CHANNELS, path, item.line_of("channel"),
                            "channel", report)
        if channel is not None and channel not in settings.channels:
            report.error(path, item.line_of("channel"), "channel",
                         f"channel '{channel}' is routed but not configured; add it under "
                         "'channels:'")
        lists: dict[str, list[str]] = {}
        localities = sorted({u.locality for u in registry.units.values() if u.locality})
        for key, allowed in (("units", None), ("levels", LEVELS), ("kinds", KINDS),
                             ("localities", localities)):
            values = [str(v) for v in as_list(item.get(key), path, item.line_of(key), key,
                                              report) or []]
            for v in values:
                known = registry.units if allowed is None else allowed
                if v not in known:
                    hint = ("; name a locality given to units in units.yaml ('locality:')"
                            if key == "localities" else "")
                    report.error(path, item.line_of(key), key,
                                 f"unknown {SINGULAR[key]} '{v}'{hint}" + suggestion(v, known))
            lists[key] = values
        if channel is not None:
            routes.append(Route(channel, tuple(lists["units"]), tuple(lists["levels"]),
                                tuple(lists["kinds"]), tuple(lists["localities"])))
    settings.routes = tuple(routes)
    return settings
