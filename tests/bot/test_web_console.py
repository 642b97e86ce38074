"""The web console (bot/web/static) in a real browser: Debian's chromium, headless.

One uvicorn server (the real app of bot/web/app.py over a private copy of the bundled index)
and one browser serve the whole module; the tests run in file order and each leaves the
index as the next one expects (uploads are added, and removed only by the test that adds
them for removal). Screenshots of both pages are written to tmp_path on every run, and to
docs/screenshots/ when CHITHI_UPDATE_SCREENSHOTS=1 (read at import: the autouse fixture
clears CHITHI_* variables before each test).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver import Chrome
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from bot.settings import Settings
from bot.web.app import build_app
from bot.wiring import build_answerer, build_library
from retrieval import Answerer, Library
from tests.conftest import NOTICES, REPO
from tests.helpers.documents import NOTICE_TEXT
from tests.helpers.http_server import ServerHandle, serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (scripts/system_packages.sh)",
)

ADMIN_TOKEN = "admin-secret"
STAFF_TOKEN = "staff-secret"
WIDTH, HEIGHT = 1280, 900
SCREENSHOTS = REPO / "docs" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("CHITHI_UPDATE_SCREENSHOTS") == "1"
WAIT = 15.0  # seconds for anything the page does (an answer takes well under one)

KIEN_GIANG = "Kiên Giang"
GAP_QUESTION = "Giá vé máy bay Tết bao nhiêu?"
SCRIPT = "<script>window.__x=1</script>"
IMAGE = '"><img src=x onerror="window.__y=1">'
HOSTILE_NOTICE = f"""THÔNG BÁO
KẾT LUẬN CỦA BAN THƯỜNG VỤ TỈNH ỦY
về phòng, chống dịch Covid-19 tại chợ nổi

Ngày 05/3/2022, Ban Thường vụ Tỉnh ủy họp và kết luận như sau:

1. Tiểu thương chợ nổi Cái Răng phải đeo khẩu trang {SCRIPT} và giữ khoảng cách {IMAGE} khi bán hàng trên ghe.

2. Các huyện tiếp tục tiêm vắc xin mũi 3 cho người trên 18 tuổi.
"""  # noqa: E501 - one paragraph, one line


# -- The server and the browser ---------------------------------------------------------------


class Console:
    """The running app: its url, and a JSON client for what a test sets up or checks."""

    def __init__(self, handle: ServerHandle) -> None:
        self.url = handle.url
        self.http = httpx.Client(base_url=handle.url, timeout=30)

    def close(self) -> None:
        self.http.close()

    def ask(self, question: str, **filters: str) -> dict[str, Any]:
        response = self.http.post("/api/ask", json={"question": question, **filters})
        response.raise_for_status()
        return cast(dict[str, Any], response.json())

    def documents(self, province: str | None = None) -> list[dict[str, Any]]:
        params = {"province": province} if province else {}
        response = self.http.get("/api/documents", params=params)
        response.raise_for_status()
        return cast(list[dict[str, Any]], response.json()["documents"])


@pytest.fixture(scope="module")
def console_dirs(bundled_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the bundled index and notices, for this module's uploads."""
    root = tmp_path_factory.mktemp("web-console")
    shutil.copytree(bundled_index_dir, root / "data")
    shutil.copytree(NOTICES, root / "notices")
    return root


@pytest.fixture(scope="module")
def pipeline(console_dirs: Path) -> tuple[Library, Answerer]:
    """One library and answerer (the e5 model loads once) for both servers of the module."""
    settings = _settings(console_dirs)
    library = build_library(settings)
    return library, build_answerer(settings, library)


def _settings(root: Path, **extra: str) -> Settings:
    return Settings.from_env(
        {
            "CHITHI_DATA_DIR": str(root / "data"),
            "CHITHI_NOTICES_DIR": str(root / "notices"),
            "CHITHI_ADMIN_TOKEN": ADMIN_TOKEN,
            **extra,
        }
    )


@pytest.fixture(scope="module")
def console(console_dirs: Path, pipeline: tuple[Library, Answerer]) -> Iterator[Console]:
    """The app without a staff token: the staff page asks for none."""
    library, answerer = pipeline
    app = build_app(_settings(console_dirs), library=library, answerer=answerer)
    with serve_in_thread(app) as handle:
        running = Console(handle)
        yield running
        running.close()


@pytest.fixture(scope="module")
def guarded_console(console_dirs: Path, pipeline: tuple[Library, Answerer]) -> Iterator[Console]:
    """The same index behind CHITHI_STAFF_TOKEN: the staff page must ask for the token."""
    library, answerer = pipeline
    settings = _settings(console_dirs, CHITHI_STAFF_TOKEN=STAFF_TOKEN)
    app = build_app(settings, library=library, answerer=answerer)
    with serve_in_thread(app) as handle:
        running = Console(handle)
        yield running
        running.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chrome]:
    """One headless chromium for the module, with a fresh profile and a 1280x900 viewport."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser: Chrome, console: Console) -> Iterator[Chrome]:
    """The browser in a new tab, this origin's storage empty (recent questions, tokens, filter)."""
    _fresh_tab(browser, console)
    yield browser
    _dismiss_alert(browser)
    # No script error and nothing the CSP refused (an inline script or handler would be a bug
    # of the pages). Refused calls (401/403 of a wrong token) are logged too; they are expected.
    log = browser.get_log("browser")  # type: ignore[no-untyped-call]  # selenium: untyped
    problems = [
        entry["message"]
        for entry in log
        if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]
    ]
    assert not problems, problems


def _fresh_tab(browser: Chrome, console: Console) -> None:
    """Go on in a new tab, the others closed, with the console origin's localStorage emptied.

    The tokens and the province filter are in sessionStorage, which belongs to the tab: a new
    tab starts without any. Storage.clearDataForOrigin cannot empty it ("session_storage" is
    not a storage type of the DevTools protocol; chromium 150 drops it from the list without
    a word), so before, the filter one test chose was still set in the next.
    """
    stale = browser.window_handles
    browser.switch_to.new_window("tab")
    fresh = browser.current_window_handle
    for handle in stale:
        browser.switch_to.window(handle)
        browser.close()
    browser.switch_to.window(fresh)
    # --window-size sizes the window, not the page: pin the tab's viewport, so that layouts
    # and screenshots are exactly WIDTH x HEIGHT.
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    browser.execute_cdp_cmd(
        "Storage.clearDataForOrigin", {"origin": console.url, "storageTypes": "local_storage"}
    )


def _dismiss_alert(browser: Chrome) -> None:
    with contextlib.suppress(NoAlertPresentException):
        browser.switch_to.alert.dismiss()


def wait_for(browser: Chrome, condition: Callable[[Chrome], Any], timeout: float = WAIT) -> Any:
    # A list the page draws again while the condition reads it is read again, not an error.
    wait = WebDriverWait(browser, timeout, ignored_exceptions=[StaleElementReferenceException])
    return wait.until(condition)


def find(browser: Chrome, css: str) -> WebElement:
    return browser.find_element(By.CSS_SELECTOR, css)


def find_all(browser: Chrome, css: str) -> list[WebElement]:
    return browser.find_elements(By.CSS_SELECTOR, css)


# -- Staff page helpers -----------------------------------------------------------------------


def open_staff(browser: Chrome, console: Console) -> None:
    browser.get(console.url + "/")
    # The province list arrives after the page: choosing a province needs it. The list of
    # notices comes after the provinces (it is filtered by the one kept for the tab).
    wait_for(browser, lambda d: len(find_all(d, "#province option")) > 1)
    wait_for(browser, lambda d: find(d, "#doc-count").text)


def answers_shown(browser: Chrome) -> int:
    return int(find(browser, "#answer").get_attribute("data-answers") or 0)


def ask(browser: Chrome, question: str) -> None:
    """Type a question into the box, press Enter and wait until its answer is on screen."""
    before = answers_shown(browser)
    box = find(browser, "#q")
    box.clear()
    box.send_keys(question, Keys.ENTER)
    wait_for(browser, lambda d: answers_shown(d) > before)


def lead(browser: Chrome) -> str:
    return find(browser, "#answer .lead").text


def cards(browser: Chrome) -> list[WebElement]:
    return find_all(browser, "#answer .card")


def screenshot(browser: Chrome, tmp_path: Path, name: str) -> Path:
    """A PNG of the viewport into tmp_path, and into docs/screenshots when updating them."""
    path = tmp_path / name
    assert browser.save_screenshot(str(path))
    assert path.read_bytes()[16:24] == WIDTH.to_bytes(4, "big") + HEIGHT.to_bytes(4, "big")
    if UPDATE_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / name)
    return path


def source_text(citation: dict[str, Any], province: str | None = None) -> str:
    """The source line the copy button adds: the API's citation, its document's province."""
    months = citation["date"]
    year, month, day = (int(x) for x in months.split("-")) if months else (0, 0, 0)
    date = f"{day}/{month}/{year}" if months else "không ghi ngày"
    title = f"{citation['title']} ({province})" if province else citation["title"]
    return f"(Nguồn: {title}, {date}, mục {citation['section']})"


# -- Staff page -------------------------------------------------------------------------------


def test_staff_page_answers_with_the_lead_then_each_quote(
    page: Chrome, console: Console, tmp_path: Path
) -> None:
    open_staff(page, console)
    assert page.switch_to.active_element == find(page, "#q"), "the box is focused on load"
    assert len(find_all(page, "#documents .document")) == 5
    assert "Kiên Giang · 13/9/2021 · 14 đoạn" in find(page, "#documents").text
    # Record what the status line says while the question is out ("Đang tìm…"), and where
    # the box is: the answer must not move it.
    page.execute_script(
        "window.__statuses = [];"
        "new MutationObserver(() => window.__statuses.push(document.getElementById('status')"
        ".textContent)).observe(document.getElementById('status'),"
        " {childList: true, characterData: true, subtree: true});"
    )
    box_at = find(page, "#q").rect

    ask(page, "5K là gì?")

    assert "Đang tìm…" in page.execute_script("return window.__statuses")
    assert find(page, "#q").rect == box_at
    assert find(page, "#answer").get_attribute("data-status") == "answered"
    assert "Khẩu trang - Khử khuẩn - Khoảng cách" in lead(page)
    first, *_ = cards(page)
    assert "16/9/2021" in first.find_element(By.CSS_SELECTOR, ".source").text
    assert "mục 8" in first.find_element(By.CSS_SELECTOR, ".source").text
    assert "đẩy mạnh thông điệp 5K" in first.find_element(By.CSS_SELECTOR, ".quote").text
    assert first.find_element(By.CSS_SELECTOR, "button.copy").text == "Sao chép"
    assert [item.text for item in find_all(page, "#recent .recent-item")] == ["5K là gì?"]
    screenshot(page, tmp_path, "staff.png")


def test_copy_puts_the_lead_and_its_source_on_the_clipboard(page: Chrome, console: Console) -> None:
    expected = console.ask("5K là gì?")
    first_lead = expected["answer"].split("\n")[0]
    first, second = expected["citations"][:2]
    province = {d["doc_id"]: d["province"] for d in console.documents()}
    # Headless chromium has a clipboard of its own; granting the permission lets the page
    # use navigator.clipboard (writeText) and lets this test read it back (readText).
    page.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": console.url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    open_staff(page, console)
    ask(page, "5K là gì?")
    # The card's source line is the phone line of Telegram: province · kind and date · section.
    assert cards(page)[0].find_element(By.CSS_SELECTOR, ".source").text == (
        "Gia Lai · TB 16/9/2021 · mục 8"
    )
    button = cards(page)[0].find_element(By.CSS_SELECTOR, "button.copy")
    button.click()
    wait_for(page, lambda d: button.text == "Đã chép")
    assert read_clipboard(page) == f"{first_lead}\n{source_text(first, province[first['doc_id']])}"
    # The Clipboard API did it: the textarea of the fallback was never made.
    assert page.execute_script("return document.getElementById('copy-buffer')") is None

    # Without a usable Clipboard API (plain http on a LAN address, or a refusal), the page
    # copies from a hidden textarea with execCommand('copy'). Headless chromium does run
    # that copy, so the clipboard is read back here too, besides the textarea.
    page.execute_script(
        "navigator.clipboard.writeText = () => Promise.reject(new DOMException('no', "
        "'NotAllowedError'));"
    )
    other = cards(page)[1].find_element(By.CSS_SELECTOR, "button.copy")
    other.click()
    wait_for(page, lambda d: other.text == "Đã chép")
    assert button.text == "Sao chép", "only the last copied quote says so"
    # A later quote is copied with its own words: the lead rests on the first one.
    wanted = f"{second['quote']}\n{source_text(second, province[second['doc_id']])}"
    assert find(page, "#copy-buffer").get_attribute("value") == wanted
    assert read_clipboard(page) == wanted
    assert page.switch_to.active_element == other, "focus goes back to the button"


def read_clipboard(browser: Chrome) -> str:
    return cast(
        str,
        browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "navigator.clipboard.readText().then(done, (e) => done('unreadable: ' + e));"
        ),
    )


def test_province_filter_keeps_every_quote_in_that_province(page: Chrome, console: Console) -> None:
    # Kiên Giang's notices say how it distances; so do other provinces' (they do not say how
    # many days quarantine lasts: that question is not_found under Kiên Giang's filter).
    question = "Giãn cách xã hội thế nào?"
    kien_giang = {d["doc_id"] for d in console.documents(KIEN_GIANG)}
    assert kien_giang
    unfiltered = {c["doc_id"] for c in console.ask(question)["citations"]}
    assert unfiltered - kien_giang, "without the filter other provinces answer"

    open_staff(page, console)
    Select(find(page, "#province")).select_by_visible_text(KIEN_GIANG)
    wait_for(page, lambda d: len(find_all(d, "#documents .document")) == len(kien_giang))
    ask(page, question)

    shown = [card.get_attribute("data-doc-id") for card in cards(page)]
    assert shown
    assert set(shown) <= kien_giang
    assert lead(page).startswith(KIEN_GIANG)
    # The filter survives a reload of the tab (sessionStorage).
    page.refresh()
    wait_for(page, lambda d: find(d, "#province").get_attribute("value") == KIEN_GIANG)


def test_choosing_a_document_limits_the_answer_to_it(page: Chrome, console: Console) -> None:
    lai_chau = console.documents("Lai Châu")[0]
    open_staff(page, console)
    pick = next(
        button
        for button in find_all(page, "#documents .doc-pick")
        if button.text == lai_chau["title"]
    )
    pick.click()
    assert lai_chau["title"] in find(page, "#scope").text
    assert page.switch_to.active_element == find(page, "#q")
    ask(page, "Tiêm vắc xin cho những ai?")
    assert {card.get_attribute("data-doc-id") for card in cards(page)} == {lai_chau["doc_id"]}
    assert find(page, "#answer .scope-note").text.startswith("Chỉ tìm trong văn bản “")
    find(page, "#scope button").click()
    assert not find(page, "#scope").is_displayed()


def test_recent_questions_come_back_with_arrow_up_and_a_click(
    page: Chrome, console: Console
) -> None:
    open_staff(page, console)
    ask(page, "5K là gì?")
    ask(page, "Tiêm vắc xin mũi 3 cho những ai?")
    recent = [item.text for item in find_all(page, "#recent .recent-item")]
    assert recent == ["Tiêm vắc xin mũi 3 cho những ai?", "5K là gì?"]

    page.refresh()  # kept in localStorage
    box = find(page, "#q")
    wait_for(page, lambda d: len(find_all(d, "#recent .recent-item")) == 2)
    box.send_keys(Keys.ARROW_UP)
    assert box.get_attribute("value") == "Tiêm vắc xin mũi 3 cho những ai?"
    box.send_keys(Keys.ARROW_UP)
    assert box.get_attribute("value") == "5K là gì?"
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("value") == "Tiêm vắc xin mũi 3 cho những ai?"
    box.send_keys(Keys.ESCAPE)
    assert box.get_attribute("value") == ""

    before = answers_shown(page)
    find_all(page, "#recent .recent-item")[1].click()
    wait_for(page, lambda d: answers_shown(d) > before)
    assert "Khẩu trang" in lead(page)
    assert box.get_attribute("value") == "5K là gì?"


def test_a_rule_whose_period_is_over_says_so_on_its_card_and_in_the_list(
    page: Chrome, console: Console
) -> None:
    open_staff(page, console)
    kien_giang = next(row for row in find_all(page, "#documents .document")
                      if "Kiên Giang" in row.text)  # fmt: skip
    status = kien_giang.find_element(By.CSS_SELECTOR, ".doc-status").text
    assert "thời hạn 14-20/9/2021 đã qua" in status
    ask(page, "Hòn Đất còn giãn cách theo Chỉ thị 16 không?")
    assert "(áp dụng 14-20/9/2021, thời hạn đã qua)" in lead(page)
    notes = [c.find_element(By.CSS_SELECTOR, ".validity").text for c in cards(page)
             if c.find_elements(By.CSS_SELECTOR, ".validity")]  # fmt: skip
    assert notes == ["Thời hạn nêu trong văn bản đã qua (đến 20/9/2021)"]


def test_not_found_shows_the_hotline_first(page: Chrome, console: Console) -> None:
    open_staff(page, console)
    ask(page, "Giá vàng hôm nay bao nhiêu?")
    assert find(page, "#answer").get_attribute("data-status") == "not_found"
    assert find(page, "#answer .verdict-not-found .hotline strong").text == "1900 9095"
    assert "đường dây nóng 1900 9095" in lead(page)
    assert cards(page) == []


def test_a_follow_up_says_how_it_was_read_and_can_be_asked_alone(
    page: Chrome, console: Console
) -> None:
    open_staff(page, console)
    ask(page, "Huyện An Biên giãn cách theo chỉ thị nào?")
    ask(page, "Còn Rạch Giá thì sao?")
    understood = find(page, "#answer .understood")
    assert understood.text.startswith("Hiểu câu hỏi là: Rạch Giá giãn cách theo chỉ thị nào?")
    assert "Chỉ thị 16/CT-TTg" in lead(page)
    before = answers_shown(page)
    understood.find_element(By.CSS_SELECTOR, "button").click()  # "Hỏi riêng câu này"
    wait_for(page, lambda d: answers_shown(d) > before)
    assert find_all(page, "#answer .understood") == []  # the message, answered as it is
    # "Câu hỏi mới" starts over too: a follow-up after it is not read in context.
    ask(page, "Huyện An Biên giãn cách theo chỉ thị nào?")
    find(page, "#new-conversation").click()
    ask(page, "Còn Rạch Giá thì sao?")
    assert find_all(page, "#answer .understood") == []


def test_staff_token_is_asked_once_and_kept_for_the_tab(
    browser: Chrome, guarded_console: Console
) -> None:
    _fresh_tab(browser, guarded_console)
    browser.get(guarded_console.url + "/")
    wait_for(browser, lambda d: find(d, "#token-input").is_displayed())
    assert not find(browser, "#console").is_displayed()
    token_box = find(browser, "#token-input")
    token_box.send_keys("wrong", Keys.ENTER)
    wait_for(browser, lambda d: find(d, "#token-error").text == "Sai mã nhân viên")
    token_box.clear()
    token_box.send_keys(STAFF_TOKEN, Keys.ENTER)
    wait_for(browser, lambda d: find(d, "#console").is_displayed())
    ask(browser, "5K là gì?")
    assert "Khẩu trang" in lead(browser)
    browser.refresh()
    wait_for(browser, lambda d: len(find_all(d, "#province option")) > 1)
    assert not find(browser, "#token-panel").is_displayed()


# -- Admin page helpers -----------------------------------------------------------------------


def open_admin(browser: Chrome, console: Console) -> None:
    browser.get(console.url + "/admin")
    # The login form is in the page before the script runs: wait until it can be typed in.
    token = wait_for(browser, EC.element_to_be_clickable((By.CSS_SELECTOR, "#login-token")))
    token.send_keys(ADMIN_TOKEN, Keys.ENTER)
    wait_for(browser, lambda d: find(d, "#admin-panel").is_displayed())
    wait_for(browser, lambda d: find_all(d, "#documents tr[data-doc-id]"))


def upload_results(browser: Chrome) -> list[dict[str, str]]:
    """The finished result rows, newest first: status, file name and message as shown.

    Read in one script: rows are replaced as replies arrive, so element handles go stale.
    """
    return cast(
        list[dict[str, str]],
        browser.execute_script(
            "return [...document.querySelectorAll('#upload-results .result[data-status]')]"
            ".map((row) => ({status: row.dataset.status,"
            " file: row.querySelector('.result-file').innerText,"
            " message: row.querySelector('.result-message').innerText}));"
        ),
    )


def choose_files(browser: Chrome, *paths: Path) -> None:
    """Upload through the file input (the drop zone's click opens it)."""
    find(browser, "#file-input").send_keys("\n".join(str(p) for p in paths))


def drop_file(browser: Chrome, name: str, data: bytes) -> None:
    """Drop a file on the zone: the drag events a real drop fires, with a DataTransfer."""
    browser.execute_script(
        "const [name, bytes] = arguments;"
        "const transfer = new DataTransfer();"
        "transfer.items.add(new File([new Uint8Array(bytes)], name));"
        "const zone = document.getElementById('dropzone');"
        "for (const type of ['dragenter', 'dragover', 'drop']) {"
        "  zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true,"
        "    dataTransfer: transfer}));"
        "}",
        name,
        list(data),
    )


def gap_count(browser: Chrome, question: str) -> str | None:
    """The count shown beside the question in the gap list, None while it is not listed."""
    rows = find_all(browser, "#gaps tr")
    return next((r.find_element(By.CSS_SELECTOR, ".num").text for r in rows
                 if question in r.text), None)  # fmt: skip


def document_row(browser: Chrome, doc_id: str) -> list[WebElement]:
    return find_all(browser, f'#documents tr[data-doc-id="{doc_id}"]')


# -- Admin page -------------------------------------------------------------------------------


def test_admin_login_refuses_a_wrong_token(page: Chrome, console: Console) -> None:
    page.get(console.url + "/admin")
    token = find(page, "#login-token")
    assert page.switch_to.active_element == token
    token.send_keys("not-the-token", Keys.ENTER)
    wait_for(page, lambda d: find(d, "#login-error").text == "Sai mã quản trị")
    assert not find(page, "#admin-panel").is_displayed()
    assert page.execute_script("return sessionStorage.getItem('chithi.adminToken')") is None

    token.clear()
    token.send_keys(ADMIN_TOKEN, Keys.ENTER)
    wait_for(page, lambda d: find(d, "#admin-panel").is_displayed())
    page.refresh()  # the token is kept for the tab: no second login
    wait_for(page, lambda d: find(d, "#admin-panel").is_displayed())
    find(page, "#logout").click()
    assert find(page, "#login-token").is_displayed()
    assert page.execute_script("return sessionStorage.getItem('chithi.adminToken')") is None


def test_admin_upload_shows_each_file_result(
    page: Chrome, console: Console, tmp_path: Path
) -> None:
    good = tmp_path / "kh_2022.txt"
    good.write_text(NOTICE_TEXT, encoding="utf-8")
    open_admin(page, console)

    choose_files(page, good)
    wait_for(page, lambda d: len(upload_results(d)) == 1)
    drop_file(page, "hong.docx", b"PK\x03\x04 broken")
    wait_for(page, lambda d: len(upload_results(d)) == 2)
    drop_file(page, "bang.xlsx", b"PK\x03\x04")  # refused by type (415)
    wait_for(page, lambda d: len(upload_results(d)) == 3)

    refused, broken, added = upload_results(page)  # newest first
    assert refused["status"] == "error"
    assert refused["message"].startswith("❌ Không nhận loại tệp .xlsx")
    assert added["status"] == "added"
    assert added["file"] == "kh_2022.txt"
    message = added["message"]
    assert message.startswith("✅ Đã thêm văn bản:\n")  # the bot's reply, its lines kept
    assert "\nSố đoạn: " in message
    assert broken["status"] == "error"
    assert broken["file"] == "hong.docx"
    assert broken["message"].startswith("❌ Không đọc được tệp hong.docx")
    # The list shows the new notice.
    doc_id = message.rsplit("Mã: ", 1)[1].strip()
    wait_for(page, lambda d: document_row(d, doc_id))
    assert "2/3/2022" in document_row(page, doc_id)[0].text


def test_admin_sets_what_a_file_does_not_state(
    page: Chrome, console: Console, tmp_path: Path
) -> None:
    undated = tmp_path / "cho-lon-web.txt"
    undated.write_text("THÔNG BÁO\nKẾT LUẬN CỦA BAN CHỈ ĐẠO\nvề hoạt động của chợ\n\n1. Chợ Lớn"
                       " mở cửa từ 5 giờ đến 11 giờ sáng; người bán đeo khẩu trang.\n",
                       encoding="utf-8")  # fmt: skip
    open_admin(page, console)
    find(page, "#fact-date").send_keys("01/02/2021")
    find(page, "#fact-province").send_keys("lai chau")
    choose_files(page, undated)
    wait_for(page, lambda d: len(upload_results(d)) == 1)
    [added] = upload_results(page)
    assert added["status"] == "added", added
    wait_for(page, lambda d: document_row(d, "cho-lon-web"))
    row = document_row(page, "cho-lon-web")[0].text
    assert "1/2/2021" in row
    assert "Lai Châu" in row
    assert find(page, "#fact-date").get_attribute("value") == ""  # they described that file


def test_admin_replaces_a_different_notice_only_when_asked(
    page: Chrome, console: Console, tmp_path: Path
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    # Not byte for byte a file another test of this console uploaded (that is a duplicate).
    (first / "xung_dot.txt").write_text(NOTICE_TEXT + "\n", encoding="utf-8")
    other = NOTICE_TEXT.replace("02/3/2022", "16/3/2022")  # another notice, the same file name
    (second / "xung_dot.txt").write_text(other, encoding="utf-8")
    open_admin(page, console)
    choose_files(page, first / "xung_dot.txt")
    wait_for(page, lambda d: len(upload_results(d)) == 1)
    choose_files(page, second / "xung_dot.txt")
    wait_for(page, lambda d: len(upload_results(d)) == 2)
    conflict = upload_results(page)[0]
    assert conflict["status"] == "conflict"
    assert conflict["message"].startswith("⚠️ Chưa thêm tệp xung_dot.txt")

    find(page, "#upload-results .result-conflict button").click()
    wait_for(page, lambda d: upload_results(d)[0]["status"] == "replaced")
    assert upload_results(page)[0]["message"].startswith("✅ Đã thay văn bản cùng mã:")
    dates = [d["date"] for d in console.documents() if d["doc_id"] == "xung_dot"]
    assert dates == ["2022-03-16"]
    console.http.delete(
        "/api/documents/xung_dot", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    ).raise_for_status()


def test_admin_removes_a_document_after_confirming(
    page: Chrome, console: Console, tmp_path: Path
) -> None:
    notice = tmp_path / "xoa_thu.txt"
    notice.write_text(NOTICE_TEXT.replace("02/3/2022", "09/3/2022"), encoding="utf-8")
    open_admin(page, console)
    choose_files(page, notice)
    wait_for(page, lambda d: len(upload_results(d)) == 1)
    doc_id = next(d["doc_id"] for d in console.documents() if d["date"] == "2022-03-09")
    wait_for(page, lambda d: document_row(d, doc_id))

    document_row(page, doc_id)[0].find_element(By.CSS_SELECTOR, "button.danger").click()
    alert = wait_for(page, lambda d: d.switch_to.alert)
    assert doc_id in alert.text
    alert.dismiss()  # "Hủy": nothing happens
    assert document_row(page, doc_id)
    assert doc_id in {d["doc_id"] for d in console.documents()}

    document_row(page, doc_id)[0].find_element(By.CSS_SELECTOR, "button.danger").click()
    wait_for(page, lambda d: d.switch_to.alert).accept()
    wait_for(page, lambda d: not document_row(d, doc_id))
    assert find(page, "#docs-status").text.startswith("🗑 Đã xóa văn bản:")
    assert doc_id not in {d["doc_id"] for d in console.documents()}


def test_gap_list_counts_questions_the_notices_do_not_answer(
    page: Chrome, console: Console, tmp_path: Path
) -> None:
    open_staff(page, console)
    ask(page, GAP_QUESTION)
    assert find(page, "#answer").get_attribute("data-status") == "not_found"
    ask(page, GAP_QUESTION)

    open_admin(page, console)
    Select(find(page, "#days")).select_by_value("1")
    # The gap list is drawn again for the new period: read a row and its count in one go.
    wait_for(page, lambda d: find(d, "#stats-status").text != "Đang tải…")
    count = wait_for(page, lambda d: gap_count(d, GAP_QUESTION))
    assert count == "2"
    asked = int(find(page, '#counts [data-key="asked"] dd').text.replace(".", ""))
    assert asked >= 2

    # "Tải CSV": fetched with the token, saved from a blob URL into the download folder.
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    page.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    find(page, "#csv").click()
    saved = downloads / "chithi-cau-hoi-1-ngay.csv"
    deadline = time.monotonic() + WAIT
    while not saved.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert GAP_QUESTION in saved.read_text(encoding="utf-8-sig")

    # For the screenshot, an upload result beside the gaps: a notice sent again. (Not the
    # broken file's: its reply starts with an emoji, a box on machines without emoji fonts.)
    again = tmp_path / "kh_2022.txt"
    again.write_text(NOTICE_TEXT, encoding="utf-8")
    choose_files(page, again)
    wait_for(page, lambda d: len(upload_results(d)) == 1)
    # (unchanged after test_admin_upload_shows_each_file_result; added when run alone)
    assert upload_results(page)[0]["status"] in {"unchanged", "added"}
    screenshot(page, tmp_path, "admin.png")


# -- Hostile text: always shown as text -------------------------------------------------------


def assert_no_injection(browser: Chrome) -> None:
    # The CSP alone would stop the handlers from running, so the DOM itself is checked: the
    # markup must not have become elements at all.
    assert browser.execute_script("return typeof window.__x") == "undefined"
    assert browser.execute_script("return typeof window.__y") == "undefined"
    assert browser.execute_script("return document.querySelectorAll('main img').length") == 0
    scripts = browser.execute_script(
        "return [...document.scripts].map((s) => s.getAttribute('src'))"
    )
    assert scripts == ["/static/app.js"] or scripts == ["/static/admin.js"]


def test_markup_in_a_notice_shows_as_text(page: Chrome, console: Console, tmp_path: Path) -> None:
    notice = tmp_path / "cho_noi.txt"
    notice.write_text(HOSTILE_NOTICE, encoding="utf-8")
    open_admin(page, console)
    choose_files(page, notice)
    wait_for(page, lambda d: len(upload_results(d)) == 1)
    assert upload_results(page)[0]["status"] == "added"
    assert_no_injection(page)

    open_staff(page, console)
    ask(page, "Tiểu thương chợ nổi Cái Răng phải làm gì?")
    quotes = [q.text for q in find_all(page, "#answer .quote")]
    hostile = next(q for q in quotes if "Cái Răng" in q)
    assert SCRIPT in hostile
    assert IMAGE in hostile
    assert_no_injection(page)


def test_markup_in_a_question_shows_as_text(page: Chrome, console: Console) -> None:
    # The test above uploads a notice holding the same markup: the question asks what no
    # notice says (a price) in enough words that sharing the markup does not make it answered.
    question = f"Giá vàng SJC hôm nay bao nhiêu một lượng {SCRIPT} {IMAGE}"
    open_staff(page, console)
    ask(page, question)
    assert find(page, "#answer").get_attribute("data-status") == "not_found"
    assert find(page, "#recent .recent-item").text == question
    assert_no_injection(page)

    # Unanswered, it is a gap: the admin page lists the question, as text too.
    open_admin(page, console)
    wait_for(page, lambda d: question in [g.text for g in find_all(d, "#gaps .gap-question")])
    assert_no_injection(page)
