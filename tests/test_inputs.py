"""The input policy (cells/inputs.py): control characters refused in Vietnamese, lengths of the stored form (the
folded search key included), finite numbers, bounded query parameters, and spreadsheets that never fail on stored
text.

The first part pins each finding of issue 12. The second part is property-based: Hypothesis generates hostile
values (control characters and NUL, decomposing scripts, 100,000-character strings, non-finite and huge numbers,
impossible dates, wrong choices), posts them into the main create/edit forms and puts them in the query strings of
the list pages. Asserted for every one: no 500, nothing written when refused (row counts and the edited row
unchanged), a Vietnamese message, and, when accepted, stored text that follows the policy and fits its columns as
PostgreSQL would check them. Each generated example runs in a savepoint rolled back after it, so every example
starts from the same world. Example counts are modest (the `inputs` profile; CHIBO_FUZZ_EXAMPLES raises them for a
deeper run) and the number of generated inputs is printed at the end of the run. Fields are also left out or sent
twice.
"""

import datetime
import io
import os
import re
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal

import pytest
import time_machine
from django import forms as django_forms
from django.apps import apps
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cells import inputs
from cells import services as cell_services
from cells.models import AuditEntry, Organization
from cells.text import fold
from criteria.models import CriteriaSet, Criterion, CriterionGroup
from evaluations.models import CriterionAnswer, OrgEvaluation
from meetings.models import Meeting
from members import services as member_services
from members.importing import services as importing
from members.models import Member
from reports import services as report_services
from reports.building import tables_to_xlsx
from reports.models import Report
from tests import helpers

pytestmark = pytest.mark.django_db

# Hypothesis: the well-kept tool for generated inputs (it also shrinks a failing input to the smallest one).
# The same examples on every run (a shared CI must not fail by chance); CHIBO_FUZZ_EXAMPLES=500 explores further,
# with random examples.
DEEPER = os.environ.get("CHIBO_FUZZ_EXAMPLES")
settings.register_profile(
    "inputs",
    max_examples=int(DEEPER or 15),
    derandomize=not DEEPER,
    deadline=None,
    database=None,  # nothing written to the work tree
    # The world fixture is built once per test: each example runs in a savepoint rolled back after it.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FUZZ = settings.get_profile("inputs")
GENERATED = Counter()  # generated inputs per target, printed at the end of the run

# Vietnamese is written with these letters; an English (untranslated) message has none of them.
VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)
HANGUL_150 = "각" * 150  # 150 syllables: 150 characters, 450 once folded (three letters each)


def is_vietnamese(message) -> bool:
    return bool(VIETNAMESE.search(str(message)))


@pytest.fixture(scope="module", autouse=True)
def _report_generated(request):
    yield
    if GENERATED:
        counts = ", ".join(f"{target} {count}" for target, count in sorted(GENERATED.items()))
        line = f"\ntests/test_inputs.py: {sum(GENERATED.values())} generated inputs ({counts})"
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if capture is None:
            print(line)
        else:
            with capture.global_and_fixture_disabled():
                print(line)


@contextmanager
def rolled_back():
    """Run the block in a savepoint and undo whatever it wrote."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


#
# Rule 1: control characters
#


def project_forms():
    """Every form class declared in the project's apps."""
    ours = {config.name for config in apps.get_app_configs() if not config.name.startswith("django")}
    found, stack = set(), [django_forms.BaseForm]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            if subclass.__module__.split(".")[0] in ours:
                found.add(subclass)
    return sorted(found, key=lambda form: f"{form.__module__}.{form.__qualname__}")


def test_the_policy_is_installed_on_every_text_field_of_every_form():
    # Import every module that declares forms, so that their classes are known.
    import cells.forms  # noqa: F401
    import criteria.forms  # noqa: F401
    import evaluations.past_results.views  # noqa: F401
    import evaluations.programmes.forms  # noqa: F401
    import evaluations.ratings.views  # noqa: F401
    import evaluations.review.forms  # noqa: F401
    import meetings.forms  # noqa: F401
    import meetings.guidance.forms  # noqa: F401
    import members.forms  # noqa: F401
    import reports.forms  # noqa: F401

    assert inputs.installed()
    checked = 0
    for form in project_forms():
        for name, field in form.base_fields.items():
            if not isinstance(field, django_forms.CharField) or isinstance(field, django_forms.UUIDField):
                continue
            with pytest.raises(ValidationError) as refused:
                field.clean("Nguyễn\x00Văn")
            assert refused.value.code == "control_character", f"{form.__name__}.{name}"
            assert all(is_vietnamese(message) for message in refused.value.messages)
            checked += 1
    assert checked > 50


def test_multi_line_text_keeps_tabs_and_line_breaks_and_one_line_text_refuses_them():
    notes = django_forms.CharField(widget=django_forms.Textarea, required=False)
    name = django_forms.CharField(required=False)

    assert notes.clean("Dòng 1\n\tDòng 2\r\n") == "Dòng 1\n\tDòng 2"
    for text in ("Nguyễn\tVăn", "Nguyễn\nVăn"):
        with pytest.raises(ValidationError) as refused:
            name.clean(text)
        assert is_vietnamese(refused.value.messages[0])
    for control in ("\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\ufffe"):
        with pytest.raises(ValidationError):
            notes.clean(f"a{control}b")


def test_a_nul_byte_never_shows_djangos_english_message(world):
    with pytest.raises(ValidationError) as refused:
        django_forms.CharField().clean("a\x00b")
    assert "U+0000" in refused.value.messages[0]
    # Django's ModelChoiceField checks for NUL before anything else: its message is translated by the project.
    with pytest.raises(ValidationError) as refused:
        django_forms.ModelChoiceField(queryset=Member.objects.all()).clean("\x00")
    assert refused.value.messages != ["Null characters are not allowed."]
    assert is_vietnamese(refused.value.messages[0])


def test_a_name_with_a_control_character_is_refused_on_member_and_organisation_forms(world, client_for):
    tree, client = world.tree, client_for("staff")
    before = (Member.objects.count(), Organization.objects.count(), AuditEntry.objects.count())

    member = client.post(reverse("members:create", args=[tree.a1.pk]), member_data(full_name="Nguyễn\x01Văn"))
    organization = client.post(reverse("cells:create", args=[tree.a.pk]), organization_data(name="Chi bộ\x00A3"))

    assert member.status_code == organization.status_code == 200
    assert is_vietnamese(member.context["form"].errors["full_name"][0])
    assert is_vietnamese(organization.context["form"].errors["name"][0])
    assert (Member.objects.count(), Organization.objects.count(), AuditEntry.objects.count()) == before


def test_nul_in_evidence_text_is_refused_with_a_vietnamese_message(evaluation, client_for):
    response = client_for("secretary").post(
        reverse("evaluations:detail", args=[evaluation.pk]), evidence_data(evaluation, **{"evidence-1.1": "a\x00b"})
    )

    assert response.status_code == 200
    assert all(is_vietnamese(message) for message in shown_errors(response))
    assert not evaluation.answers.exists()


@pytest.mark.parametrize("query", ["q=%00", "q=a%01b", "page=%00", "%00=1", "year=2025%0b"])
def test_a_control_character_in_a_query_string_answers_400_with_a_vietnamese_page(client_for, query):
    response = client_for("staff").get(reverse("members:list") + "?" + query)

    assert response.status_code == 400
    assert is_vietnamese(response.content.decode())
    assert "U+" not in response.content.decode()


def test_a_tab_in_a_search_box_is_only_a_space(client_for):
    assert client_for("staff").get(reverse("cells:tree"), {"q": "Chi\tbộ"}).status_code == 200


#
# Rule 2: the stored form's length, the folded search key included
#


def test_the_folded_search_key_is_clipped_to_its_column():
    assert len(fold(HANGUL_150)) == 450
    assert len(fold(HANGUL_150, 200)) == 200
    assert fold("Nguyễn Văn Đức", 200) == "nguyen van duc"


def test_a_150_syllable_hangul_name_is_created_and_edited_and_its_search_key_fits(world, client_for):
    client, tree = client_for("staff"), world.tree

    created = client.post(reverse("members:create", args=[tree.a1.pk]), member_data(full_name=HANGUL_150))
    member = Member.objects.get(full_name=HANGUL_150)
    edited = client.post(reverse("members:edit", args=[member.pk]), member_edit_data(member, full_name=HANGUL_150[1:]))
    new_org = client.post(reverse("cells:create", args=[tree.a.pk]), organization_data(name=HANGUL_150 + "가" * 105))
    organization = Organization.objects.get(code="A3")
    edited_org = client.post(
        reverse("cells:edit", args=[organization.pk]),
        organization_data(name="각" * 255, host_unit_name="간" * 255, version=organization.version),
    )

    assert [created.status_code, edited.status_code, new_org.status_code, edited_org.status_code] == [302] * 4
    member.refresh_from_db()
    organization.refresh_from_db()
    assert member.full_name == HANGUL_150[1:]
    assert organization.name == "각" * 255
    assert_fits_its_columns(member)
    assert_fits_its_columns(organization)
    # Still found by the beginning of its name.
    assert member in Member.objects.filter(search_text__contains=fold(HANGUL_150[1:20]))


def test_the_member_import_refuses_a_control_character_at_preview_and_confirm_writes_the_rest(world):
    secretary, cell = world.personas.secretary, world.tree.a1
    count = Member.objects.count()
    rows = [
        ["Nguyễn\x7fVăn Hỏng", "", "", "", "", "", "Dự bị", "", "", "Cán bộ\x9f"],
        [HANGUL_150, "", "", "", "", "", "Dự bị", "", "", ""],
    ]
    upload = SimpleUploadedFile(
        "danh-sach.xlsx", helpers.xlsx(rows, helpers.MEMBER_IMPORT_HEADERS), content_type=importing.XLSX_CONTENT_TYPE
    )
    batch = importing.import_preview(organization=cell, uploaded_file=upload, user=secretary)

    broken, hangul = batch.rows
    assert broken["outcome"] == "error" and set(broken["errors"]) == {"full_name", "job_title"}
    assert all(is_vietnamese(message) for message in broken["errors"].values())
    assert "\x7f" not in str(broken["data"]) and "\x9f" not in str(broken["data"])
    assert hangul["outcome"] != "error"

    importing.import_confirm(member_import=batch, user=secretary, skip_errors=True)

    assert Member.objects.count() == count + 1
    assert_fits_its_columns(Member.objects.get(full_name=HANGUL_150))


#
# Rule 3: numbers
#


@pytest.mark.parametrize("points", ["NaN", "sNaN", "Infinity", "-inf", "1e999999", "9" * 40])
def test_non_finite_and_huge_points_are_refused_in_vietnamese(evaluation, client_for, points):
    response = client_for("secretary").post(
        reverse("evaluations:detail", args=[evaluation.pk]), evidence_data(evaluation, **{"points-1.1": points})
    )

    assert response.status_code == 200
    assert shown_errors(response) and all(is_vietnamese(message) for message in shown_errors(response))
    assert not evaluation.answers.exists()


#
# Rule 4: query parameters
#


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2024", 2024), ("-1", 2026), ("0", 2026), ("9" * 20, 2026), ("1" * 5000, 2026), ("2e3", 2026), ("", 2026)],
)
def test_int_param_gives_the_default_outside_its_bounds(raw, expected):
    request = RequestFactory().get("/", {"year": raw})
    assert inputs.int_param(request, "year", default=2026, min=2000, max=2026) == expected


@pytest.mark.parametrize("raw", ["-1", "0", "abc", "9" * 20, "1.5"])
def test_an_impossible_id_is_a_page_that_does_not_exist(raw, client_for):
    assert client_for("staff").get(reverse("dashboard:index"), {"org": raw}).status_code == 404


@pytest.mark.parametrize("year", ["-1", "0", "9" * 20, "abc", "2999"])
def test_the_dashboard_answers_for_any_year(client_for, year):
    response = client_for("staff").get(reverse("dashboard:index"), {"year": year})

    assert response.status_code == 200
    assert inputs.YEAR_MIN <= response.context["year"] <= datetime.date.today().year


#
# Rule 5: spreadsheets never fail on stored text
#


def test_the_member_export_survives_control_characters_stored_before_the_policy(world, client_for):
    member_services.member_create(
        organization=world.tree.a1,
        full_name="Nguyễn\x01Văn Cũ",
        status=Member.Status.FULL,
        created_by=world.personas.admin,
    )
    Organization.objects.filter(pk=world.tree.a1.pk).update(name="Chi bộ\x1fA1")

    response = client_for("staff").get(reverse("members:export_xlsx"))

    assert response.status_code == 200
    names = [row[0] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert "NguyễnVăn Cũ" in names


def test_the_report_spreadsheet_survives_control_characters_in_titles_headers_and_cells():
    content = tables_to_xlsx(
        [
            {
                "title": "Chi bộ\x01A1 / 2025: [tổng hợp]?",
                "headers": ["Tên\x02"],
                "rows": [["Nguyễn\x00Văn", 1, Decimal("2.5")]],
            }
        ],
        title="Báo cáo",
    )

    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Chi bộA1 / 2025: [tổng hợp]?"
    assert rows[2][0] == "NguyễnVăn"


def test_a_whole_bloc_compliance_report_is_built_despite_a_control_character_in_a_name(
    world, django_capture_on_commit_callbacks
):
    Organization.objects.filter(pk=world.tree.a1.pk).update(name="Chi bộ\x01A1")
    Member.objects.filter(pk=world.members.other.pk).update(full_name="Trần\x02Thị Bình")

    with django_capture_on_commit_callbacks(execute=True):
        report = report_services.report_request(
            user=world.personas.staff, organization=world.tree.root, kind=Report.Kind.COMPLIANCE, year=2025
        )

    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    load_workbook(report.xlsx.open("rb"))


#
# Property-based: hostile values in the forms
#

CONTROL = st.sampled_from(["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\ufffe", "\uffff"])
HANGUL = st.text(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1, max_size=300)
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)  # what UTF-8 can carry over HTTP
HOSTILE_TEXT = st.one_of(
    st.builds(lambda head, control, tail: head + control + tail, ANY_TEXT, CONTROL, ANY_TEXT),
    HANGUL,
    st.sampled_from(["x" * 100_000, "Nguyễn " * 20_000, "\t\n\r", " ", "=1+1", "<script>", "'; DROP TABLE x; --"]),
    ANY_TEXT,
)
HOSTILE_NUMBER = st.one_of(
    st.sampled_from(["NaN", "sNaN", "-NaN", "Infinity", "-Infinity", "inf", "1e999999", "-1e999999", "1e-999999"]),
    st.sampled_from(["9" * 30, "-" + "9" * 30, "1_000", "0x10", "١٢", "1,5", "1.234,5", "+", "-", ".", "1e", "١e٣"]),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
IMPOSSIBLE_DATE = st.one_of(
    st.sampled_from(
        ["2025-02-30", "2025-13-01", "0000-00-00", "9999-99-99", "-1-01-01", "99999-01-01", "31/02/2025", "0001-01-01"]
    ),
    st.dates().map(str),
    st.text(max_size=12, alphabet="0123456789-/. "),
)
WRONG_CHOICE = st.one_of(st.sampled_from(["", "x", "X" * 1000, "None", "0", "-1", "[]"]), ANY_TEXT)
HOSTILE = st.one_of(HOSTILE_TEXT, HOSTILE_NUMBER, IMPOSSIBLE_DATE, WRONG_CHOICE)


def member_data(**overrides) -> dict:
    return {
        "full_name": "Nguyễn Văn Mới",
        "status": Member.Status.FULL,
        "gender": "",
        "date_of_birth": "1990-01-01",
        "admitted_on": "",
        "official_on": "",
        "party_card_no": "",
        **overrides,
    }


def member_edit_data(member, **overrides) -> dict:
    return {
        "full_name": member.full_name,
        "gender": member.gender,
        "date_of_birth": "",
        "ethnicity": "Kinh",
        "admitted_on": "",
        "official_on": "",
        "party_card_no": member.party_card_no or "",
        "job_title": "Chuyên viên",
        "workplace": "Văn phòng",
        "phone": "0900 000 000",
        "notes": "Ghi chú\nhai dòng",
        "version": str(member.version),
        **overrides,
    }


def organization_data(**overrides) -> dict:
    return {
        "name": "Chi bộ A3",
        "code": "A3",
        "kind": Organization.Kind.CELL,
        "unit_type": Organization.UnitType.OTHER,
        "host_unit_name": "",
        "founded_on": "",
        **overrides,
    }


def meeting_data(world, **overrides) -> dict:
    return {
        "kind": Meeting.Kind.REGULAR,
        "period_month": "6",
        "period_year": "2025",
        "date": "2025-06-10",
        "start_time": "08:00",
        "end_time": "09:45",
        "location": "Hội trường",
        "format": Meeting.Format.IN_PERSON,
        "presiding": str(world.members.own.pk),
        "minute_taker": str(world.members.other.pk),
        "topic": "",
        "guests": "",
        "upper_attendee": "",
        "pre_meeting_on": "",
        "documents_sent_on": "",
        "content": "Học tập chuyên đề",
        "discussion": "Đ/c An phát biểu",
        "conclusion": "Thống nhất",
        "vote_for": "2",
        "vote_against": "0",
        "vote_abstain": "0",
        **overrides,
    }


def evidence_data(evaluation, **overrides) -> dict:
    evaluation = OrgEvaluation.objects.get(pk=evaluation.pk)
    return {
        "action": "save",
        "self-version": str(evaluation.version),
        "self-self_grade": "",
        "self-tasks_done_pct": "100",
        "self-tasks_exceeded_pct": "0",
        "self-tasks_late_pct": "0",
        "self-units_disciplined_pct": "0",
        "self-self_comment": "Báo cáo",
        "points-1.1": "25",
        "met-1.2": "on",
        "evidence-1.1": "Sổ biên bản",
        "evidence-1.2": "",
        **overrides,
    }


def criteria_set_data(criteria_set, **overrides) -> dict:
    return {
        "name": criteria_set.name,
        "year_from": str(criteria_set.year_from),
        "year_to": "",
        "scoring_mode": criteria_set.scoring_mode,
        "pass_points": "",
        "basis": "",
        "notes": "Ghi chú",
        "version": str(criteria_set.revision),
        **overrides,
    }


def criterion_data(**overrides) -> dict:
    return {
        "code": "9.9",
        "group": "",
        "text": "Tiêu chí thử",
        "kind": Criterion.Kind.POINTS,
        "max_points": "5",
        "metric": "",
        "comparator": Criterion.Comparator.AT_LEAST,
        "threshold": "",
        "cap_grade": "",
        "order": "99",
        **overrides,
    }


@pytest.fixture
def frozen_today():
    with time_machine.travel("2026-02-10 09:00 +0700", tick=False):
        yield


@pytest.fixture
def evaluation(world, frozen_today) -> OrgEvaluation:
    """A1's evaluation for 2025 against a small set: 1.1 (points, at most 30) and 1.2 (met / not met)."""
    CriteriaSet.objects.filter(programme=CriteriaSet.Programme.CLASSIFICATION).delete()
    criteria_set = CriteriaSet.objects.create(
        name="Bộ tiêu chí thử", programme=CriteriaSet.Programme.CLASSIFICATION, year_from=2023
    )
    group = CriterionGroup.objects.create(criteria_set=criteria_set, code="I", title="Chung", order=1)
    Criterion.objects.create(criteria_set=criteria_set, group=group, code="1.1", text="Chính trị", max_points=30)
    Criterion.objects.create(
        criteria_set=criteria_set, group=group, code="1.2", text="Biên bản", kind=Criterion.Kind.CHECK, order=2
    )
    period = helpers.open_period(world, year=2025)
    return OrgEvaluation.objects.get(period=period, organization=world.tree.a1)


def shown_errors(response) -> list[str]:
    """The messages a refused form page shows: the errors of its forms and the flashed messages."""
    found = []
    for context in response.context or []:
        for value in context.flatten().values():
            if isinstance(value, django_forms.BaseForm) and value.is_bound:
                found += [str(message) for messages in value.errors.values() for message in messages]
    found += [str(message) for message in get_messages(response.wsgi_request)]
    return found


def assert_fits_its_columns(row) -> None:
    """Every text of `row` follows the policy and fits its column as PostgreSQL checks it (SQLite does not)."""
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
            assert inputs.text_error(value) is None, f"{field.name}: {value!r}"
            if isinstance(field, models.CharField) and field.max_length:
                assert len(value) <= field.max_length, f"{field.name}: {len(value)} > {field.max_length}"


def state(target_model, target_row=None) -> tuple:
    counts = tuple(
        model.objects.count() for model in (Member, Organization, Meeting, AuditEntry, CriteriaSet, Criterion)
    )
    counts += (OrgEvaluation.objects.count(),)
    row = None
    if target_row is not None:
        row = target_model.objects.filter(pk=target_row.pk).values().first()
    return counts, row


STORED_WITH = {OrgEvaluation: (CriterionAnswer,), Meeting: (AuditEntry,)}


def post_hostile(client, url, base: dict, fields: list[str], data, target: str, model, row=None) -> None:
    """Post `base` with one or two of `fields` set to generated hostile values, left out, or sent twice (a hostile
    value after the real one: Django reads the last), and check the outcome."""
    chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=2, unique=True), label="fields")
    posted = dict(base)
    for field in chosen:
        how = data.draw(st.sampled_from(["hostile", "hostile", "missing", "twice"]), label=f"{field}: how")
        if how == "missing":
            posted.pop(field, None)
        elif how == "twice":
            posted[field] = [base.get(field, ""), data.draw(HOSTILE, label=field)]
        else:
            posted[field] = data.draw(HOSTILE, label=field)
    GENERATED[target] += 1
    with rolled_back():
        before = state(model, row)
        response = client.post(url, posted)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:  # refused: the page again, with the reasons, and nothing written
            assert state(model, row) == before
            errors = shown_errors(response)
            assert errors, posted
            assert all(is_vietnamese(message) for message in errors), errors
        else:  # accepted: what was stored follows the policy
            for stored_model in (model, *STORED_WITH.get(model, ())):
                for stored in stored_model.objects.all():
                    assert_fits_its_columns(stored)


@pytest.mark.parametrize("action", ["create", "edit"])
@FUZZ
@given(data=st.data())
def test_hostile_values_in_the_member_forms(world, client_for, action, data):
    member = world.members.other
    if action == "edit":
        url, base, row = reverse("members:edit", args=[member.pk]), member_edit_data(member), member
    else:
        url, base, row = reverse("members:create", args=[world.tree.a1.pk]), member_data(), None
    fields = [key for key in base if key != "version"]
    post_hostile(client_for("staff"), url, base, fields, data, f"member {action}", Member, row)


@pytest.mark.parametrize("action", ["create", "edit"])
@FUZZ
@given(data=st.data())
def test_hostile_values_in_the_organisation_forms(world, client_for, action, data):
    edited = world.tree.a2
    if action == "edit":
        url = reverse("cells:edit", args=[edited.pk])
        base, row = organization_data(name=edited.name, code=edited.code, version=str(edited.version)), edited
    else:
        url, base, row = reverse("cells:create", args=[world.tree.a.pk]), organization_data(), None
    fields = [key for key in base if key != "version"]
    post_hostile(client_for("staff"), url, base, fields, data, f"organisation {action}", Organization, row)


@FUZZ
@given(data=st.data())
def test_hostile_values_in_the_meeting_form(world, client_for, frozen_today, data):
    base = meeting_data(world)
    post_hostile(
        client_for("secretary"),
        reverse("meetings:create", args=[world.tree.a1.pk]),
        base,
        list(base),
        data,
        "meeting create",
        Meeting,
    )


@FUZZ
@given(data=st.data())
def test_hostile_values_in_the_evaluation_evidence_form(evaluation, client_for, data):
    base = evidence_data(evaluation)
    fields = [key for key in base if key not in ("action", "self-version")]
    post_hostile(
        client_for("secretary"),
        reverse("evaluations:detail", args=[evaluation.pk]),
        base,
        fields,
        data,
        "evaluation evidence",
        OrgEvaluation,
        evaluation,
    )


@pytest.mark.parametrize("form", ["criteria set", "criterion"])
@FUZZ
@given(data=st.data())
def test_hostile_values_in_the_criteria_forms(world, client_for, form, data):
    criteria_set = CriteriaSet.objects.filter(frozen_at__isnull=True).order_by("pk").first()
    if form == "criteria set":
        url, base = reverse("criteria:edit", args=[criteria_set.pk]), criteria_set_data(criteria_set)
        model, row = CriteriaSet, criteria_set
    else:
        url, base = reverse("criteria:criterion_add", args=[criteria_set.pk]), criterion_data()
        model, row = Criterion, None
    fields = [key for key in base if key != "version"]
    post_hostile(client_for("staff"), url, base, fields, data, form, model, row)


#
# Property-based: hostile query strings on the list pages
#

LIST_PAGES = [
    ("members:list", "staff"),
    ("cells:tree", "staff"),
    ("meetings:compliance", "staff"),
    ("meetings:list", "staff"),
    ("meetings:compliance_cells", "staff"),
    ("dashboard:index", "staff"),
    ("reports:index", "staff"),
    ("evaluations:index", "staff"),
]
PARAMETERS = [
    "year", "month", "quarter", "page", "rows", "children", "org", "q", "kind", "status", "rating", "gender",
    "age_band", "admission_year", "position", "programme", "dissolved", "outcome", "state", "counted",
]  # fmt: skip
QUERY_VALUE = st.one_of(
    HOSTILE_NUMBER,
    IMPOSSIBLE_DATE,
    WRONG_CHOICE,
    st.builds(lambda head, control, tail: head + control + tail, ANY_TEXT, CONTROL, ANY_TEXT),
    HANGUL,
    st.just("x" * 100_000),
)


@pytest.mark.parametrize(("name", "persona"), LIST_PAGES)
@FUZZ
@given(data=st.data())
def test_hostile_query_strings_on_the_list_pages(world, client_for, name, persona, data):
    query = data.draw(
        st.dictionaries(st.sampled_from(PARAMETERS) | ANY_TEXT.filter(bool), QUERY_VALUE, min_size=1, max_size=3),
        label="query",
    )
    GENERATED[f"query {name}"] += 1
    with rolled_back():
        before = state(Member)
        response = client_for(persona).get(reverse(name), query)
        has_control = any(inputs.text_error(text) for pair in query.items() for text in pair)
        if has_control:
            assert response.status_code == 400
            assert is_vietnamese(response.content.decode())
        elif "org" in query and response.status_code == 404:  # an id that cannot be one: no such page
            pass
        else:
            assert response.status_code == 200, (response.status_code, query)
        assert state(Member)[0] == before[0]


def test_organisation_services_still_clip_the_search_key_when_called_directly(world):
    organization = cell_services.organization_create(
        parent=world.tree.a,
        name="각" * 255,
        code="HANGUL",
        kind=Organization.Kind.CELL,
        created_by=world.personas.admin,
    )
    assert_fits_its_columns(organization)
