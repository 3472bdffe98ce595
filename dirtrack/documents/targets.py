"""The review's words and tables for targets against actuals (part I) and for what units
answered back, difficulties and extension requests waiting (part II).

>>> figure(3162.0, "integer", "vi"), figure(87.5, "percent", "vi"), figure(2.25, "decimal")
('3.162', '87,5%', '2,25')
>>> breakdown({"economic": 761, "cultural-social": 1284}, "integer", "vi")
'kinh tế 761; văn hóa – xã hội 1.284'
"""

from __future__ import annotations

from typing import Any

from dirtrack.documents.words import LABELS, number, percent, short_date
from dirtrack.review.targets import IndicatorLine

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "targets": "Kết quả thực hiện các chỉ tiêu",
        "indicator": "Chỉ tiêu", "target": "Kế hoạch", "actual": "Thực hiện",
        "rate": "Tỷ lệ so với kế hoạch", "units_meeting": "Đơn vị đạt chỉ tiêu",
        "units_meeting_cell": "{n}/{m} ({p})", "below": "dưới chỉ tiêu",
        "done_below": "{n} lượt hoàn thành dưới chỉ tiêu", "met": "đạt",
        "not_met": "dưới chỉ tiêu", "no_target": "–", "unit": "Đơn vị",
        "by_unit": "{name} theo đơn vị",
        "line": "{title}: {actual} {measure}", "reported": "{n}/{m} đơn vị đã báo cáo",
        "difficulties": "Khó khăn, vướng mắc các đơn vị nêu",
        "difficulty_line": "{unit} ({task}, ngày {d}): {text}",
        "requests": "Đề nghị gia hạn chưa được trả lời",
        "request_line": "{unit} đề nghị gia hạn “{task}” từ ngày {due} đến ngày {asked} "
                        "(đề nghị ngày {d}): {text}",
        "answered": "Đề nghị gia hạn đã được trả lời hoặc đơn vị đã rút",
        "asked_line": "{unit} đề nghị gia hạn “{task}” đến ngày {asked} (đề nghị ngày {d}): "
                      "{text}. ",
        "granted": "Ngày {on}, {by} đồng ý gia hạn đến ngày {new}{decision}.",
        "granted_as_asked": "Ngày {on}, {by} đồng ý{decision}.",
        "decision": " (theo {decision})",
        "refused": "Ngày {on}, {by} không đồng ý: {text}.",
        "withdrawn": "Ngày {on}, đơn vị rút đề nghị{text}.",
        "withdrawn_note": ": {text}",
        "secretariat": "Thường trực Ban Chỉ đạo",
        "none": "Không có.",
    },
    "en": {
        "targets": "Targets against actuals",
        "indicator": "Indicator", "target": "Target", "actual": "Actual",
        "rate": "Share of target", "units_meeting": "Units meeting target",
        "units_meeting_cell": "{n}/{m} ({p})", "below": "below target",
        "done_below": "{n} done below target", "met": "met", "not_met": "below target",
        "no_target": "–", "unit": "Unit", "by_unit": "{name} by unit",
        "line": "{title}: {actual} {measure}", "reported": "{n} of {m} units reported",
        "difficulties": "Difficulties reported by units",
        "difficulty_line": "{unit} ({task}, {d}): {text}",
        "requests": "Extension requests awaiting an answer",
        "request_line": "{unit} asks to move “{task}” from {due} to {asked} (asked {d}): {text}",
        "answered": "Extension requests answered or withdrawn",
        "asked_line": "{unit} asks to move “{task}” to {asked} (asked {d}): {text}. ",
        "granted": "On {on}, {by} granted it, to {new}{decision}.",
        "granted_as_asked": "On {on}, {by} granted it{decision}.",
        "decision": " (decision {decision})",
        "refused": "On {on}, {by} refused it: {text}.",
        "withdrawn": "On {on}, the unit withdrew it{text}.",
        "withdrawn_note": ": {text}",
        "secretariat": "the steering committee",
        "none": "None.",
    },
}


def figure(value: float | None, kind: str, language: str = "vi") -> str:
    """Return a value as the review writes it: whole numbers with thousands separators,
    decimals with the language's decimal mark, percentages with a sign."""
    if value is None:
        return "–"
    if kind == "integer":
        return number(int(round(value)), language)
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if language == "vi":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text + "%" if kind == "percent" else text


def part_name(part: str, language: str) -> str:
    label = LABELS.get(language, LABELS["en"]).get(part, part)
    return label[:1].lower() + label[1:] if language == "vi" else label


def breakdown(parts: dict[str, float], kind: str, language: str = "vi") -> str:
    """Return a breakdown as one phrase: part and value, separated by semicolons."""
    return "; ".join(f"{part_name(p, language)} {figure(v, kind, language)}"
                     for p, v in parts.items())


def headline(line: IndicatorLine, language: str) -> str:
    """Return "3.162 mô hình: kinh tế 761; …" for one indicator of one task."""
    W = WORDS[language]
    text = W["line"].format(title=line.title, actual=figure(line.actual, line.type, language),
                            measure=line.measure or line.name).rstrip()
    if line.parts:
        text += ": " + breakdown(line.parts, line.type, language)
    return text + "."


def _units_cell(line: IndicatorLine, language: str) -> str:
    if not line.units_with_target:
        return "–"
    return WORDS[language]["units_meeting_cell"].format(
        n=number(line.units_meeting, language), m=number(line.units_with_target, language),
        p=percent(line.units_meeting_share, language))


def add_targets(out: Any, part: Any, lines: list[IndicatorLine]) -> None:
    """Add the targets heading, its table, the breakdown lines and the units' tables."""
    from dirtrack.documents.outline import Row, Table

    lang = out.lang
    W = WORDS[lang]
    part.heading(W["targets"])
    if not lines:
        part.para(W["none"])
        return
    rows = []
    for i, line in enumerate(lines, 1):
        note = W["done_below"].format(n=number(line.done_below_target, lang)) \
            if line.done_below_target else ""
        rows.append(Row([str(i), line.title, line.name or line.measure or line.indicator,
                         figure(line.target, line.type, lang),
                         figure(line.actual, line.type, lang), percent(line.rate, lang),
                         _units_cell(line, lang), note]))
    part.table(Table([out.L["rank"], out.L["task"], W["indicator"],
                      W["target"], W["actual"], W["rate"], W["units_meeting"],
                      out.L["note"]], rows, (0, 3, 4, 5), (9, 45, 28, 18, 18, 18, 22, 27)))
    for line in lines:
        part.para(headline(line, lang))
        if len(line.units) > 1:
            unit_rows = [Row([str(i), u.name, figure(u.target, line.type, lang),
                              figure(u.actual, line.type, lang),
                              W["no_target"] if u.met is None
                              else W["met"] if u.met else W["not_met"]])
                         for i, u in enumerate(line.units, 1)]
            part.table(Table([out.L["rank"], W["unit"], W["target"],
                              W["actual"], out.L["assessment"]], unit_rows, (0, 2, 3),
                             (9, 70, 30, 30, 30),
                             W["by_unit"].format(name=line.name or line.indicator)))


def add_answers(out: Any, part: Any, section: Any) -> None:
    """Add the difficulties units recorded, the extension requests still waiting and those
    answered or withdrawn in the quarter."""
    from dirtrack.documents.outline import Block

    lang = out.lang
    W = WORDS[lang]
    part.heading(W["difficulties"])
    if section.difficulties:
        for d in section.difficulties:
            part.blocks.append(Block("item", W["difficulty_line"].format(
                unit=d.unit_name, task=d.title, d=short_date(d.on), text=d.text)))
    else:
        part.para(W["none"])
    part.heading(W["requests"])
    if section.requests:
        for r in section.requests:
            part.blocks.append(Block("item", W["request_line"].format(
                unit=r.unit_name, task=r.title, due=short_date(r.due_on) if r.due_on else "–",
                asked=short_date(r.asked_due), d=short_date(r.on), text=r.text)))
    else:
        part.para(W["none"])
    if section.answered:
        part.heading(W["answered"])
        for a in section.answered:
            part.blocks.append(Block("item", answer_line(a, lang)))


def _sentence(text: str) -> str:
    return text.strip().rstrip(".")


def answer_line(a: Any, lang: str = "vi") -> str:
    """One answered request as the review writes it: what the unit asked, then who answered
    and how (or that the unit withdrew it)."""
    W = WORDS[lang]
    r = a.request
    line = W["asked_line"].format(unit=r.unit_name, task=r.title,
                                  asked=short_date(r.asked_due) if r.asked_due else "–",
                                  d=short_date(r.on), text=_sentence(r.text))
    by = a.by_name or W["secretariat"]
    if a.outcome == "granted":
        decision = W["decision"].format(decision=a.decision) if a.decision else ""
        said = "granted_as_asked" if a.new_due == r.asked_due else "granted"
        return line + W[said].format(on=short_date(a.on), by=by, decision=decision,
                                          new=short_date(a.new_due) if a.new_due else "–")
    if a.outcome == "refused":
        return line + W["refused"].format(on=short_date(a.on), by=by, text=_sentence(a.text))
    note = W["withdrawn_note"].format(text=_sentence(a.text)) if a.text.strip() else ""
    return line + W["withdrawn"].format(on=short_date(a.on), text=note)
