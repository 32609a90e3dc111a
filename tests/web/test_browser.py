"""The web app in headless Chromium: ask, read, check a citation, follow up, switch audience, emergencies.

Every page is watched for console errors and for requests that leave 127.0.0.1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.web.conftest import ARTIFACTS, SEED_Q

pytestmark = pytest.mark.browser


class Watched:
    """A page plus the console errors and off-host requests seen on it."""

    def __init__(self, page, base: str) -> None:  # noqa: ANN001
        self.page, self.base = page, base
        self.problems: list[str] = []
        page.on(
            "console",
            lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((base, "data:", "about:"))
                else self.problems.append(f"third-party request: {r.url}")
            ),
        )
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def ask(self, question: str, audience: str = "clinician") -> None:
        self.page.goto(self.base + "/")
        self.page.get_by_label("Your clinical question").fill(question)
        self.page.get_by_label("Patient or caregiver" if audience == "patient" else "Healthcare professional").check()
        self.page.get_by_role("button", name="Ask", exact=True).click()
        self.page.wait_for_url(re.compile(r"/answers/"))


@pytest.fixture
def web(browser, live_server: str) -> Iterator[Watched]:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    w = Watched(context.new_page(), live_server)
    yield w
    context.close()
    assert w.problems == []


def test_seed_question_reads_like_a_clinical_article(web: Watched, browser, live_server: str) -> None:  # noqa: ANN001
    page = web.page
    web.ask(SEED_Q)
    h1 = page.locator("h1")
    assert "vertebral compression fracture" in h1.inner_text().lower()
    assert page.get_by_text("Educational purpose only · pending human review").is_visible()
    assert page.locator(".bottom-line strong").inner_text()
    headings = page.locator(".answer-section h2").all_inner_texts()
    assert len(headings) >= 5 and headings[0].startswith("Red flags")
    assert page.locator(".answer-section a.cite").count() >= 10
    assert page.locator(".ref .ref-type").first.inner_text().strip().lower() in {
        "guideline",
        "research",
        "systematic review",
    }
    assert page.get_by_role("heading", name="Have a follow-up question?").is_visible()
    assert page.get_by_text("Professional medical disclaimer").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "answer-desktop.png"), full_page=True)
    mobile = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    m = Watched(mobile.new_page(), live_server)
    m.page.goto(page.url)
    assert m.page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    m.page.screenshot(path=str(ARTIFACTS / "answer-mobile.png"), full_page=False)
    m.page.screenshot(path=str(ARTIFACTS / "answer-mobile-full.png"), full_page=True)
    mobile.close()
    assert m.problems == []


def test_a_citation_opens_its_exact_passage(web: Watched) -> None:
    page = web.page
    web.ask(SEED_Q)
    bullet = page.locator(".answer-section li").first
    cite = bullet.locator("a.cite").first
    target_id = cite.get_attribute("href")[1:]
    expected = page.locator(f"[id='{target_id}'] blockquote").text_content().strip()
    cite.focus()
    page.keyboard.press("Enter")  # keyboard works as well as a click
    dialog = page.locator("#passage-dialog")
    dialog.wait_for(state="visible")
    assert dialog.locator(".dialog-passage").inner_text().strip() == expected
    assert dialog.locator(".ref-title").inner_text()
    page.screenshot(path=str(ARTIFACTS / "citation-passage.png"))
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.locator(".answer-section a.cite").nth(1).click()
    dialog.wait_for(state="visible")
    dialog.get_by_role("button", name="Close").click()
    dialog.wait_for(state="hidden")


def test_follow_up_needs_and_keeps_the_context(web: Watched) -> None:
    page = web.page
    web.ask("How is uncomplicated cystitis treated?")
    page.get_by_role("textbox", name="Follow-up question").fill("what about in pregnancy?")
    page.locator(".followup").get_by_role("button", name="Ask").click()
    page.wait_for_url(re.compile(r"/conversations/[^#]+#turn-2"))
    turn = page.locator("#turn-2")
    assert "cystitis" in turn.locator(".answer-title").inner_text().lower()
    assert re.search(r"pregnan", turn.inner_text(), re.I) and turn.locator("a.cite").count() > 0
    # on the thread page the next follow-up is appended in place (htmx) and also keeps the context
    page.get_by_role("textbox", name="Follow-up question").fill("and for how long?")
    page.locator(".followup").get_by_role("button", name="Ask").click()
    page.locator("#turn-3 .answer-title").wait_for()
    assert "cystitis" in page.locator("#turn-3 .answer-title").inner_text().lower()
    url = page.url.split("#")[0]
    page.goto(url)  # the thread has its own URL
    assert page.locator(".turn").count() == 3


def test_switching_audience_gives_plain_language(web: Watched) -> None:
    page = web.page
    web.ask(SEED_Q)
    clinician_summary = page.locator(".bottom-line").inner_text()
    page.locator(".personalize").get_by_label("Patient or caregiver").check()
    page.locator(".personalize").get_by_role("button", name="Update answer").click()
    page.wait_for_function("document.querySelector('.answer').classList.contains('audience-patient')")
    assert page.get_by_text("Written in plain language").is_visible()
    assert page.locator(".answer-section h2").first.inner_text().startswith("When to get medical help")
    assert page.locator(".bottom-line").inner_text() != clinician_summary
    assert page.get_by_text("About this information").is_visible()
    page.goto(web.base + "/")  # the choice is remembered
    assert page.get_by_label("Patient or caregiver").is_checked()


def test_emergency_shows_the_notice_above_everything(web: Watched) -> None:
    page = web.page
    web.ask("My throat is swelling and I can't breathe after a bee sting", audience="patient")
    urgent = page.locator(".urgent")
    assert urgent.is_visible() and "emergency" in urgent.inner_text().lower()
    assert urgent.bounding_box()["y"] < page.locator("h1").bounding_box()["y"]
    page.screenshot(path=str(ARTIFACTS / "urgent.png"))


def test_other_pages_render_without_console_errors(web: Watched) -> None:
    page = web.page
    page.goto(web.base + "/")
    assert page.get_by_role("heading", level=1).is_visible()
    page.get_by_role("button", name="How is uncomplicated cystitis treated?").click()
    page.wait_for_url(re.compile(r"/answers/"))
    page.get_by_role("link", name="All indexed passages").first.click()
    assert page.locator("h1").inner_text()
    page.goto(web.base + "/docs")
    page.get_by_text("/api/ask").first.wait_for()
    page.goto(web.base + "/answers/does-not-exist")
    assert "could not find" in page.locator("h1").inner_text().lower()
    web.problems = [p for p in web.problems if "HTTP 404" not in p and "404 (Not Found)" not in p]


def test_pages_work_without_javascript(browser, live_server: str) -> None:  # noqa: ANN001
    context = browser.new_context(java_script_enabled=False)
    w = Watched(context.new_page(), live_server)
    page = w.page
    w.ask("How is uncomplicated cystitis treated?")
    assert page.locator(".answer-section").count() >= 3
    cite = page.locator(".answer-section a.cite").first
    target = cite.get_attribute("href")
    cite.click()  # without the dialog, the link jumps to the passage (its <details> opens)
    assert page.url.endswith(target) and page.locator(target).is_visible()
    page.get_by_role("textbox", name="Follow-up question").fill("what about in pregnancy?")
    page.locator(".followup").get_by_role("button", name="Ask").click()
    page.wait_for_url(re.compile(r"#turn-2$"))
    assert "cystitis" in page.locator("#turn-2 .answer-title").inner_text().lower()
    context.close()
    assert w.problems == []
