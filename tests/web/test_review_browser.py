"""The editorial review loop in headless Chromium against a live server with its own database.

A visitor asks and submits; a reviewer signs in, comments on a bullet and requests changes; an editor (in
another browser context) edits a bullet, is refused an unsupported edit, and sees the diff; the reviewer
approves; the public then sees the approved article, finds it in the library and gets it as the answer.
Plus: HTML in questions and comments stays text, and anonymous browsers reach no review page.

Every page is watched (see Watched in test_browser.py) for console errors, HTTP errors and off-host requests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from medora.settings import Settings
from medora.web.presenter import long_date
from tests.web.conftest import ARTIFACTS, UNLIMITED, serving, with_database
from tests.web.test_browser import Watched

pytestmark = pytest.mark.browser

PASSWORD = "a long enough passphrase"
QUESTION = "How is gout managed during a flare?"
BULLET_COMMENT = "Give the colchicine dose here (note 7f3a, reviewers only)."
DECISION_COMMENT = "Wording of s1.b1 is too absolute (note 9c1e, reviewers only)."
EDIT_NOTE = "Softer wording (note 2d4b, reviewers only)."
SECRETS = ("7f3a", "9c1e", "2d4b", "Dr Rita Reviewer", "Eddie Editor")
XSS_QUESTION = '<img src=x onerror="window.__xss=1"> How is uncomplicated cystitis treated?'
XSS_COMMENT = "<script>window.__xss=2</script>"


@pytest.fixture(scope="module")
def review_server(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """(base URL, app): uvicorn on a free loopback port, a fresh SQLite database, and review accounts."""
    from medora.web.app import create_app

    app = create_app(
        with_database(index_settings, tmp_path_factory.mktemp("review-browser-db") / "medora.db"), UNLIMITED
    )
    review = app.state.services.review
    review.add_user("rita", PASSWORD, "reviewer", "Dr Rita Reviewer")
    review.add_user("eddie", PASSWORD, "editor", "Eddie Editor")
    with serving(app) as url:
        yield url, app


@pytest.fixture
def contexts(browser) -> Iterator[list]:  # noqa: ANN001
    """Browser contexts opened by the test: separate cookie jars, closed at the end."""
    opened: list = []
    yield opened
    for c in opened:
        c.close()


def open_page(browser, contexts: list, base: str) -> Watched:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    contexts.append(context)
    return Watched(context.new_page(), base)


def sign_in(w: Watched, username: str, then: str | None = None) -> None:
    page = w.page
    page.goto(w.base + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/review$"))
    if then:
        page.goto(w.base + then)


def ask_and_submit(w: Watched, question: str) -> str:
    """Ask on the home page, send the answer for review; the article's id (we end on its public page)."""
    from playwright.sync_api import expect

    page = w.page
    w.ask(question)
    expect(page.get_by_text("Educational purpose only · pending human review")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(r"/articles/[^/]+$"))
    return page.url.rsplit("/", 1)[1]


def decide(page, action: str, comment: str = "") -> None:  # noqa: ANN001
    if comment:
        page.get_by_label("Comment (required to request changes or reject)").fill(comment)
    page.get_by_role("button", name=action, exact=True).click()
    page.wait_for_load_state()


def assert_no_secrets(w: Watched) -> None:
    html = w.page.content()
    for secret in SECRETS:
        assert secret not in html, (secret, w.page.url)


def test_the_whole_review_loop_in_the_browser(browser, contexts: list, review_server) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    base, _ = review_server
    ARTIFACTS.mkdir(exist_ok=True)

    # an anonymous visitor asks and submits the answer for review
    anon = open_page(browser, contexts, base)
    aid = ask_and_submit(anon, QUESTION)
    public = anon.page
    title = public.locator("h1").inner_text()
    assert "gout" in title.lower()
    expect(public.get_by_text("Pending human review: the medical advisory board has not approved")).to_be_visible()
    expect(public.locator(".review-steps [aria-current=step]")).to_have_text("Submitted")
    assert public.get_by_role("link", name="Open in the review queue").count() == 0
    assert_no_secrets(anon)

    # a reviewer signs in, finds it in the queue, starts the review, comments on s1.b1, requests changes
    rita = open_page(browser, contexts, base)
    page = rita.page
    sign_in(rita, "rita")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    expect(page.get_by_text("Signed in as Dr Rita Reviewer (reviewer).")).to_be_visible()
    queue_link = page.get_by_role("table").get_by_role("link", name=title)
    expect(queue_link).to_be_visible()
    expect(page.get_by_role("row").filter(has=page.get_by_role("link", name=title))).to_contain_text(QUESTION)
    page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=True)
    queue_link.click()
    page.wait_for_url(re.compile(rf"/review/articles/{aid}$"))
    state = page.locator("#article-state")
    expect(state).to_have_text("Submitted")
    assert page.get_by_role("button", name="Approve").count() == 0  # nobody approves what nobody reviewed
    decide(page, "Start review")
    expect(state).to_have_text("Under review")

    bullet = page.locator("li.review-bullet[data-key='s1.b1']")
    box = bullet.get_by_role("textbox", name="Comment on s1.b1")
    expect(box).to_be_hidden()  # folded away in its <details> until asked for
    bullet.locator("summary", has_text="Comment on s1.b1").click()
    box.fill(BULLET_COMMENT)
    bullet.get_by_role("button", name="Add comment").click()
    page.wait_for_url(re.compile(r"#comment-"))
    expect(bullet.locator(".comment-body")).to_have_text(BULLET_COMMENT)
    expect(bullet.locator(".comment-meta")).to_contain_text("Dr Rita Reviewer (reviewer) · v1")

    decide(page, "Request changes", DECISION_COMMENT)
    expect(state).to_have_text("Changes requested")
    expect(page.locator(".audit-log")).to_contain_text(DECISION_COMMENT)
    page.screenshot(path=str(ARTIFACTS / "review-article.png"), full_page=True)

    # the public page meanwhile: still pending, and no word of the comments
    public.reload()
    expect(public.locator(".review-note")).to_contain_text("Pending human review")
    expect(public.locator(".review-steps [aria-current=step]")).to_have_text("Under review")
    assert_no_secrets(anon)

    # an editor, in a browser of their own, edits the bullet the reviewer commented on
    eddie = open_page(browser, contexts, base)
    ed = eddie.page
    sign_in(eddie, "eddie", then=f"/review/articles/{aid}")
    expect(ed.locator("li.review-bullet[data-key='s1.b1'] .comment-body")).to_have_text(BULLET_COMMENT)
    assert ed.get_by_role("button", name="Approve").count() == 0  # editors do not take review decisions
    ed.get_by_role("link", name="Edit bullets").click()
    ed.wait_for_url(re.compile(rf"/review/articles/{aid}/edit$"))
    s1b1 = ed.get_by_label("s1.b1 text")
    original = s1b1.input_value()
    assert original.startswith("A hot swollen joint")

    # a changed dose is not supported by the cited passage: refused, with the error on the edit page
    dose = ed.get_by_label("s3.b1 text")
    assert "1.2 mg" in dose.input_value()
    wrong = dose.input_value().replace("1.2 mg", "4.8 mg")
    dose.fill(wrong)
    ed.get_by_role("button", name="Save new version").click()
    ed.wait_for_load_state()
    alert = ed.get_by_role("alert")
    expect(alert).to_contain_text("s3.b1")
    expect(alert).to_contain_text("supports")
    expect(ed.get_by_label("s3.b1 text")).to_have_value(wrong)  # what was typed is kept for correcting
    ed.screenshot(path=str(ARTIFACTS / "review-edit-refused.png"), full_page=True)
    assert eddie.problems == [
        f"HTTP 400: {base}/review/articles/{aid}/edit",
        "console error: Failed to load resource: the server responded with a status of 400 (Bad Request)",
    ]  # the refusal
    eddie.problems.clear()
    dose.fill(wrong.replace("4.8 mg", "1.2 mg"))

    edited = "As a rule, " + original[0].lower() + original[1:]
    s1b1.fill(edited)
    ed.get_by_label("What changed and why").fill(EDIT_NOTE)
    ed.get_by_role("button", name="Save new version").click()
    ed.wait_for_url(re.compile(rf"/review/articles/{aid}/diff$"))
    expect(ed.get_by_role("heading", name="Changes from version 1 to 2")).to_be_visible()
    changes = ed.locator("ol.diff > li")
    expect(changes).to_have_count(1)  # only s1.b1; the dose bullet is back to what it was
    expect(changes.locator("ins").first).to_contain_text("rule")
    assert "rule" in " ".join(changes.locator("ins").all_inner_texts())
    assert changes.locator("del").count() >= 1
    assert "joint" in changes.inner_text()
    ed.screenshot(path=str(ARTIFACTS / "review-diff.png"), full_page=True)

    # the reviewer reviews version 2 and approves
    page.goto(f"{base}/review/articles/{aid}")
    expect(state).to_have_text("Submitted")
    expect(page.get_by_text("version 2 of 2")).to_be_visible()
    expect(page.locator("li.review-bullet[data-key='s1.b1'] > p")).to_contain_text(edited)
    decide(page, "Start review")
    expect(state).to_have_text("Under review")
    decide(page, "Approve", "Checked against the guideline.")
    expect(state).to_have_text("Approved")
    actions = [re.search(r" · ([a-z_]+): ", line).group(1) for line in page.locator(".audit-log li").all_inner_texts()]
    assert actions == ["submit", "start_review", "request_changes", "edit", "start_review", "approve"]

    # the public sees the approved article, with its date, in the library, and as the answer to the question
    public.goto(f"{base}/articles/{aid}")
    note = public.locator(".review-note")
    expect(note).to_contain_text("Approved by a reviewer of the medical advisory board on")
    when = datetime.fromisoformat(note.locator("time").get_attribute("datetime"))
    assert abs(when.replace(tzinfo=when.tzinfo or UTC) - datetime.now(UTC)) < timedelta(minutes=10)
    expect(note.locator("time")).to_have_text(long_date(when))
    expect(public.locator(".badge-approved")).to_contain_text("Approved by a reviewer")
    expect(public.locator(".review-steps [aria-current=step]")).to_have_text("Approved")
    assert "pending human review" not in public.locator("main").inner_text().lower()
    expect(public.locator(".answer-section li").filter(has_text=edited)).to_have_count(1)
    assert_no_secrets(anon)
    public.screenshot(path=str(ARTIFACTS / "review-approved.png"), full_page=True)

    public.get_by_role("link", name="Library").click()
    public.wait_for_url(re.compile(r"/library$"))
    listed = public.locator(".article-list li").filter(has=public.get_by_role("link", name=title))
    expect(listed).to_contain_text("Approved")
    expect(listed).to_contain_text(QUESTION)
    public.get_by_label("Search approved articles").fill("gout")
    public.get_by_role("button", name="Search").click()
    expect(public.get_by_role("link", name=title)).to_be_visible()
    assert_no_secrets(anon)

    anon.ask(QUESTION)
    expect(public.locator(".badge-approved")).to_contain_text(
        "Approved by a reviewer of Medora's medical advisory board"
    )
    assert "pending human review" not in public.locator("main").inner_text().lower()
    expect(public.locator(".answer-section li").filter(has_text=edited)).to_have_count(1)
    expect(public.get_by_role("link", name="see its review status")).to_have_attribute("href", f"/articles/{aid}")
    assert public.get_by_role("button", name="Submit for review").count() == 0
    assert_no_secrets(anon)
    public.goto(f"{base}/editorial-policy")
    expect(public.get_by_text("Articles so far: 1 approved")).to_be_visible()
    assert_no_secrets(anon)

    for w in (anon, rita, eddie):
        assert w.problems == [], w.problems


def test_html_in_questions_and_comments_stays_text(browser, contexts: list, review_server) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    base, _ = review_server
    anon = open_page(browser, contexts, base)
    aid = ask_and_submit(anon, XSS_QUESTION)
    public = anon.page
    expect(public.locator(".asked")).to_contain_text(XSS_QUESTION)
    assert public.evaluate("typeof window.__xss") == "undefined"
    assert public.locator("main img").count() == 0

    rita = open_page(browser, contexts, base)
    page = rita.page
    sign_in(rita, "rita")
    expect(page.get_by_role("row").filter(has_text=XSS_QUESTION)).to_have_count(1)  # the queue shows it as text
    assert page.evaluate("typeof window.__xss") == "undefined"
    page.goto(f"{base}/review/articles/{aid}")
    page.get_by_label("Comment on the whole article").fill(XSS_COMMENT)
    page.locator(".comments-general").get_by_role("button", name="Add comment").click()
    page.wait_for_url(re.compile(r"#comment-"))
    decide(page, "Start review")
    bullet = page.locator("li.review-bullet[data-key='summary']")
    bullet.locator("summary").click()
    bullet.get_by_role("textbox", name="Comment on summary").fill(XSS_QUESTION)
    bullet.get_by_role("button", name="Add comment").click()
    page.wait_for_url(re.compile(r"#comment-"))
    decide(page, "Request changes", XSS_COMMENT)
    expect(page.locator(".comments-general .comment-body")).to_have_text(XSS_COMMENT)
    expect(bullet.locator(".comment-body")).to_have_text(XSS_QUESTION)
    expect(page.locator(".asked")).to_contain_text(XSS_QUESTION)
    expect(page.locator(".audit-log")).to_contain_text(XSS_COMMENT)
    assert page.locator("main script, main img").count() == 0
    general = page.locator(".comments-general .comment")  # one long "word" stays inside the sidebar
    assert general.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.evaluate("typeof window.__xss") == "undefined"
    page.screenshot(path=str(ARTIFACTS / "review-xss-as-text.png"), full_page=True)

    public.goto(f"{base}/articles/{aid}")
    expect(public.locator(".asked")).to_contain_text(XSS_QUESTION)
    assert XSS_COMMENT not in public.locator("body").inner_text()  # comments are for reviewers only
    assert public.evaluate("typeof window.__xss") == "undefined"
    for w in (anon, rita):
        assert w.problems == [], w.problems


def test_anonymous_browsers_are_sent_to_sign_in(browser, contexts: list, review_server) -> None:  # noqa: ANN001
    from playwright.sync_api import expect

    base, _ = review_server
    anon = open_page(browser, contexts, base)
    page = anon.page
    question = "When should a thyroid nodule be biopsied?"
    aid = ask_and_submit(anon, question)
    title = page.locator("h1").inner_text()
    first_bullet = page.locator(".answer-section li").first.inner_text()[:40]

    page.goto(f"{base}/review")
    page.wait_for_url(re.compile(r"/login\?next=%2Freview$"))
    for path in (f"/review/articles/{aid}", f"/review/articles/{aid}/edit", f"/review/articles/{aid}/diff"):
        page.goto(base + path)
        page.wait_for_url(re.compile(r"/login\?next="))
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        body = page.locator("body").inner_text()
        assert title not in body and question not in body and first_bullet not in body
        assert page.get_by_role("button", name="Start review").count() == 0
    # signing in from there leads back to the page asked for
    page.goto(f"{base}/review/articles/{aid}")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/review/articles/{aid}$"))
    expect(page.locator("h1")).to_have_text(title)
    assert anon.problems == [], anon.problems
