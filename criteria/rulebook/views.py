"""Placeholder views; the rule book work replaces them."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from cells.permissions import VIEW, require_anywhere


@login_required
def rule_list(request):
    require_anywhere(request.user, VIEW)
    return render(request, "rulebook/rule_list.html", {})


@login_required
def rule_detail(request, code):
    require_anywhere(request.user, VIEW)
    raise Http404
