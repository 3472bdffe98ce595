"""The tools that render Word documents for the tests: LibreOffice turns a .docx set in
Times New Roman, as a province's reports are, into a PDF whose Vietnamese letters all come
from Liberation Serif (Times New Roman's metric twin), none from a fallback font."""

from __future__ import annotations

import re
import subprocess

from tests.requirements import need

TEXT = ("Báo cáo kết quả thực hiện nhiệm vụ quý II/2024 và nhiệm vụ quý III/2024 — "
        "Ban Thường vụ Tỉnh ủy; Sở Văn hóa, Thể thao và Du lịch; Xã Một: ặ ẩ ễ ộ ự ỹ Đ đ Ữ")


def test_soffice_sets_vietnamese_times_new_roman_in_liberation_serif_alone(tmp_path):
    need("libreoffice")
    need("fonts")
    from docx import Document

    document = Document()
    document.styles["Normal"].font.name = "Times New Roman"
    document.add_paragraph(TEXT)
    document.save(str(tmp_path / "bao-cao.docx"))

    run = subprocess.run(
        # a profile of its own: two soffice processes cannot share one
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "bao-cao.docx")],
        capture_output=True, text=True, timeout=180)

    assert run.returncode == 0, run.stderr
    pdf = (tmp_path / "bao-cao.pdf").read_bytes()
    # Embedded subsets are named XXXXXX+Family: a letter Liberation Serif lacked would
    # have brought in a second font.
    fonts = {name.split(b"+")[-1].decode()
             for name in re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_-]+)", pdf)}
    assert fonts == {"LiberationSerif"}
