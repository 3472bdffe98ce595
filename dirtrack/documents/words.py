"""The words of a review in each language, and how numbers, rates, dates and quarters
are written in it (Vietnamese: 1.284; 85,3%; 01/07/2024; quý II năm 2024)."""

from __future__ import annotations

from datetime import date

ROMAN = ("I", "II", "III", "IV")

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "done_on_time": "Hoàn thành đúng hạn", "done_late": "Hoàn thành quá hạn",
        "open_on_time": "Đang thực hiện, trong hạn", "open_overdue": "Chưa hoàn thành, quá hạn",
        "cancelled": "Đã hủy", "awaiting": "báo cáo hoàn thành, chờ xác nhận",
        "economic": "Kinh tế", "cultural-social": "Văn hóa – xã hội",
        "defense-security": "Quốc phòng – an ninh",
        "political-system": "Xây dựng hệ thống chính trị",
        "party_line": "ĐẢNG CỘNG SẢN VIỆT NAM",
        "motto_1": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto_2": "Độc lập - Tự do - Hạnh phúc",
        "number_party": "Số {n}", "number_government": "Số: {n}",
        "kind": "BÁO CÁO",
        "subtitle": "kết quả {subject} {q} và phương hướng, nhiệm vụ {nq}",
        "subject": "thực hiện nhiệm vụ",
        "subtitle_directive": "kết quả thực hiện {directive} {q} và phương hướng, nhiệm vụ {nq}",
        "mid_quarter": "(số liệu tính đến ngày {d}, quý chưa kết thúc)",
        "locality_note": "(Nhiệm vụ do các cơ quan, đơn vị trên địa bàn {place} chủ trì: "
                         "{bodies})",
        "opening": "Thực hiện {directives}, báo cáo kết quả thực hiện nhiệm vụ {q} và "
                   "phương hướng, nhiệm vụ {nq} như sau:",
        "closing": "Trên đây là báo cáo kết quả thực hiện nhiệm vụ {q} và phương hướng, "
                   "nhiệm vụ {nq}.",
        "part_1": "KẾT QUẢ THỰC HIỆN NHIỆM VỤ {q}", "part_2": "HẠN CHẾ, NGUYÊN NHÂN",
        "part_3": "PHƯƠNG HƯỚNG, NHIỆM VỤ {nq}",
        "write_here": "[Phần này do cơ quan tham mưu viết: ghi vào tệp {path}, dưới tiêu đề "
                      "“{heading}”, rồi nạp lại (dirtrack load).]",
        "heading_1": "## I. Kết quả thực hiện", "heading_2": "## II. Hạn chế, nguyên nhân",
        "heading_3": "## III. Phương hướng, nhiệm vụ quý tới",
        "overview": "Kết quả chung", "sectors": "Kết quả theo lĩnh vực",
        "plan": "Kết quả thực hiện từng nhiệm vụ", "units": "Kết quả theo đơn vị chủ trì",
        "deliverables": "Sản phẩm đã hoàn thành",
        "awaiting_title": "Nhiệm vụ báo cáo hoàn thành, chờ xác nhận",
        "changes": "Điều chỉnh thời hạn, hủy nhiệm vụ",
        "directives": "Kết quả theo văn bản chỉ đạo",
        "overdue": "Nhiệm vụ chưa hoàn thành, quá hạn", "behind": "Đơn vị còn nhiệm vụ quá hạn",
        "carried": "Nhiệm vụ chưa hoàn thành chuyển sang {nq}",
        "next": "Nhiệm vụ đến hạn trong {nq}",
        "headline": "Trong {q}, tổng số nhiệm vụ theo dõi: {plan} nhiệm vụ của kế hoạch; "
                    "{assigned} lượt giao cho đơn vị. Tính đến ngày {d}: hoàn thành đúng hạn "
                    "{done_on_time} lượt; hoàn thành quá hạn {done_late} lượt; đang thực hiện, "
                    "trong hạn {open_on_time} lượt; chưa hoàn thành, quá hạn {open_overdue} "
                    "lượt; đã hủy {cancelled} lượt.",
        "headline_plan": "Theo nhiệm vụ của kế hoạch: hoàn thành đúng hạn {done_on_time}; "
                         "hoàn thành quá hạn {done_late}; đang thực hiện, trong hạn "
                         "{open_on_time}; chưa hoàn thành, quá hạn {open_overdue}; đã hủy "
                         "{cancelled}.",
        "headline_rate": "Tỷ lệ hoàn thành đúng hạn đạt {r} ({pq}: {p}).",
        "headline_awaiting": "Trong số lượt đã hoàn thành, {n} lượt {awaiting}.",
        "headline_awaiting_none": "Các lượt đã hoàn thành đều đã được xác nhận.",
        "table_overview": "Bảng 1. Kết quả thực hiện theo nhóm",
        "group": "Nhóm", "plan_tasks": "Nhiệm vụ của kế hoạch", "assigned": "Lượt giao",
        "previous_col": "{pq} (lượt)", "total": "Tổng số", "rate": "Tỷ lệ đúng hạn",
        "sector": "Lĩnh vực", "done_on_time_short": "Đúng hạn", "done_late_short": "Quá hạn",
        "open_on_time_short": "Trong hạn", "open_overdue_short": "Quá hạn",
        "done_head": "Đã hoàn thành", "open_head": "Chưa hoàn thành",
        "reporting": "Báo cáo định kỳ: tỷ lệ báo cáo, tỷ lệ báo cáo đúng hạn",
        "reporting_para": "Trong {q}, tính đến ngày {d}, có {expected} báo cáo định kỳ đến "
                          "hạn phải gửi; đã nhận {received} báo cáo (tỷ lệ báo cáo {r}), "
                          "trong đó {on_time} báo cáo đúng hạn (tỷ lệ báo cáo đúng hạn {ro}).",
        "expected": "Phải gửi", "received": "Đã nhận", "received_on_time": "Đúng hạn",
        "reporting_rate": "Tỷ lệ báo cáo", "on_time_reporting_rate": "Tỷ lệ báo cáo đúng hạn",
        "level": "Cấp", "reporting_units": "Các đơn vị có tỷ lệ báo cáo thấp nhất",
        "more_units": "Còn {n} đơn vị khác (danh sách đầy đủ trong tệp JSON).",
        "monthly": "hằng tháng", "quarterly": "hằng quý", "half-yearly": "6 tháng",
        "yearly": "hằng năm", "level_province": "Cấp tỉnh", "level_district": "Cấp huyện",
        "level_commune": "Cấp xã", "level_central": "Trung ương",
        "rank": "TT", "task": "Nhiệm vụ", "lead": "Đơn vị chủ trì", "due": "Thời hạn",
        "result": "Kết quả", "assessment": "Đánh giá", "unit": "Đơn vị",
        "overdue_days": "Số ngày quá hạn", "deliverable": "Sản phẩm", "evidence": "Minh chứng",
        "count": "Số lượt", "reported_on": "Ngày báo cáo", "note": "Ghi chú",
        "decision": "Văn bản", "old_due": "Hạn cũ", "new_due": "Hạn mới", "on": "Ngày",
        "step": "Mức cảnh báo", "cause": "Nguyên nhân",
        "fanout_result": "{done}/{n} {level} hoàn thành ({share})",
        "fanout_split": ": đúng hạn {dot}", "fanout_late": ", quá hạn {late}",
        "fanout_open": "; {n} {level} chưa hoàn thành",
        "single_done": "Hoàn thành", "single_open": "Chưa hoàn thành",
        "single_cancelled": "Đã hủy", "threshold": "ngưỡng {t}",
        "awaiting_note": "{n} lượt chờ xác nhận", "awaiting_one": "chờ xác nhận",
        "prerequisite_open":
            "{n} lượt báo cáo khi nhiệm vụ tiền đề chưa hoàn thành",
        "units_of": "{n} {level}", "cancel": "Hủy", "by_revision": "Điều chỉnh văn bản chỉ đạo",
        "blocked_by": "Chờ “{title}” do {unit} chủ trì{late}",
        "blocked_late": ", quá hạn {d} ngày", "blocked_due": ", hạn {d}",
        "overdue_sentence": "Tính đến ngày {d}, còn {n} lượt nhiệm vụ chưa hoàn thành, quá "
                            "hạn{blocked}.",
        "overdue_blocked": ", trong đó {n} lượt chậm do nhiệm vụ tiền đề chưa hoàn thành",
        "overdue_none": "Tính đến ngày {d}, không có nhiệm vụ chưa hoàn thành, quá hạn.",
        "behind_line": "{unit} ({n} lượt, {days} ngày quá hạn)",
        "places_behind": "Theo địa bàn, còn nhiệm vụ quá hạn ở {places} (mỗi địa bàn tính một "
                         "lần, dù nhiều cơ quan của địa bàn cùng chậm).",
        "place_commune": "{n} đơn vị cấp xã", "place_district": "{n} đơn vị cấp huyện",
        "carried_from": "{unit} (chuyển từ {units}: {days} ngày quá hạn trước khi tiếp nhận)",
        "behind_more": "và {n} đơn vị khác",
        "more": "Còn {n} nội dung khác không liệt kê.", "none": "Không có.",
        "carried_note": "{n} lượt quá hạn",
        "directive_col": "Văn bản chỉ đạo",
        "recipients": "Nơi nhận:", "previous_none": "–",
        "unnamed": "(đơn vị không có trong danh mục)",
        "signer_title": "(chức vụ người ký)", "signer_name": "(họ và tên)",
        "archive": "Lưu: VT.",
    },
    "en": {
        "done_on_time": "Done on time", "done_late": "Done late",
        "open_on_time": "Open, within deadline", "open_overdue": "Open, overdue",
        "cancelled": "Cancelled", "awaiting": "reported done, awaiting verification",
        "economic": "Economic", "cultural-social": "Cultural and social",
        "defense-security": "Defence and security", "political-system": "Political system",
        "party_line": "COMMUNIST PARTY OF VIETNAM",
        "motto_1": "SOCIALIST REPUBLIC OF VIETNAM",
        "motto_2": "Independence - Freedom - Happiness",
        "number_party": "No. {n}", "number_government": "No.: {n}",
        "kind": "REPORT",
        "subtitle": "on the results of {subject} in {q} and the tasks for {nq}",
        "subject": "the tasks",
        "subtitle_directive": "on the results of {directive} in {q} and the tasks for {nq}",
        "mid_quarter": "(figures as of {d}; the quarter is not over)",
        "locality_note": "(The tasks led by the bodies of {place}: {bodies})",
        "opening": "Pursuant to {directives}, this report gives the results of {q} and the "
                   "tasks for {nq}:",
        "closing": "This concludes the report on the results of {q} and the tasks for {nq}.",
        "part_1": "RESULTS OF {q}", "part_2": "SHORTCOMINGS AND THEIR CAUSES",
        "part_3": "TASKS FOR {nq}",
        "write_here": "[Written by the secretariat: put it in {path} under the heading "
                      "“{heading}”, then load again (dirtrack load).]",
        "heading_1": "## I. Results", "heading_2": "## II. Shortcomings and causes",
        "heading_3": "## III. Tasks for the next quarter",
        "overview": "Overall results", "sectors": "Results by sector",
        "plan": "Results task by task", "units": "Results by lead unit",
        "deliverables": "Deliverables completed",
        "awaiting_title": "Tasks reported done, awaiting verification",
        "changes": "Deadlines extended and tasks cancelled",
        "directives": "Results by directive",
        "overdue": "Open overdue tasks", "behind": "Units with overdue tasks",
        "carried": "Open tasks carried over to {nq}", "next": "Tasks due in {nq}",
        "headline": "In {q} there were {plan} tasks of the plan, assigned {assigned} times "
                    "to units. As of {d}: done on time {done_on_time}; done late {done_late}; "
                    "open within deadline {open_on_time}; open overdue {open_overdue}; "
                    "cancelled {cancelled}.",
        "headline_plan": "By task of the plan: done on time {done_on_time}; done late "
                         "{done_late}; open within deadline {open_on_time}; open overdue "
                         "{open_overdue}; cancelled {cancelled}.",
        "headline_rate": "On-time rate {r} ({pq}: {p}).",
        "headline_awaiting": "Of the assignments done, {n} are {awaiting}.",
        "headline_awaiting_none": "Every completion has been verified.",
        "table_overview": "Table 1. Results by category",
        "group": "Category", "plan_tasks": "Tasks of the plan", "assigned": "Assignments",
        "previous_col": "{pq} (assignments)", "total": "Total", "rate": "On-time rate",
        "sector": "Sector", "done_on_time_short": "On time", "done_late_short": "Late",
        "open_on_time_short": "Within deadline", "open_overdue_short": "Overdue",
        "done_head": "Done", "open_head": "Open",
        "reporting": "Recurring reports: reporting rate and on-time reporting rate",
        "reporting_para": "In {q}, as of {d}, {expected} recurring reports fell due; "
                          "{received} were received (reporting rate {r}), {on_time} of them "
                          "on time (on-time reporting rate {ro}).",
        "expected": "Expected", "received": "Received", "received_on_time": "On time",
        "reporting_rate": "Reporting rate", "on_time_reporting_rate": "On-time rate",
        "level": "Level", "reporting_units": "The units with the lowest reporting rates",
        "more_units": "{n} more units (every unit in the JSON file).",
        "monthly": "monthly", "quarterly": "quarterly", "half-yearly": "half-yearly",
        "yearly": "yearly", "level_province": "Province", "level_district": "District",
        "level_commune": "Commune", "level_central": "Central",
        "rank": "#", "task": "Task", "lead": "Lead unit", "due": "Deadline",
        "result": "Result", "assessment": "Assessment", "unit": "Unit",
        "overdue_days": "Days overdue", "deliverable": "Deliverable", "evidence": "Evidence",
        "count": "Assignments", "reported_on": "Reported on", "note": "Note",
        "decision": "Decision", "old_due": "Old deadline", "new_due": "New deadline",
        "on": "Date", "step": "Escalation step", "cause": "Root cause",
        "fanout_result": "{done}/{n} {level} done ({share})",
        "fanout_split": ": on time {dot}", "fanout_late": ", late {late}",
        "fanout_open": "; {n} {level} open",
        "single_done": "Done", "single_open": "Open", "single_cancelled": "Cancelled",
        "threshold": "threshold {t}", "awaiting_note": "{n} awaiting verification",
        "awaiting_one": "awaiting verification",
        "prerequisite_open": "{n} reported while a prerequisite is open",
        "units_of": "{n} {level}", "cancel": "Cancelled",
        "by_revision": "Revision of the directive",
        "blocked_by": "Waiting for “{title}”, led by {unit}{late}",
        "blocked_late": ", {d} days overdue", "blocked_due": ", due {d}",
        "overdue_sentence": "As of {d}, {n} assignments are open and overdue{blocked}.",
        "overdue_blocked": ", {n} of them held up by a prerequisite",
        "overdue_none": "As of {d}, no assignment is open and overdue.",
        "behind_line": "{unit} ({n} assignments, {days} days overdue)",
        "places_behind": "By place, work is overdue in {places} (each place counted once, "
                         "however many of its bodies are late).",
        "place_commune": "{n} communes, wards and towns", "place_district": "{n} districts",
        "carried_from": "{unit} (carried over from {units}: {days} days overdue before the "
                        "takeover)",
        "behind_more": "and {n} more units",
        "more": "{n} more not listed.", "none": "None.",
        "carried_note": "{n} overdue", "directive_col": "Directive",
        "recipients": "Recipients:", "previous_none": "–",
        "unnamed": "(a unit missing from the registry)",
        "signer_title": "(title of the signatory)", "signer_name": "(name)",
        "archive": "Archive.",
    },
}
LEVELS = {"vi": {"commune": "xã", "district": "huyện", "province": "tỉnh",
                 "central": "đơn vị", "unit": "đơn vị"},
          "en": {"commune": "communes", "district": "districts", "province": "provinces",
                 "central": "units", "unit": "units"}}
KIND_NAMES = {"vi": {"plan": "Kế hoạch", "resolution": "Nghị quyết", "directive": "Chỉ thị",
                     "decision": "Quyết định", "circular": "Thông tri",
                     "conclusion": "Kết luận", "notice": "Thông báo"},
              "en": {"plan": "Plan", "resolution": "Resolution", "directive": "Directive",
                     "decision": "Decision", "circular": "Circular",
                     "conclusion": "Conclusion", "notice": "Notice"}}


def language_of(language: str) -> str:
    return language if language in LABELS else "en"


def number(value: int, language: str = "vi") -> str:
    """Return a whole number with the language's thousands separator.

    >>> number(1284), number(1284, "en"), number(12)
    ('1.284', '1,284', '12')
    """
    text = f"{value:,}"
    return text.replace(",", ".") if language == "vi" else text


def percent(rate: float | None, language: str = "en") -> str:
    """Return a rate as a percentage, with a decimal comma in Vietnamese.

    >>> percent(0.7687, "vi"), percent(0.7687), percent(None)
    ('76,9%', '76.9%', '–')
    """
    if rate is None:
        return "–"
    text = f"{100 * rate:.1f}%"
    return text.replace(".", ",") if language == "vi" else text


def share(rate: float, language: str = "vi") -> str:
    """Return a threshold as written in a plan: ``90%``, ``87,5%``.

    >>> share(0.9), share(0.875)
    ('90%', '87,5%')
    """
    text = f"{100 * rate:.1f}".rstrip("0").rstrip(".") + "%"
    return text.replace(".", ",") if language == "vi" else text


def quarter_name(quarter: str, language: str) -> str:
    """Return ``2024-Q2`` as a reader writes it.

    >>> quarter_name("2024-Q2", "vi"), quarter_name("2024-Q2", "en")
    ('quý II năm 2024', 'Q2 2024')
    """
    year, q = quarter.split("-Q")
    if language == "vi":
        return f"quý {ROMAN[int(q) - 1]} năm {year}"
    return f"Q{q} {year}"


def quarter_pair(quarter: str, following: str, language: str) -> tuple[str, str]:
    """Return two quarters as a title writes them: the year once when they share it.

    >>> quarter_pair("2024-Q2", "2024-Q3", "vi")
    ('quý II', 'quý III năm 2024')
    >>> quarter_pair("2024-Q4", "2025-Q1", "vi")
    ('quý IV năm 2024', 'quý I năm 2025')
    """
    if language == "vi" and quarter[:4] == following[:4]:
        return f"quý {ROMAN[int(quarter[-1]) - 1]}", quarter_name(following, language)
    return quarter_name(quarter, language), quarter_name(following, language)


def short_date(day: date | None) -> str:
    """Return a date as dd/mm/yyyy.

    >>> short_date(date(2024, 7, 1))
    '01/07/2024'
    """
    return day.strftime("%d/%m/%Y") if day else ""


def dated_at(place: str, day: date, language: str) -> str:
    """Return the place-and-date line of a document.

    Days under 10 and the months January and February take a leading zero.

    >>> dated_at("Ninh Bình", date(2024, 7, 1), "vi")
    'Ninh Bình, ngày 01 tháng 7 năm 2024'
    >>> dated_at("Hưng Yên", date(2025, 2, 15), "vi")
    'Hưng Yên, ngày 15 tháng 02 năm 2025'
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    if language == "vi":
        return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {day.strftime('%d %B %Y')}"


def directive_name(kind: str, number_: str, issued_on: date, title: str, language: str) -> str:
    """Return how a report names a directive.

    >>> directive_name("conclusion", "45-KL/TU", date(2024, 4, 15), "Nhiệm vụ quý II", "vi")
    'Kết luận số 45-KL/TU ngày 15/4/2024 về nhiệm vụ quý II'
    """
    kind_name = KIND_NAMES[language].get(kind, kind)
    day = issued_on
    if language == "vi":
        subject = title[:1].lower() + title[1:] if title[:2].istitle() else title
        return f"{kind_name} số {number_} ngày {day.day}/{day.month}/{day.year} về {subject}"
    return f"{kind_name} No. {number_} of {short_date(day)}, {title}"
