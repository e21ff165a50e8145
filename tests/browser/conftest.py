"""Browser journeys: pytest + Playwright driving the system Chromium, headless, against Django's live server.

- Every test in this folder is marked `browser` and runs after the other database tests (see the collection hook).
- The browser is Debian's `chromium` (/usr/bin/chromium, installed by .ci/run); Playwright never downloads one.
  Without it, or without the `playwright` package, the tests are skipped with the reason, and fail when
  REQUIRE_SERVICES=1 (CI), like the tests that need PostgreSQL or Redis.
- The live server binds 127.0.0.1 on a free port; the tests use `transactional_db` so that the server thread
  sees the data they create (on PostgreSQL it has its own connection).
- `journey.page_for(user, viewport)` opens a fresh browser context and signs in through the real login form.
- Each test leaves a screenshot of its last screen in $ARTIFACTS_DIR/screenshots/<test name>.png (default
  artifacts/), taken in a `finally` so that a failing journey still shows where it stopped. CI keeps artifacts/.
"""

import datetime
import os
import re
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cells import services as cell_services
from cells.models import Organization, RoleAssignment
from evaluations.review import services as evaluation_services
from members import services as member_services
from members.models import Member
from tests.conftest import PASSWORD, make_superuser, node_maker, service_unavailable

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
# platform.md: the flags this machine's Chromium needs (no sandbox as root, no GPU, nothing phoning home).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = (360, 740)
DESKTOP = (1280, 900)
TIMEOUT_MS = 20_000  # one step (a navigation, a selector); the report build runs inside its request

# The innermost elements whose right edge passes the window's width, when the document is wider than it.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && ![...el.children].some(c => c.getBoundingClientRect().right > width + 1)) {
      out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} (right edge ${Math.round(box.right)}px): `
        + (el.innerText || "").trim().slice(0, 50).replace(/\\s+/g, " "));
    }
  }
  return [`document ${document.documentElement.scrollWidth}px wide in a ${width}px window`, ...out.slice(0, 6)];
}"""

SUMMARY: list[str] = []  # printed by pytest_terminal_summary

Kind = Organization.Kind
Role = RoleAssignment.Role


#
# Collection: mark, and run last
#


def _is_browser_test(item) -> bool:
    return HERE in Path(str(item.path)).resolve().parents


def _uses_db(item) -> bool:
    """pytest-django's test of whether a test uses the database (it runs those first)."""
    from django.test import TransactionTestCase

    cls = getattr(item, "cls", None)
    return bool(
        (cls and issubclass(cls, TransactionTestCase))
        or item.get_closest_marker("django_db")
        or {"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test here `browser` before `-m` selects (this wrapper runs first); once everyone else has
    sorted (it resumes last; pytest-django puts database tests first, transactional ones last among them), move
    them after the last database test, so that:

    - their flushes (transactional_db) disturb no other database test: data migrations' rows are gone after one;
    - the browser is closed (package-scoped fixture) before the tests without a database run: Playwright's sync
      API keeps an asyncio loop registered as running in the main thread while it is open.
    """
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.browser)
    result = yield
    ours = [item for item in items if _is_browser_test(item)]
    if ours:
        ids = {id(item) for item in ours}
        others = [item for item in items if id(item) not in ids]
        cut = max((index + 1 for index, item in enumerate(others) if _uses_db(item)), default=0)
        items[:] = others[:cut] + ours + others[cut:]
    return result


#
# The browser
#


def chromium_path() -> str | None:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the browser tests (they are all in this package, run one after the other), or a
    skip (a failure with REQUIRE_SERVICES=1) saying why not. Closed after the last of them."""
    executable = chromium_path()
    if executable is None:
        service_unavailable(
            f"Chromium not found at {CHROMIUM} or on PATH: install the Debian package "
            "(apt-get install chromium; .ci/run does) to run the browser tests"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        service_unavailable(f"The playwright package is missing ({error}): run `make venv`")
    # Playwright's sync API runs an asyncio event loop in this thread (in a greenlet) and leaves it registered
    # as the running loop, so Django's async-safety check would refuse every ORM call the tests and fixtures
    # make (SynchronousOnlyOperation) although nothing runs concurrently in this thread. Allowed for the
    # browser's lifetime only; stopping Playwright unregisters the loop.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_playwright().start()
    try:
        try:
            instance = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except Exception as error:  # noqa: BLE001 - any launch failure means no usable browser
            service_unavailable(f"Chromium at {executable} did not start: {error}")
        yield instance
        instance.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, bound to 127.0.0.1 (not `localhost`) unless --liveserver or
    DJANGO_LIVE_TEST_SERVER_ADDRESS say otherwise. pytest-django's own helper enables its settings per test."""
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "127.0.0.1"
    server = LiveServer(addr)
    yield server
    server.stop()


def _screenshot_path(name: str) -> Path:
    folder = Path(os.environ.get("ARTIFACTS_DIR") or "artifacts") / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".png")


class Journey:
    """The pages of one test, what was tapped and typed on them, and the screenshot at the end."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.page = None  # the page on screen: the screenshot's subject
        self.taps = 0
        self.fills = 0
        self.notes = []  # lines for the run's summary

    def page_for(self, user, viewport=PHONE, locale="vi-VN"):
        """A fresh context (own cookies) of the given size, signed in as `user` through the login form; `locale`
        is the browser's language (what a native date box would follow)."""
        width, height = viewport
        phone = width < 576
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport={"width": width, "height": height},
            is_mobile=phone,
            has_touch=phone,
            locale=locale,
            timezone_id="Asia/Ho_Chi_Minh",
            accept_downloads=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        self.page = page
        page.goto("/login/")
        self.fill(page.locator("#id_username"), user.get_username())
        self.fill(page.locator("#id_password"), PASSWORD)
        self.submit(page, page.locator("main form button[type=submit]"))
        if "/login/" in page.url:
            raise AssertionError(f"{user.get_username()} could not sign in: {page.locator('main').inner_text()}")
        return page

    def show(self, page):
        """`page` is the one on screen now (the screenshot at the end shows it)."""
        self.page = page
        return page

    # What a person does, counted (journey 1 reports its taps).

    def tap(self, locator):
        self.taps += 1
        self.page = locator.page
        locator.click()

    def submit(self, page, locator):
        """Tap a button or link that loads a new page, and wait for that page."""
        self.taps += 1
        self.page = page
        with page.expect_navigation():
            locator.click()

    def press_enter(self, locator):
        """The keyboard's Enter ("Go" on a phone) in a field: submits its form; waits for the new page."""
        self.taps += 1
        self.page = locator.page
        with locator.page.expect_navigation():
            locator.press("Enter")

    def fill(self, locator, value: str):
        self.fills += 1
        self.page = locator.page
        locator.fill(value)

    def select(self, locator, value: str):
        self.fills += 1
        self.page = locator.page
        locator.select_option(value)

    @staticmethod
    def overflow(page) -> list[str]:
        """What sticks out to the right of the window (empty when the page fits its width)."""
        return page.evaluate(OVERFLOW_JS)

    def screenshot(self, name: str) -> Path | None:
        if self.page is None or self.page.is_closed():
            return None
        path = _screenshot_path(name)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(request, browser, live_server, transactional_db):
    """A Journey on the live server; its last screen is saved whatever the outcome."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    journey = Journey(browser, live_server.url)
    started = time.monotonic()
    try:
        yield journey
    finally:
        try:
            path = journey.screenshot(request.node.name)
            SUMMARY.append(f"{request.node.name}: {time.monotonic() - started:.1f}s, last screen: {path or 'none'}")
            SUMMARY.extend(f"    {note}" for note in journey.notes)
        finally:
            journey.close()


def pytest_terminal_summary(terminalreporter):
    """The journeys' timings, notes (journey 1's taps) and screenshots, at the end of every run."""
    if SUMMARY:
        terminalreporter.section("browser journeys")
        for line in SUMMARY:
            terminalreporter.write_line(line)


#
# The data: a small world built through the services
#

# Data migrations whose rows the journeys need: rule parameters, the meeting score sheet, criteria sets. The flush
# after a transactional test empties every table, so once one has run they are gone; their code is run again.
# (`serialized_rollback` would restore them, but it fails on the content types that the flush of an earlier,
# non-serialized transactional test re-creates with other ids.)
SEED_MIGRATIONS = (
    ("criteria", "0002_seed_regulations"),
    ("criteria", "0004_default_score_template"),
    ("criteria", "0006_seed_criteria_sets"),
)


def ensure_seed_data() -> None:
    """Run the seed migrations' code again, each with the models as they were at that migration (the score
    sheet, for one, has since moved from criteria to meetings)."""
    from django.db import connection, migrations
    from django.db.migrations.loader import MigrationLoader

    from criteria.models import RuleParameterSet

    if RuleParameterSet.objects.exists():
        return
    loader = MigrationLoader(connection)
    for app_label, name in SEED_MIGRATIONS:
        historical_apps = loader.project_state((app_label, name), at_end=True).apps
        for operation in loader.get_migration(app_label, name).operations:
            if isinstance(operation, migrations.RunPython):
                operation.code(historical_apps, None)


def build_journey_world() -> SimpleNamespace:
    """Root → two đảng bộ cơ sở → two cells each with six full members; five signed-in personas; the yearly
    review of this year opened for the root."""
    ensure_seed_data()
    admin = make_superuser("quantri")
    node = node_maker(admin)

    root = node(None, "Đảng ủy Khối các cơ quan tỉnh", "DUK", Kind.UPPER)
    db1 = node(root, "Đảng bộ Sở Y tế", "SYT", Kind.GRASSROOTS_COMMITTEE)
    db2 = node(root, "Đảng bộ Sở Giáo dục", "SGD", Kind.GRASSROOTS_COMMITTEE)
    cells = [
        node(db1, "Chi bộ Văn phòng Sở Y tế", "SYT-VP", Kind.CELL),
        node(db1, "Chi bộ Thanh tra Sở Y tế", "SYT-TT", Kind.CELL),
        node(db2, "Chi bộ Văn phòng Sở Giáo dục", "SGD-VP", Kind.CELL),
        node(db2, "Chi bộ Khảo thí", "SGD-KT", Kind.CELL),
    ]
    given = ["An", "Bình", "Cường", "Dung", "Hà", "Khánh"]
    family = ["Nguyễn Văn", "Trần Thị", "Lê Văn", "Phạm Thị", "Hoàng Văn", "Vũ Thị"]
    members = {}
    for c, cell in enumerate(cells):
        members[cell.pk] = [
            member_services.member_create(
                organization=cell,
                full_name=f"{family[i]} {given[(i + c) % 6]}",
                status=Member.Status.FULL,
                gender=Member.Gender.FEMALE if "Thị" in family[i] else Member.Gender.MALE,
                admitted_on=datetime.date(2008 + i, 3, 1),
                official_on=datetime.date(2009 + i, 3, 1),
                party_card_no=f"9{c}.{i:06d}",
                created_by=admin,
            )
            for i in range(6)
        ]

    def person(username, full_name, organization, role):
        user = cell_services.user_create(username=username, full_name=full_name, password=PASSWORD, created_by=admin)
        cell_services.role_grant(user=user, organization=organization, role=role, granted_by=admin)
        return user

    users = SimpleNamespace(
        secretary=person("bithu1", "Đỗ Minh Tâm", cells[0], Role.SECRETARY),
        other_secretary=person("bithu3", "Bùi Thanh Hương", cells[2], Role.SECRETARY),
        grassroots=person("dangbo1", "Ngô Quang Vinh", db1, Role.GRASSROOTS),
        staff=person("bantc", "Lý Thu Trang", root, Role.STAFF),
        leader=person("lanhdao", "Phan Đức Long", root, Role.LEADER),
    )
    today = timezone.localdate()
    period = evaluation_services.period_open(
        root=root,
        year=today.year,
        self_assessment_due=today + datetime.timedelta(days=30),
        appraisal_due=today + datetime.timedelta(days=45),
        decision_due=today + datetime.timedelta(days=60),
        opened_by=admin,
    )
    return SimpleNamespace(
        root=root, db1=db1, db2=db2, cells=cells, members=members, users=users, period=period, admin=admin
    )


@pytest.fixture
def journey_world(journey):
    return build_journey_world()
