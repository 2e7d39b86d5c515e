"""The portal in a real browser: headless Debian Chromium driven by Playwright against a live
`uvicorn` server. A department signs in, downloads its workbook, uploads it filled and sees the
result; an administrator triggers a run and watches it finish. Fails (never skips) without
/usr/bin/chromium."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect, sync_playwright

from powerlist import db
from powerlist.api import create_app
from powerlist.models import PowerItem
from tests.fixtures_http import HttpWorld, fill_review, http_env, make_http_world

__all__ = ["http_env"]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SCREENSHOT_ENV = "POWERLIST_SCREENSHOT"  # set to a path to refresh the README's docs/portal.png


@pytest.fixture
def world(sqlite_url: str, http_env: Path) -> Iterator[HttpWorld]:
    engine = db.make_engine(sqlite_url)
    yield make_http_world(engine, http_env)
    engine.dispose()


@pytest.fixture
def server(world: HttpWorld) -> Iterator[str]:
    """One live uvicorn server for this module's test, on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(world.engine), host="127.0.0.1", port=port, log_level="warning"
    )
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not live.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    live.should_exit = True
    thread.join(10)


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def sign_in(browser: Browser, server: str, token: str) -> Page:
    page = browser.new_context(accept_downloads=True, locale="zh-CN").new_page()
    page.goto(f"{server}/portal/")
    expect(page.get_by_role("heading", name="使用访问令牌登录")).to_be_visible()
    page.fill("input[name=token]", token)
    page.click("button:has-text('登录')")
    return page


def test_a_department_downloads_fills_and_returns_its_workbook_and_an_admin_runs_a_job(
    browser: Browser, server: str, world: HttpWorld, tmp_path: Path
) -> None:
    wrong = sign_in(browser, server, "pl_not-a-token")
    expect(wrong.get_by_role("alert")).to_have_text("令牌无效、已过期或已吊销")

    page = sign_in(browser, server, world.tokens["sthjj"])
    expect(page.get_by_role("heading", name="我的报表")).to_be_visible()
    expect(page.locator("header")).to_contain_text("包头市生态环境局")
    expect(page.locator("text=2026年度权责清单审核-市林业和草原局.xlsx")).to_have_count(0)
    page.set_viewport_size({"width": 1200, "height": 720})
    shot = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "portal.png")
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 0

    with page.expect_download() as info:
        page.click("a:has-text('下载')")
    download = info.value
    assert download.suggested_filename == "2026年度权责清单审核-市生态环境局.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert "审核事项" in load_workbook(saved).sheetnames

    bad = fill_review(saved, tmp_path / "bad.xlsx", {"CF004": ("取消", "", "包府办发〔2026〕8号")})
    page.set_input_files("input[type=file]", str(bad))
    page.click("button:has-text('上传并导入')")
    expect(page.get_by_role("heading", name="未导入任何部门意见")).to_be_visible()
    expect(page.locator("#problems tbody tr")).to_have_count(1)

    page.goto(f"{server}/portal/")
    filled = fill_review(
        saved, tmp_path / "已填写.xlsx", {"CF004": ("取消", "无法律依据", "包府办发〔2026〕8号")}
    )
    page.set_input_files("input[type=file]", str(filled))
    page.click("button:has-text('上传并导入')")
    expect(page.get_by_role("heading", name="已提交：包头市生态环境局")).to_be_visible()
    expect(page.locator("#decisions tbody tr")).to_have_text(
        ["CF004对未申报排污的处罚取消无法律依据待审核"]
    )
    with db.session_scope(world.engine) as s:
        assert s.get(PowerItem, world.ids["E"]).status == "保留"  # type: ignore[union-attr]
    page.goto(f"{server}/portal/")
    expect(page.locator("#proposals tbody tr")).to_have_count(1)

    admin = sign_in(browser, server, world.tokens["admin"])
    admin.click("a:has-text('运行')")
    admin.select_option("select[name=job]", "yearly_review")
    admin.fill("input[name=period]", "2025")
    admin.click("button:has-text('发起')")
    expect(admin.locator("#message")).to_contain_text("已发起")
    row = admin.locator("#runs tbody tr").first
    expect(row.locator(".status")).to_have_text("成功", timeout=30_000)
    expect(row).to_contain_text("2025")


PHONE_SCREENSHOT_ENV = "POWERLIST_PHONE_SCREENSHOT"  # set to refresh docs/portal-phone.png


def test_an_admin_filters_the_report_list_and_a_phone_sees_every_download_button(
    browser: Browser, server: str, world: HttpWorld, tmp_path: Path
) -> None:
    admin = sign_in(browser, server, world.tokens["admin"])
    expect(admin.get_by_role("heading", name="全部报表")).to_be_visible()
    expect(admin.locator("#report-count")).to_have_text("共 3 个")
    expect(admin.locator("h3").first).to_have_text("2026年 · 年度权责清单审核")
    admin.select_option("select[name=kind]", label="全市审核汇总")
    admin.click("button:has-text('筛选')")
    expect(admin.locator("#report-count")).to_have_text("共 1 个")
    expect(admin.locator("table.reports tbody tr")).to_have_count(1)
    expect(admin.locator("td.kind")).to_have_text(["全市审核汇总"])
    assert "kind=review_summary" in admin.url
    admin.click("a:has-text('清除筛选')")
    admin.select_option("select[name=department]", label="包头市林业和草原局")
    admin.click("button:has-text('筛选')")
    expect(admin.locator("td.department")).to_have_text(["包头市林业和草原局"])

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
        has_touch=True, locale="zh-CN",
    ).new_page()  # fmt: skip
    phone.goto(f"{server}/portal/login")
    phone.fill("input[name=token]", world.tokens["admin"])
    phone.click("button:has-text('登录')")
    buttons = phone.locator("td.action a.button")
    expect(buttons).to_have_count(3)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide: it scrolls sideways on a phone"
    for index in range(3):
        box = buttons.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    expect(phone.locator("td.kind").first).to_be_visible()
    shot = Path(os.environ.get(PHONE_SCREENSHOT_ENV) or tmp_path / "portal-phone.png")
    phone.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    phone.goto(f"{server}/portal/runs")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the run page is {width} px wide"
