"""Small jurisdiction folders written by the unit tests (units, calendar, directives, catalog)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dirtrack.errors import ValidationFailed
from dirtrack.plan import Plan, read_plan

# A province with two districts; Kim Sơn has two communes, Yên Mô one.
UNITS_YAML = """\
jurisdiction:
  name: "Tỉnh Ninh Bình"
units:
  - {id: pc-standing, name: "Ban Thường vụ Tỉnh ủy", level: province, kind: party}
  - {id: mass-mobilization-commission, name: "Ban Dân vận Tỉnh ủy", level: province, kind: party, parent: pc-standing}
  - {id: fatherland-front, name: "Ủy ban MTTQ Việt Nam tỉnh", level: province, kind: front, parent: pc-standing}
  - {id: kim-son, name: "Huyện Kim Sơn", level: district, kind: government, parent: pc-standing}
  - {id: yen-mo, name: "Huyện Yên Mô", level: district, kind: government, parent: pc-standing}
  - {id: hung-tien, name: "Xã Hùng Tiến", level: commune, kind: government, parent: kim-son}
  - {id: kim-dong, name: "Xã Kim Đông", level: commune, kind: government, parent: kim-son}
  - {id: yen-thang, name: "Xã Yên Thắng", level: commune, kind: government, parent: yen-mo}
"""  # noqa: E501


def directive_yaml(tasks: str, *, id: str = "nb-2024-q2", issued_on: str = "2024-04-05",
                   issued_by: str = "pc-standing") -> str:
    """Return a directive file: the header takes lines 1-8, so the tasks start on line 9."""
    return (
        "directive:\n"
        f"  id: {id}\n"
        '  number: "45-KL/TU"\n'
        "  kind: conclusion\n"
        '  title: "Key mass mobilization tasks"\n'
        f"  issued_by: {issued_by}\n"
        f"  issued_on: {issued_on}\n"
        "tasks:\n"
        + textwrap.dedent(tasks).strip("\n") + "\n"
    )


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def jurisdiction(root: Path, directives: dict[str, str], *, units: str = UNITS_YAML,
                 calendar: str | None = None, name: str = "nb") -> Path:
    """Write a jurisdiction folder ``root/name`` and return it."""
    folder = root / name
    write(folder, "units.yaml", units)
    if calendar is not None:
        write(folder, "calendar.yaml", calendar)
    for file, text in directives.items():
        write(folder, file, text)
    return folder


def catalog(root: Path, templates: dict[str, str] | None = None) -> Path:
    """Write a catalog folder ``root/catalog`` (possibly empty) and return it."""
    folder = root / "catalog"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (templates or {}).items():
        write(folder, f"{name}.yaml", textwrap.dedent(text).lstrip("\n"))
    return folder


def problems(path: Path, catalog_dir: Path) -> list[str]:
    """Return every problem read_plan reports, as the lines a user sees."""
    with pytest.raises(ValidationFailed) as info:
        read_plan(path, catalog=catalog_dir)
    return [str(p) for p in info.value.problems]


def plan(path: Path, catalog_dir: Path, expand_all: bool = True) -> Plan:
    return read_plan(path, catalog=catalog_dir, expand_all=expand_all)
