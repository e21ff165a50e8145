"""Criteria sets: the seeded data, copying forward, editing unfrozen sets only, differences, and the pages.

Access (decided here, see criteria/views.py): every persona with a grant allowing VIEW somewhere reads the sets
(staff, leader, grassroots, secretary, outsider), because every cell is assessed against them; only MANAGE_TREE
(staff, admin) copies and edits; a member without a role and a user without a grant get 403.
"""

import copy
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from cells.models import AuditEntry, Organization
from criteria import services
from criteria.models import CriteriaSet, Criterion, CriterionGroup
from evaluations.review.services import criteria_set_for, criteria_snapshot
from tests.helpers import december_dues, open_period

pytestmark = pytest.mark.django_db

FRAME_366 = "Khung tiêu chí đánh giá, xếp loại tổ chức đảng (QĐ 366-QĐ/TW)"
FRAME_124 = "Khung tiêu chí đánh giá, xếp loại tổ chức đảng (QĐ 124-QĐ/TW)"
FRAME_132 = "Khung tiêu chí đánh giá, xếp loại tổ chức đảng (QĐ 132-QĐ/TW)"
FOUR_GOOD = "Chi bộ bốn tốt"
MODEL_ADMIN = "Chi bộ kiểu mẫu – chi bộ trong cơ quan hành chính"
MODEL_ENTERPRISE = "Chi bộ kiểu mẫu – chi bộ trong doanh nghiệp"


def seeded(name: str) -> CriteriaSet:
    return CriteriaSet.objects.get(name=name, version=1)


def state(criteria_set: CriteriaSet) -> dict:
    """Everything about a set that an edit could change, to compare before and after a refused edit."""
    criteria_set.refresh_from_db()
    return {
        "set": {field: getattr(criteria_set, field) for field in services.SET_FIELDS if field != "basis"},
        "basis": criteria_set.basis_id,
        "snapshot": criteria_snapshot(criteria_set),
    }


def criterion_data(**overrides) -> dict:
    data = {
        "code": "9.9",
        "text": "Tiêu chí thử",
        "group": None,
        "kind": Criterion.Kind.CHECK,
        "max_points": Decimal(1),
        "metric": "",
        "comparator": Criterion.Comparator.AT_LEAST,
        "threshold": None,
        "hard_condition": False,
        "cap_grade": "",
        "order": 99,
    }
    data.update(overrides)
    return data


def freeze(criteria_set: CriteriaSet) -> None:
    criteria_set.frozen_at = timezone.now()
    criteria_set.save(update_fields=["frozen_at"])


#
# The data migration
#


def test_migration_loads_every_seeded_set():
    sets = CriteriaSet.objects.filter(version=1)

    assert sets.count() >= 7
    assert set(sets.values_list("programme", flat=True)) == {"XEP_LOAI", "KIEU_MAU", "BON_TOT"}
    assert sets.filter(programme="KIEU_MAU").count() == 3
    assert not sets.filter(frozen_at__isnull=False).exists()


def test_four_good_set_has_the_four_groups_of_seed_001():
    four_good = seeded(FOUR_GOOD)

    titles = list(four_good.groups.order_by("order").values_list("title", flat=True))

    assert titles == [
        "Lãnh đạo thực hiện nhiệm vụ chính trị tốt",
        "Đoàn kết, kỷ luật tốt",
        "Chất lượng sinh hoạt tốt",
        "Đảng viên tốt",
    ]
    assert four_good.scoring_mode == CriteriaSet.ScoringMode.CHECKLIST
    assert four_good.basis.number == "104-KH/ĐU"


def test_four_good_set_fails_groups_2_and_4_on_a_disciplined_member():
    # B24: a disciplined member fails "Đoàn kết, kỷ luật tốt" and "Đảng viên tốt".
    four_good = seeded(FOUR_GOOD)

    hard = four_good.criteria.filter(metric="members_disciplined", hard_condition=True)

    assert sorted(hard.values_list("group__code", flat=True)) == ["2", "4"]
    assert all(c.comparator == "LTE" and c.threshold == 0 for c in hard)
    assert set(four_good.criteria.filter(group__code="3", kind="METRIC").values_list("metric", flat=True)) == {
        "meetings_held",
        "thematic_quarters",
    }


def test_model_cell_sets_use_the_wording_of_seed_000_per_unit_type():
    administrative = seeded(MODEL_ADMIN)
    enterprise = seeded(MODEL_ENTERPRISE)
    public_service = seeded("Chi bộ kiểu mẫu – chi bộ trong đơn vị sự nghiệp")

    assert administrative.unit_types == ["CO_QUAN_HANH_CHINH"]
    assert public_service.unit_types == ["DON_VI_SU_NGHIEP"]
    assert enterprise.unit_types == ["DOANH_NGHIEP_NHA_NUOC", "DOANH_NGHIEP_KHAC"]
    assert (administrative.year_from, administrative.year_to) == (2022, 2025)
    assert list(administrative.groups.values_list("title", flat=True)) == ["Tiêu chí chung", "Tiêu chí cụ thể"]
    assert administrative.criteria.filter(text__contains="Cơ quan đạt chuẩn văn hóa").exists()
    assert administrative.criteria.filter(text__contains="mức độ hài lòng đạt 100%").exists()
    assert public_service.criteria.filter(text__contains="sáng kiến, cải tiến").exists()
    admission = enterprise.criteria.get(metric="admission_target")
    # B23 "admission target met": the year's admissions in % of the target (criteria migration 0010).
    assert admission.kind == "METRIC" and admission.threshold == 100 and admission.group.title == "Tiêu chí cụ thể"
    assert enterprise.criteria.filter(text__contains="nghĩa vụ theo quy định của Nhà nước").exists()
    common = administrative.criteria.filter(group__code="I")
    assert common.get(metric="meetings_held").threshold == 12
    assert common.get(metric="thematic_quarters").threshold == 4
    assert not common.filter(metric="attendance_rate").exists()  # 95 % is a reported result, not a criterion (B4)
    assert common.get(metric="org_grade").threshold == 3  # B23: the decided grade, HTTNV or better
    assert common.get(metric="members_disciplined").hard_condition


@pytest.mark.parametrize(
    ("name", "basis"), [(FRAME_366, "366-QĐ/TW"), (FRAME_124, "124-QĐ/TW"), (FRAME_132, "132-QĐ/TW")]
)
def test_classification_frames_total_100_points_with_metric_caps(name, basis):
    frame = seeded(name)

    points = {g.code: sum(c.max_points for c in g.criteria.all()) for g in frame.groups.all()}

    assert frame.basis.number == basis
    assert frame.unit_types == [] and frame.org_kinds == []
    assert points == {"I": 30, "II": 70, "III": 0}
    assert frame.criteria.get(metric="meetings_held").cap_grade == "HTNV"
    assert frame.criteria.get(metric="members_disciplined").cap_grade == "HTTNV"
    assert "khách hàng" in frame.notes or "Ban Tổ chức" in frame.notes


@pytest.mark.parametrize(("year", "name"), [(2020, FRAME_132), (2024, FRAME_124), (2025, FRAME_366), (2027, FRAME_366)])
def test_classification_frame_applies_to_its_years(tree, year, name):
    assert criteria_set_for(tree.a1, year).name == name


def test_migration_runs_twice_without_duplicates():
    migration = importlib.import_module("criteria.migrations.0006_seed_criteria_sets")
    counts = (CriteriaSet.objects.count(), CriterionGroup.objects.count(), Criterion.objects.count())

    migration.forwards(django_apps, None)

    assert (CriteriaSet.objects.count(), CriterionGroup.objects.count(), Criterion.objects.count()) == counts


#
# Copy forward
#


def test_copy_deep_copies_groups_with_nesting_and_criteria(personas):
    source = seeded(FOUR_GOOD)
    parent = source.groups.get(code="3")
    sub = services.group_save(
        criteria_set=source, data={"code": "3a", "title": "Nhóm con", "parent": parent, "order": 9}, saved_by=None
    )
    services.criterion_save(criteria_set=source, data=criterion_data(code="3a.1", group=sub), saved_by=None)
    freeze(source)

    copy_ = services.criteria_set_copy(criteria_set=source, year_from=2026, year_to=None, copied_by=personas.staff)

    assert copy_.pk != source.pk
    assert (copy_.name, copy_.version, copy_.copied_from_id) == (source.name, 2, source.pk)
    assert (copy_.year_from, copy_.year_to) == (2026, None)
    assert copy_.frozen_at is None
    assert copy_.programme == source.programme and copy_.basis_id == source.basis_id
    new_sub = copy_.groups.get(code="3a")
    assert new_sub.parent.criteria_set_id == copy_.pk and new_sub.parent.code == "3"
    assert copy_.criteria.get(code="3a.1").group_id == new_sub.pk
    assert not Criterion.objects.filter(criteria_set=copy_, group__criteria_set=source).exists()
    assert criteria_snapshot(copy_)["criteria"] == criteria_snapshot(source)["criteria"]
    assert criteria_snapshot(copy_)["groups"] == criteria_snapshot(source)["groups"]
    assert AuditEntry.objects.filter(action="criteria.criteria_set.copied", target_id=copy_.pk).exists()


def test_copying_the_same_version_twice_gives_the_next_free_versions():
    source = seeded(FRAME_366)

    first = services.criteria_set_copy(criteria_set=source, year_from=2026, year_to=None, copied_by=None)
    second = services.criteria_set_copy(criteria_set=source, year_from=2027, year_to=None, copied_by=None)

    assert (first.version, second.version) == (2, 3)


def test_copy_refuses_years_in_the_wrong_order():
    source = seeded(FRAME_366)
    count = CriteriaSet.objects.count()

    with pytest.raises(ValidationError):
        services.criteria_set_copy(criteria_set=source, year_from=2027, year_to=2026, copied_by=None)

    assert CriteriaSet.objects.count() == count


#
# Frozen sets refuse every edit
#


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: services.criteria_set_update(
            criteria_set=s, data={"name": "Khác"}, version=s.revision, updated_by=None
        ),
        lambda s: services.criterion_save(criteria_set=s, data=criterion_data(), saved_by=None),
        lambda s: services.criterion_save(
            criteria_set=s, criterion=s.criteria.first(), data={"text": "Sửa"}, version=1, saved_by=None
        ),
        lambda s: services.criterion_delete(criterion=s.criteria.first(), deleted_by=None),
        lambda s: services.group_save(criteria_set=s, data={"code": "5", "title": "Nhóm mới"}, saved_by=None),
        lambda s: services.group_save(
            criteria_set=s, group=s.groups.first(), data={"title": "Sửa"}, version=1, saved_by=None
        ),
        lambda s: services.group_delete(group=s.groups.first(), deleted_by=None),
    ],
    ids=["set", "criterion-add", "criterion-edit", "criterion-delete", "group-add", "group-edit", "group-delete"],
)
def test_editing_a_frozen_set_is_refused_and_changes_nothing(edit):
    criteria_set = seeded(FOUR_GOOD)
    freeze(criteria_set)
    before = state(criteria_set)
    audit = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as error, override("en"):
        edit(criteria_set)

    assert "Copy it to a new year" in " ".join(error.value.messages)
    assert state(criteria_set) == before
    assert AuditEntry.objects.count() == audit


#
# Validation of criteria and groups
#


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"max_points": Decimal(-1)}, "max_points"),
        ({"kind": "METRIC", "metric": "meetings_held", "threshold": None}, "threshold"),
        ({"kind": "METRIC", "metric": "", "threshold": Decimal(12)}, "metric"),
        ({"kind": "METRIC", "metric": "unknown", "threshold": Decimal(12)}, "metric"),
        ({"cap_grade": "XYZ", "hard_condition": True}, "cap_grade"),
        ({"cap_grade": "HTNV", "hard_condition": False}, "cap_grade"),
        ({"code": "2.4"}, "code"),
        ({"code": " 2.4 "}, "code"),
        ({"kind": "POINTS"}, "kind"),
        ({"text": "  "}, "text"),
        ({"kind": "NOPE"}, "kind"),
    ],
)
def test_criterion_save_rejects_bad_input_and_writes_nothing(overrides, field):
    criteria_set = seeded(FOUR_GOOD)  # a met / not met set: no POINTS criteria
    count = Criterion.objects.count()

    with pytest.raises(ValidationError) as error:
        services.criterion_save(criteria_set=criteria_set, data=criterion_data(**overrides), saved_by=None)

    assert field in error.value.message_dict
    assert Criterion.objects.count() == count


def test_criterion_save_rejects_a_group_of_another_set():
    other_group = seeded(FRAME_366).groups.first()

    with pytest.raises(ValidationError) as error:
        services.criterion_save(criteria_set=seeded(FOUR_GOOD), data=criterion_data(group=other_group), saved_by=None)

    assert "group" in error.value.message_dict


def test_check_and_metric_criteria_are_accepted_in_a_points_set():
    frame = seeded(FRAME_366)

    check = services.criterion_save(criteria_set=frame, data=criterion_data(code="4.1"), saved_by=None)
    metric = services.criterion_save(
        criteria_set=frame,
        data=criterion_data(
            code="4.2",
            kind="METRIC",
            metric="attendance_rate",
            comparator="GTE",
            threshold=Decimal(90),
            hard_condition=True,
            cap_grade="htnv",
        ),
        saved_by=None,
    )

    assert check.kind == "CHECK"
    assert (metric.metric, metric.threshold, metric.cap_grade) == ("attendance_rate", Decimal(90), "HTNV")
    assert AuditEntry.objects.filter(action="criteria.criterion.created").count() == 2


def test_a_criterion_that_is_not_computed_drops_metric_and_threshold():
    criterion = services.criterion_save(
        criteria_set=seeded(FOUR_GOOD),
        data=criterion_data(kind="CHECK", metric="meetings_held", threshold=Decimal(12)),
        saved_by=None,
    )

    assert (criterion.metric, criterion.threshold) == ("", None)


def test_group_cannot_be_moved_inside_its_own_subgroup():
    criteria_set = seeded(FOUR_GOOD)
    top = criteria_set.groups.get(code="1")
    sub = services.group_save(
        criteria_set=criteria_set, data={"code": "1a", "title": "Con", "parent": top}, saved_by=None
    )

    with pytest.raises(ValidationError) as error:
        services.group_save(
            criteria_set=criteria_set, group=top, data={"parent": sub}, version=top.version, saved_by=None
        )

    assert "parent" in error.value.message_dict
    top.refresh_from_db()
    assert top.parent_id is None


def test_group_with_criteria_cannot_be_deleted():
    criteria_set = seeded(FOUR_GOOD)
    group = criteria_set.groups.get(code="2")

    with pytest.raises(ValidationError):
        services.group_delete(group=group, deleted_by=None)

    assert CriterionGroup.objects.filter(pk=group.pk).exists()


def test_duplicate_group_code_is_refused():
    with pytest.raises(ValidationError) as error:
        services.group_save(criteria_set=seeded(FOUR_GOOD), data={"code": "2", "title": "Trùng"}, saved_by=None)

    assert "code" in error.value.message_dict


def test_criteria_set_update_changes_fields_and_logs_them(personas):
    criteria_set = seeded(FRAME_366)

    services.criteria_set_update(
        criteria_set=criteria_set,
        data={"year_to": 2026, "unit_types": ["DOANH_NGHIEP_KHAC"], "pass_points": Decimal(50)},
        version=criteria_set.revision,
        updated_by=personas.staff,
    )

    criteria_set.refresh_from_db()
    assert (criteria_set.year_to, criteria_set.unit_types, criteria_set.pass_points) == (
        2026,
        ["DOANH_NGHIEP_KHAC"],
        Decimal(50),
    )
    entry = AuditEntry.objects.get(action="criteria.criteria_set.updated", target_id=criteria_set.pk)
    assert entry.data["changes"]["year_to"] == [None, 2026]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"year_to": 2020}, "year_to"),
        ({"unit_types": ["NOPE"]}, "unit_types"),
        ({"scoring_mode": "CHECKLIST"}, "scoring_mode"),
        ({"name": " "}, "name"),
        ({"pass_points": Decimal(-5)}, "pass_points"),
    ],
)
def test_criteria_set_update_rejects_bad_input(data, field):
    criteria_set = seeded(FRAME_366)
    before = state(criteria_set)

    with pytest.raises(ValidationError) as error:
        services.criteria_set_update(
            criteria_set=criteria_set, data=data, version=criteria_set.revision, updated_by=None
        )

    assert field in error.value.message_dict
    assert state(criteria_set) == before


#
# Differences
#


def test_diff_lists_added_removed_and_changed_criteria_and_groups():
    old = seeded(FOUR_GOOD)
    new = services.criteria_set_copy(criteria_set=old, year_from=2026, year_to=2027, copied_by=None)
    services.criterion_save(criteria_set=new, data=criterion_data(code="5.1"), saved_by=None)
    services.criterion_delete(criterion=new.criteria.get(code="4.4"), deleted_by=None)
    services.criterion_save(
        criteria_set=new,
        criterion=new.criteria.get(code="3.2"),
        data={"threshold": Decimal(11)},
        version=1,
        saved_by=None,
    )
    services.group_save(
        criteria_set=new, group=new.groups.get(code="4"), data={"title": "Đảng viên tốt hơn"}, version=1, saved_by=None
    )
    services.group_save(criteria_set=new, data={"code": "5", "title": "Nhóm mới"}, saved_by=None)

    diff = services.criteria_set_diff(old=old, new=new)

    assert [c["code"] for c in diff["criteria"]["added"]] == ["5.1"]
    assert [c["code"] for c in diff["criteria"]["removed"]] == ["4.4"]
    assert diff["criteria"]["changed"] == [
        {
            "code": "3.2",
            "before": diff["criteria"]["changed"][0]["before"],
            "after": diff["criteria"]["changed"][0]["after"],
            "changes": [{"field": "threshold", "before": "12", "after": "11"}],
        }
    ]
    assert [g["code"] for g in diff["groups"]["added"]] == ["5"]
    assert diff["groups"]["removed"] == []
    assert diff["groups"]["changed"][0]["changes"] == [
        {"field": "title", "before": "Đảng viên tốt", "after": "Đảng viên tốt hơn"}
    ]
    assert {c["field"] for c in diff["set"]} == {"year_from", "year_to"}


def test_diff_of_an_untouched_copy_is_empty():
    old = seeded(MODEL_ENTERPRISE)
    new = services.criteria_set_copy(criteria_set=old, year_from=old.year_from, year_to=old.year_to, copied_by=None)

    diff = services.criteria_set_diff(old=old, new=new)

    assert diff == {
        "set": [],
        "groups": {"added": [], "removed": [], "changed": []},
        "criteria": {"added": [], "removed": [], "changed": []},
    }


#
# Snapshots stay as they were
#


def test_snapshot_taken_before_an_edit_keeps_the_old_criteria():
    criteria_set = seeded(FRAME_366)
    snapshot = criteria_snapshot(criteria_set)
    kept = copy.deepcopy(snapshot)

    services.criterion_save(
        criteria_set=criteria_set,
        criterion=criteria_set.criteria.get(code="1.1"),
        data={"text": "Sửa"},
        version=1,
        saved_by=None,
    )

    assert snapshot == kept
    assert criteria_snapshot(criteria_set) != kept


def test_opening_a_period_freezes_the_set_and_evaluations_keep_their_snapshot(world, personas):
    frame = seeded(FRAME_366)
    period = open_period(world, year=2025, dues=december_dues(2025))
    evaluation = period.org_evaluations.get(organization=world.tree.a1)
    stored = copy.deepcopy(evaluation.criteria_snapshot)
    frame.refresh_from_db()

    assert frame.is_frozen
    assert evaluation.criteria_set_id == frame.pk
    with pytest.raises(ValidationError):
        services.criterion_save(
            criteria_set=frame, criterion=frame.criteria.get(code="1.1"), data={"text": "Sửa"}, version=1, saved_by=None
        )
    successor = services.criteria_set_copy(criteria_set=frame, year_from=2026, year_to=None, copied_by=personas.staff)
    services.criterion_save(
        criteria_set=successor,
        criterion=successor.criteria.get(code="1.1"),
        data={"text": "Sửa"},
        version=1,
        saved_by=None,
    )

    evaluation.refresh_from_db()
    assert evaluation.criteria_snapshot == stored == criteria_snapshot(frame)
    assert criteria_snapshot(successor)["criteria"] != stored["criteria"]
    assert criteria_set_for(world.tree.a1, 2026) == successor


#
# Pages
#


def test_list_shows_the_sets_grouped_by_programme(client_for):
    response = client_for("secretary").get(reverse("criteria:list"))

    assert response.status_code == 200
    content = response.content.decode()
    assert FOUR_GOOD in content and MODEL_ADMIN in content and FRAME_366 in content


@pytest.mark.parametrize("persona", ["member", "norole"])
def test_users_without_a_viewing_grant_cannot_see_the_sets(client_for, persona):
    assert client_for(persona).get(reverse("criteria:list")).status_code == 403
    assert client_for(persona).get(reverse("criteria:detail", args=[seeded(FOUR_GOOD).pk])).status_code == 403


def test_anonymous_is_sent_to_login(client_for):
    response = client_for("anonymous").get(reverse("criteria:detail", args=[seeded(FOUR_GOOD).pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_leader_views_the_tree_without_edit_buttons(client_for):
    criteria_set = seeded(FOUR_GOOD)

    response = client_for("leader").get(reverse("criteria:detail", args=[criteria_set.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Đoàn kết, kỷ luật tốt" in content
    assert reverse("criteria:copy", args=[criteria_set.pk]) not in content
    assert reverse("criteria:edit", args=[criteria_set.pk]) not in content


def test_staff_sees_copy_and_edit_buttons(client_for):
    criteria_set = seeded(FOUR_GOOD)

    content = client_for("staff").get(reverse("criteria:detail", args=[criteria_set.pk])).content.decode()

    assert reverse("criteria:copy", args=[criteria_set.pk]) in content
    assert reverse("criteria:edit", args=[criteria_set.pk]) in content
    assert reverse("criteria:criterion_add", args=[criteria_set.pk]) in content


def test_detail_page_queries_do_not_grow_with_the_criteria(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("staff")
    criteria_set = seeded(FOUR_GOOD)
    url = reverse("criteria:detail", args=[criteria_set.pk])
    client.get(url)  # warm up per-session queries
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    group = criteria_set.groups.get(code="2")
    sub = services.group_save(
        criteria_set=criteria_set, data={"code": "2a", "title": "Con", "parent": group}, saved_by=None
    )
    for number in range(10):
        services.criterion_save(
            criteria_set=criteria_set, data=criterion_data(code=f"2a.{number}", group=sub), saved_by=None
        )

    with CaptureQueriesContext(connection) as after:
        client.get(url)

    assert len(after.captured_queries) == len(before.captured_queries)


@pytest.mark.parametrize("persona", ["leader", "grassroots", "secretary", "outsider"])
def test_only_staff_may_copy_or_edit(client_for, persona):
    criteria_set = seeded(FOUR_GOOD)
    criterion = criteria_set.criteria.first()
    client = client_for(persona)
    before = (CriteriaSet.objects.count(), state(criteria_set))

    urls = [
        reverse("criteria:copy", args=[criteria_set.pk]),
        reverse("criteria:edit", args=[criteria_set.pk]),
        reverse("criteria:criterion_add", args=[criteria_set.pk]),
        reverse("criteria:criterion_edit", args=[criteria_set.pk, criterion.pk]),
        reverse("criteria:criterion_delete", args=[criteria_set.pk, criterion.pk]),
        reverse("criteria:group_add", args=[criteria_set.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url, {"year_from": 2026, "code": "X", "text": "X", "title": "X"}).status_code == 403

    assert (CriteriaSet.objects.count(), state(criteria_set)) == before


def test_staff_copies_a_set_through_the_page(client_for):
    source = seeded(FOUR_GOOD)

    response = client_for("staff").post(reverse("criteria:copy", args=[source.pk]), {"year_from": 2026, "year_to": ""})

    copy_ = CriteriaSet.objects.get(name=FOUR_GOOD, version=2)
    assert response.status_code == 302
    assert response["Location"] == reverse("criteria:detail", args=[copy_.pk])
    assert copy_.copied_from_id == source.pk and copy_.criteria.count() == source.criteria.count()


def test_staff_edits_a_criterion_through_the_page(client_for):
    criteria_set = seeded(FRAME_366)
    criterion = criteria_set.criteria.get(code="2.1")
    data = {
        "code": "2.1",
        "group": criterion.group_id,
        "text": "Kết quả lãnh đạo thực hiện nhiệm vụ chính trị",
        "kind": "POINTS",
        "max_points": "25",
        "metric": "",
        "comparator": "GTE",
        "threshold": "",
        "cap_grade": "",
        "order": "4",
        "version": criterion.version,
    }

    response = client_for("staff").post(reverse("criteria:criterion_edit", args=[criteria_set.pk, criterion.pk]), data)

    criterion.refresh_from_db()
    assert response.status_code == 302
    assert (criterion.text, criterion.max_points) == ("Kết quả lãnh đạo thực hiện nhiệm vụ chính trị", Decimal(25))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"max_points": "-1"}, "max_points"),
        ({"kind": "METRIC", "metric": "meetings_held", "threshold": ""}, "threshold"),
        ({"cap_grade": "XYZ", "hard_condition": "on"}, "cap_grade"),
        ({"code": "1.1"}, "code"),
    ],
)
def test_bad_criterion_input_shows_a_form_error_and_writes_nothing(client_for, overrides, field):
    criteria_set = seeded(FRAME_366)
    data = {
        "code": "9.1",
        "group": "",
        "text": "Tiêu chí mới",
        "kind": "POINTS",
        "max_points": "5",
        "metric": "",
        "comparator": "GTE",
        "threshold": "",
        "cap_grade": "",
        "order": "",
    }
    data.update(overrides)
    counts = (Criterion.objects.count(), AuditEntry.objects.count())

    response = client_for("staff").post(reverse("criteria:criterion_add", args=[criteria_set.pk]), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert (Criterion.objects.count(), AuditEntry.objects.count()) == counts


def test_staff_cannot_edit_a_frozen_set_through_the_pages(client_for):
    criteria_set = seeded(FOUR_GOOD)
    freeze(criteria_set)
    before = state(criteria_set)
    client = client_for("staff")

    edit = client.get(reverse("criteria:edit", args=[criteria_set.pk]))
    add = client.post(
        reverse("criteria:criterion_add", args=[criteria_set.pk]),
        {"code": "9.1", "text": "X", "kind": "CHECK", "max_points": "1", "comparator": "GTE"},
    )
    delete = client.post(reverse("criteria:criterion_delete", args=[criteria_set.pk, criteria_set.criteria.first().pk]))
    detail = client.get(reverse("criteria:detail", args=[criteria_set.pk]))

    for response in (edit, add, delete):
        assert response.status_code == 302
        assert response["Location"] == reverse("criteria:detail", args=[criteria_set.pk])
    assert state(criteria_set) == before
    assert reverse("criteria:edit", args=[criteria_set.pk]) not in detail.content.decode()
    assert reverse("criteria:copy", args=[criteria_set.pk]) in detail.content.decode()


def test_staff_deletes_a_criterion_and_an_empty_group(client_for):
    criteria_set = seeded(FOUR_GOOD)
    criterion = criteria_set.criteria.get(code="4.4")
    empty = services.group_save(criteria_set=criteria_set, data={"code": "9", "title": "Trống"}, saved_by=None)
    client = client_for("staff")

    client.post(reverse("criteria:criterion_delete", args=[criteria_set.pk, criterion.pk]))
    client.post(reverse("criteria:group_delete", args=[criteria_set.pk, empty.pk]))
    refused = client.post(
        reverse("criteria:group_delete", args=[criteria_set.pk, criteria_set.groups.get(code="1").pk])
    )

    assert not Criterion.objects.filter(pk=criterion.pk).exists()
    assert not CriterionGroup.objects.filter(pk=empty.pk).exists()
    assert refused.status_code == 302
    assert criteria_set.groups.filter(code="1").exists()


def test_staff_adds_a_nested_group_through_the_page(client_for):
    criteria_set = seeded(FOUR_GOOD)
    parent = criteria_set.groups.get(code="3")

    response = client_for("staff").post(
        reverse("criteria:group_add", args=[criteria_set.pk]),
        {"code": "3a", "title": "Sinh hoạt chuyên đề", "parent": parent.pk, "order": ""},
    )

    assert response.status_code == 302
    assert criteria_set.groups.get(code="3a").parent_id == parent.pk


def test_diff_page_compares_a_copy_with_its_source(client_for):
    source = seeded(FOUR_GOOD)
    copy_ = services.criteria_set_copy(criteria_set=source, year_from=2026, year_to=None, copied_by=None)
    services.criterion_save(criteria_set=copy_, data=criterion_data(code="5.1", text="Tiêu chí bổ sung"), saved_by=None)

    response = client_for("leader").get(reverse("criteria:diff", args=[copy_.pk]))

    assert response.status_code == 200
    assert response.context["against"] == source
    assert "Tiêu chí bổ sung" in response.content.decode()


def test_diff_page_compares_with_a_chosen_set(client_for):
    response = client_for("secretary").get(
        reverse("criteria:diff", args=[seeded(MODEL_ADMIN).pk]), {"against": seeded(MODEL_ENTERPRISE).pk}
    )

    diff = response.context["diff"]
    assert response.status_code == 200
    # The enterprise set has nine specific criteria, the administrative one six.
    assert [c["code"] for c in diff["criteria"]["removed"]] == ["2.7", "2.8", "2.9"]
    assert {c["code"] for c in diff["criteria"]["changed"]} >= {"2.1", "2.2"}


@pytest.mark.parametrize("against", ["abc", "999999"])
def test_diff_page_with_an_unknown_set_is_404(client_for, against):
    response = client_for("staff").get(reverse("criteria:diff", args=[seeded(FOUR_GOOD).pk]), {"against": against})

    assert response.status_code == 404


def test_edit_set_page_saves_for_staff(client_for):
    criteria_set = seeded(FRAME_366)

    response = client_for("staff").post(
        reverse("criteria:edit", args=[criteria_set.pk]),
        {
            "name": criteria_set.name,
            "unit_types": [Organization.UnitType.ADMINISTRATIVE],
            "year_from": "2025",
            "year_to": "2030",
            "scoring_mode": "POINTS",
            "pass_points": "",
            "basis": criteria_set.basis_id,
            "notes": "Ghi chú",
            "version": criteria_set.revision,
        },
    )

    criteria_set.refresh_from_db()
    assert response.status_code == 302
    assert (criteria_set.year_to, criteria_set.unit_types, criteria_set.notes) == (
        2030,
        ["CO_QUAN_HANH_CHINH"],
        "Ghi chú",
    )
