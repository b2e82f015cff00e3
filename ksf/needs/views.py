"""Pages for needs: public list (with exports), detail with timeline and actions, registration,
"my needs" and the work queues. Access is decided in `access.py`; writes go through `services.py`.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ksf.accounts.access import actor_for, home_municipality
from ksf.core.pagecache import cached_html, cached_render, public_page
from ksf.organisations.models import HealthRegion, Organisation, OrgKind

from . import access, selectors, services
from .forms import CommentForm, NeedForm, TransitionForm, add_service_errors
from .models import Follow, Need, NeedKind, ServiceArea
from .workflow import ANSWER, ASSIGNMENT, PROJECT, REASON, TARGET, Status

PAGE_SIZE = 25
EXPORT_LIMIT = 20000


# --- list and exports ----------------------------------------------------------------------

def _filter_context(request: HttpRequest) -> tuple[selectors.NeedFilters, QuerySet[Need]]:
    filters = selectors.NeedFilters.from_query(request.GET)
    return filters, selectors.need_list(user=request.user, filters=filters)


@public_page
@require_safe
def need_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.NeedFilters.from_query(request.GET)
    query = filters.as_query()
    context: dict[str, Any] = {
        "filters": filters,
        "querystring_without_page": urlencode(query),
        "export_query": ("?" + urlencode(query)) if query else "",
    }

    def results() -> str:
        qs = selectors.need_list(user=request.user, filters=filters)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update({"page_obj": page, "needs": page.object_list})
        return render_to_string("needs/_list_results.html", context, request)

    def page_context() -> dict[str, Any]:
        return {
            **context,
            "statuses": Status.choices,
            "service_areas": ServiceArea.choices,
            "kinds": NeedKind.choices,
            "regions": HealthRegion.objects.all(),
            "clusters": Organisation.objects.filter(kind=OrgKind.CLUSTER).order_by("name"),
            "years": range(timezone.localdate().year, 2023, -1),
        }

    # Anonymous visitors all see the same published needs: the page body (filters and results) is
    # rendered once per data version and query (ksf.core.pagecache; bench/load, issue #9). Text
    # search follows the search index, so it is not cached here.
    htmx = bool(getattr(request, "htmx", False))
    if not request.user.is_authenticated and not filters.q:
        parts = ["needs:list", sorted(query.items()), request.GET.get("page", "")[:10], htmx, timezone.localdate().year]

        def body() -> str:
            if htmx:
                return results()
            results_html = mark_safe(results())  # noqa: S308 - our own rendered template
            return render_to_string("needs/_list_body.html", {**page_context(), "results_html": results_html}, request)

        html = cached_html(parts, body, version=selectors.data_version())
        if htmx:
            return HttpResponse(html)
        return render(request, "needs/need_list.html", {"body_html": mark_safe(html)})  # noqa: S308 - our own rendered template
    results_html = results()
    if htmx:
        return HttpResponse(results_html)
    context = page_context()
    context["results_html"] = mark_safe(results_html)  # noqa: S308 - our own rendered template
    return render(request, "needs/need_list.html", context)


EXPORT_COLUMNS = [
    ("public_id", "Behovsnummer"), ("title", "Tittel"), ("kind", "Type"), ("status", "Status"),
    ("service_area", "Tjenesteområde"), ("municipality", "Kommune"), ("municipality_number", "Kommunenummer"),
    ("cluster", "Klynge"), ("region", "Helseregion"), ("created", "Registrert"), ("published", "Publisert"),
    ("endorsements", "Kommuner som støtter"), ("population", "Samlet innbyggertall"), ("question", "Spørsmål"),
    ("answer", "Svar"), ("merged_into", "Slått sammen med"), ("url", "Lenke"),
]


def _export_rows(request: HttpRequest, qs: QuerySet[Need]) -> list[list[Any]]:
    rows = []
    for need in qs[:EXPORT_LIMIT]:
        rows.append([
            need.public_id, need.title, need.get_kind_display(), need.get_status_display(),
            need.get_service_area_display(), need.municipality.name, need.municipality.municipality_number or "",
            need.cluster.name if need.cluster else "", need.region.name,
            timezone.localtime(need.created_at).date().isoformat(),
            timezone.localtime(need.published_at).date().isoformat() if need.published_at else "",
            getattr(need, "endorsement_count", 0), selectors.combined_population(need), need.question, need.answer,
            need.merged_into.public_id if need.merged_into else "",
            request.build_absolute_uri(reverse("needs:detail", args=[need.public_id])),
        ])
    return rows


def _safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in user text (CSV/XLSX injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    _filters, qs = _filter_context(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([label for _key, label in EXPORT_COLUMNS])
    for row in _export_rows(request, qs):
        writer.writerow([_safe_cell(v) for v in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kunnskapsbehov.csv"'
    return response


@require_safe
def export_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    _filters, qs = _filter_context(request)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Kunnskapsbehov"
    sheet.append([label for _key, label in EXPORT_COLUMNS])
    for row in _export_rows(request, qs):
        sheet.append([_safe_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="kunnskapsbehov.xlsx"'
    return response


# --- detail ----------------------------------------------------------------------------------

FIELDS_FOR_REQUIREMENT = {
    REASON: ["reason"], ANSWER: ["answer"], TARGET: ["target"], ASSIGNMENT: ["partner", "due"], PROJECT: ["project_ref"],
}


def _action_forms(request: HttpRequest, need: Need, failed: tuple[str, TransitionForm] | None = None) -> list[dict[str, Any]]:
    actions = []
    for transition in services.allowed_transitions(need=need, user=request.user):
        if failed and failed[0] == transition.target:
            form = failed[1]
        else:
            form = TransitionForm(initial={"to": transition.target}, prefix=f"t-{transition.target}")
        fields = [name for req in sorted(transition.requires) for name in FIELDS_FOR_REQUIREMENT.get(req, [])]
        # The reason is optional for the others, but it is always useful on the timeline.
        if "reason" not in fields and TARGET not in transition.requires:
            optional = ["reason"]
        else:
            optional = []
        actions.append({
            "transition": transition, "form": form,
            "fields": [form[name] for name in fields], "optional_fields": [form[name] for name in optional],
            "danger": transition.target in (Status.REJECTED, Status.WITHDRAWN, Status.MERGED),
        })
    return actions


def _detail_context(request: HttpRequest, need: Need, **extra: Any) -> dict[str, Any]:
    internal = access.can_see_internal(request.user, need)
    actor = actor_for(request.user)
    endorsements = list(need.endorsements.select_related("municipality").order_by("municipality__name"))
    own_population = need.municipality.population or 0
    context = {
        "need": need,
        "timeline": selectors.timeline(need, internal=internal),
        "endorsements": endorsements,
        "endorsement_count": len(endorsements),
        "combined_population": own_population + sum(e.municipality.population or 0 for e in endorsements),
        "internal": internal,
        "can_edit": access.can_edit_content(request.user, need),
        "can_endorse": access.can_endorse(request.user, need),
        "already_endorsed": bool(actor.municipality_ids & {e.municipality_id for e in endorsements}),
        "following": actor.user_id is not None and Follow.objects.filter(need=need, user_id=actor.user_id).exists(),
        "merged_needs": need.merged_needs.filter(published_at__isnull=False).only("public_id", "title"),
        "actions": _action_forms(request, need, extra.pop("failed", None)) if internal else [],
        "comments": need.comments.select_related("author_organisation") if internal else [],
        "comment_form": extra.pop("comment_form", None) or CommentForm(),
    }
    from ksf.evidence.selectors import need_evidence_context

    context.update(need_evidence_context(request.user, need))
    from ksf.priorities.selectors import adopted_by_context

    context.update(adopted_by_context(need))
    context.update(extra)
    return context


@public_page
@require_safe
def need_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    if request.user.is_authenticated:
        need = access.get_need_for_user(request.user, public_id)
        return render(request, "needs/need_detail.html", _detail_context(request, need))
    # Every anonymous visitor sees the same page body (no forms, nothing personal): it is rendered
    # once per version of what it shows (ksf.core.pagecache; measured need: bench/load, issue #9).
    # Its row alone keys the cache; the related rows are read only to render it.
    need = access.get_need_for_user(request.user, public_id, related=False)
    body = cached_render(
        ["needs:detail", need.pk], "needs/_detail_body.html",
        lambda: _detail_context(request, access.get_need_for_user(request.user, public_id)), request,
        version=selectors.need_version(need),
    )
    return render(request, "needs/need_detail.html", {"need": need, "body_html": body})


@require_POST
def need_transition(request: HttpRequest, public_id: str) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={reverse('needs:detail', args=[public_id])}")
    need = access.get_need_for_user(request.user, public_id, write=True)
    to = request.POST.get("to", "")
    prefixed = f"t-{to}-to" in request.POST
    # Access first: someone who may not make this move gets 403 whatever the form contains.
    access.require_transition_right(request.user, need, request.POST.get(f"t-{to}-to", "") if prefixed else to)
    form = TransitionForm(request.POST, prefix=f"t-{to}") if prefixed else TransitionForm(request.POST)
    if form.is_valid():
        try:
            target = form.target_need()
            services.need_transition(
                need=need, user=request.user, to=form.cleaned_data["to"],
                reason=form.cleaned_data.get("reason") or "", answer=form.cleaned_data.get("answer") or "",
                target=target, partner=form.cleaned_data.get("partner"), due=form.cleaned_data.get("due"),
                project_ref=form.cleaned_data.get("project_ref") or "",
            )
        except services.TransitionConflict as exc:
            messages.error(request, str(exc))
            return redirect("needs:detail", public_id=need.public_id)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Status er endret til «%(status)s».") % {
                "status": Status(form.cleaned_data["to"]).label})
            return redirect("needs:detail", public_id=need.public_id)
    need.refresh_from_db()
    errors = [str(message) for messages_ in form.errors.values() for message in messages_]
    context = _detail_context(request, need, failed=(to, form), action_errors=errors)
    return render(request, "needs/need_detail.html", context, status=400)


@require_POST
def need_endorse(request: HttpRequest, public_id: str) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={reverse('needs:detail', args=[public_id])}")
    need = access.get_need_for_user(request.user, public_id)
    status = 200
    try:
        services.need_endorse(need=need, user=request.user, comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        status = 400
    else:
        messages.success(request, _("Takk! Kommunen din står nå bak behovet."))
    if getattr(request, "htmx", False):
        return render(request, "needs/_support.html", _detail_context(request, need), status=status)
    return redirect("needs:detail", public_id=need.public_id)


@require_POST
def need_follow(request: HttpRequest, public_id: str) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={reverse('needs:detail', args=[public_id])}")
    need = access.get_need_for_user(request.user, public_id)
    follow = request.POST.get("follow", "1") != "0"
    services.need_follow(need=need, user=request.user, follow=follow)
    if getattr(request, "htmx", False):
        return render(request, "needs/_follow.html", {"need": need, "following": follow})
    messages.success(request, _("Du følger nå behovet.") if follow else _("Du følger ikke lenger behovet."))
    return redirect("needs:detail", public_id=need.public_id)


@require_POST
@login_required
def need_comment(request: HttpRequest, public_id: str) -> HttpResponseBase:
    need = access.get_need_for_user(request.user, public_id, write=True)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(need=need, user=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Kommentaren er lagt til."))
            return redirect(reverse("needs:detail", args=[need.public_id]) + "#avklaring")
    return render(request, "needs/need_detail.html", _detail_context(request, need, comment_form=form), status=400)


# --- registration and editing -------------------------------------------------------------------

def _similar_needs_url() -> str | None:
    """The search app's live duplicate check, if it exists yet."""
    try:
        return reverse("search:similar_needs")
    except NoReverseMatch:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request: HttpRequest) -> HttpResponse:
    municipality = home_municipality(request.user)
    if municipality is None:
        raise PermissionDenied(_("Du må være knyttet til en kommune som melder eller FoU-kontakt for å melde behov."))
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            need = services.need_create(user=request.user, municipality=municipality, data=form.cleaned_data, submit=submit)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if submit:
                messages.success(request, _("Behovet %(id)s er sendt inn til klyngen.") % {"id": need.public_id})
            else:
                messages.success(request, _("Utkastet %(id)s er lagret. Bare du og kommunens FoU-kontakt ser det.") % {"id": need.public_id})
            return redirect("needs:detail", public_id=need.public_id)
    context = {"form": form, "municipality": municipality, "similar_needs_url": _similar_needs_url(), "need": None}
    return render(request, "needs/need_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    need = access.get_need_for_user(request.user, public_id, write=True)
    if not access.can_edit_content(request.user, need):
        raise PermissionDenied(_("Behovet kan bare endres av innmelder mens det er utkast eller avklaring er etterspurt."))
    form = NeedForm(request.POST or None, initial=NeedForm.initial_from(need))
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_update(need=need, user=request.user, data=form.cleaned_data)
            if request.POST.get("action") == "submit" and need.status == Status.DRAFT:
                need = services.need_transition(need=need, user=request.user, to=Status.SUBMITTED)
        except services.TransitionConflict as exc:
            messages.error(request, str(exc))
            return redirect("needs:detail", public_id=need.public_id)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("needs:detail", public_id=need.public_id)
    context = {"form": form, "municipality": need.municipality, "similar_needs_url": _similar_needs_url(), "need": need}
    return render(request, "needs/need_form.html", context, status=400 if form.errors else 200)


# --- personal pages and queues -------------------------------------------------------------------

MY_NEEDS_PAGE = 50
MY_NEEDS_OTHERS = 50


@login_required
def my_needs(request: HttpRequest) -> HttpResponse:
    own, municipality = selectors.my_needs(user=request.user)
    user_id = int(request.user.pk or 0)
    following = selectors.with_support(
        access.visible_needs(request.user).filter(follows__user_id=user_id).exclude(created_by_id=user_id)
    ).select_related("municipality", "region")
    # Own needs (drafts included, found nowhere else) page by page; the other two lists show the
    # latest MY_NEEDS_OTHERS and link to the full, filterable list. A contact with hundreds of
    # needs got a 230 ms page of ~450 rows (bench/load, issue #9).
    page = Paginator(own, MY_NEEDS_PAGE).get_page(request.GET.get("page"))
    return render(request, "needs/my_needs.html", {
        "own": page.object_list, "page_obj": page, "querystring_without_page": "",
        "municipality_needs": municipality[:MY_NEEDS_OTHERS], "following": following[:MY_NEEDS_OTHERS],
        "municipality_more": municipality[MY_NEEDS_OTHERS:MY_NEEDS_OTHERS + 1].exists(),
        "municipality_query": urlencode({"municipality": getattr(home_municipality(request.user), "municipality_number", "") or ""}),
    })


QUEUES = {
    "cluster": (gettext_lazy("Klyngens arbeidskø"), gettext_lazy("Innsendte behov, avklaringer og behov til vurdering i klyngen.")),
    "region": (gettext_lazy("Regional arbeidskø"), gettext_lazy("Behov sendt til regionen, kunnskapssjekker, oppsummeringer og forskningsforslag.")),
    "national": (gettext_lazy("Nasjonal oversikt"), gettext_lazy("Behov på regionalt og nasjonalt nivå i alle helseregioner.")),
    "partner": (gettext_lazy("Mine oppdrag"), gettext_lazy("Kunnskapssjekker og oppsummeringer tildelt organisasjonen din.")),
}


@login_required
def work_queue(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in QUEUES:
        raise Http404
    if not access.can_view_queue(request.user, kind):
        raise PermissionDenied(_("Denne arbeidskøen er for koordinatorer og forskningspartnere med tilgang."))
    needs = selectors.queue(user=request.user, kind=kind)
    page = Paginator(needs, 50).get_page(request.GET.get("page"))
    title, intro = QUEUES[kind]
    return render(request, "needs/queue.html", {
        "kind": kind, "title": title, "intro": intro, "page_obj": page, "needs": page.object_list,
        "querystring_without_page": "",
    })
