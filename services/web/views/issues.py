"""A problem's page for every role, the moves on it, its files, and filing a new one.

The moves come from the registry (``services.issues.workflow``): the page offers exactly what the API's
``allowed_actions`` names, renders each move's form from the move's own input, and posts to one view that
parses with that input and calls the move's action. A refusal re-renders the page with the action's own
reason and the person's input kept; nothing is half-saved.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError as SerializerError

from services.core import clock
from services.core.api import choice_label
from services.core.errors import ActionRefused, InvalidInput
from services.core.keys import parse_client_key
from services.issues import actions, workflow
from services.issues import lifecycle as lc
from services.issues.attachments import KINDS, PER_ISSUE_MAX, inspect_upload, max_bytes
from services.issues.inputs import IssueCreateSerializer
from services.issues.models import (
    Category,
    Channel,
    ClosureKind,
    Complexity,
    Outcome,
    Satisfaction,
    Stage,
    UnitRole,
    Urgency,
)
from services.issues.permissions import ensure_permitted
from services.issues.selectors import attachments_of, get_issue_detail_for, history_of
from services.web import moveforms

FILES_PER_FILING = 5


def _handlers(issue, events: list) -> list[dict]:
    """Who handles it: each unit with a part, and who signed for it (name and office phone) once signed."""
    signers = {event.actor_unit_id: event.actor for event in events if event.kind == lc.ACKNOWLEDGE.name}
    return [
        {"part": part, "signer": signers.get(part.unit_id) if part.acknowledged_at else None}
        for part in issue.part_list
    ]


def _labels(issue, events: list) -> dict[str, str]:
    """The page's choice labels, each looked up once per language: ``get_FOO_display()`` translates every
    choice of the field on each call, which cost the page more than its queries."""
    for event in events:
        event.from_label = choice_label(lc.Status, event.from_status)
        event.to_label = choice_label(lc.Status, event.to_status)
    for stage_clock in issue.clock_list:
        stage_clock.stage_label = choice_label(Stage, stage_clock.stage)
    for part in issue.part_list:
        part.role_label = choice_label(UnitRole, part.role)
    return {
        "status": choice_label(lc.Status, issue.status),
        "urgency": choice_label(Urgency, issue.urgency),
        "complexity": choice_label(Complexity, issue.complexity),
        "channel": choice_label(Channel, issue.channel),
        "outcome": choice_label(Outcome, issue.outcome),
        "satisfaction": choice_label(Satisfaction, issue.satisfaction),
        "closure_kind": choice_label(ClosureKind, issue.closure_kind),
    }


def _page(request: HttpRequest, issue, *, tried: moveforms.MoveForm | None = None, status: int = 200):
    actor = request.user
    units_cache: dict = {}
    forms = []
    for move in workflow.available_moves(actor=actor, issue=issue):
        if tried is not None and tried.slug == move.slug:
            forms.append(tried)
        else:
            forms.append(moveforms.build(move, actor=actor, issue=issue, units_cache=units_cache))
    if tried is not None and tried.slug not in {form.slug for form in forms}:
        forms.insert(0, tried)  # the step closed meanwhile: still show why
    facts = issue.move_facts
    events = history_of(issue)
    may_attach = lc.is_allowed(lc.ATTACH, issue.status) and _may_attach(actor, issue, facts)
    return render(
        request,
        "web/issue_detail.html",
        {
            "issue": issue,
            "labels": _labels(issue, events),
            "events": events,
            "clocks": issue.clock_list,
            "handlers": _handlers(issue, events),
            # Every file is added by a move that records an "attach" event: no event, no files to read.
            "attachments": attachments_of(issue) if any(e.kind == lc.ATTACH.name for e in events) else [],
            "forms": forms,
            "may_attach": may_attach,
            "fallback_deadline": any(c.due_from_fallback and c.is_running for c in issue.clock_list),
            "upload_rules": _upload_rules(),
            "now": clock.now(),
        },
        status=status,
    )


def _may_attach(actor, issue, facts) -> bool:
    try:
        ensure_permitted(actor, lc.ATTACH, issue, facts)
    except ActionRefused:
        return False
    return True


def _upload_rules() -> dict:
    return {
        "kinds": "、".join(sorted({extension.lstrip(".") for extension in KINDS})),
        "max_mb": max_bytes() // (1024 * 1024),
        "per_issue": PER_ISSUE_MAX,
        "accept": ",".join(sorted(KINDS)),
    }


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_issue_detail_for(actor=request.user, issue_id=pk))


@login_required
@require_POST
def issue_move(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    issue = get_issue_detail_for(actor=request.user, issue_id=pk)
    move = workflow.by_slug(slug)
    if move is None:
        raise Http404
    errors: dict = {}
    refusal = ""
    try:
        data = {}
        if move.input is not None:
            serializer = move.input(data=request.POST, context={"request": request})
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        move.perform(issue, request.user, data)
    except SerializerError as error:
        errors = error.detail if isinstance(error.detail, dict) else {"__all__": error.detail}
    except InvalidInput as refused:
        errors = refused.errors
    except ActionRefused as refused:
        refusal = refused.message
    else:
        messages.success(request, _("已完成“%(move)s”。") % {"move": move.label})
        return redirect("web:issue-detail", pk=issue.pk)
    tried = moveforms.build(
        move, actor=request.user, issue=issue, data=request.POST, errors=errors, refusal=refusal
    )
    fresh = get_issue_detail_for(actor=request.user, issue_id=pk)
    return _page(request, fresh, tried=tried, status=400)


@login_required
@require_POST
def issue_attach(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue_detail_for(actor=request.user, issue_id=pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise InvalidInput({"file": [_("请选择要上传的文件。")]})
        actions.add_attachment(
            issue=issue, actor=request.user, upload=upload, note=request.POST.get("note", "")
        )
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return _page(request, get_issue_detail_for(actor=request.user, issue_id=pk), status=400)
    messages.success(request, _("附件“%(name)s”已上传。") % {"name": upload.name})
    return redirect("web:issue-detail", pk=issue.pk)


# ---------------------------------------------------------------- filing


def _categories() -> list[dict]:
    """Level-1 categories with their level-2 items and hints, for the two-level picker."""
    rows = Category.objects.filter(is_active=True).select_related("parent").order_by("parent_id", "pk")
    groups: dict[int, dict] = {}
    children = []
    for category in rows:
        if category.parent_id is None:
            groups[category.pk] = {"category": category, "items": []}
        else:
            children.append(category)
    for child in children:
        if child.parent_id in groups:
            groups[child.parent_id]["items"].append(child)
    return list(groups.values())


def _form_key(request: HttpRequest) -> uuid.UUID:
    try:
        return parse_client_key(request.POST.get("client_key")) or uuid.uuid4()
    except InvalidInput:
        return uuid.uuid4()


@login_required
def file_issue_page(request: HttpRequest) -> HttpResponse:
    """An enterprise files a problem (its specialist and the dispatchers file from the enterprise's own page)."""
    actor = request.user
    if actor.role != "enterprise" or actor.enterprise_id is None:
        raise Http404
    errors: dict = {}
    if request.method == "POST":
        uploads = request.FILES.getlist("files")
        try:
            if len(uploads) > FILES_PER_FILING:
                raise InvalidInput({"files": [_("一次最多上传%(max)d个附件。") % {"max": FILES_PER_FILING}]})
            for upload in uploads:  # refuse a bad file before anything is saved
                inspect_upload(upload)
                upload.seek(0)
            serializer = IssueCreateSerializer(data=request.POST, context={"request": request})
            serializer.is_valid(raise_exception=True)
            with transaction.atomic():
                issue = actions.file_issue(actor=actor, **serializer.validated_data)
                if not getattr(issue, "repeated", False):  # a form sent twice files its files once
                    for upload in uploads:
                        actions.add_attachment(issue=issue, actor=actor, upload=upload)
        except SerializerError as error:
            errors = error.detail if isinstance(error.detail, dict) else {"__all__": error.detail}
        except InvalidInput as refused:
            errors = refused.errors
        except ActionRefused as refused:
            errors = {"__all__": [refused.message]}
        else:
            messages.success(request, _("诉求已提交，编号 %(number)s。") % {"number": issue.number})
            return redirect("web:issue-detail", pk=issue.pk)
    return render(
        request,
        "web/enterprise/file_issue.html",
        {
            "groups": _categories(),
            "data": request.POST if request.method == "POST" else {},
            # One key per filling of the form, kept across a refused send: sent twice, it files once.
            "client_key": _form_key(request),
            "errors": {key: [str(m) for m in value] for key, value in errors.items()},
            "general_errors": [
                str(m)
                for key in ("__all__", "non_field_errors", "enterprise", "client_key")
                for m in errors.get(key, [])
            ],
            "upload_rules": _upload_rules(),
            "files_max": FILES_PER_FILING,
            "enterprise": actor.enterprise,
        },
        status=400 if errors else 200,
    )
