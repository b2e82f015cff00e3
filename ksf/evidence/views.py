"""Evidence pages: browse, a record, bulk import (administrators), link to a need."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ksf.needs.access import get_need_for_user

from . import selectors, services
from .access import can_import, can_link_evidence
from .forms import EvidenceFilterForm, ImportForm, LinkForm
from .models import Evidence, ImportRun

PAGE_SIZE = 25


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _language_choices() -> list[tuple[str, str]]:
    codes = Evidence.objects.exclude(language="").order_by("language").values_list("language", flat=True).distinct()
    return [(code, language_name(code)) for code in codes]


def evidence_list(request: HttpRequest) -> HttpResponse:
    form = EvidenceFilterForm(request.GET)
    form.is_valid()  # invalid filters (a year of "abc") are left out of cleaned_data and ignored
    filters = form.cleaned_data
    qs = selectors.evidence_list(
        q=filters.get("q") or "", source=filters.get("kilde") or "", evidence_type=filters.get("type") or "",
        language=filters.get("sprak") or "", year_from=filters.get("fra"), year_to=filters.get("til"),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "evidence/evidence_list.html", {
        "form": form, "page_obj": page, "evidence_list": page.object_list, "count": page.paginator.count,
        "languages": _language_choices(), "params": request.GET, "querystring_without_page": query.urlencode(),
        "can_import": can_import(request.user),
    })


def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(Evidence, pk=pk)
    links = list(selectors.published_links_for_evidence(evidence))
    return render(request, "evidence/evidence_detail.html", {
        "evidence": evidence, "groups": selectors.grouped_links(links), "links": links,
        "language_name": language_name(evidence.language) if evidence.language else "",
    })


@login_required
def evidence_import(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        raise PermissionDenied(_("Bare administratorer kan importere kunnskapskilder."))
    report = None
    refused = ""
    status = 200
    if request.method == "POST":
        # Refuse an oversized upload from its declared length, before Django spools it to disk.
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.MAX_IMPORT_FILE_BYTES + 64 * 1024:
            form = ImportForm()
            refused = services.file_too_large_message(_("opplastet fil"), declared)
            status = 400
        else:
            form = ImportForm(request.POST, request.FILES)
            if not form.is_valid():
                status = 400
            else:
                upload = form.cleaned_data["file"]
                if upload.size > services.INLINE_IMPORT_MAX_BYTES:
                    try:
                        run = services.evidence_import_store(upload=upload, user=request.user)
                    except ValidationError as exc:
                        form.add_error("file", exc)
                        status = 400
                    else:
                        messages.info(request, _("«%(file)s» er stor og importeres i bakgrunnen. Resultatet vises under.")
                                      % {"file": run.filename})
                        return redirect(f"{reverse('evidence:import')}?import={run.pk}")
                else:
                    report = services.evidence_import_file(source=upload, filename=upload.name, user=request.user)
                    if report.ok:
                        messages.success(request, _("%(file)s: %(c)s nye, %(u)s oppdatert, %(n)s uendret.") % {
                            "file": report.filename, "c": report.created, "u": report.updated, "n": report.unchanged})
                    else:
                        messages.error(request, _("Ingenting ble importert fra %(file)s. Rett feilene og prøv igjen.")
                                       % {"file": report.filename})
                        status = 400
    else:
        form = ImportForm()
    selected = None
    run_id = request.GET.get("import", "")
    if run_id.isdigit():
        selected = ImportRun.objects.filter(pk=int(run_id)).first()
    runs = ImportRun.objects.select_related("created_by")[:20]
    return render(request, "evidence/evidence_import.html", {
        "form": form, "report": report, "refused": refused, "runs": runs, "selected_run": selected,
        "inline_limit_mb": services.INLINE_IMPORT_MAX_BYTES // (1024 * 1024),
        "max_mb": settings.MAX_IMPORT_FILE_BYTES // (1024 * 1024),
    }, status=status)


def _need_section(public_id: str) -> str:
    """The need page, scrolled to its evidence section (evidence/includes/need_evidence.html)."""
    return reverse("needs:detail", args=[public_id]) + "#kunnskap"


@login_required
@require_POST
def evidence_link(request: HttpRequest, public_id: str) -> HttpResponse:
    need = get_need_for_user(request.user, public_id)
    # Access first: someone who may not link gets 403 whatever the form contains.
    if not can_link_evidence(request.user, need):
        raise PermissionDenied(_("Bare koordinatorer og forskningspartnere på behovet kan koble kunnskap til det."))
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Koblingen mangler opplysninger: %(e)s") % {"e": "; ".join(
            f"{form.fields[name].label if name in form.fields else ''}: {' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items())})
        return redirect(_need_section(need.public_id))
    evidence = get_object_or_404(Evidence, pk=form.cleaned_data["evidence"])
    try:
        services.evidence_link(
            need=need, evidence=evidence, relation=form.cleaned_data["relation"],
            what_we_know=form.cleaned_data["what_we_know"], user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("«%(title)s» er koblet til behovet.") % {"title": evidence.display_title[:120]})
    return redirect(_need_section(need.public_id))


@login_required
@require_POST
def evidence_unlink(request: HttpRequest, public_id: str, pk: int) -> HttpResponse:
    need = get_need_for_user(request.user, public_id)
    if not can_link_evidence(request.user, need):
        raise PermissionDenied(_("Du kan ikke endre kunnskapskoblingene på dette behovet."))
    evidence = get_object_or_404(Evidence, pk=pk)
    if services.evidence_unlink(need=need, evidence=evidence, user=request.user):
        messages.success(request, _("Koblingen er fjernet."))
    return redirect(_need_section(need.public_id))
