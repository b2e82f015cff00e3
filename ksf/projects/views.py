"""Pages: the filtered list with exports, a project, register/edit, results, needs, CSV import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ksf.core.pagecache import cached_render, public_page
from ksf.needs.access import visible_needs
from ksf.needs.models import ServiceArea
from ksf.organisations.models import HealthRegion, Organisation, OrgKind

from . import access, exports, selectors, services
from .forms import FundingFormSet, ImportForm, LinkNeedForm, ParticipationFormSet, ProjectForm, ResultsForm
from .imports import import_projects
from .models import Capacity, FundingSource, ParticipationState, Phase, Project, ProjectKind, ProjectStatus


def _filter_context(filters: selectors.ProjectFilters) -> dict[str, Any]:
    return {
        "filters": filters,
        "regions": HealthRegion.objects.all(),
        "municipality_options": Organisation.objects.filter(kind=OrgKind.MUNICIPALITY, projects__isnull=False)
        .distinct().order_by("name"),
        "service_areas": ServiceArea.choices,
        "statuses": ProjectStatus.choices,
        "kinds": ProjectKind.choices,
        "funding_sources": FundingSource.choices,
        "participation_states": ParticipationState.choices,
        "phases": Phase.choices,
        "capacities": Capacity.choices,
    }


@public_page
def project_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.ProjectFilters.from_params(request.GET)

    def context() -> dict[str, Any]:
        qs = selectors.project_list(user=request.user, filters=filters)
        page = Paginator(qs, 25).get_page(request.GET.get("page"))
        query = urlencode(filters.as_params())
        return {
            **_filter_context(filters),
            "page_obj": page,
            "projects": page.object_list,
            "count": page.paginator.count,
            "querystring_without_page": query,
            "export_query": ("?" + query) if query else "",
            "can_create": access.can_create(request.user),
            "can_import": access.can_import(request.user),
        }

    if request.user.is_authenticated:
        return render(request, "projects/project_list.html", context())
    # Anonymous visitors all see the same published projects: rendered once per data version and
    # query (ksf.core.pagecache; measured need: bench/load, issue #9).
    body = cached_render(
        ["projects:list", sorted(request.GET.lists())], "projects/_list_body.html", context, request, version=selectors.data_version())
    return render(request, "projects/project_list.html", {"body_html": body})


def project_export(request: HttpRequest, fmt: str) -> HttpResponse:
    filters = selectors.ProjectFilters.from_params(request.GET)
    projects = list(selectors.project_list(user=request.user, filters=filters))
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(projects), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(projects), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    elif fmt == "json":
        response = HttpResponse(exports.to_json(projects), content_type="application/json; charset=utf-8")
    else:
        raise Http404(_("Ukjent format."))
    response["Content-Disposition"] = f'attachment; filename="prosjekter.{fmt}"'
    return response


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_user(request.user, pk)
    project = selectors.with_details(Project.objects.filter(pk=project.pk)).get()
    can_edit = access.can_edit(request.user, project)
    context = {
        "project": project,
        "needs": visible_needs(request.user).filter(projects=project).order_by("public_id"),
        "participation_table": selectors.participation_table(project),
        "funding_total": sum(f.amount for f in project.funding.all()),
        "can_edit": can_edit,
        "link_form": LinkNeedForm() if can_edit else None,
    }
    return render(request, "projects/project_detail.html", context)


def _apply_errors(form: Form, exc: ValidationError) -> list[str]:
    """Put service errors on the form's fields; return the ones that belong to no field."""
    other: list[str] = []
    for key, messages_ in exc.message_dict.items():
        for message in messages_:
            if key in form.fields:
                form.add_error(key, message)
            else:
                other.append(message)
    return other


def _rows(formset: Any) -> list[Any]:
    return [row for form in formset.forms if (row := form.row()) is not None]


def _edit(request: HttpRequest, project: Project | None) -> HttpResponse:
    errors: list[str] = []
    if request.method == "POST":
        form = ProjectForm(request.POST)
        funding = FundingFormSet(request.POST, prefix="funding")
        participation = ParticipationFormSet(request.POST, prefix="participation")
        if form.is_valid() and funding.is_valid() and participation.is_valid():
            try:
                kwargs: dict[str, Any] = {
                    "user": request.user,
                    "data": form.service_data(),
                    "funding": _rows(funding),
                    "participation_state": form.cleaned_data["participation_reported"],
                    "participation": _rows(participation),
                }
                if project is None:
                    saved = services.project_create(**kwargs)
                    messages.success(request, _("Prosjektet er registrert."))
                else:
                    saved = services.project_update(
                        project=project, expected_version=form.cleaned_data.get("version") or project.version, **kwargs
                    )
                    messages.success(request, _("Endringene er lagret."))
                return redirect("projects:detail", pk=saved.pk)
            except ValidationError as exc:
                errors = _apply_errors(form, exc)
            except PermissionDenied as exc:
                errors = [str(exc)]
    elif project is not None:
        data = services.current_data(project)
        form = ProjectForm(initial={
            **data,
            "keywords": project.keywords,
            "participation_reported": project.participation_reported,
            "version": project.version,
        })
        funding = FundingFormSet(
            prefix="funding",
            initial=[{"source": f.source, "amount": str(f.amount), "note": f.note} for f in project.funding.all()],
        )
        participation = ParticipationFormSet(
            prefix="participation",
            initial=[{"phase": r.phase, "capacity": r.capacity, "who": r.who} for r in project.participation.all()],
        )
    else:
        form = ProjectForm()
        funding = FundingFormSet(prefix="funding")
        participation = ParticipationFormSet(prefix="participation")
    for fs in (funding, participation):
        errors.extend(str(e) for e in fs.non_form_errors())
        for f in fs.forms:
            errors.extend(str(e) for e in f.non_field_errors())
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "funding_formset": funding, "participation_formset": participation,
         "other_errors": errors, "project": project},
        status=status,
    )


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    access.require_create(request.user)
    return _edit(request, None)


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_user(request.user, pk, write=True)
    return _edit(request, project)


@login_required
def project_results(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_user(request.user, pk, write=True)
    errors: list[str] = []
    if request.method == "POST":
        form = ResultsForm(request.POST)
        if form.is_valid():
            try:
                services.project_publish_results(
                    project=project, user=request.user, results=form.cleaned_data["results"],
                    publications=form.cleaned_data["publications"].splitlines(),
                    links=form.cleaned_data["links"].splitlines(),
                )
                messages.success(request, _("Resultatene er publisert."))
                return redirect("projects:detail", pk=project.pk)
            except ValidationError as exc:
                errors = _apply_errors(form, exc)
    else:
        form = ResultsForm(initial={
            "results": project.results,
            "publications": "\n".join(project.publications),
            "links": "\n".join(project.links),
        })
    return render(request, "projects/project_results.html", {"form": form, "project": project, "other_errors": errors},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def project_link_need(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.get_project_for_user(request.user, pk, write=True)
    form = LinkNeedForm(request.POST)
    if form.is_valid():
        public_id = form.cleaned_data["need"].strip().upper()
        need = visible_needs(request.user).filter(public_id=public_id).first()
        if need is None:
            messages.error(request, _("Fant ikke behovet %(id)s.") % {"id": public_id})
        else:
            try:
                services.project_link_need(project=project, user=request.user, need=need)
                messages.success(request, _("Behovet %(id)s er knyttet til prosjektet.") % {"id": need.public_id})
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Skriv behovsnummeret."))
    return redirect("projects:detail", pk=project.pk)


@login_required
@require_POST
def project_unlink_need(request: HttpRequest, pk: int, public_id: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, pk, write=True)
    need = project.needs.filter(public_id=public_id).first()
    if need is not None:
        services.project_unlink_need(project=project, user=request.user, need=need)
        messages.success(request, _("Koblingen til %(id)s er fjernet.") % {"id": public_id})
    return redirect("projects:detail", pk=project.pk)


@login_required
def project_import(request: HttpRequest) -> HttpResponse:
    if not access.can_import(request.user):
        raise PermissionDenied(_("Bare koordinatorer kan importere prosjekter."))
    errors: list[str] = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = import_projects(user=request.user, content=form.cleaned_data["file"].read())
            if result.ok:
                messages.success(request, _("Importerte %(n)s prosjekter.") % {"n": len(result.created)})
                return redirect(reverse("projects:list"))
            errors = [str(e) for e in result.errors]
    else:
        form = ImportForm()
    return render(
        request, "projects/project_import.html",
        {"form": form, "import_errors": errors, "columns": exports.COLUMNS},
        status=400 if errors else 200,
    )
