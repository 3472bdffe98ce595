"""Generate a national directives workspace for the benchmark, deterministically.

The registry is one jurisdiction, ``vn``: the central Party Secretariat and the
Central Committee of the Vietnam Fatherland Front, the 34 provinces and
centrally-run cities of the 2025 reform, each with its Party committee and about
26 departments and mass organisations (level ``province``), 8 districts (kept as
a level for the fan-out, although the 2025 reform abolished them) and about 97
communes; about 4,500 units in all.

Each directive is a national Fatherland Front plan fanned out to every commune:
the grassroots congress cascade of the ``fatherland-front-congress`` template
(communes, then each district once 90% of its communes are done, then the
national congress), 29 commune tasks around it (preparation chain with
``deps + Nwd``, merger of the mass organisations into the Front, grassroots
democracy, campaigns with fixed dates), 3 district tasks with ``at_least``
thresholds over commune tasks, 2 provincial tasks and a national summary: about
101,900 instances over the full registry.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

JURISDICTION = "vn"

PROVINCES = [  # the 34 provincial-level units from 1 July 2025
    ("ha-noi", "Thành phố Hà Nội"), ("hue", "Thành phố Huế"), ("lai-chau", "Tỉnh Lai Châu"),
    ("dien-bien", "Tỉnh Điện Biên"), ("son-la", "Tỉnh Sơn La"), ("lang-son", "Tỉnh Lạng Sơn"),
    ("quang-ninh", "Tỉnh Quảng Ninh"), ("thanh-hoa", "Tỉnh Thanh Hóa"),
    ("nghe-an", "Tỉnh Nghệ An"), ("ha-tinh", "Tỉnh Hà Tĩnh"), ("cao-bang", "Tỉnh Cao Bằng"),
    ("tuyen-quang", "Tỉnh Tuyên Quang"), ("lao-cai", "Tỉnh Lào Cai"),
    ("thai-nguyen", "Tỉnh Thái Nguyên"), ("phu-tho", "Tỉnh Phú Thọ"),
    ("bac-ninh", "Tỉnh Bắc Ninh"), ("hung-yen", "Tỉnh Hưng Yên"),
    ("hai-phong", "Thành phố Hải Phòng"), ("ninh-binh", "Tỉnh Ninh Bình"),
    ("quang-tri", "Tỉnh Quảng Trị"), ("da-nang", "Thành phố Đà Nẵng"),
    ("quang-ngai", "Tỉnh Quảng Ngãi"), ("gia-lai", "Tỉnh Gia Lai"),
    ("khanh-hoa", "Tỉnh Khánh Hòa"), ("lam-dong", "Tỉnh Lâm Đồng"),
    ("dak-lak", "Tỉnh Đắk Lắk"), ("ho-chi-minh", "Thành phố Hồ Chí Minh"),
    ("dong-nai", "Tỉnh Đồng Nai"), ("tay-ninh", "Tỉnh Tây Ninh"),
    ("can-tho", "Thành phố Cần Thơ"), ("vinh-long", "Tỉnh Vĩnh Long"),
    ("dong-thap", "Tỉnh Đồng Tháp"), ("ca-mau", "Tỉnh Cà Mau"), ("an-giang", "Tỉnh An Giang"),
]

# Provincial departments and organisations under each Party committee: (suffix, name, kind).
DEPARTMENTS = [
    ("front", "Ủy ban MTTQ Việt Nam", "front"),
    ("youth-union", "Đoàn TNCS Hồ Chí Minh", "union"),
    ("womens-union", "Hội Liên hiệp Phụ nữ", "union"),
    ("labour-federation", "Liên đoàn Lao động", "union"),
    ("farmers-association", "Hội Nông dân", "union"),
    ("veterans-association", "Hội Cựu chiến binh", "union"),
    ("peoples-council", "Hội đồng nhân dân", "council"),
    ("peoples-committee", "Ủy ban nhân dân", "government"),
    ("home-affairs", "Sở Nội vụ", "government"),
    ("justice", "Sở Tư pháp", "government"),
    ("finance", "Sở Tài chính", "government"),
    ("culture", "Sở Văn hóa, Thể thao và Du lịch", "government"),
    ("education", "Sở Giáo dục và Đào tạo", "government"),
    ("health", "Sở Y tế", "government"),
    ("agriculture", "Sở Nông nghiệp và Môi trường", "government"),
    ("industry-trade", "Sở Công Thương", "government"),
    ("construction", "Sở Xây dựng", "government"),
    ("science-tech", "Sở Khoa học và Công nghệ", "government"),
    ("ethnic-affairs", "Sở Dân tộc và Tôn giáo", "government"),
    ("inspectorate", "Thanh tra tỉnh", "government"),
    ("police", "Công an tỉnh", "armed-forces"),
    ("military", "Bộ Chỉ huy Quân sự tỉnh", "armed-forces"),
    ("propaganda", "Ban Tuyên giáo và Dân vận", "party"),
    ("organisation", "Ban Tổ chức", "party"),
    ("inspection", "Ủy ban Kiểm tra", "party"),
    ("party-office", "Văn phòng Tỉnh ủy", "party"),
]

SYLLABLES = ["An", "Bình", "Hòa", "Phú", "Tân", "Thạnh", "Long", "Hưng", "Thuận", "Đông",
             "Tây", "Nam", "Bắc", "Trung", "Minh", "Quang", "Phước", "Lộc", "Thịnh", "Vĩnh",
             "Xuân", "Hải", "Sơn", "Lâm", "Thủy", "Kim", "Ngọc", "Hồng", "Đức", "Thành"]

THEMES = [
    "Đại hội MTTQ Việt Nam các cấp nhiệm kỳ 2026-2031",
    "Cuộc vận động 'Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh'",
    "Phong trào thi đua 'Dân vận khéo' năm 2025",
    "Thực hiện Luật Thực hiện dân chủ ở cơ sở",
    "Hợp nhất các tổ chức chính trị - xã hội vào MTTQ Việt Nam",
    "Xóa nhà tạm, nhà dột nát trên phạm vi cả nước",
    "Quỹ 'Vì người nghèo' và an sinh xã hội năm 2025",
    "Giám sát và phản biện xã hội năm 2025",
    "Ngày hội Đại đoàn kết toàn dân tộc năm 2025",
    "Lấy ý kiến Nhân dân và tổng kết công tác Mặt trận năm 2025",
]


def write_registry(folder: Path, provinces: int, seed: int) -> dict[str, int]:
    """Write units.yaml and calendar.yaml; return how many units of each level."""
    rng = random.Random(seed)
    lines = ["# National unit registry generated by benchmarks/generate.py (deterministic).",
             "jurisdiction:", '  name: "Việt Nam"', "units:",
             '  - {id: vn-central, name: "Ban Bí thư Trung ương Đảng", level: central, '
             'kind: party}',
             '  - {id: vn-front-central, name: "Ủy ban Trung ương MTTQ Việt Nam", '
             'level: central, kind: front, parent: vn-central}']
    counts = {"central": 2, "province": 0, "district": 0, "commune": 0}
    for slug, name in PROVINCES[:provinces]:
        pc = f"{slug}-pc"
        lines.append(f'  - {{id: {pc}, name: "Tỉnh ủy {name}", level: province, kind: party, '
                     "parent: vn-central}")
        for suffix, dname, kind in DEPARTMENTS:
            lines.append(f'  - {{id: {slug}-{suffix}, name: "{dname} {name}", level: province, '
                         f"kind: {kind}, parent: {pc}}}")
        counts["province"] += 1 + len(DEPARTMENTS)
        # 97 communes over 8 districts, unevenly (8 to 16 each), as in a real province.
        sizes = [8] * 8
        for _ in range(97 - sum(sizes)):
            candidates = [i for i, s in enumerate(sizes) if s < 16]
            sizes[rng.choice(candidates)] += 1
        n = 0
        for k, size in enumerate(sizes, 1):
            district = f"{slug}-d{k}"
            lines.append(f'  - {{id: {district}, name: "Huyện {rng.choice(SYLLABLES)} '
                         f'{rng.choice(SYLLABLES)}", level: district, kind: government, '
                         f"parent: {pc}}}")
            counts["district"] += 1
            for _ in range(size):
                n += 1
                lines.append(f'  - {{id: {slug}-c{n:03d}, name: "Xã {rng.choice(SYLLABLES)} '
                             f'{rng.choice(SYLLABLES)}", level: commune, kind: government, '
                             f"parent: {district}}}")
                counts["commune"] += 1
    (folder / "units.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "calendar.yaml").write_text(
        "# Working days: the VN public holidays plus the make-up Saturdays of 2025.\n"
        "country: VN\nextra_days_off: []\nextra_working_days: [2025-02-08, 2025-04-26]\n",
        encoding="utf-8")
    return counts


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def directive_doc(index: int, issued: date) -> dict:
    """Return directive number ``index`` (1-based) as the YAML document to write."""
    theme = THEMES[(index - 1) % len(THEMES)]
    at = lambda days: (issued + timedelta(days=days)).isoformat()  # noqa: E731

    def commune(tid: str, title: str, due: str, deps: list | None = None,
                deliverable: str = "Báo cáo kết quả") -> dict[str, Any]:
        task: dict[str, Any] = {"id": tid, "title": title, "for_each": "commune",
                                "sector": "political-system", "deliverable": deliverable,
                                "due": due}
        if deps:
            task["depends_on"] = deps
        return task

    tasks: list[dict] = [
        {"use": "fatherland-front-congress", "as": "ff-congress",
         "with": {"term": "2026-2031", "grassroots_due": at(120),
                  "district_due": "grassroots + 20wd", "province_due": "district + 30d",
                  "lead": "vn-front-central"}},
        commune("c-plan", "Ban hành kế hoạch của xã", "issued + 10wd"),
        commune("c-subcommittees", "Thành lập các tiểu ban phục vụ đại hội", "deps + 5wd",
                ["c-plan"]),
        commune("c-review-term", "Tổng kết công tác Mặt trận nhiệm kỳ 2019-2024", "deps + 15wd",
                ["c-subcommittees"]),
        commune("c-draft-report", "Dự thảo báo cáo chính trị", "deps + 10wd", ["c-review-term"]),
        commune("c-consult-report", "Lấy ý kiến góp ý dự thảo báo cáo chính trị", "deps + 10d",
                ["c-draft-report"]),
        commune("c-personnel-plan", "Xây dựng phương án nhân sự Ủy ban MTTQ xã", "deps + 20wd",
                ["c-subcommittees"]),
        commune("c-personnel-vetting", "Thẩm định nhân sự", "deps + 10wd", ["c-personnel-plan"]),
        commune("c-personnel-approval", "Trình Đảng ủy xã phê duyệt nhân sự", "deps + 5wd",
                ["c-personnel-vetting"]),
        commune("c-residential-meetings", "Tổ chức hội nghị ở các thôn, tổ dân phố",
                "issued + 40wd", ["c-plan"]),
        commune("c-budget", "Lập dự toán kinh phí đại hội", "deps + 15wd", ["c-plan"]),
        commune("c-logistics", "Chuẩn bị hội trường, hậu cần", "deps + 20d", ["c-budget"]),
        commune("c-propaganda", "Tuyên truyền về đại hội", "deps + 30d", ["c-plan"]),
        commune("c-documents-final", "Hoàn thiện văn kiện đại hội", "deps + 5wd",
                ["c-consult-report", "c-personnel-approval"]),
        commune("c-rehearsal", "Tổng duyệt đại hội", "deps + 3wd",
                ["c-documents-final", "c-logistics", "c-residential-meetings"]),
        commune("c-congress-report", "Báo cáo kết quả đại hội lên cấp trên",
                "ff-congress/grassroots + 5wd", ["ff-congress/grassroots"]),
        commune("c-first-meeting", "Hội nghị lần thứ nhất Ủy ban MTTQ xã khóa mới", "deps + 10d",
                ["ff-congress/grassroots"]),
        commune("c-action-programme", "Chương trình hành động thực hiện nghị quyết đại hội",
                "deps + 20wd", ["c-first-meeting"]),
        commune("c-merge-mass-orgs", "Sắp xếp các tổ chức chính trị - xã hội vào Mặt trận",
                "issued + 60d", ["c-plan"]),
        commune("c-merge-staff", "Bố trí cán bộ sau sắp xếp", "deps + 15wd",
                ["c-merge-mass-orgs"]),
        commune("c-merge-assets", "Bàn giao hồ sơ, tài sản", "deps + 20wd",
                ["c-merge-mass-orgs"]),
        commune("c-democracy-regulation", "Ban hành quy chế thực hiện dân chủ ở cơ sở",
                "issued + 30wd"),
        commune("c-investment-supervision", "Kiện toàn Ban giám sát đầu tư của cộng đồng",
                "deps + 20wd", ["c-democracy-regulation"]),
        commune("c-solidarity-day", "Tổ chức Ngày hội Đại đoàn kết toàn dân tộc", at(200)),
        commune("c-poor-fund", "Vận động Quỹ 'Vì người nghèo'", at(240)),
        commune("c-temporary-houses", "Hoàn thành xóa nhà tạm, nhà dột nát", "issued + 180d"),
        commune("c-new-rural-review", "Sơ kết cuộc vận động xây dựng nông thôn mới", at(210)),
        commune("c-voter-opinions", "Tổng hợp ý kiến, kiến nghị của cử tri", "issued + 60d"),
        commune("c-quarterly-report", "Báo cáo quý", _quarter(issued + timedelta(days=150))),
        commune("c-annual-review", "Tổng kết công tác năm", "deps + 10wd",
                ["c-action-programme", "c-solidarity-day", "c-poor-fund"]),
        {"id": "d-guidance", "title": "Hướng dẫn các xã tổ chức thực hiện", "for_each": "district",
         "sector": "political-system", "due": "issued + 10wd"},
        {"id": "d-inspection", "title": "Kiểm tra công tác chuẩn bị đại hội cấp xã",
         "for_each": "district", "sector": "political-system",
         "depends_on": [{"task": "c-documents-final", "at_least": "80%"}], "due": "deps + 5wd"},
        {"id": "d-merger-summary", "title": "Sơ kết việc sắp xếp tổ chức ở cấp xã",
         "for_each": "district", "sector": "political-system",
         "depends_on": [{"task": "c-merge-assets", "at_least": "90%"}], "due": "deps + 10wd"},
        {"id": "p-congress-review", "title": "Đánh giá đại hội Mặt trận cấp cơ sở trong tỉnh",
         "for_each": "province", "sector": "political-system",
         "depends_on": [{"task": "ff-congress/district", "at_least": "100%"}],
         "due": "deps + 15wd"},
        {"id": "p-annual-report", "title": "Báo cáo tổng kết năm của tỉnh", "for_each": "province",
         "sector": "political-system",
         "depends_on": [{"task": "c-annual-review", "at_least": "90%"}], "due": "deps + 10wd"},
        {"id": "national-summary", "title": "Báo cáo tổng kết toàn quốc",
         "lead": "vn-front-central", "support": ["vn-central"], "sector": "political-system",
         "depends_on": [{"task": "p-annual-report", "at_least": "90%"}], "due": "deps + 10wd"},
    ]
    return {"directive": {
        "id": f"vn-2025-plan-{index:02d}", "number": f"{100 + index}/KH-MTTW-BTT",
        "kind": "plan", "title": f"Kế hoạch triển khai: {theme}", "issued_by": "vn-front-central",
        "issued_on": issued, "source": "Benchmark directive generated by benchmarks/generate.py"},
        "tasks": tasks}


def write_directive(folder: Path, index: int, base: date = date(2025, 3, 3)) -> Path:
    """Write directive ``index``; each is issued two weeks after the previous one."""
    issued = base + timedelta(days=14 * (index - 1))
    path = folder / f"2025-plan-{index:02d}.yaml"
    text = yaml.safe_dump(directive_doc(index, issued), allow_unicode=True, sort_keys=False,
                          width=200)
    path.write_text("# Generated by benchmarks/generate.py\n" + text, encoding="utf-8")
    return path


# The Front congress cascade, as in the shipped catalog's template of the same name;
# written here so that the benchmark does not change when the shipped catalog does.
FRONT_CONGRESS = """\
template: fatherland-front-congress
title: "Đại hội đại biểu Mặt trận Tổ quốc Việt Nam các cấp (cơ sở, huyện, tỉnh)"
params:
  term: {type: str, required: true}
  grassroots_due: {type: deadline, required: true}
  district_due: {type: deadline, default: "grassroots + 30d"}
  province_due: {type: deadline, default: "district + 45d"}
  lead: {type: unit, required: true}
---
tasks:
  - id: grassroots
    title: "Tổ chức Đại hội đại biểu MTTQ Việt Nam cấp cơ sở, nhiệm kỳ {{ term }}"
    for_each: commune
    support: [{{ lead }}]
    sector: political-system
    deliverable: "Nghị quyết, biên bản đại hội và danh sách Ủy ban MTTQ khóa mới"
    due: "{{ grassroots_due }}"
  - id: district
    title: "Tổ chức Đại hội đại biểu MTTQ Việt Nam cấp huyện, nhiệm kỳ {{ term }}"
    for_each: district
    support: [{{ lead }}]
    sector: political-system
    deliverable: "Nghị quyết, biên bản đại hội và danh sách Ủy ban MTTQ khóa mới"
    depends_on: [{task: grassroots, at_least: 90%}]
    due: "{{ district_due }}"
  - id: province
    title: "Tổ chức Đại hội đại biểu MTTQ Việt Nam, nhiệm kỳ {{ term }}"
    lead: {{ lead }}
    sector: political-system
    deliverable: "Nghị quyết đại hội và báo cáo gửi Ủy ban Trung ương MTTQ Việt Nam"
    depends_on: [district]
    due: "{{ province_due }}"
"""


def write_catalog(folder: Path) -> None:
    """Write the catalog folder with the Front congress template the directives use."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fatherland-front-congress.yaml").write_text(FRONT_CONGRESS, encoding="utf-8")


def generate(root: Path, provinces: int = 34, seed: int = 2025) -> tuple[Path, Path, dict]:
    """Write the workspace under ``root``; return (jurisdiction folder, catalog, unit counts)."""
    folder = root / "directives" / JURISDICTION
    folder.mkdir(parents=True, exist_ok=True)
    counts = write_registry(folder, provinces, seed)
    catalog = root / "tasks_catalog"
    write_catalog(catalog)
    write_directive(folder, 1)
    return folder, catalog, counts
