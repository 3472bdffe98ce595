"""The review of one locality through the API and the review page, for every role.

The province is Tỉnh Thử Nghiệm of tests/integration/test_review_locality.py: commune
Xã Một (c1) with its Party committee (c1-party) and Front committee (c1-front) grouped as
locality c1, and Xã Hai (c2) with no locality. Of its plan's five tasks, three are led by
c1's bodies: c1's census (open overdue), c1-party's cell meeting (open overdue) and
c1-front's congress (done on time); so the review of c1 for Q2 2024 as of 01/07/2024
holds 3 assignments, 1 done on time and 2 open overdue, led by those three bodies.

Who reads it: the steering committee and viewers; officers of c1's bodies (the commune's
own review); not an officer of another commune (c2) or of a department (dept-a), and no
officer reads the whole province's review. An unknown locality is 404 with the line the
command line prints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.conftest import Cli
from tests.integration.test_review_locality import _setup

from .conftest import APP_USERS, PASSWORD, SECRET_KEY, error_message, login

QUARTER, AS_OF = "2024-Q2", "2024-07-01"
USERS = {  # role -> (user name, role, unit)
    "steering": ("bch.thuongtruc", "steering", None),
    "viewer": ("thanhtra.xem", "viewer", None),
    "commune": ("xamot.ubnd", "officer", "c1"),
    "commune-party": ("xamot.dangu", "officer", "c1-party"),
    "other-commune": ("xahai.ubnd", "officer", "c2"),
    "department": ("ske.chuyenvien", "officer", "dept-a"),
}
READERS = ["steering", "viewer", "commune", "commune-party"]
OUTSIDERS = ["other-commune", "department"]
UNKNOWN = ("no locality 'c3' is loaded; localities: c1 (a unit's 'locality:' in "
           "units.yaml)")


class Place:
    def __init__(self, cli: Cli, app: Any, tokens: dict[str, str]) -> None:
        self.cli, self.app, self.tokens = cli, app, tokens

    def api(self, role: str) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=False)
        if role != "anonymous":
            client.headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return client

    def browser(self, role: str) -> TestClient:
        client = TestClient(self.app, follow_redirects=False, raise_server_exceptions=False)
        assert login(client, USERS[role][0], PASSWORD).status_code == 303
        return client


@pytest.fixture(scope="module")
def place(shared_db_url: str, tmp_path_factory: pytest.TempPathFactory,
          password_hash: str) -> Iterator[Place]:
    from dirtrack.store.engine import make_engine
    from dirtrack.users import add_user, issue_token
    from dirtrack.web.app import create_app

    project = tmp_path_factory.mktemp("locality") / "project"
    project.mkdir()
    cli = Cli(shared_db_url, project)
    _setup(cli, project)
    engine = make_engine(shared_db_url)
    tokens = {}
    for role, (name, kind, unit) in USERS.items():
        add_user(engine, name, kind, unit, None)
        tokens[role] = issue_token(engine, name)
    with engine.begin() as conn:
        conn.execute(update(APP_USERS).values(password_hash=password_hash))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIRTRACK_SECRET_KEY", SECRET_KEY)
        app = create_app(shared_db_url, evidence_dir=project / "evidence")
        yield Place(cli, app, tokens)
    app.state.engine.dispose()
    engine.dispose()


def _review(place: Place, role: str, **params: str) -> Any:
    return place.api(role).get(f"/api/reviews/{QUARTER}", params={
        "jurisdiction": "tinh-thu", "as_of": AS_OF, **params})


@pytest.mark.parametrize("role", READERS)
def test_those_who_may_read_the_review_of_the_commune_get_its_bodies_work(place, role):
    response = _review(place, role, locality="c1")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["jurisdiction"], body["locality"]) == ("tinh-thu", "c1")
    assert {k: body["totals"][k] for k in ("done_on_time", "done_late", "open_overdue",
                                           "total")} == {
        "done_on_time": 1, "done_late": 0, "open_overdue": 2, "total": 3}
    assert sorted(u["unit"] for u in body["by_unit"]) == ["c1", "c1-front", "c1-party"]
    # the same review the command line prints
    printed = place.cli("review", QUARTER, "--as-of", AS_OF, "--locality", "c1",
                        "--format", "json", "--out", "-")
    assert printed.exit_code == 0, printed.stderr

    assert body == json.loads(printed.stdout)


@pytest.mark.parametrize("role", OUTSIDERS)
def test_an_officer_of_another_unit_may_not_read_the_commune_s_review(place, role):
    response = _review(place, role, locality="c1")

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "reviews are for the steering committee and viewers; an officer reads the review of "
        f"its own locality only, and unit '{USERS[role][2]}' is not one of the bodies of 'c1'")


@pytest.mark.parametrize("role", ["commune", "commune-party", *OUTSIDERS])
def test_no_officer_reads_the_whole_province_s_review(place, role):
    response = _review(place, role)

    assert response.status_code == 403
    assert response.json()["detail"] == "reviews are for the steering committee and viewers"


@pytest.mark.parametrize("role", [*READERS, *OUTSIDERS])
def test_an_unknown_locality_is_404_with_the_command_line_s_message(place, role):
    response = _review(place, role, locality="c3")
    printed = place.cli("review", QUARTER, "--as-of", AS_OF, "--locality", "c3",
                        "--format", "json", "--out", "-")

    assert (response.status_code, response.json()["detail"]) == (404, UNKNOWN)
    assert printed.stderr == f"error: {UNKNOWN}\n"


def test_a_locality_of_another_jurisdiction_is_404(place):
    response = place.api("steering").get(f"/api/reviews/{QUARTER}", params={
        "jurisdiction": "ninh-binh", "locality": "c1"})

    assert (response.status_code, response.json()["detail"]) == (
        404, "locality 'c1' belongs to tinh-thu, not ninh-binh")


def test_without_credentials_the_review_of_a_locality_is_401(place):
    assert _review(place, "anonymous", locality="c1").status_code == 401


def _page(place: Place, role: str, locality: str) -> Any:
    return place.browser(role).get("/reviews", params={
        "quarter": QUARTER, "as_of": AS_OF, "locality": locality})


def _document(html: str) -> str:
    """The review document the page shows in its frame, as text."""
    match = re.search(r'srcdoc="([^"]*)"', html)
    assert match, "the page shows no review"
    inner = unescape(match.group(1))
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", inner)))


@pytest.mark.parametrize("role", READERS)
def test_the_review_page_of_a_locality_shows_the_commune_s_bodies(place, role):
    page = _page(place, role, "c1")

    assert page.status_code == 200, page.text
    text = _document(page.text)
    assert ("Nhiệm vụ do các cơ quan, đơn vị trên địa bàn Xã Một chủ trì: Xã Một; Ủy ban "
            "MTTQ xã Một; Đảng ủy xã Một; Đoàn xã Một") in text
    # its download links keep the locality, and give the command line's file
    links = re.findall(r'href="(/reviews/tinh-thu/2024-Q2\.md[^"]*)"', page.text)
    assert links == [f"/reviews/tinh-thu/2024-Q2.md?as_of={AS_OF}&amp;locality=c1"]
    download = place.browser(role).get(unescape(links[0]))
    printed = place.cli("review", QUARTER, "--as-of", AS_OF, "--locality", "c1",
                        "--format", "md", "--out", "-")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == (
        'attachment; filename="review-tinh-thu-2024-Q2-c1.md"')
    assert download.text + "\n" == printed.stdout


@pytest.mark.parametrize("role", OUTSIDERS)
def test_the_review_page_of_a_locality_refuses_an_officer_of_another_unit(place, role):
    page = _page(place, role, "c1")
    download = place.browser(role).get(f"/reviews/tinh-thu/{QUARTER}.md",
                                       params={"as_of": AS_OF, "locality": "c1"})

    for answer in (page, download):
        assert answer.status_code == 403
    assert error_message(page.text) == (
        "reviews are for the steering committee and viewers; an officer reads the review of "
        f"its own locality only, and unit '{USERS[role][2]}' is not one of the bodies of 'c1'")


@pytest.mark.parametrize("role", [*READERS, *OUTSIDERS])
def test_the_review_page_of_an_unknown_locality_is_404(place, role):
    page = _page(place, role, "c3")

    assert page.status_code == 404
    assert error_message(page.text) == UNKNOWN
