"""The HTTP API (`chithi serve`): the ask contract, tokens, uploads, removal, statistics."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from bot.alerts import AlertStore
from bot.cli import cli
from bot.settings import Settings
from bot.web import build_app
from tests.helpers.documents import NOTICE_TEXT

ADMIN = {"Authorization": "Bearer admin-secret"}


@pytest.fixture(scope="module")
def client(data_dir: Path) -> Iterator[TestClient]:
    settings = Settings.from_env(
        {"CHITHI_DATA_DIR": str(data_dir), "CHITHI_ADMIN_TOKEN": "admin-secret",
         "CHITHI_MAX_FILE_MB": "0.05"}
    )  # fmt: skip
    with TestClient(build_app(settings)) as test_client:
        yield test_client


def test_ask_returns_exactly_the_cli_json_contract(client: TestClient, data_dir: Path) -> None:
    question = "Hà Tiên áp dụng chỉ thị nào?"
    response = client.post("/api/ask", json={"question": question})
    assert response.status_code == 200
    cli_run = CliRunner().invoke(
        cli, ["ask", "--json", question], env={"CHITHI_DATA_DIR": str(data_dir)}
    )
    assert cli_run.exit_code == 0, cli_run.output
    from_cli, from_api = json.loads(cli_run.output), response.json()
    from_cli.pop("latency_ms"), from_api.pop("latency_ms")
    assert json.dumps(from_api, ensure_ascii=False) == json.dumps(from_cli, ensure_ascii=False)
    assert from_api["status"] == "answered"


def test_ask_filters_by_a_province_written_any_way(client: TestClient) -> None:
    answer = client.post("/api/ask", json={"question": "giãn cách từ ngày nào?",
                                           "province": "kien giang"}).json()  # fmt: skip
    assert answer["status"] == "answered"
    assert {c["doc_id"] for c in answer["citations"]} == {"001_5c18a4811e1b304d"}
    unknown = client.post("/api/ask", json={"question": "giãn cách?", "province": "Cà Mau"})
    assert unknown.status_code == 400


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"not json", 400), (b'{"question": ""}', 400), (b'["x"]', 400),
     (b'{"question": "' + b"a" * 20000 + b'"}', 413),
     ('{"question": "x", "date_from": "hôm qua"}'.encode(), 400)],
)  # fmt: skip
def test_bad_ask_requests_get_a_clear_error(client: TestClient, body: bytes, status: int) -> None:
    response = client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert response.json()["error"]


def test_admin_calls_need_the_admin_token(client: TestClient) -> None:
    for method, path in (("GET", "/api/stats"), ("GET", "/api/questions.csv"),
                         ("DELETE", "/api/documents/001_5c18a4811e1b304d")):  # fmt: skip
        assert client.request(method, path).status_code == 401
        wrong = client.request(method, path, headers={"Authorization": "Bearer admin-secreT"})
        assert wrong.status_code == 403
    upload = client.post("/api/documents", files={"file": ("a.txt", b"x")})
    assert upload.status_code == 401
    assert client.get("/api/documents").status_code == 200  # staff calls are open by default


def test_admin_is_off_without_a_token_and_staff_can_be_closed(data_dir: Path) -> None:
    settings = Settings.from_env(
        {"CHITHI_DATA_DIR": str(data_dir), "CHITHI_STAFF_TOKEN": "staff-secret"}
    )
    with TestClient(build_app(settings)) as closed:
        assert closed.get("/api/stats", headers=ADMIN).status_code == 403
        assert closed.get("/api/whoami").json() == {"staff_token_required": True}
        assert closed.post("/api/ask", json={"question": "5K là gì?"}).status_code == 401
        staff = {"Authorization": "Bearer staff-secret"}
        answer = closed.post("/api/ask", json={"question": "5K là gì?"}, headers=staff)
        assert answer.json()["status"] == "answered"


def test_upload_good_and_broken_files_then_remove(client: TestClient) -> None:
    good = client.post("/api/documents", headers=ADMIN,
                       files={"file": ("kh-web.txt", NOTICE_TEXT.encode())})  # fmt: skip
    [result] = good.json()["results"]
    assert (result["doc_id"], result["status"]) == ("kh-web", "added")
    assert result["message"].startswith("✅ Đã thêm văn bản:")
    answer = client.post("/api/ask", json={"question": "Người nhập cảnh cách ly mấy ngày?"})
    assert "kh-web" in {c["doc_id"] for c in answer.json()["citations"]}
    broken = client.post("/api/documents", headers=ADMIN,
                         files={"file": ("hong.docx", b"PK\x03\x04 broken")})  # fmt: skip
    [failed] = broken.json()["results"]
    assert failed["status"] == "error"
    assert failed["message"].startswith("❌ Không đọc được tệp hong.docx")
    wrong_kind = client.post("/api/documents", headers=ADMIN,
                             files={"file": ("bang.xlsx", b"PK\x03\x04")})  # fmt: skip
    assert wrong_kind.status_code == 415
    removed = client.delete("/api/documents/kh-web", headers=ADMIN)
    assert removed.json()["removed"] == "kh-web"
    assert client.delete("/api/documents/kh-web", headers=ADMIN).status_code == 404


def test_an_upload_sets_what_the_file_does_not_state_and_documents_show_status(
    client: TestClient, data_dir: Path
) -> None:
    alerts = AlertStore(data_dir / "questions.sqlite3")
    alerts.subscribe(77, "Lai Châu")
    facts = {"date": "01/02/2021", "province": "lai chau", "supersedes": "003_04a503c8cc38bcba"}
    bad = client.post("/api/documents", headers=ADMIN, data={**facts, "province": "Atlantis"},
                      files={"file": ("kh-web.txt", NOTICE_TEXT.encode())})  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["error"].startswith("❌ Không biết tỉnh “Atlantis”")
    good = client.post("/api/documents", headers=ADMIN, data=facts,
                       files={"file": ("kh-web.txt", NOTICE_TEXT.encode())})  # fmt: skip
    assert good.json()["results"][0]["status"] == "added"
    assert alerts.counts().pending == 1  # the Lai Châu follower is owed the alert
    documents = {d["doc_id"]: d for d in client.get("/api/documents").json()["documents"]}
    assert (documents["kh-web"]["province"], documents["kh-web"]["date"]) == (
        "Lai Châu",
        "2021-02-01",
    )
    replaced = documents["003_04a503c8cc38bcba"]
    assert replaced["superseded_by"] == "kh-web"
    assert replaced["status"].startswith("đã được thay thế bởi")
    assert documents["kh-web"]["status"] == "còn hiệu lực (theo các văn bản hiện có)"


def test_an_oversized_upload_is_refused_with_413(client: TestClient) -> None:
    big = NOTICE_TEXT.encode() * 200  # over the 0.05 MB limit of this app
    response = client.post("/api/documents", headers=ADMIN, files={"file": ("to.txt", big)})
    assert response.status_code == 413


def test_a_file_name_from_the_client_is_never_a_path_on_disk(
    client: TestClient, data_dir: Path
) -> None:
    response = client.post("/api/documents", headers=ADMIN,
                           files={"file": ("../../escape.txt", NOTICE_TEXT.encode())})  # fmt: skip
    [result] = response.json()["results"]
    assert result["status"] in ("added", "unchanged")
    assert not (data_dir.parent / "escape.txt").exists()
    assert not (data_dir / "escape.txt").exists()
    client.delete(f"/api/documents/{result['doc_id']}", headers=ADMIN)


def test_questions_are_logged_for_the_gap_list_and_the_csv(client: TestClient) -> None:
    for _ in range(2):
        client.post("/api/ask", json={"question": "Giá vé máy bay dịp Tết bao nhiêu?"})
    stats = client.get("/api/stats?days=1", headers=ADMIN).json()
    assert {"question": "Giá vé máy bay dịp Tết bao nhiêu?", "count": 2} in stats["gaps"]
    assert stats["not_found"] >= 2
    exported = client.get("/api/questions.csv?days=1", headers=ADMIN)
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert any(r["question"] == "Giá vé máy bay dịp Tết bao nhiêu?" and r["chat_type"] == "web"
               for r in rows)  # fmt: skip
    assert "admin-secret" not in exported.text


def test_health_openapi_and_security_headers(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.json()["status"] == "ok"
    assert health.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert health.headers["X-Content-Type-Options"] == "nosniff"
    spec = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/documents", "/api/stats"} <= set(spec["paths"])


# -- Tokens: who may call what, and what a refusal says ---------------------------------------

STAFF = {"Authorization": "Bearer staff-secret"}
WRONG = {"Authorization": "Bearer not-a-token"}
NEEDS_STAFF = {"error": "Cần mã nhân viên (Authorization: Bearer …)."}
NEEDS_ADMIN = {"error": "Cần mã quản trị (Authorization: Bearer …)."}
ADMIN_OFF = {"error": "Chưa bật quản trị: chưa đặt CHITHI_ADMIN_TOKEN."}
STAFF_CALLS = [("GET", "/api/documents"), ("GET", "/api/provinces"), ("POST", "/api/ask")]
ADMIN_CALLS = [
    ("GET", "/api/stats"),
    ("GET", "/api/questions.csv"),
    ("DELETE", "/api/documents/001_5c18a4811e1b304d"),
    ("POST", "/api/documents"),
]


@pytest.fixture(scope="module")
def closed(data_dir: Path) -> Iterator[TestClient]:
    """The app with both tokens set: staff calls need one too."""
    settings = Settings.from_env({"CHITHI_DATA_DIR": str(data_dir),
                                  "CHITHI_ADMIN_TOKEN": "admin-secret",
                                  "CHITHI_STAFF_TOKEN": "staff-secret"})  # fmt: skip
    with TestClient(build_app(settings)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("method", "path", "needs"),
    [(m, p, NEEDS_STAFF) for m, p in STAFF_CALLS] + [(m, p, NEEDS_ADMIN) for m, p in ADMIN_CALLS],
)
def test_no_token_is_401_a_wrong_one_403_and_both_say_which_token(
    closed: TestClient, method: str, path: str, needs: dict[str, str]
) -> None:
    for headers, code in (({}, 401), (WRONG, 403)):
        response = closed.request(method, path, headers=headers)
        assert (response.status_code, response.json()) == (code, needs)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.headers["X-Frame-Options"] == "DENY"  # refusals get the headers too


def test_the_staff_token_is_not_an_admin_token(closed: TestClient) -> None:
    for method, path in ADMIN_CALLS:
        response = closed.request(method, path, headers=STAFF)
        assert (response.status_code, response.json()) == (403, NEEDS_ADMIN)


def test_the_admin_token_may_do_what_staff_do(closed: TestClient) -> None:
    for headers in (STAFF, ADMIN):
        assert closed.get("/api/provinces", headers=headers).json()["provinces"]
        assert closed.get("/api/documents", headers=headers).json()["documents"]
        answer = closed.post("/api/ask", json={"question": "5K là gì?"}, headers=headers)
        assert answer.json()["status"] == "answered"
    assert closed.get("/api/stats", headers=ADMIN).status_code == 200


def test_open_calls_take_no_token_and_ignore_a_wrong_one(closed: TestClient) -> None:
    for headers in ({}, WRONG):
        assert closed.get("/healthz", headers=headers).status_code == 200
        assert closed.get("/api/whoami", headers=headers).json() == {"staff_token_required": True}
        assert closed.get("/openapi.json", headers=headers).status_code == 200


def test_without_an_admin_token_admin_calls_say_it_is_off(data_dir: Path) -> None:
    settings = Settings.from_env({"CHITHI_DATA_DIR": str(data_dir)})
    with TestClient(build_app(settings)) as off:
        for method, path in ADMIN_CALLS:
            for headers in ({}, ADMIN, WRONG):
                response = off.request(method, path, headers=headers)
                assert (response.status_code, response.json()) == (403, ADMIN_OFF)
                assert "WWW-Authenticate" not in response.headers
        # No staff token either: staff calls are open, whatever token comes with them.
        assert off.get("/api/provinces", headers=WRONG).status_code == 200
