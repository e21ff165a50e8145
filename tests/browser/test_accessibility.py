"""Accessibility checked by a machine (issue 15, item 9).

axe-core (vendored for the tests only in tests/browser/vendor/axe-core/, never served) runs in Chromium on every
GET page of the URL × role matrix — the tables of tests/test_permissions.py and the tables beside it, imported, not
copied — for each persona that gets the page (200), with the WCAG 2.x A/AA rules, WCAG 2.2's target size and the
best-practice rules. Any serious or critical violation fails the test, listed by page, rule and nodes; the totals per
persona (violations by impact, counted once per page and rule) are printed in the run's summary.

Each persona has one browser context, signed in once: committee staff, leadership, the administrator and the
grassroots committee on a desktop, the others on a 360 px phone. A screenshot of each persona's home page is kept
(artifacts/screenshots/a11y_home_<persona>.png). Downloads (the DOWNLOAD rows of the form round trip's table) and
non-HTML answers (the health check) are skipped.

`test_keyboard_and_names` checks what axe does not: a skip link first in the tab order that lands on <main>,
aria-current on the menu item of the page, a focus ring that shows (on a red button too), named charts and
progress bars that say their value.
"""

import os
import time
from collections import Counter, defaultdict
from pathlib import Path

from django.db import transaction
from django.urls import reverse

from tests.browser.conftest import DESKTOP, PHONE, SUMMARY, TIMEOUT_MS, Journey, ensure_seed_data
from tests.browser.test_form_round_trip import DOWNLOAD, EDIT_FORMS
from tests.conftest import PASSWORD, build_world
from tests.evaluations import test_programmes
from tests.evaluations.test_member_ratings import RATINGS_SPEC
from tests.evaluations.test_past_import import IMPORT_SPEC as PAST_IMPORT_SPEC
from tests.evaluations.test_registers import REGISTERS_SPEC
from tests.helpers import PERSONAS
from tests.members.test_import import IMPORT_SPEC as MEMBER_IMPORT_SPEC
from tests.test_permissions import SPEC

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}
FAILING = ("critical", "serious")
# The representative run (the default) visits each page kind once, as the first of these who may see it; the full
# matrix (every persona × every page, about 380 pages, 7 minutes on 2 busy cores) runs with CHIBO_A11Y_FULL=1.
SAMPLE_ORDER = ("secretary", "grassroots", "staff", "admin", "leader", "outsider", "member", "norole", "anonymous")
IMPACTS = ("critical", "serious", "moderate", "minor")
DESKTOP_PERSONAS = {"admin", "staff", "leader", "grassroots"}
SPECS = (SPEC, RATINGS_SPEC, PAST_IMPORT_SPEC, MEMBER_IMPORT_SPEC, REGISTERS_SPEC)

# axe's findings, reduced to what a failure message needs.
AXE_RUN_JS = """async (options) => {
  const result = await axe.run(document, options);
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: (n.failureSummary || "").split("\\n").slice(0, 3).join(" ")})),
  }));
}"""


def matrix_pages(full: bool) -> dict[str, list[tuple[str, object]]]:
    """persona → [(url name, kwargs function)] of the GET rows it gets with a 200, downloads left out.

    `full`: every such row for every persona. Otherwise a representative set: every persona's home page, and each
    URL name once, for the first persona of SAMPLE_ORDER that gets it (one of its rows)."""
    pages = defaultdict(list)
    for spec in SPECS:
        for name, method, kwargs, *results in spec:
            if method != "get" or EDIT_FORMS.get(name) is DOWNLOAD:
                continue
            for persona, expected in zip(PERSONAS, results, strict=True):
                if expected == 200:
                    pages[persona].append((name, kwargs))
    if full:
        return pages
    sample = defaultdict(list)
    seen = set()
    for persona in SAMPLE_ORDER:
        for name, kwargs in pages.get(persona, ()):
            if name == "home" or name not in seen:
                sample[persona].append((name, kwargs))
                seen.add(name)
    return sample


def signed_in_page(journey, user, viewport=None):
    """A page in a context of its own, signed in as `user` (None: signed out), on a desktop for committee staff,
    leadership, the administrator and the grassroots committee, else on a phone. The context bypasses the
    site's Content-Security-Policy (script-src 'self') so that axe can be added as a script tag."""
    if viewport is None:
        persona = user.get_username() if user else "anonymous"
        viewport = DESKTOP if persona in DESKTOP_PERSONAS else PHONE
    width, height = viewport
    context = journey.browser.new_context(
        base_url=journey.base_url,
        viewport={"width": width, "height": height},
        is_mobile=width < 576,
        has_touch=width < 576,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        bypass_csp=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    journey.contexts.append(context)
    page = context.new_page()
    if user is not None:
        page.goto("/login/")
        page.locator("#id_username").fill(user.get_username())
        page.locator("#id_password").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "/login/" not in page.url, f"{user.get_username()} could not sign in"
    journey.page = page
    return page


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN_JS, AXE_OPTIONS)


def describe(violation: dict) -> str:
    nodes = "; ".join(f"{n['target']} ({n['summary']})" for n in violation["nodes"][:4])
    more = f" … and {len(violation['nodes']) - 4} more" if len(violation["nodes"]) > 4 else ""
    return f"{violation['impact']} {violation['id']} ({violation['help']}): {nodes}{more}"


def test_axe_finds_no_serious_violation_on_the_matrix_pages(browser, live_server, transactional_db, monkeypatch):
    ensure_seed_data()
    world = build_world()
    # The matrix builds each case in a fresh world; here one world serves every row, so the two programme rows
    # share one approved registration (a second one would record A1's past results again).
    made = []
    approved = test_programmes.approved

    def approved_once(world, *args, **kwargs):
        if not made:
            made.append(approved(world, *args, **kwargs))
        return made[0]

    monkeypatch.setattr(test_programmes, "approved", approved_once)
    full = os.environ.get("CHIBO_A11Y_FULL") == "1"
    journey = Journey(browser, live_server.url)
    urls = {}  # kwargs function → its kwargs, made once (some create rows)

    def url_of(name, kwargs):
        if kwargs not in urls:
            with transaction.atomic():
                urls[kwargs] = kwargs(world)
        return reverse(name, kwargs=urls[kwargs])

    failures = []
    totals = {}
    rules = defaultdict(Counter)  # persona → axe rule → pages
    started = time.monotonic()
    try:
        for persona, rows in matrix_pages(full).items():
            page = signed_in_page(journey, None if persona == "anonymous" else getattr(world.personas, persona))
            counts = Counter()
            checked = set()
            for name, kwargs in rows:
                try:
                    url = url_of(name, kwargs)
                except Exception as error:  # noqa: BLE001 - reported with the violations; the other pages go on
                    failures.append(f"{persona} {name}: its data could not be made: {error!r}")
                    continue
                if url in checked:
                    continue
                checked.add(url)
                response = page.goto(url)
                if response is None or response.status != 200:
                    failures.append(f"{persona} {url}: answered {response and response.status}, not 200")
                    continue
                if "text/html" not in (response.headers.get("content-type") or ""):
                    continue
                if name == "home":
                    journey.page = page
                    journey.screenshot(f"a11y_home_{persona}")
                for violation in axe_violations(page):
                    counts[violation["impact"]] += 1
                    rules[persona][violation["id"]] += 1
                    if violation["impact"] in FAILING:
                        failures.append(f"{persona} {url}: {describe(violation)}")
            totals[persona] = (len(checked), counts)
    finally:
        SUMMARY.append(
            f"axe-core {'on the whole' if full else 'on a representative set of'} URL × role matrix "
            f"(CHIBO_A11Y_FULL=1: all of it): {time.monotonic() - started:.0f}s"
        )
        for persona, (n, counts) in totals.items():
            figures = ", ".join(f"{impact} {counts[impact]}" for impact in IMPACTS)
            found = ", ".join(f"{rule} ×{n}" for rule, n in rules[persona].most_common())
            SUMMARY.append(
                f"    {persona}: {n} pages; violations (rule × page): {figures}" + (f" ({found})" if found else "")
            )
        journey.close()
    assert not failures, f"{len(failures)} serious or critical axe violations:\n" + "\n".join(failures)


# The contrast ratio of two CSS colours (rgb()/rgba() as getComputedStyle gives them), WCAG's formula.
CONTRAST_JS = """
window.chiboContrast = (a, b) => {
  const lum = c => {
    const [r, g, bl] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
"""


def focus_ring(page, selector: str) -> dict:
    """Focus `selector` as a keyboard user would see it (after a Tab, so :focus-visible applies) and read the
    ring: its width, and its contrast with the white page around it (the ring sits 2 px off the element)."""
    page.keyboard.press("Tab")
    page.focus(selector)
    return page.evaluate(
        """(selector) => {
          const input = document.querySelector(selector);
          const el = input.matches('.btn-check') ? document.querySelector(`label[for="${input.id}"]`) : input;
          const style = getComputedStyle(el);
          return {width: parseFloat(style.outlineWidth), style: style.outlineStyle,
                  contrast: window.chiboContrast(style.outlineColor, 'rgb(255, 255, 255)')};
        }""",
        selector,
    )


def test_keyboard_and_names(browser, live_server, transactional_db):
    """The secretary on a phone: a skip link first in the tab order that lands on the page's content; the menu
    marks the page it is on; the attendance buttons read (the "Excused" yellow too), their focus ring shows on
    the red "Unexcused" button, the "spoke" check box is a 24 px target. Committee staff on a desktop: the
    dashboard's charts are named and its progress bars say their value."""
    from tests.test_permissions import meeting_in_a1

    ensure_seed_data()
    world = build_world()
    meeting = meeting_in_a1(world)["pk"]
    member = world.members.other.pk
    journey = Journey(browser, live_server.url)
    try:
        page = signed_in_page(journey, world.personas.secretary, PHONE)
        page.add_init_script(CONTRAST_JS)
        page.goto(reverse("home"))
        page.keyboard.press("Tab")
        skip = page.evaluate(
            "() => { const a = document.activeElement, box = a.getBoundingClientRect();"
            " return {text: a.textContent.trim(), href: a.getAttribute('href'), width: box.width, height: box.height}; }"
        )
        assert skip["text"] == "Bỏ qua, đến nội dung chính" and skip["href"] == "#main", skip
        assert skip["width"] > 100 and skip["height"] > 20, f"the focused skip link is not visible: {skip}"
        journey.screenshot("a11y_skip_link_secretary")
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"
        current = page.locator("#mainnav [aria-current=page]")
        assert current.count() == 1 and current.inner_text().strip() == "Trang chủ", current.all_inner_texts()

        page.goto(reverse("meetings:detail", kwargs={"pk": meeting}))
        assert page.locator("#mainnav [aria-current=page]").inner_text().startswith("Sinh hoạt")
        excused = page.evaluate(
            f"""() => {{ const s = getComputedStyle(document.querySelector('label[for="e-{member}"]'));
                 return window.chiboContrast(s.color, 'rgb(255, 255, 255)'); }}"""
        )
        assert excused >= 4.5, f"'Excused' reads {excused:.2f}:1 on white"
        spoke = page.locator(f"#s-{member}").bounding_box()
        assert spoke["width"] >= 24 and spoke["height"] >= 24, spoke
        ring = focus_ring(page, f"#u-{member}")
        assert ring["style"] != "none" and ring["width"] >= 2 and ring["contrast"] >= 3, ring
        journey.screenshot("a11y_focus_unexcused_secretary")

        page.goto(reverse("members:list"))  # the status filter: one check box per status, inline
        boxes = page.locator("main input[type=checkbox][name=status]")
        assert boxes.count() > 0
        for box in boxes.all():
            size = box.bounding_box()
            assert size["width"] >= 24 and size["height"] >= 24, size
        journey.screenshot("a11y_member_filter_secretary")

        page = signed_in_page(journey, world.personas.staff, DESKTOP)
        page.goto(reverse("dashboard:index"))
        unnamed = page.evaluate(
            """() => [...document.querySelectorAll('main svg, main canvas, main [role=progressbar]')]
                 .filter(el => el.closest('[aria-hidden=true]') === null)
                 .filter(el => el.matches('[role=progressbar]')
                   ? !(el.getAttribute('aria-label') && el.hasAttribute('aria-valuenow') && el.getAttribute('aria-valuetext'))
                   : !(el.getAttribute('role') === 'img' && el.getAttribute('aria-label')) && !el.closest('figure figcaption'))
                 .map(el => el.outerHTML.slice(0, 120))"""
        )
        assert unnamed == [], unnamed
        assert page.locator("main svg[role=img][aria-label], main [role=progressbar][aria-valuetext]").count() > 0
        journey.screenshot("a11y_dashboard_staff")
    finally:
        journey.close()
