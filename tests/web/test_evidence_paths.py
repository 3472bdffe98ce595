"""Evidence files are read and written only inside DIRTRACK_EVIDENCE_DIR: no path from the
database, and no link inside the folder, leads the app to a file outside it.

A file outside the folder stands for anything the server's account can read or write
(the signing key, another system's files); the answer is 500 (the folder or the
database is wrong, not the request), it says what to fix, and nothing is recorded.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from sqlalchemy import insert, select

from dirtrack.store.tables import EvidenceRow, InstanceRow

from .conftest import TASK, csrf_of, error_message

EVIDENCE = EvidenceRow.__table__  # type: ignore[attr-defined]
INSTANCES = InstanceRow.__table__  # type: ignore[attr-defined]
CONTENT = b"%PDF-1.4 bien ban nghiem thu"
DIGEST = hashlib.sha256(CONTENT).hexdigest()


def _report_done(site, content: bytes = CONTENT) -> tuple[int, str]:
    """Report TASK done with a file; return the answer's status and its error or link."""
    browser = site.browser("lead")
    page = browser.get(f"/tasks/{TASK}")
    sent = browser.post(f"/tasks/{TASK}/done", data={
        "csrf": csrf_of(page.text), "version": "0", "on": "20/05/2024"},
        files={"evidence": ("bien-ban.pdf", content, "application/pdf")})
    if sent.status_code != 303:
        return sent.status_code, error_message(sent.text)
    return 303, re.search(r'href="(/evidence/\d+)"',
                          browser.get(f"/tasks/{TASK}").text).group(1)


def test_a_link_in_the_evidence_folder_leading_out_is_never_written_through(site, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    site.evidence_dir.mkdir(parents=True, exist_ok=True)
    (site.evidence_dir / DIGEST[:2]).symlink_to(outside)

    status, message = _report_done(site)

    assert (status, message) == (500, (
        f"the evidence folder {site.evidence_dir.resolve()} holds a link leading out of it "
        f"({DIGEST[:2]}/{DIGEST}); remove the link from DIRTRACK_EVIDENCE_DIR"))
    assert list(outside.iterdir()) == []
    assert site.events(TASK) == []  # refused before the completion was recorded


def test_a_kept_file_replaced_by_a_link_leading_out_is_never_read(site, tmp_path):
    status, link = _report_done(site)
    assert status == 303
    secret = tmp_path / "secret.txt"
    secret.write_text("DIRTRACK_SECRET_KEY=do-not-serve")
    kept = site.evidence_dir / DIGEST[:2] / DIGEST
    kept.unlink()
    kept.symlink_to(secret)

    response = site.browser("steering").get(link)

    assert response.status_code == 500
    assert "do-not-serve" not in response.text
    assert error_message(response.text) == (
        f"the evidence folder {site.evidence_dir.resolve()} holds a link leading out of it "
        f"({DIGEST[:2]}/{DIGEST}); remove the link from DIRTRACK_EVIDENCE_DIR")


def test_an_evidence_row_naming_a_path_is_never_read(site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("DIRTRACK_SECRET_KEY=do-not-serve")
    assert _report_done(site)[0] == 303
    with site.engine.begin() as conn:
        pk = conn.execute(select(INSTANCES.c.pk).where(INSTANCES.c.key == TASK)).scalar_one()
        forged = [conn.execute(insert(EVIDENCE).values(
            instance_pk=pk, event_id=1, sha256=path, filename="x.txt", size=1,
            uploaded_by="x", uploaded_at=datetime.now(UTC)).returning(EVIDENCE.c.id)).scalar()
            for path in (str(secret), "../" * 8 + str(secret)[1:])]

    for number in forged:
        response = site.browser("steering").get(f"/evidence/{number}")

        assert response.status_code == 500
        assert "do-not-serve" not in response.text
        assert error_message(response.text).endswith(
            "is not a stored file's SHA-256; the database has been altered by hand")


def test_a_file_is_kept_whole_under_its_digest_and_once(site):
    assert _report_done(site)[0] == 303

    kept = sorted(p.relative_to(site.evidence_dir) for p in site.evidence_dir.rglob("*"))

    assert [str(p) for p in kept] == [DIGEST[:2], f"{DIGEST[:2]}/{DIGEST}"]
    assert (site.evidence_dir / DIGEST[:2] / DIGEST).read_bytes() == CONTENT
