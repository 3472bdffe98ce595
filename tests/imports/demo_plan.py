"""The Word plan of the demo: Ninh Bình's mass mobilisation tasks for the last months of 2024.

Plan No. 18-KH/BDVTU of the Provincial Party Committee's Mass Mobilisation Commission,
26 August 2024, as such a plan is laid out: the issuing body and the Party's name side
by side, its number, place and date, the title, a few paragraphs, then the appendix
table the secretariat imports. ``make demo`` replays what ``dirtrack import`` made of
it (``directives/ninh-binh/imported/2024-h2-plan.yaml``, kept equal to a fresh import
by ``tests/imports/test_demo_plan.py``). To see or edit the Word file::

    .venv/bin/python -m tests.imports.demo_plan ke-hoach-18-KH-BDVTU.docx
    .venv/bin/dirtrack import ke-hoach-18-KH-BDVTU.docx --jurisdiction ninh-binh \\
        --directive-id nb-2024-h2
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.imports.corpus import HEADER, NUMBERS, WordTable, group, word_plan

FILE_NAME = "ke-hoach-18-KH-BDVTU.docx"
DIRECTIVE_ID = "nb-2024-h2"
IMPORTED = Path(__file__).resolve().parents[2] / "directives/ninh-binh/imported/2024-h2-plan.yaml"

LAYOUT = [["TỈNH ỦY NINH BÌNH\nBAN DÂN VẬN\n*", "ĐẢNG CỘNG SẢN VIỆT NAM"],
          ["Số 18-KH/BDVTU", "Ninh Bình, ngày 26 tháng 8 năm 2024"]]
BODY = [
    "KẾ HOẠCH",
    "Thực hiện nhiệm vụ công tác dân vận những tháng cuối năm 2024",
    "Thực hiện Kết luận số 45-KL/TU của Ban Thường vụ Tỉnh ủy về nhiệm vụ trọng tâm công tác "
    "dân vận năm 2024, Ban Dân vận Tỉnh ủy xây dựng kế hoạch thực hiện nhiệm vụ công tác dân "
    "vận những tháng cuối năm 2024 như sau:",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "Nâng cao hiệu quả công tác dân vận, góp phần tạo đồng thuận xã hội, thực hiện thắng lợi "
    "nhiệm vụ phát triển kinh tế - xã hội năm 2024; nhân rộng các mô hình \"Dân vận khéo\".",
    "II. NHIỆM VỤ CỤ THỂ",
    "(Có phụ lục kèm theo)",
    "III. TỔ CHỨC THỰC HIỆN",
    "Các cơ quan, đơn vị được phân công chủ trì báo cáo kết quả về Ban Dân vận Tỉnh ủy.",
    "PHỤ LỤC",
    "Danh mục nhiệm vụ công tác dân vận những tháng cuối năm 2024",
    "(Kèm theo Kế hoạch số 18-KH/BDVTU ngày 26/8/2024 của Ban Dân vận Tỉnh ủy)",
]
ROWS = [
    HEADER, NUMBERS,
    group("I", "LĨNH VỰC KINH TẾ"),
    ["1", "Vận động nhân dân tham gia xây dựng nông thôn mới nâng cao, nông thôn mới kiểu mẫu",
     "UBND các huyện, thành phố", "Ủy ban MTTQ tỉnh; Hội Nông dân tỉnh", "Quý IV/2024",
     "Báo cáo kết quả"],
    ["2", "Tuyên truyền, vận động nhân dân đồng thuận giải phóng mặt bằng các dự án trọng "
     "điểm của tỉnh", "UBND tỉnh", "Ban Dân vận TU, Ủy ban MTTQ tỉnh", "30/11/2024",
     "Báo cáo kết quả giải phóng mặt bằng"],
    group("II", "LĨNH VỰC VĂN HÓA - XÃ HỘI"),
    ["3", "Vận động ủng hộ Quỹ \"Vì người nghèo\", hỗ trợ xóa nhà tạm, nhà dột nát cho hộ "
     "nghèo", "Ủy ban MTTQ Việt Nam tỉnh", "Sở LĐ-TB&XH; các tổ chức chính trị - xã hội tỉnh",
     "Tháng 11/2024", "Số nhà được hỗ trợ; số tiền vận động được"],
    ["4", "Tổ chức Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư",
     "UBND các xã, phường, thị trấn", "Ủy ban MTTQ tỉnh", "Trước 18/11/2024",
     "Ngày hội được tổ chức ở các khu dân cư"],
    group("III", "QUỐC PHÒNG - AN NINH"),
    ["5", "Nắm chắc tình hình nhân dân, công nhân, tôn giáo; giải quyết kịp thời các vấn đề "
     "phát sinh ngay từ cơ sở", "Công an tỉnh", "Ban Dân vận TU, Bộ CHQS tỉnh",
     "Thường xuyên", "Báo cáo tình hình"],
    ["6", "Xây dựng mô hình \"Dân vận khéo\" trong lực lượng vũ trang tỉnh", "Bộ CHQS tỉnh",
     "Công an tỉnh", "Quý IV/2024", "Mô hình được đăng ký, triển khai"],
    group("IV", "XÂY DỰNG ĐẢNG VÀ HỆ THỐNG CHÍNH TRỊ"),
    ["7", "Tổ chức các hoạt động kỷ niệm 94 năm Ngày truyền thống công tác dân vận của Đảng "
     "(15/10/1930 - 15/10/2024)", "Ban Dân vận TU", "Ban Tuyên giáo TU, Văn phòng TU",
     "15/10/2024", "Các hoạt động kỷ niệm được tổ chức"],
    ["8", "Lựa chọn các mô hình, điển hình \"Dân vận khéo\" tiêu biểu năm 2024 để biểu dương",
     "UBND các huyện, thành phố", "Ban Dân vận TU", "30/9/2024",
     "Hồ sơ các mô hình được lựa chọn"],
    ["9", "Tổng hợp, biểu dương các mô hình, điển hình \"Dân vận khéo\" tiêu biểu cấp tỉnh năm "
     "2024", "Ban Dân vận TU", "", "10 ngày làm việc sau khi hoàn thành nhiệm vụ số 8",
     "Quyết định biểu dương"],
    ["10", "Tuyên truyền, tạo sự đồng thuận về sắp xếp đơn vị hành chính cấp huyện, cấp xã "
     "giai đoạn 2023 - 2025", "Ban Tuyên giáo TU", "Ban Dân vận TU; Sở Nội vụ; MTTQ tỉnh",
     "Quý IV/2024", "Báo cáo tình hình dư luận xã hội"],
    ["11", "Báo cáo kết quả thực hiện Thông tri số 05-TT/TU về công tác dân vận chính quyền",
     "UBND tỉnh", "Sở Nội vụ", "Trong 15 ngày làm việc kể từ ngày ban hành",
     "Báo cáo kết quả"],
    ["12", "Báo cáo kết quả công tác dân vận", "Văn phòng TU", "Ban Dân vận TU", "Hằng quý",
     "Báo cáo quý"],
    ["Ghi chú: Các cơ quan, đơn vị gửi báo cáo về Ban Dân vận Tỉnh ủy trước ngày 20 của tháng "
     "cuối quý."] * 6,
]
MERGES = [(2, 1, 2, 5), (5, 1, 5, 5), (8, 1, 8, 5), (11, 1, 11, 5), (18, 0, 18, 5)]


def build(path: Path) -> Path:
    """Write the demo plan's Word file to ``path``."""
    return word_plan(path, [WordTable(ROWS, MERGES)], layout=LAYOUT, before=BODY)


if __name__ == "__main__":  # pragma: no cover
    print(build(Path(sys.argv[1] if len(sys.argv) > 1 else FILE_NAME)))
