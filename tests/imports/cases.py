"""The corpus: realistic appendix tables, each one built by a function of its own.

Each ``build_*`` writes its file into a folder and returns its path; the tests in
``test_corpus.py`` import each one and compare what comes out, in full.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.imports.corpus import HEADER, NUMBERS, WordTable, excel_plan, group, word_plan

NB_APPENDIX = ["PHỤ LỤC", "Nhiệm vụ công tác dân vận quý III năm 2024",
               "(Kèm theo Kế hoạch số 18-KH/BDVTU ngày 5/7/2024 của Ban Dân vận Tỉnh ủy)"]


def build_word_plain(folder: Path, revised: bool = False) -> Path:
    """Ninh Bình: one table, the column numbers under the header, a group row per
    sector merged across the row, abbreviations, every deadline form but recurring.

    ``revised``: the plan as the office sends it again: a task added at the top (every
    row below renumbered), a deadline moved, a task reworded."""
    added = [["1", "Vận động doanh nghiệp tham gia chương trình \"Doanh nghiệp đồng hành cùng "
              "nông thôn mới\"", "Ủy ban MTTQ tỉnh", "Sở KH&ĐT", "Quý IV/2024",
              "Danh sách doanh nghiệp tham gia"]] if revised else []
    n = len(added)

    def stt(number: int) -> str:
        return str(number + n)

    rows = [
        HEADER, NUMBERS,
        group("I", "LĨNH VỰC KINH TẾ"), *added,
        [stt(1), "Vận động nhân dân hiến đất, góp công xây dựng đường giao thông nông thôn "
         "mới", "UBND các huyện, thành phố", "Ủy ban MTTQ tỉnh; Hội Nông dân tỉnh",
         "Quý III/2024", "Báo cáo kết quả vận động"],
        [stt(2), "Tuyên truyền Quy hoạch tỉnh Ninh Bình thời kỳ 2021 - 2030, tầm nhìn đến năm "
         "2050", "Sở KH&ĐT", "Sở TT&TT, Ban Tuyên giáo TU", "30/9/2024",
         "Tin, bài trên Cổng Thông tin điện tử tỉnh"],
        group("II", "LĨNH VỰC VĂN HÓA - XÃ HỘI"),
        [stt(3), "Tổ chức Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư",
         "UBND các xã, phường, thị trấn", "MTTQ tỉnh", "Trước 18/11/2024",
         "Ngày hội được tổ chức"],
        group("III", "QUỐC PHÒNG - AN NINH"),
        [stt(4), "Nắm tình hình tôn giáo, dân tộc trên địa bàn tỉnh", "Công an tỉnh",
         "Bộ CHQS tỉnh, Ban Dân vận TU", "Tháng 10/2024" if revised else "Tháng 9/2024",
         "Báo cáo tình hình"],
        group("IV", "XÂY DỰNG ĐẢNG VÀ HỆ THỐNG CHÍNH TRỊ"),
        [stt(5), "Sơ kết 6 tháng phong trào thi đua \"Dân vận khéo\" năm 2024",
         "Ban Dân vận TU", "Văn phòng TU", "Trong 15 ngày làm việc kể từ ngày ban hành",
         "Báo cáo sơ kết"],
        [stt(6), ("Tổng hợp, khen thưởng" if revised else "Tổng hợp, biểu dương")
         + " các mô hình \"Dân vận khéo\" tiêu biểu", "Ban Dân vận Tỉnh ủy", "",
         f"10 ngày làm việc sau khi hoàn thành nhiệm vụ số {stt(5)}", "Quyết định khen thưởng"],
    ]
    groups = [i for i, row in enumerate(rows) if row[0] in ("I", "II", "III", "IV")]
    return word_plan(folder / f"ke-hoach-18{'-sua-doi' if revised else ''}.docx",
                     [WordTable(rows, merges=[(r, 1, r, 5) for r in groups])],
                     before=NB_APPENDIX)


def build_excel_sheet(folder: Path) -> Path:
    """Hưng Yên, kept in Excel: title rows above the header, "TT", "Đơn vị chủ trì",
    "Thời hạn" and "Kết quả", lettered groups, a date typed into a cell, a lead merged
    over two rows, blank rows and a footnote."""
    title = "DANH MỤC NHIỆM VỤ THỰC HIỆN DÂN CHỦ Ở CƠ SỞ NĂM 2025"
    attached = ("(Kèm theo Kế hoạch số 210-KH/TU ngày 12 tháng 5 năm 2025 của Ban Thường vụ "
                "Tỉnh ủy Hưng Yên)")
    note = "Ghi chú: Các đơn vị báo cáo kết quả về Ban Tuyên giáo và Dân vận Tỉnh ủy."
    rows = [
        [title], [attached], [],
        ["TT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Kết quả"],
        ["A", "XÂY DỰNG ĐẢNG, HỆ THỐNG CHÍNH TRỊ"],
        [1, "Tập huấn Luật Thực hiện dân chủ ở cơ sở cho cán bộ cấp xã", "Sở Nội vụ",
         "Ban Tuyên giáo và Dân vận TU; Sở Tư pháp", datetime(2025, 6, 30), "Lớp tập huấn"],
        [2, "Lấy ý kiến nhân dân về dự thảo Nghị quyết sửa đổi, bổ sung Hiến pháp năm 2013",
         "UBND các xã, phường", "MTTQ tỉnh", "Trước ngày 5/6/2025", "Biên bản lấy ý kiến"],
        [3, "Lấy ý kiến cử tri về sắp xếp đơn vị hành chính cấp xã", None, "Sở Nội vụ",
         "Tháng 6/2025", "Biên bản lấy ý kiến cử tri"],
        [],
        ["B", "KINH TẾ - XÃ HỘI"],
        [4, "Vận động nhân dân giải phóng mặt bằng các dự án trọng điểm", "UBND tỉnh",
         "Ủy ban MTTQ Việt Nam tỉnh, Hội ND tỉnh", "6 tháng đầu năm 2025", "Báo cáo kết quả"],
        [note],
    ]
    return excel_plan(folder / "ke-hoach-210.xlsx", {"Phụ lục": rows},
                      {"Phụ lục": ["A1:F1", "A2:F2", "B5:F5", "C7:C8", "B10:F10", "A12:F12"]})


LAYOUT = [["BAN CHẤP HÀNH ĐẢNG BỘ TỈNH NINH BÌNH\nBAN DÂN VẬN\n*", "ĐẢNG CỘNG SẢN VIỆT NAM"],
          ["Số 21-KH/BDVTU", "Ninh Bình, ngày 20 tháng 8 năm 2024"]]
BODY = ["KẾ HOẠCH",
        "Tổ chức các hoạt động kỷ niệm 94 năm Ngày truyền thống công tác dân vận của Đảng",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "Tuyên truyền sâu rộng truyền thống vẻ vang của công tác dân vận của Đảng.",
        "II. NHIỆM VỤ CỤ THỂ (phụ lục kèm theo)", "PHỤ LỤC"]


def build_word_two_tables(folder: Path) -> Path:
    """Ninh Bình: a plan's first page (the issuing body and motto in a layout table, Số,
    place and date, KẾ HOẠCH and the title), then the appendix in two tables: the first
    with a two-row header (Cơ quan thực hiện over Chủ trì | Phối hợp), the second
    carrying on after a page break without its header. No group rows: the sector comes
    from --sector. A deadline merged over two rows."""
    first = WordTable([
        ["STT", "Nội dung", "Cơ quan thực hiện", "", "Thời gian", "Sản phẩm"],
        ["", "", "Chủ trì", "Phối hợp", "", ""],
        ["1", "Tổ chức Hội thảo khoa học về công tác dân vận của Đảng trong tình hình mới",
         "Ban Dân vận TU", "Ban Tuyên giáo TU; Trường Chính trị tỉnh", "Tháng 10/2024",
         "Kỷ yếu hội thảo"],
        ["2", "Gặp mặt cán bộ làm công tác dân vận qua các thời kỳ", "Ban Dân vận TU",
         "Văn phòng TU", "15/10/2024", "Buổi gặp mặt"],
        ["3", "Tuyên truyền trên báo chí, phát thanh, truyền hình", "Ban Tuyên giáo TU",
         "Sở TT&TT", "15/10/2024", "Tin, bài"],
    ], merges=[(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 1, 4), (0, 5, 1, 5),
               (3, 4, 4, 4)])
    second = WordTable([
        ["4", "Biểu dương các tập thể, cá nhân tiêu biểu trong phong trào thi đua "
         "\"Dân vận khéo\"", "Ban Dân vận TU", "", "15/10/2024", "Quyết định khen thưởng"],
        ["5", "Thăm, tặng quà các đồng chí nguyên lãnh đạo Ban Dân vận Tỉnh ủy",
         "Sở Ngoại vụ", "Văn phòng TU", "Trước 15/10/2024", "Danh sách được thăm"],
    ])
    return word_plan(folder / "ke-hoach-21.docx", [first, second], layout=LAYOUT,
                     before=BODY)


def build_excel_flawed(folder: Path) -> Path:
    """Hưng Yên, in Excel, with the mistakes offices make: a row before any group, a
    group that names no sector, unknown and ambiguous unit names, a vague lead, two
    leads, a unit together with a fan-out, deadlines without a year, not a real date,
    a recurring word with a date, "before a month", a row with no task."""
    rows = [
        ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp",
         "Thời gian hoàn thành", "Sản phẩm"],
        [1, "Rà soát quy chế dân chủ tại các cơ quan", "Sở Nội vụ", "", "Quý III/2025",
         "Báo cáo rà soát"],
        ["I", "CÔNG TÁC TUYÊN TRUYỀN"],
        [2, "Tuyên truyền kết quả sắp xếp đơn vị hành chính", "Ban Tuyên giáo và Dân vận TU",
         "các địa phương", "Quý III", "Tin, bài"],
        ["II", "LĨNH VỰC VĂN HÓA - XÃ HỘI"],
        [3, "Tổ chức Ngày hội văn hóa các dân tộc", "Sở Văn hóa - Thông tin", "",
         "31/6/2025", "Ngày hội"],
        [4, "Xây dựng mô hình \"Dân vận khéo\" về văn hóa tại Văn Giang", "Văn Giang",
         "Sở VH,TT&DL", "Trước tháng 9/2025", "Mô hình"],
        [5, "Hỗ trợ xóa nhà tạm, nhà dột nát", "Các sở, ban, ngành", "Ủy ban MTTQ tỉnh",
         "Thường xuyên; sơ kết trước 30/9/2025", "Số nhà được hỗ trợ"],
        [6, "Vận động học sinh đến trường", "Sở GD&ĐT, Tỉnh đoàn", "Hội LHPN tỉnh",
         "Tháng 9/2025", "Báo cáo"],
        [7, "Tổ chức Tết Trung thu cho trẻ em", "Tỉnh đoàn; UBND các xã, phường", "",
         "Tháng 9/2025", "Báo cáo"],
        [None, None, "Sở Tư pháp", None, "Tháng 9/2025", None],
    ]
    return excel_plan(folder / "ra-soat.xlsx", {"Sheet1": rows},
                      {"Sheet1": ["B3:F3", "B5:F5"]})


UNDATED_APPENDIX = ["PHỤ LỤC", "Nhiệm vụ công tác dân vận thường xuyên",
                    "(Kèm theo Kế hoạch số 19-KH/BDVTU ngày 5/7/2024 của Ban Dân vận Tỉnh ủy)"]


def build_word_recurring(folder: Path, undated: bool = False) -> Path:
    """Ninh Bình: ongoing and periodic work in a plan for the third quarter of 2024 (its
    title says so): a row repeating monthly or quarterly is written with the periods of
    that quarter; a half-yearly or yearly one, which the quarter cannot hold, stays a
    comment saying what to add.

    ``undated``: the same rows under a title that names no period
    (``thuong-xuyen-khong-thoi-han.docx``), for the periods the command line gives."""
    name = "thuong-xuyen-khong-thoi-han.docx" if undated else "thuong-xuyen.docx"
    return word_plan(folder / name, [WordTable([
        HEADER,
        group("I", "XÂY DỰNG ĐẢNG VÀ HỆ THỐNG CHÍNH TRỊ"),
        ["1", "Nắm chắc tình hình nhân dân, công nhân, tôn giáo", "UBND các huyện, thành phố",
         "Công an tỉnh", "Thường xuyên", "Báo cáo tình hình"],
        ["2", "Báo cáo kết quả công tác dân vận", "Văn phòng TU", "", "Hằng quý", "Báo cáo quý"],
        ["3", "Giao ban công tác dân vận", "Ban Dân vận TU", "", "Hàng tháng", "Thông báo"],
        ["4", "Sơ kết phong trào thi đua \"Dân vận khéo\"", "Ban Dân vận TU", "",
         "Hằng 6 tháng", "Báo cáo sơ kết"],
        ["5", "Tổng kết công tác dân vận", "Ban Dân vận TU", "", "Hằng năm", "Báo cáo tổng kết"],
        ["6", "Biểu dương mô hình tiêu biểu", "Ban Dân vận TU", "",
         "10 ngày làm việc sau khi hoàn thành nhiệm vụ số 2", "Quyết định"],
    ], merges=[(1, 1, 1, 5)])], before=UNDATED_APPENDIX if undated else NB_APPENDIX)


def build_excel_recurring(folder: Path) -> Path:
    """Hưng Yên, a yearly plan kept in Excel (KẾ HOẠCH ... NĂM 2026, issued on 12
    February 2026): a quarterly report and a monthly briefing repeat through the rest
    of the year, from the period of the issue date."""
    title = "KẾ HOẠCH CÔNG TÁC DÂN VẬN NĂM 2026"
    attached = ("(Kèm theo Kế hoạch số 301-KH/TU ngày 12 tháng 2 năm 2026 của Ban Thường vụ "
                "Tỉnh ủy Hưng Yên)")
    rows = [
        [title], [attached], [],
        ["TT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Kết quả"],
        ["A", "XÂY DỰNG ĐẢNG, HỆ THỐNG CHÍNH TRỊ"],
        [1, "Báo cáo kết quả thực hiện dân chủ ở cơ sở", "Sở Nội vụ",
         "Ban Tuyên giáo và Dân vận TU", "Hằng quý", "Báo cáo quý"],
        [2, "Giao ban công tác dân vận", "Ban Tuyên giáo và Dân vận TU", "Sở Nội vụ",
         "Hằng tháng", "Thông báo kết luận giao ban"],
        [3, "Sơ kết 6 tháng công tác dân vận", "Ban Tuyên giáo và Dân vận TU", "",
         datetime(2026, 7, 15), "Báo cáo sơ kết"],
    ]
    return excel_plan(folder / "ke-hoach-301.xlsx", {"Phụ lục": rows},
                      {"Phụ lục": ["A1:F1", "A2:F2", "B5:F5"]})


TWO_TIER_UNITS = """\
jurisdiction:
  name: "Tỉnh Thử Nghiệm"
units:
  - {id: tn-standing, name: "Ban Thường vụ Tỉnh ủy", level: province, kind: party}
  - {id: tn-home-affairs, name: "Sở Nội vụ", level: province, kind: government, parent: tn-standing}
  - {id: tn-d1, name: "Huyện Một", level: district, kind: government, parent: tn-standing}
  - {id: tn-c1, name: "Xã Hòa Bình", level: commune, kind: government, parent: tn-standing}
  - {id: tn-c2, name: "Phường An Lạc", level: commune, kind: government, parent: tn-standing}
reorganisations:  # district-level government ends on 1 July 2025
  - {unit: tn-d1, on: 2025-07-01, decision: "Nghị quyết 202/2025/QH15"}
"""


def build_two_tier(folder: Path) -> tuple[Path, Path]:
    """A province whose district ends on 1 July 2025, and a plan issued after it that
    still says "UBND các huyện"."""
    units = folder / "thu-nghiem"
    units.mkdir()
    (units / "units.yaml").write_text(TWO_TIER_UNITS, encoding="utf-8")
    plan = word_plan(folder / "hai-cap.docx", [WordTable([
        HEADER,
        group("I", "XÂY DỰNG ĐẢNG VÀ HỆ THỐNG CHÍNH TRỊ"),
        ["1", "Kiện toàn bộ máy chính quyền địa phương hai cấp", "UBND các huyện", "Sở Nội vụ",
         "30/9/2025", "Báo cáo"],
        ["2", "Bàn giao hồ sơ, tài liệu lưu trữ cho chính quyền cấp xã mới",
         "UBND các xã, phường", "Sở Nội vụ", "30/9/2025", "Biên bản bàn giao"],
    ], merges=[(1, 1, 1, 5)])], before=[
        "PHỤ LỤC", "Nhiệm vụ vận hành chính quyền địa phương hai cấp",
        "(Kèm theo Kế hoạch số 5-KH/TU ngày 15/8/2025 của Ban Thường vụ Tỉnh ủy)"])
    return plan, units
