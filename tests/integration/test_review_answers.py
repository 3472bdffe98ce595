"""The review's part II lists the extension requests asked in the quarter and answered or
withdrawn by its date, through the command line, on SQLite and PostgreSQL.

Tỉnh Thử Nghiệm's plan ``loc`` of test_review_locality.py (issued 01/04/2024), its Q2
review as of 01/07/2024: Xã Một (c1) asks on 02/04 to move its census to 15/06 and
withdraws the request the next day; Xã Hai (c2) asks on 20/05 to move its census to
30/06 and the steering committee's secretariat refuses on 22/05; the Party committee of
Xã Một (c1-party) asks on 10/06 for its cell meeting and has no answer by 01/07, so it
stays in the list of requests waiting, not in the answered ones. Answered in date
order: the withdrawal (03/04), then the refusal (22/05).
"""

from __future__ import annotations

import json

from .test_review_locality import REVIEW, _setup


def test_the_review_lists_a_refusal_by_the_secretariat_and_a_withdrawal(cli, project):
    _setup(cli, project)
    for args in (
            ("request-extension", "loc/census-two", "--unit", "c2", "--to", "2024-06-30",
             "--reason", "Chờ số liệu của thôn", "--on", "2024-05-20"),
            ("refuse-extension", "loc/census-two", "--reason", "Đủ thời gian thực hiện",
             "--on", "2024-05-22"),
            ("request-extension", "loc/census", "--unit", "c1", "--to", "2024-06-15",
             "--reason", "Thiếu cán bộ", "--on", "2024-04-02"),
            ("withdraw-extension", "loc/census", "--unit", "c1", "--on", "2024-04-03"),
            ("request-extension", "loc/cell-meeting", "--unit", "c1-party", "--to",
             "2024-07-31", "--reason", "Chờ ý kiến cấp ủy cấp trên", "--on", "2024-06-10")):
        run = cli(*args)
        assert run.exit_code == 0, (args, run.stderr)

    review = json.loads(cli(*REVIEW, "--jurisdiction", "tinh-thu").stdout)
    markdown = cli(*REVIEW[:-4], "--jurisdiction", "tinh-thu", "--format", "md",
                   "--out", "-").stdout

    assert [(a["task"], a["outcome"], a["answered_on"], a["answered_by_name"], a["answer"])
            for a in review["extension_requests_answered"]] == [
        ("loc/census", "withdrawn", "2024-04-03", "Xã Một", ""),
        ("loc/census-two", "refused", "2024-05-22", "", "Đủ thời gian thực hiện")]
    assert [r["task"] for r in review["extension_requests"]] == ["loc/cell-meeting"]
    assert ("- Xã Hai đề nghị gia hạn “Rà soát hộ nghèo” đến ngày 30/06/2024 (đề nghị ngày "
            "20/05/2024): Chờ số liệu của thôn. Ngày 22/05/2024, Thường trực Ban Chỉ đạo "
            "không đồng ý: Đủ thời gian thực hiện.") in markdown
    assert ("- Xã Một đề nghị gia hạn “Rà soát hộ nghèo” đến ngày 15/06/2024 (đề nghị ngày "
            "02/04/2024): Thiếu cán bộ. Ngày 03/04/2024, đơn vị rút đề nghị.") in markdown
