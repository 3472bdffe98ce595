"""The review as a document: Markdown, HTML and Word read back, the Word file rendered by
LibreOffice and the HTML printed by Chromium on A4 (pages saved under
test-artifacts/review/ to look at), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
import uuid
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document as read_docx
from sqlalchemy import Engine

from dirtrack.report import render, render_docx, write_review
from dirtrack.review import Review, build_review
from tests.integration.review_support import (
    AS_OF,
    JURISDICTION,
    Q2,
    load,
    record_quarter,
    write_jurisdiction,
)
from tests.requirements import need

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "review"
CHROMIUM = Path(os.environ.get("DIRTRACK_TEST_CHROMIUM", "/usr/bin/chromium"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

REVIEW_YAML = """\
issuer: "Sở Nội vụ"
superior: "Ủy ban nhân dân tỉnh Kiểm Thử"
kind: government
number: "{n}/BC-SNV"
place: "Kiểm Thử"
subject: "công tác dân vận chính quyền"
recipients: ["Ủy ban nhân dân tỉnh (để báo cáo);", "Lưu: VT, CCHC."]
signer: {authority: "KT. Giám đốc", title: "Phó Giám đốc", name: "Trần Văn Thử"}
sectors: [political-system, economic, cultural-social, defense-security]
"""
NARRATIVE = """\
Thực hiện Kế hoạch số 7-KH/BTV, Sở Nội vụ báo cáo như sau:

## I. Kết quả thực hiện
Công tác dân vận chính quyền được quan tâm.

## II. Hạn chế, nguyên nhân
- Một số nhiệm vụ còn chậm.

## III. Phương hướng, nhiệm vụ quý III
### Trọng tâm
Hoàn thành dứt điểm các nhiệm vụ còn chậm.
"""


def needs(tool: str, found: bool) -> None:
    """Skip without ``tool`` on a developer's machine; in CI its absence is a failure."""
    if not found:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is not installed")
        pytest.skip(f"{tool} is not installed")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_jurisdiction(tmp_path)


@pytest.fixture
def plain(engine: Engine, folder: Path) -> Review:
    """The quarter without review.yaml or narrative."""
    record_quarter(engine, folder)
    return build_review(engine, JURISDICTION, Q2, AS_OF)


@pytest.fixture
def signed(engine: Engine, folder: Path) -> Review:
    """The quarter with its review.yaml (a government body) and narrative, loaded again."""
    record_quarter(engine, folder)
    (folder / "review.yaml").write_text(REVIEW_YAML, encoding="utf-8")
    (folder / "reviews").mkdir()
    (folder / "reviews" / "2024-Q2.md").write_text(NARRATIVE, encoding="utf-8")
    load(engine, folder, AS_OF)
    return build_review(engine, JURISDICTION, Q2, AS_OF)


# Markdown


def test_markdown_is_the_document_head_title_parts_and_signature(signed):
    lines = render(signed, "md").splitlines()

    assert lines[:9] == [
        "| ỦY BAN NHÂN DÂN TỈNH KIỂM THỬ<br>**SỞ NỘI VỤ**<br>———<br>Số:      /BC-SNV "
        "| **CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**<br>**Độc lập - Tự do - Hạnh phúc**<br><br>"
        "_Kiểm Thử, ngày 01 tháng 7 năm 2024_ |",
        "| :---: | :---: |", "", "# BÁO CÁO", "",
        "**kết quả công tác dân vận chính quyền quý II**<br>",
        "**và phương hướng, nhiệm vụ quý III năm 2024**", "",
        "Thực hiện Kế hoạch số 7-KH/BTV, Sở Nội vụ báo cáo như sau:"]
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == ["## I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ QUÝ II NĂM 2024",
                        "## II. HẠN CHẾ, NGUYÊN NHÂN",
                        "## III. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ III NĂM 2024"]
    part_1 = lines.index(headings[0])
    assert lines[part_1 + 2] == "Công tác dân vận chính quyền được quan tâm."
    assert "- Một số nhiệm vụ còn chậm." in lines
    assert "#### Trọng tâm" in lines
    assert lines[-2:] == [
        "| **Nơi nhận:**<br>- Ủy ban nhân dân tỉnh (để báo cáo);<br>- Lưu: VT, CCHC. "
        "| **KT. GIÁM ĐỐC**<br>**PHÓ GIÁM ĐỐC**<br><br><br><br>**Trần Văn Thử** |",
        "| :--- | :---: |"]


def test_markdown_figures_headline_and_the_plan_and_assignment_counts(signed):
    lines = render(signed, "md").splitlines()

    assert ("Trong quý II năm 2024, tổng số nhiệm vụ theo dõi: 13 nhiệm vụ của kế hoạch; "
            "15 lượt giao cho đơn vị. Tính đến ngày 01/07/2024: hoàn thành đúng hạn 6 lượt; "
            "hoàn thành quá hạn 2 lượt; đang thực hiện, trong hạn 2 lượt; chưa hoàn thành, "
            "quá hạn 4 lượt; đã hủy 1 lượt.") in lines
    assert "Tỷ lệ hoàn thành đúng hạn đạt 50,0% (quý I năm 2024: 50,0%)." in lines
    assert "Trong số lượt đã hoàn thành, 7 lượt báo cáo hoàn thành, chờ xác nhận." in lines
    table = lines.index("**Bảng 1. Kết quả thực hiện theo nhóm**")
    assert lines[table + 2:table + 11] == [
        "| Nhóm | Nhiệm vụ của kế hoạch | Lượt giao | Quý I năm 2024 (lượt) |",
        "| --- | ---: | ---: | ---: |",
        "| Hoàn thành đúng hạn | 5 | 6 | 1 |",
        "| Hoàn thành quá hạn | 2 | 2 | 0 |",
        "| Đang thực hiện, trong hạn | 2 | 2 | 14 |",
        "| Chưa hoàn thành, quá hạn | 3 | 4 | 1 |",
        "| Đã hủy | 1 | 1 | 0 |",
        "| **Tổng số** | **13** | **15** | **16** |",
        "| **Tỷ lệ đúng hạn** | **50,0%** | **50,0%** | **50,0%** |"]
    # The sectors in the order review.yaml gives.
    sectors = [line.split(" | ")[0][2:] for line in lines
               if line.startswith(("| Xây dựng", "| Kinh tế", "| Văn hóa", "| Quốc phòng"))]
    assert sectors == ["Xây dựng hệ thống chính trị", "Kinh tế", "Văn hóa – xã hội",
                       "Quốc phòng – an ninh"]
    assert ("| 5 | Đại hội cơ sở | 3 xã | 15/05/2024 | 2/3 xã hoàn thành (66,7%): đúng hạn 1, "
            "quá hạn 1; 1 xã chưa hoàn thành | Hoàn thành quá hạn (ngưỡng 60%); 2 lượt chờ "
            "xác nhận |") in lines
    # Xã Bốn took grassroots@c3 over on 06-01: the 17 days Xã Ba let pass since 15/05 are
    # shown apart, the 30 since then are its own
    assert ("| 6 | Xã Bốn (chuyển từ Xã Ba: 17 ngày quá hạn trước khi tiếp nhận) | 1 | 0 | 0 "
            "| 0 | 1 | 0 | 30 | 0,0% |") in lines
    assert ("| 3 | Đại hội cấp tỉnh | Ủy ban MTTQ Việt Nam tỉnh | 25/05/2024 | 37 | Quá hạn | "
            "Chờ “Hướng dẫn tổ chức đại hội” do Ban Tuyên giáo Tỉnh ủy chủ trì, quá hạn 52 "
            "ngày |") in lines
    assert ("| 4 | Tổng kết đại hội cơ sở | Huyện Một | 31/05/2024 | 31 |  |  |") in lines
    assert ("| 3 | Chuẩn bị tài liệu đại hội | Sở Kế hoạch và Đầu tư | 1 | 05/06/2024 | 1 lượt "
            "báo cáo khi nhiệm vụ tiền đề chưa hoàn thành |") in lines
    assert ("| 3 | Hội thi tuyên truyền | Ủy ban MTTQ Việt Nam tỉnh | QĐ-18 | 20/06/2024 | "
            "20/07/2024 | 15/06/2024 |") in lines
    assert ("| 1 | Hội thảo chuyên đề | Sở Kế hoạch và Đầu tư | QĐ-20 | 20/05/2024 | Hủy | "
            "02/05/2024 |") in lines
    assert "| 2 | Sơ kết 6 tháng | Sở Kế hoạch và Đầu tư | 15/08/2024 |" in lines


def test_without_a_narrative_the_review_says_where_to_write_it(plain):
    text = render(plain, "md")

    folder = plain.folder
    for heading in ("## I. Kết quả thực hiện", "## II. Hạn chế, nguyên nhân",
                    "## III. Phương hướng, nhiệm vụ quý tới"):
        assert (f"> _[Phần này do cơ quan tham mưu viết: ghi vào tệp {folder}/reviews/"
                f"2024-Q2.md, dưới tiêu đề “{heading}”, rồi nạp lại (dirtrack load).]_"
                ) in text
    # No review.yaml: a government head in the jurisdiction's name, blanks to sign.
    assert text.startswith("| **TỈNH KIỂM THỬ**<br>———<br>Số:      /BC |")
    assert "**(CHỨC VỤ NGƯỜI KÝ)**<br><br><br><br>**(họ và tên)**" in text


def test_nothing_to_compare_with_is_a_dash_not_a_zero(engine, folder):
    record_quarter(engine, folder)
    q1 = build_review(engine, JURISDICTION, "2024-Q1", date(2024, 4, 1))

    lines = render(q1, "md").splitlines()

    assert q1.overall.has_previous is False
    assert "| Hoàn thành đúng hạn | 1 | 1 | – |" in lines
    assert "| **Tổng số** | **14** | **16** | **–** |" in lines
    assert "Tỷ lệ hoàn thành đúng hạn đạt 50,0% (quý IV năm 2023: –)." in lines


def test_a_review_read_before_the_quarter_ends_says_so_under_its_title(engine, folder):
    record_quarter(engine, folder)

    text = render(build_review(engine, JURISDICTION, Q2, date(2024, 6, 12)), "md")

    assert "_(số liệu tính đến ngày 12/06/2024, quý chưa kết thúc)_" in text
    assert "_(số liệu tính đến ngày" not in render(
        build_review(engine, JURISDICTION, Q2, AS_OF), "md")


def test_one_directives_review_is_titled_by_the_directive(engine, folder):
    record_quarter(engine, folder)

    text = render(build_review(engine, JURISDICTION, Q2, AS_OF, "rv"), "md")

    assert ("**kết quả thực hiện Kế hoạch số 7-KH/BTV ngày 1/3/2024 quý II**<br>\n"
            "**và phương hướng, nhiệm vụ quý III năm 2024**\n\n"
            "_(Kế hoạch kiểm thử báo cáo quý)_") in text


def test_english_for_a_jurisdiction_writing_in_english(plain):
    plain.language = "en"

    text = render(plain, "md")

    assert "**on the results of the tasks in Q2 2024 and the tasks for Q3 2024**" in text
    assert "| Done on time | 5 | 6 | 1 |" in text
    assert "## II. SHORTCOMINGS AND THEIR CAUSES" in text


def test_a_province_can_replace_the_review_templates(plain, tmp_path, monkeypatch):
    default_html = render(plain, "html")
    own = tmp_path / "templates"
    own.mkdir()
    (own / "review.md.j2").write_text(textwrap.dedent("""\
        {% set t = review.overall.totals %}
        {{ doc.kind }} {{ review.jurisdiction_name|upper }} – {{ q }}
        Đúng hạn: {{ t.done_on_time }}; quá hạn: {{ t.open_overdue }}; {{ percent(t.on_time_rate) }}
        """), encoding="utf-8")
    monkeypatch.setenv("DIRTRACK_TEMPLATES", str(own))

    assert render(plain, "md") == ("BÁO CÁO TỈNH KIỂM THỬ – quý II năm 2024\n"
                                   "Đúng hạn: 6; quá hạn: 4; 50,0%\n")
    assert render(plain, "html") == default_html  # not replaced: the shipped one


# HTML


def test_html_is_self_contained_printable_on_a4_with_the_same_parts(signed):
    html = render(signed, "html")

    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(|\bsrc=|\bhref=", html)
    assert re.findall(r"https?://[^\s\"'<>]*", html) == (
        ["http://www.w3.org/2000/svg"] * html.count("<svg"))
    assert '<html lang="vi">' in html
    assert "@page { size: A4; margin: 20mm 15mm 20mm 30mm;" in html
    assert "thead { display: table-header-group; }" in html
    assert re.findall(r"<h2>([^<]+)</h2>", html) == [
        "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ QUÝ II NĂM 2024", "II. HẠN CHẾ, NGUYÊN NHÂN",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ III NĂM 2024"]
    for text in ("ỦY BAN NHÂN DÂN TỈNH KIỂM THỬ", "SỞ NỘI VỤ",
                 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Kiểm Thử, ngày 01 tháng 7 năm 2024", "Số:      /BC-SNV",
                 "<td>10/05/2024</td>", "Trần Văn Thử"):
        assert text in html, text
    assert "2024-05-10" not in html  # dates are written dd/mm/yyyy


def test_html_printed_by_chromium_on_a4_pages(signed, db_url):
    needs("Chromium", CHROMIUM.exists())
    need("poppler")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    kind = db_url.split(":")[0]
    page_file, pdf = ARTIFACTS / f"{kind}-html.html", ARTIFACTS / f"{kind}-html-print.pdf"
    page_file.write_text(render(signed, "html"), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            page.goto(page_file.as_uri())
            page.screenshot(path=str(ARTIFACTS / f"{kind}-html-screen.png"))
            title_box = page.locator("h1").bounding_box()
            page.pdf(path=str(pdf), prefer_css_page_size=True)
        finally:
            browser.close()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info), info
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 3
    assert title_box is not None and title_box["width"] > 0
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "BÁO CÁO" in text and "II. HẠN CHẾ, NGUYÊN NHÂN" in text


# Word


def docx_of(review: Review) -> object:
    return read_docx(BytesIO(render_docx(review)))


def test_word_reads_back_head_title_figures_and_tables(signed):
    doc = docx_of(signed)

    section = doc.sections[0]
    assert [round(length.mm) for length in (
        section.page_width, section.page_height, section.top_margin, section.bottom_margin,
        section.left_margin, section.right_margin)] == [210, 297, 20, 20, 30, 15]
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Normal"].font.size.pt == 14
    # The page number: a PAGE field in the header, not on the first page.
    assert section.different_first_page_header_footer is True
    assert "PAGE" in section.header._element.xml
    head = doc.tables[0]
    assert [p.text for p in head.cell(0, 0).paragraphs] == [
        "ỦY BAN NHÂN DÂN TỈNH KIỂM THỬ", "SỞ NỘI VỤ", "Số:      /BC-SNV"]
    assert [p.text for p in head.cell(0, 1).paragraphs] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Kiểm Thử, ngày 01 tháng 7 năm 2024"]
    texts = [p.text for p in doc.paragraphs]
    title = texts.index("BÁO CÁO")
    assert texts[title + 1:title + 4] == [
        "kết quả công tác dân vận chính quyền quý II",
        "và phương hướng, nhiệm vụ quý III năm 2024", "-----"]
    assert [t for t in texts if re.match(r"^(I|II|III)\. ", t)] == [
        "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ QUÝ II NĂM 2024", "II. HẠN CHẾ, NGUYÊN NHÂN",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ III NĂM 2024"]
    overview = doc.tables[1]
    assert [[c.text for c in row.cells] for row in overview.rows] == [
        ["Nhóm", "Nhiệm vụ của kế hoạch", "Lượt giao", "Quý I năm 2024 (lượt)"],
        ["Hoàn thành đúng hạn", "5", "6", "1"], ["Hoàn thành quá hạn", "2", "2", "0"],
        ["Đang thực hiện, trong hạn", "2", "2", "14"],
        ["Chưa hoàn thành, quá hạn", "3", "4", "1"], ["Đã hủy", "1", "1", "0"],
        ["Tổng số", "13", "15", "16"], ["Tỷ lệ đúng hạn", "50,0%", "50,0%", "50,0%"]]
    # Every data table repeats its header row on each page.
    data = doc.tables[1:-1]
    assert len(data) == 10
    assert all(t.rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None for t in data)
    league = next(t for t in data if t.rows[0].cells[1].text == "Đơn vị")
    assert [row.cells[1].text for row in league.rows[1:]] == [
        "Sở Kế hoạch và Đầu tư", "Xã Một", "Huyện Một", "Ban Tuyên giáo Tỉnh ủy", "Xã Hai",
        "Xã Bốn (chuyển từ Xã Ba: 17 ngày quá hạn trước khi tiếp nhận)",
        "Ủy ban MTTQ Việt Nam tỉnh"]
    sign = doc.tables[-1]
    assert [p.text for p in sign.cell(0, 0).paragraphs] == [
        "Nơi nhận:", "- Ủy ban nhân dân tỉnh (để báo cáo);", "- Lưu: VT, CCHC."]
    assert [p.text for p in sign.cell(0, 1).paragraphs if p.text] == [
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Văn Thử"]


def test_a_party_body_has_the_party_line_and_the_star(engine, folder):
    record_quarter(engine, folder)
    (folder / "review.yaml").write_text(
        REVIEW_YAML.replace("kind: government", "kind: party")
        .replace('"Sở Nội vụ"', '"Ban Dân vận"')
        .replace('"Ủy ban nhân dân tỉnh Kiểm Thử"', '"Tỉnh ủy Kiểm Thử"')
        .replace("{n}/BC-SNV", "{n}-BC/BDVTU"), encoding="utf-8")
    load(engine, folder, AS_OF)

    head = docx_of(build_review(engine, JURISDICTION, Q2, AS_OF)).tables[0]

    assert [p.text for p in head.cell(0, 0).paragraphs] == [
        "TỈNH ỦY KIỂM THỬ", "BAN DÂN VẬN", "*", "Số      -BC/BDVTU"]
    assert [p.text for p in head.cell(0, 1).paragraphs] == [
        "ĐẢNG CỘNG SẢN VIỆT NAM", "Kiểm Thử, ngày 01 tháng 7 năm 2024"]


def test_libreoffice_renders_the_word_file(signed, db_url, tmp_path):
    soffice = shutil.which("soffice")
    needs("LibreOffice (soffice)", soffice is not None)
    need("poppler")
    kind = db_url.split(":")[0]
    path = write_review(signed, tmp_path, ("docx",))[0]
    profile = tmp_path / f"lo-{uuid.uuid4().hex[:8]}"  # one profile per run: no lock clash
    subprocess.run([str(soffice), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf = path.with_suffix(".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for words in ("SỞ NỘI VỤ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO",
                  "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ QUÝ II NĂM 2024", "Bảng 1. Kết quả thực hiện",
                  "III. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ III NĂM 2024", "Trần Văn Thử"):
        assert words in text, words
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info), info
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, ARTIFACTS / f"{kind}-review.docx")
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / f"{kind}-docx")],
                   check=True)
    assert (ARTIFACTS / f"{kind}-docx-1.png").exists()


def test_write_review_writes_the_four_files(plain, tmp_path):
    paths = write_review(plain, tmp_path / "reports")

    assert [p.name for p in paths] == [f"review-{JURISDICTION}-2024-Q2.{fmt}"
                                       for fmt in ("md", "html", "json", "docx")]
    for path, fmt in zip(paths[:3], ("md", "html", "json"), strict=True):
        assert path.read_text(encoding="utf-8") == render(plain, fmt)
    assert paths[3].read_bytes()[:2] == b"PK"  # a zip: the .docx container
