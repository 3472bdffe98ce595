"""``dirtrack init NAME``: the folder of a new province in the two-tier shape of July 2025.

The files are the worked example of docs/format.md ("A two-tier province from
scratch"), with the unit ids prefixed by the jurisdiction's name so that they stay
unique when several provinces are loaded together; the catalog reaches them through
the ``roles:`` table. The sample communes and wards are to be replaced by the
province's own. What is written validates and loads as it is.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from dirtrack.errors import DirtrackError
from dirtrack.spec.model import SLUG

UNITS = """\
# Unit registry of $province in the two-tier shape (from 1 July 2025): communes and
# wards sit directly under the province. The four communes and wards are samples:
# list all of yours, with their real names. Ids carry the prefix '$name-' so that they
# stay unique when several provinces are loaded together.
jurisdiction:
  name: "$province"
units:
  # Provincial Party Committee and its advisory bodies
  - {id: $name-pc-standing, name: "Ban Thường vụ Tỉnh ủy", level: province, kind: party}
  - {id: $name-party-office, name: "Văn phòng Tỉnh ủy", level: province, kind: party, parent: $name-pc-standing}
  - {id: $name-propaganda-mass-mobilization, name: "Ban Tuyên giáo và Dân vận Tỉnh ủy", level: province, kind: party, parent: $name-pc-standing}

  # Fatherland Front and the socio-political organisations under it
  - {id: $name-fatherland-front, name: "Ủy ban MTTQ Việt Nam tỉnh", level: province, kind: front, parent: $name-pc-standing}
  - {id: $name-youth-union, name: "Tỉnh đoàn", level: province, kind: union, parent: $name-fatherland-front}
  - {id: $name-womens-union, name: "Hội Liên hiệp Phụ nữ tỉnh", level: province, kind: union, parent: $name-fatherland-front}
  - {id: $name-labour-federation, name: "Liên đoàn Lao động tỉnh", level: province, kind: union, parent: $name-fatherland-front}
  - {id: $name-farmers-association, name: "Hội Nông dân tỉnh", level: province, kind: union, parent: $name-fatherland-front}
  - {id: $name-veterans-association, name: "Hội Cựu chiến binh tỉnh", level: province, kind: union, parent: $name-fatherland-front}

  # Provincial People's Committee and its departments
  - {id: $name-peoples-committee, name: "Ủy ban nhân dân tỉnh", level: province, kind: government, parent: $name-pc-standing}
  - {id: $name-home-affairs, name: "Sở Nội vụ", level: province, kind: government, parent: $name-peoples-committee}
  - {id: $name-health, name: "Sở Y tế", level: province, kind: government, parent: $name-peoples-committee}
  - {id: $name-culture-sports-tourism, name: "Sở Văn hóa, Thể thao và Du lịch", level: province, kind: government, parent: $name-peoples-committee}

  # Communes and wards, directly under the province (samples: list all of yours)
  - {id: $name-an-binh, name: "Phường An Bình", level: commune, kind: government, parent: $name-pc-standing}
  - {id: $name-hoa-binh, name: "Phường Hòa Bình", level: commune, kind: government, parent: $name-pc-standing}
  - {id: $name-tan-lap, name: "Xã Tân Lập", level: commune, kind: government, parent: $name-pc-standing}
  - {id: $name-thanh-son, name: "Xã Thanh Sơn", level: commune, kind: government, parent: $name-pc-standing}

# The bodies the catalog's templates name by role. The Front is found without a role:
# it is the one unit of level province and kind front.
roles:
  party-office: $name-party-office
  propaganda-department: $name-propaganda-mass-mobilization
  youth-union: $name-youth-union
  womens-union: $name-womens-union
  labour-federation: $name-labour-federation
  veterans-association: $name-veterans-association
  dolisa: $name-health   # children's affairs moved to the Department of Health in 2025
"""  # noqa: E501

CALENDAR = """\
# Working days: Monday to Friday minus Vietnam's public holidays (Tết included).
country: VN
extra_days_off: []        # days off the province adds by decision
extra_working_days: []    # make-up working Saturdays
"""

ESCALATION = """\
language: vi
ladder:
  - {step: reminder, before: 3, to: lead}
  - {step: overdue, after: 1, to: lead}
  - {step: supervisor, after: 7, to: parent}
  - {step: issuer, after: 15, to: issuer}
  - {step: standing-committee, after: 30, to: $name-pc-standing}
channels:
  file: {folder: $name}
routes:
  - {channel: file}
"""

PLAN = """\
# The Fatherland Front congresses of the 2025 - 2030 term in two tiers: every commune and
# ward by 15 September, the province 45 days after, once 90% of them have held theirs.
directive:
  id: $name-2025-mttq
  number: "01-KH/BTVTU"
  kind: plan
  title: "Kế hoạch tổ chức Đại hội đại biểu Mặt trận Tổ quốc Việt Nam các cấp, nhiệm kỳ 2025 - 2030"
  issued_by: $name-pc-standing
  issued_on: 2025-08-04
tasks:
  - id: guidance
    title: "Ban hành hướng dẫn tổ chức đại hội đại biểu Mặt trận Tổ quốc Việt Nam cấp xã"
    lead: $name-fatherland-front
    support: [$name-propaganda-mass-mobilization]
    sector: political-system
    deliverable: "Văn bản hướng dẫn"
    due: issued + 10wd
  - use: fatherland-front-congress
    as: congress
    with: {term: "2025 - 2030", grassroots_due: 2025-09-15}
  - id: summary
    title: "Báo cáo Ban Thường vụ Tỉnh ủy kết quả đại hội Mặt trận Tổ quốc các cấp"
    lead: $name-fatherland-front
    sector: political-system
    deliverable: "Báo cáo tổng kết"
    depends_on: [congress/province]
    due: congress/province + 10wd
"""  # noqa: E501

FILES = {"units.yaml": UNITS, "calendar.yaml": CALENDAR, "escalation.yaml": ESCALATION,
         "2025-mttq-congress.yaml": PLAN}


def skeleton(name: str, province: str) -> dict[str, str]:
    """Return the skeleton's files, name -> text, for jurisdiction ``name``.

    >>> files = skeleton("quang-tri", "Tỉnh Quảng Trị")
    >>> sorted(files)
    ['2025-mttq-congress.yaml', 'calendar.yaml', 'escalation.yaml', 'units.yaml']
    >>> files["units.yaml"].splitlines()[5]
    '  name: "Tỉnh Quảng Trị"'
    """
    if not SLUG.match(name) or len(name) > 60:
        raise DirtrackError(f"'{name}' is not a jurisdiction name; use lower-case letters, "
                            "digits and '-', at most 60 characters (quang-tri)")
    if not province.strip() or any(c in province for c in '"\\\n'):
        raise DirtrackError(f"'{province}' is not a province name; write it on one line, "
                            "without quotes (\"Tỉnh Quảng Trị\")")
    values = {"name": name, "province": province.strip()}
    return {file: Template(text).substitute(values) for file, text in FILES.items()}


def write_skeleton(root: Path, name: str, province: str | None = None) -> list[Path]:
    """Write the skeleton into ``root/name`` and return the files; never overwrite.

    The folder must not exist yet: a half-filled province is never mixed with
    sample files.
    """
    files = skeleton(name, province or "Tỉnh " + name.replace("-", " ").title())
    if root.exists() and not root.is_dir():
        raise DirtrackError(f"{root} is not a folder; give the directives folder")
    folder = root / name
    if folder.exists() or folder.is_symlink():
        raise DirtrackError(f"{folder} already exists; nothing was written: choose another "
                            "name, or remove that folder first")
    folder.mkdir(parents=True)
    written = []
    for file, text in files.items():
        path = folder / file
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
