"""The residence feedback forms of a member's record (QĐ 213, D10): recorded, changed or deleted with APPRAISE on
the member's cell (the grassroots committee or the bloc staff); shown on the record to whoever sees it."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cells.forms_pages import form_page, save_form
from cells.permissions import APPRAISE
from members.models import ResidenceFeedback
from members.residence import services
from members.residence.forms import FeedbackCreateForm, FeedbackEditForm
from members.views import get_member_for_user


def _feedback(request, pk, feedback_pk):
    member = get_member_for_user(request.user, pk, action=APPRAISE)
    feedback = ResidenceFeedback.objects.filter(pk=feedback_pk, member=member).first()
    if feedback is None:
        raise Http404
    feedback.member = member
    return member, feedback


def _page(request, member, form, title: str, **context):
    return form_page(
        request,
        "members/residence_form.html",
        form,
        member.organization,
        member=member,
        title=title,
        breadcrumb_tail=member.full_name,
        **context,
    )


def feedback_create(request, pk):
    member = get_member_for_user(request.user, pk, action=APPRAISE)
    today = timezone.localdate()
    # Feedback on a year usually arrives at its end or early in the next year.
    form = FeedbackCreateForm(
        request.POST or None,
        initial={"year": today.year if today.month >= 10 else today.year - 1, "received_on": today},
    )
    return save_form(
        request,
        form,
        lambda data: services.feedback_record(member=member, data=data, recorded_by=request.user),
        message=_("The feedback from the place of residence has been recorded."),
        to=("members:detail", member.pk),
    ) or _page(request, member, form, _("Feedback from the place of residence — %(name)s") % {"name": member.full_name})


def feedback_edit(request, pk, feedback_pk):
    member, feedback = _feedback(request, pk, feedback_pk)
    initial = {name: getattr(feedback, name) for name in services.FIELDS} | {"version": feedback.version}
    form = FeedbackEditForm(request.POST or None, initial=initial)
    return save_form(
        request,
        form,
        lambda data: services.feedback_update(
            feedback=feedback, data=data, version=data.get("version"), updated_by=request.user
        ),
        message=_("Saved."),
        to=("members:detail", member.pk),
    ) or _page(
        request,
        member,
        form,
        _("Feedback from the place of residence — %(name)s") % {"name": member.full_name},
        feedback=feedback,
    )


@require_POST
def feedback_delete(request, pk, feedback_pk):
    member, feedback = _feedback(request, pk, feedback_pk)
    services.feedback_delete(feedback=feedback, deleted_by=request.user)
    messages.success(request, _("The feedback from the place of residence has been deleted."))
    return redirect("members:detail", member.pk)
