"""History in words: the one renderer of audit entries (cells.models.AuditEntry) for every page that shows a history.

Each entry becomes a `HistoryItem` that says WHO (the person's name: the party member record linked to the login,
else the login's full name; and the role they hold at the node or above it), WHAT (a Vietnamese sentence per action
code, from SENTENCES), and the changed values with their field labels (the verbose names of the model the values
belong to, looked up with apps.get_model: no import upward) and display values (choices' labels, dd/mm/yyyy dates,
numbers with a decimal comma). Identical consecutive entries (same person, action, target and changes, a few minutes
apart) are collapsed into one with a count.

Action codes stay strings here: the layers above write them (log_action) and this module only reads them. An unknown
code still reads as a sentence ("Recorded a change"), never as the code itself.

Queries: whatever the number of entries, one for the actors' role assignments, two for their member records and
seats (cells.hooks.people_for_users), and at most one per kind of target or referenced row (meetings, organisations,
users named in changes, members named in attendance).
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cells import hooks
from cells.formats import date_vn, datetime_vn, num
from cells.models import Organization, RoleAssignment

# Entries closer than this, identical in person, action, target and changes, show as one line "… (3 times)".
COLLAPSE_WINDOW = datetime.timedelta(minutes=15)

EMPTY = gettext_lazy("(empty)")


@dataclass
class Change:
    label: str
    before: str = ""
    after: str = ""
    value: str = ""  # a single value (no before and after): "Duration: 90 minutes"


@dataclass
class HistoryItem:
    when: datetime.datetime
    who: str
    role: str
    sentence: str
    changes: list[Change] = field(default_factory=list)
    note: str = ""
    note_is_reason: bool = True
    count: int = 1
    first_when: datetime.datetime | None = None  # the earliest of collapsed entries
    key: tuple = ()


@dataclass(frozen=True)
class Sentence:
    """What an action code says. `text` has %(name)s placeholders filled from the entry (see _placeholders);
    `fields` is the model whose fields `data["changes"]` names (default: the target's model); `note` says where a
    free text typed by the person is (a reason): "message" or a key of `data`."""

    text: Promise
    fields: str = ""
    note: str = ""
    reason: bool = True  # the note is a reason ("Reason: …"), else a detail ("Details: …")


S = Sentence
SENTENCES: dict[str, Sentence] = {
    # The tree, roles, logins, calendar
    "cells.organization.created": S(gettext_lazy("Created the organisation %(organization)s")),
    "cells.organization.updated": S(gettext_lazy("Edited the details of %(organization)s")),
    "cells.organization.moved": S(gettext_lazy("Moved %(organization)s under %(to)s")),
    "cells.organization.dissolved": S(gettext_lazy("Dissolved %(organization)s"), note="message"),
    "cells.organization.merged": S(gettext_lazy("Merged %(organization)s into %(into)s")),
    "cells.organization.received_merger": S(gettext_lazy("%(organization)s received %(from)s by merger")),
    "cells.role.granted": S(gettext_lazy("Granted %(user)s the role %(role)s")),
    "cells.role.revoked": S(gettext_lazy("Took the role %(role)s back from %(user)s")),
    "cells.user.created": S(gettext_lazy("Created the login %(message)s")),
    "cells.holiday.created": S(gettext_lazy("Added %(message)s to the holiday calendar")),
    "cells.holiday.updated": S(gettext_lazy("Changed a day of the holiday calendar: %(message)s")),
    "cells.holiday.deleted": S(gettext_lazy("Removed %(message)s from the holiday calendar")),
    "cells.demo.seeded": S(gettext_lazy("Loaded the demo data")),
    "cells.guidance.published": S(gettext_lazy("Published the guidance for %(month)s")),
    # Meetings
    "cells.meeting.created": S(gettext_lazy("Logged the meeting of %(month)s")),
    "cells.meeting.updated": S(gettext_lazy("Edited the meeting of %(month)s")),
    "cells.meeting.scored": S(gettext_lazy("Scored the meeting of %(month)s")),
    "cells.meeting.finalised": S(gettext_lazy("Finalised the minutes of the meeting of %(month)s")),
    "cells.meeting.reopened": S(gettext_lazy("Reopened the minutes of the meeting of %(month)s"), note="message"),
    "cells.meeting.confirmed": S(gettext_lazy("Confirmed the score of the meeting of %(month)s")),
    "cells.meeting.attachment_added": S(gettext_lazy("Attached the file %(message)s to the meeting of %(month)s")),
    # Criteria
    "criteria.criteria_set.copied": S(gettext_lazy("Copied the criteria set of %(year_from)s to %(year_to)s")),
    "criteria.criteria_set.updated": S(gettext_lazy("Edited the criteria set")),
    "criteria.group.created": S(gettext_lazy("Added the criteria group %(code)s"), fields="criteria.CriterionGroup"),
    "criteria.group.updated": S(gettext_lazy("Edited the criteria group %(code)s"), fields="criteria.CriterionGroup"),
    "criteria.group.deleted": S(gettext_lazy("Deleted the criteria group %(code)s"), fields="criteria.CriterionGroup"),
    "criteria.criterion.created": S(gettext_lazy("Added the criterion %(code)s"), fields="criteria.Criterion"),
    "criteria.criterion.updated": S(gettext_lazy("Edited the criterion %(code)s"), fields="criteria.Criterion"),
    "criteria.criterion.deleted": S(gettext_lazy("Deleted the criterion %(code)s"), fields="criteria.Criterion"),
    # Members
    "members.member.created": S(gettext_lazy("Added the member %(name)s")),
    "members.member.updated": S(gettext_lazy("Edited the record of %(name)s")),
    "members.member.status_changed": S(gettext_lazy("Changed the status of %(name)s")),
    "members.member.transferred": S(gettext_lazy("Transferred %(name)s officially to another cell")),
    "members.member.transferred_out": S(gettext_lazy("Transferred %(name)s officially out of the bloc")),
    "members.transfer.temporary_started": S(gettext_lazy("Recorded a temporary transfer: %(message)s")),
    "members.transfer.temporary_ended": S(gettext_lazy("Ended a temporary transfer: %(message)s")),
    "members.position.assigned": S(gettext_lazy("Assigned a committee position: %(message)s")),
    "members.position.ended": S(gettext_lazy("Ended a committee position: %(message)s")),
    "members.discipline.recorded": S(gettext_lazy("Recorded a disciplinary decision"), note="message", reason=False),
    "members.discipline.annulled": S(gettext_lazy("Annulled a disciplinary decision"), note="reason"),
    "members.residence_feedback.recorded": S(gettext_lazy("Recorded the residence feedback %(year)s of %(name)s")),
    "members.residence_feedback.updated": S(gettext_lazy("Edited the residence feedback %(year)s of %(name)s")),
    "members.residence_feedback.deleted": S(gettext_lazy("Deleted the residence feedback %(year)s of %(name)s")),
    "members.import.applied": S(gettext_lazy("Imported members from the file %(message)s")),
    # The yearly review
    "evaluations.period.opened": S(gettext_lazy("Opened the yearly review %(year)s")),
    "evaluations.period.locked": S(gettext_lazy("Locked the yearly review %(year)s")),
    "evaluations.evaluation.saved": S(gettext_lazy("Saved the self-assessment draft")),
    "evaluations.evaluation.self_assessed": S(gettext_lazy("Submitted the self-assessment")),
    "evaluations.evaluation.appraised": S(gettext_lazy("Appraised the self-assessment")),
    "evaluations.evaluation.decided": S(gettext_lazy("Decided the grade")),
    "evaluations.evaluation.returned": S(gettext_lazy("Returned for correction"), note="message"),
    "evaluations.evaluation.reopened": S(gettext_lazy("Reopened the decision"), note="message"),
    "evaluations.member_cap.overridden": S(
        gettext_lazy("Overrode the discipline cap of a member's grade"),
        fields="evaluations.MemberEvaluation",
        note="justification",
    ),
    "evaluations.member_ratings.saved": S(
        gettext_lazy("Saved the member ratings"), fields="evaluations.MemberEvaluation"
    ),
    "evaluations.member_ratings.closed": S(gettext_lazy("Closed the member ratings %(year)s")),
    "evaluations.member_ratings.reopened": S(gettext_lazy("Reopened the member ratings"), note="reason"),
    "evaluations.quota_exception.recorded": S(
        gettext_lazy("Recorded a quota exception: %(extra_places)s extra places"), note="justification"
    ),
    "evaluations.past_import.applied": S(gettext_lazy("Imported past results from the file %(message)s")),
    # Model-cell programmes and the Dân vận khéo register
    "evaluations.registration.created": S(gettext_lazy("Registered for the model programme")),
    "evaluations.registration.approved": S(gettext_lazy("Approved the registration"), note="message", reason=False),
    "evaluations.registration.withdrawn": S(gettext_lazy("Withdrew the registration"), note="message"),
    "evaluations.registration.failed": S(gettext_lazy("Marked the registration as not achieved"), note="message"),
    "evaluations.registration.checked": S(gettext_lazy("Recorded the yearly check"), note="message", reason=False),
    "evaluations.registration.recognised": S(gettext_lazy("Recognised as a model"), note="message", reason=False),
    "evaluations.admission_target.set": S(gettext_lazy("Set the admission target %(year)s: %(target)s")),
    "evaluations.mass_mobilisation.created": S(gettext_lazy("Added %(message)s to the Dân vận khéo register")),
    "evaluations.mass_mobilisation.updated": S(gettext_lazy("Edited %(message)s in the Dân vận khéo register")),
    "evaluations.mass_mobilisation.deleted": S(gettext_lazy("Removed %(message)s from the Dân vận khéo register")),
    # Reports
    "reports.report.requested": S(gettext_lazy("Requested a report")),
}
del S

UNKNOWN = gettext_lazy("Recorded a change")

# Labels of logged values whose model field has no verbose name of its own, or that are not model fields.
EXTRA_LABELS = {
    "parent": gettext_lazy("parent group"),
    "group": gettext_lazy("group"),
    "order": gettext_lazy("order"),
    "cap_grade": gettext_lazy("discipline cap"),
    "basis": gettext_lazy("legal basis"),
}

# Targets whose row the sentence needs: (model label, fields read).
TARGET_ROWS = {
    "meetings.meeting": ("meetings.Meeting", ("id", "period_month", "period_year")),
    "cells.roleassignment": ("cells.RoleAssignment", ()),  # read with the actors' roles
    "members.member": ("members.Member", ("id", "full_name")),
    "evaluations.evaluationperiod": ("evaluations.EvaluationPeriod", ("id", "year")),
}


class _Placeholders(dict):
    """The values of a sentence's placeholders; a missing one reads "…" instead of failing."""

    def __missing__(self, key):
        return "…"


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _bulk(label: str, ids, fields=None) -> dict:
    model = _model(label)
    ids = {i for i in ids if i is not None}
    if model is None or not ids:
        return {}
    rows = model._default_manager.filter(pk__in=ids)
    if fields:
        rows = rows.only(*fields)
    return {row.pk: row for row in rows}


#
# Values
#


def _choice_label(model_field, value) -> str | None:
    """The label of a choice stored as its code, or written as a label in any language (old entries kept the label
    of the language active when they were written)."""
    choices = getattr(model_field, "flatchoices", None) or []
    text = str(value)
    for code, label in choices:
        if text == str(code) or text == str(label):
            return str(label)
    with translation.override("en"):
        english = {str(label): label for _code, label in choices}
    if text in english:
        return str(english[text])
    return None


def _number(text: str) -> str:
    try:
        return num(Decimal(text))
    except (InvalidOperation, ValueError):
        return text


def display_value(model_field, value, users: dict | None = None) -> str:
    """A logged value as a person reads it."""
    if value is None or value == "" or value == []:
        return str(EMPTY)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if model_field is not None:
        label = _choice_label(model_field, value)
        if label is not None:
            return label
        text = str(value)
        if isinstance(model_field, models.BooleanField):
            return _("yes") if text in ("True", "true", "1") else _("no")
        if isinstance(model_field, models.DateTimeField):
            moment = parse_datetime(text)
            return datetime_vn(moment) if moment else text
        if isinstance(model_field, models.DateField):
            day = parse_date(text)
            return date_vn(day) if day else text
        if isinstance(model_field, models.TimeField):
            moment = parse_time(text)
            return moment.strftime("%H:%M") if moment else text
        if isinstance(model_field, models.DecimalField | models.FloatField | models.IntegerField):
            return _number(text)
        if isinstance(model_field, models.ForeignKey) and model_field.related_model is get_user_model() and users:
            return users.get(text, text)
        return text
    if isinstance(value, int | float | Decimal):
        return num(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model, name: str) -> str:
    """The verbose name of a logged field, capitalised; never the field's code."""
    if name in EXTRA_LABELS:
        label = EXTRA_LABELS[name]
    else:
        model_field = _field(model, name)
        label = getattr(model_field, "verbose_name", None)
        if not isinstance(label, Promise):  # no verbose name of its own: the name in words, untranslated
            label = EXTRA_LABELS.get(name) or _("another detail")
    text = str(label)
    return text[:1].upper() + text[1:]


def _pair(value) -> tuple | None:
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return None


def _changes(model, changes: dict, users: dict) -> list[Change]:
    lines = []
    for name, value in changes.items():
        pair = _pair(value)
        if pair is None:
            continue
        model_field = _field(model, name)
        before, after = (display_value(model_field, v, users) for v in pair)
        if pair == ["…", "…"] or pair == ("…", "…"):
            lines.append(Change(label=field_label(model, name), value=_("changed (not shown)")))
        else:
            lines.append(Change(label=field_label(model, name), before=before, after=after))
    return lines


def _row_changes(model, rows: dict, users: dict) -> list[Change]:
    """member_ratings.saved: {row id: {"member": name, field: [before, after], ...}}."""
    lines = []
    for row in rows.values():
        if not isinstance(row, dict):
            continue
        name = row.get("member", "")
        for change in _changes(model, {k: v for k, v in row.items() if k != "member"}, users):
            change.label = f"{name} — {change.label}" if name else change.label
            lines.append(change)
    return lines


#
# People
#


def _person_name(user, people: dict) -> str:
    if user is None:
        return _("The system")
    person = people.get(user.pk)
    if person and person[0]:
        return person[0]
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.get_username()


def _role_at(entry, user, grants: dict, people: dict, names: dict) -> str:
    """The role the person holds at the entry's node or the nearest node above it: their committee seat there,
    else their role assignment; with the node's name when it is not the entry's own node."""
    if user is None:
        return ""
    organization = entry.organization
    path_ids = organization.ancestor_ids() + [organization.pk] if organization is not None else []
    depth = {pk: i for i, pk in enumerate(path_ids)}
    best = None  # (depth, label, organization_id)
    person = people.get(user.pk)
    for organization_id, label, _name in person[1] if person else []:
        if organization_id in depth and (best is None or depth[organization_id] > best[0]):
            best = (depth[organization_id], label, organization_id)
    if best is None:
        for grant in grants.get(user.pk, []):
            if grant.organization_id in depth and (best is None or depth[grant.organization_id] > best[0]):
                best = (depth[grant.organization_id], grant.get_role_display(), grant.organization_id)
        if best is None and organization is None and grants.get(user.pk):
            grant = grants[user.pk][0]
            best = (0, grant.get_role_display(), grant.organization_id)
    if best is None:
        return _("System administrator") if user.is_superuser else ""
    _depth, label, organization_id = best
    if organization is not None and organization_id == organization.pk:
        return str(label)
    return f"{label}, {names.get(organization_id, '')}".rstrip(", ")


#
# Entries
#


def _month(meeting) -> str:
    return f"{meeting.period_month:02d}/{meeting.period_year}" if meeting is not None else "…"


def _role_from_message(message: str) -> tuple[str, str]:
    """(user, role label) from an old "username: Role label" message."""
    user, _sep, label = message.rpartition(": ")
    model_field = RoleAssignment._meta.get_field("role")
    return user, (_choice_label(model_field, label) or label)


def _placeholders(entry, targets: dict, names: dict, people: dict) -> _Placeholders:
    data = entry.data if isinstance(entry.data, dict) else {}
    values = _Placeholders({k: v for k, v in data.items() if isinstance(v, str | int)})
    values["message"] = entry.message or "…"
    values["organization"] = entry.organization.name if entry.organization is not None else "…"
    target = targets.get(entry.target_type, {}).get(entry.target_id)
    kind = entry.target_type
    if kind == "meetings.meeting":
        values["month"] = _month(target)
    elif kind == "cells.roleassignment":
        if target is not None:
            values["role"] = target.get_role_display()
            values["user"] = _person_name(target.user, people)
        else:
            values["user"], values["role"] = _role_from_message(entry.message)
    elif kind == "members.member":
        values["name"] = target.full_name if target is not None else entry.message.partition(":")[0]
    elif kind == "evaluations.evaluationperiod" and target is not None:
        values.setdefault("year", target.year)
    if entry.action == "cells.guidance.published" and "month" in data:
        values["month"] = f"{int(data['month']):02d}/{data.get('year', '')}"
    for key in ("to", "into", "from"):
        if isinstance(data.get(key), int):
            values[key] = names.get(data[key], "…")
    if entry.action.startswith("criteria.group.") or entry.action.startswith("criteria.criterion."):
        values["code"] = entry.message.rsplit(" ", 1)[-1] if entry.message else "…"
    for key in ("target", "extra_places", "year_from", "year_to"):
        if isinstance(data.get(key), int | float):
            values[key] = num(data[key])
    return values


def _details(entry, sentence: Sentence | None, targets_model, users: dict, attendance_names: dict) -> list[Change]:
    data = entry.data if isinstance(entry.data, dict) else {}
    model = _model(sentence.fields) if sentence and sentence.fields else targets_model
    lines: list[Change] = []
    changes = data.get("changes")
    if isinstance(changes, dict):
        if changes and all(isinstance(v, dict) for v in changes.values()):
            lines += _row_changes(model, changes, users)
        else:
            lines += _changes(model, changes, users)
    attendance = data.get("attendance")
    if isinstance(attendance, dict) and attendance:
        status = _field(_model("meetings.Attendance"), "status")
        for member_id, pair in attendance.items():
            pair = _pair(pair)
            if pair is None:
                continue
            before, after = (display_value(status, v) for v in pair)
            name = attendance_names.get(int(member_id), "…") if str(member_id).isdigit() else "…"
            lines.append(Change(label=_("Attendance of %(name)s") % {"name": name}, before=before, after=after))
    if entry.action == "cells.meeting.finalised" and "duration_minutes" in data:
        if data.get("duration_minutes") is not None:
            text = _("%(minutes)s minutes") % {"minutes": num(data["duration_minutes"])}
            if data.get("shortfall_minutes"):
                text += " " + _("(%(shortfall)s minutes short of the minimum %(minimum)s)") % {
                    "shortfall": num(data["shortfall_minutes"]),
                    "minimum": num(data.get("minimum_minutes")),
                }
            lines.append(Change(label=_("Duration"), value=text))
    if entry.action == "cells.meeting.scored" and entry.message:
        score = re.search(r"\d+(?:[.,]\d+)?", entry.message)
        rating = entry.message.rpartition(": ")[2]
        rating_field = _field(_model("meetings.Meeting"), "rating")
        if score:
            lines.append(Change(label=_("Score"), value=_number(score.group(0).replace(",", "."))))
        if rating and rating != entry.message:
            lines.append(Change(label=_("Rating"), value=_choice_label(rating_field, rating) or rating))
    if entry.action == "members.member.status_changed" and " → " in entry.message:
        before, _arrow, after = entry.message.partition(": ")[2].partition(" → ")
        status = _field(_model("members.Member"), "status")
        lines.append(
            Change(
                label=field_label(_model("members.Member"), "status"),
                before=_choice_label(status, before) or before,
                after=_choice_label(status, after) or after,
            )
        )
    if isinstance(data.get("removed"), dict):
        code = data["removed"].get("code")
        text = data["removed"].get("text") or data["removed"].get("title") or ""
        if text:
            lines.append(Change(label=_("Removed"), value=f"{code}. {text}" if code else text))
    return lines


def _note(entry, sentence: Sentence | None) -> str:
    if sentence is None or not sentence.note:
        return ""
    if sentence.note == "message":
        return entry.message
    value = (entry.data or {}).get(sentence.note) if isinstance(entry.data, dict) else None
    return str(value) if value else ""


def history_items(entries) -> list[HistoryItem]:
    """The entries (AuditEntry rows, newest first, actors selected with them) as HistoryItems, identical
    consecutive ones collapsed."""
    entries = list(entries)
    if not entries:
        return []
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    # The rows the sentences need, one query per kind; role assignments (the actors' roles and the roles granted or
    # taken back) in one query.
    by_type = defaultdict(set)
    for e in entries:
        if e.target_type in TARGET_ROWS and e.target_id:
            by_type[e.target_type].add(e.target_id)
    role_ids = by_type.pop("cells.roleassignment", set())
    grants = defaultdict(list)
    targets = {kind: _bulk(TARGET_ROWS[kind][0], ids, TARGET_ROWS[kind][1]) for kind, ids in by_type.items()}
    targets["cells.roleassignment"] = {}
    if actor_ids or role_ids:
        assignments = (
            RoleAssignment.objects.filter(Q(user_id__in=actor_ids) | Q(pk__in=role_ids))
            .select_related("organization", "user")
            .order_by("pk")
        )
        for assignment in assignments:
            if assignment.user_id in actor_ids:
                grants[assignment.user_id].append(assignment)
            if assignment.pk in role_ids:
                targets["cells.roleassignment"][assignment.pk] = assignment
    people_ids = set(actor_ids) | {r.user_id for r in targets.get("cells.roleassignment", {}).values()}
    people = hooks.people_for_users(people_ids) if people_ids else {}

    # Names of the nodes where people hold their roles and seats (read with them), and of the nodes an entry's data
    # refers to (moves, mergers: one query, only when there are such entries).
    names = {g.organization_id: g.organization.name for seats in grants.values() for g in seats}
    for person in people.values():
        names.update({organization_id: name for organization_id, _label, name in person[1]})
    referred = set()
    for e in entries:
        data = e.data if isinstance(e.data, dict) else {}
        referred |= {data[k] for k in ("to", "into", "from") if isinstance(data.get(k), int)}
    if referred - set(names):
        names.update(Organization.objects.filter(pk__in=referred - set(names)).values_list("pk", "name"))

    member_ids = set()
    usernames = set()
    for e in entries:
        data = e.data if isinstance(e.data, dict) else {}
        if isinstance(data.get("attendance"), dict):
            member_ids |= {int(k) for k in data["attendance"] if str(k).isdigit()}
        if isinstance(data.get("changes"), dict):
            for name in ("decided_by", "appraised_by", "confirmed_by", "finalised_by"):
                pair = _pair(data["changes"].get(name))
                usernames |= {v for v in pair or () if v}
    attendance_names = (
        dict(_model("members.Member")._default_manager.filter(pk__in=member_ids).values_list("pk", "full_name"))
        if member_ids
        else {}
    )
    users = {}
    if usernames:
        for user in get_user_model().objects.filter(username__in=usernames):
            users[user.get_username()] = _person_name(user, {})

    items: list[HistoryItem] = []
    for e in entries:
        sentence = SENTENCES.get(e.action)
        values = _placeholders(e, targets, names, people)
        text = str(sentence.text if sentence else UNKNOWN)
        try:
            text = text % values
        except (TypeError, ValueError):
            pass
        if sentence is None and e.message:
            text = f"{text}: {e.message}"
        model = _model(e.target_type) if e.target_type else None
        item = HistoryItem(
            when=e.created_at,
            who=_person_name(e.actor, people),
            role=_role_at(e, e.actor, grants, people, names),
            sentence=text,
            changes=_details(e, sentence, model, users, attendance_names),
            note=_note(e, sentence),
            note_is_reason=sentence.reason if sentence else True,
        )
        item.key = (e.actor_id, e.action, e.target_type, e.target_id, repr(e.data), e.message)
        previous = items[-1] if items else None
        if (
            previous is not None
            and previous.key == item.key
            and abs((previous.first_when or previous.when) - item.when) <= COLLAPSE_WINDOW
        ):
            previous.count += 1
            previous.first_when = item.when
            continue
        items.append(item)
    return items
