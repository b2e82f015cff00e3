"""Pages for joint procurement: list by phase, detail, create/edit, phases, joining, suppliers,
questions and answers, experience reports and their search. Access is decided in access.py;
writes go through services.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ksf.needs.models import Need

from . import access, forms, selectors, services
from .funding import PHASE_DESCRIPTIONS, SUPPORT_BY_PHASE, support_for
from .models import ExperienceReport, Initiative, JoinRequest, JoinStatus, SupplierQuestion
from .phases import ORDER, Phase


def initiative_list(request: HttpRequest) -> HttpResponse:
    phase = request.GET.get("fase", "")
    q = request.GET.get("q", "")
    initiatives = selectors.initiative_list(request.user, phase=phase, q=q)
    groups = [g for g in selectors.grouped_by_phase(initiatives) if not phase or g[0] == phase]
    context = {
        "groups": groups,
        "count": initiatives.count(),
        "phases": Phase.choices,
        "phase": phase if phase in Phase.values else "",
        "q": q,
        "can_create": access.can_create(request.user),
        "is_supplier": access.is_supplier(request.user),
        "support": [(p, Phase(p).label, PHASE_DESCRIPTIONS[p], SUPPORT_BY_PHASE[p]) for p in ORDER],
    }
    return render(request, "procurement/initiative_list.html", context)


def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    initiative = access.get_initiative_for_user(user, pk)
    is_participant = access.is_participant(user, initiative)
    is_lead = access.is_lead(user, initiative)
    supplier = access.supplier_orgs(user).first()
    interests = access.visible_interests(user, initiative)
    context = {
        "initiative": initiative,
        "needs": initiative.needs.select_related("municipality").order_by("public_id"),
        "participations": initiative.participations.select_related("organisation"),
        "timeline": selectors.phase_timeline(initiative),
        "history": initiative.phase_changes.select_related("actor_organisation"),
        "questions": access.visible_questions(user, initiative).select_related("supplier"),
        "interests": interests,
        "interest_count": initiative.interests.count(),
        "reports": access.visible_reports(user).filter(initiative=initiative).select_related("organisation"),
        "support": support_for(initiative.phase),
        "phase_description": PHASE_DESCRIPTIONS.get(initiative.phase, ""),
        "is_participant": is_participant,
        "is_lead": is_lead,
        "steps": services.allowed_steps(initiative=initiative, user=user),
        "pending_count": initiative.join_requests.filter(status=JoinStatus.PENDING).count() if is_lead else 0,
        "can_join": user.is_authenticated and initiative.is_public and access.join_candidates(user, initiative).exists(),
        "supplier": supplier,
        "has_interest": supplier is not None and initiative.interests.filter(supplier=supplier).exists(),
        "can_ask": supplier is not None and initiative.is_public and initiative.dialogue_accepts_questions,
        "can_report": is_participant and initiative.phase in ("kontrakt", "utproving", "skalering"),
        "answer_form": forms.AnswerForm() if is_participant else None,
        "document_form": forms.DocumentForm(initial={"phase": initiative.phase}) if is_participant else None,
    }
    return render(request, "procurement/initiative_detail.html", context)


@login_required
def initiative_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    access.require_create(user)
    initial: dict[str, Any] = {}
    if request.method != "POST":
        wanted = request.GET.getlist("behov")
        if wanted:
            initial["needs"] = list(forms.innovation_needs().filter(public_id__in=wanted))
            first: Need | None = initial["needs"][0] if initial["needs"] else None
            if first is not None:
                initial["title"] = first.title
                initial["description"] = first.question
        lead = access.acting_orgs(user).first()
        if lead is not None:
            initial["lead"] = lead
    form = forms.InitiativeForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            initiative = services.initiative_create(
                user=user, lead=data["lead"], data=data, needs=data["needs"],
                participants=data["participants"], publish=data["publish"],
            )
        except ValidationError as exc:
            forms.apply_service_errors(form, exc)
        else:
            messages.success(request, _("Anskaffelsen er opprettet."))
            return redirect("procurement:detail", pk=initiative.pk)
    return render(request, "procurement/initiative_form.html", {"form": form, "creating": True})


@login_required
def initiative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    initiative = access.get_initiative_for_user(user, pk)
    access.require_participant(user, initiative)
    initial = {
        "title": initiative.title, "description": initiative.description,
        "needs": list(initiative.needs.all()), "volume_text": initiative.volume_text,
        "volume_number": initiative.volume_number, "volume_unit": initiative.volume_unit,
        "dialogue_open": initiative.dialogue_open, "dialogue_deadline": initiative.dialogue_deadline,
        "version": initiative.version,
    }
    plans_initial: dict[str, Any] = {}
    for plan in initiative.phase_plans.all():
        plans_initial[f"start_{plan.phase}"] = plan.starts_on
        plans_initial[f"end_{plan.phase}"] = plan.ends_on
    is_plans = request.method == "POST" and "save_plans" in request.POST
    form = forms.InitiativeEditForm(request.POST if request.method == "POST" and not is_plans else None, initial=initial)
    plan_form = forms.PhasePlanForm(request.POST if is_plans else None, initial=plans_initial)
    if request.method == "POST" and not is_plans and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.initiative_update(
                initiative=initiative, user=user, data=data, version=data.pop("version"), needs=data.pop("needs"),
            )
        except ValidationError as exc:
            forms.apply_service_errors(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("procurement:detail", pk=initiative.pk)
    if is_plans and plan_form.is_valid():
        try:
            services.phase_plan_set(initiative=initiative, user=user, plans=plan_form.plans())
        except ValidationError as exc:
            forms.apply_service_errors(plan_form, exc)
        else:
            messages.success(request, _("Datoene er lagret."))
            return redirect("procurement:detail", pk=initiative.pk)
    return render(request, "procurement/initiative_form.html", {
        "form": form, "plan_form": plan_form, "initiative": initiative, "creating": False,
    })


@login_required
@require_POST
def initiative_publish(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = access.get_initiative_for_user(request.user, pk)
    services.initiative_publish(initiative=initiative, user=request.user)
    messages.success(request, _("Anskaffelsen er publisert."))
    return redirect("procurement:detail", pk=initiative.pk)


@login_required
def phase_change(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    initiative = access.get_initiative_for_user(user, pk)
    access.require_lead(user, initiative)
    steps = services.allowed_steps(initiative=initiative, user=user)
    form = forms.PhaseChangeForm(request.POST or None, steps=steps)
    if request.method == "POST":
        # The table (in the service) decides which targets are allowed and explains refusals.
        form.is_valid()
        form.errors.pop("to", None)
        target = request.POST.get("to", "")
        if not target:
            form.add_error("to", _("Velg ny fase."))
        elif not form.errors:
            try:
                services.initiative_move_phase(
                    initiative=initiative, user=user, to=target, note=form.cleaned_data.get("note", "")
                )
            except ValidationError as exc:
                forms.apply_service_errors(form, exc)
            else:
                messages.success(request, _("Fasen er endret. Deltakere og påmeldte leverandører får e-post."))
                return redirect("procurement:detail", pk=initiative.pk)
    return render(request, "procurement/phase_form.html", {"form": form, "initiative": initiative, "steps": steps})


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    initiative = access.get_initiative_for_user(user, pk)
    access.require_participant(user, initiative)
    form = forms.DocumentForm(request.POST)
    if form.is_valid():
        try:
            services.document_add(initiative=initiative, user=user, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_service_errors(form, exc)
        else:
            messages.success(request, _("Dokumentet er lagt til."))
            return redirect("procurement:detail", pk=initiative.pk)
    return render(request, "procurement/simple_form.html", {
        "form": form, "initiative": initiative, "title": _("Legg til dokument"),
        "action": "procurement:document_add", "submit": _("Legg til"),
    }, status=400)


@login_required
def join_request(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    initiative = access.get_initiative_for_user(user, pk)
    own = access.acting_orgs(user, access.PARTICIPANT_KINDS)
    if not own.exists():
        raise PermissionDenied(_(
            "Du kan bare be om å bli med på vegne av en kommune eller et helseforetak du representerer "
            "(som FoU-kontakt, klyngekoordinator eller ansatt i helseforetaket)."))
    # All organisations the user represents are offered; the service explains if one already takes part.
    form = forms.JoinRequestForm(
        request.POST or None, organisations=own,
        initial={"organisation": access.join_candidates(user, initiative).first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(initiative=initiative, user=user, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_service_errors(form, exc)
        else:
            messages.success(request, _("Forespørselen er sendt til %(lead)s.") % {"lead": initiative.lead.name})
            return redirect("procurement:detail", pk=initiative.pk)
    return render(request, "procurement/simple_form.html", {
        "form": form, "initiative": initiative, "title": _("Be om å bli med"),
        "action": "procurement:join", "submit": _("Send forespørsel"),
        "intro": _("Den ansvarlige virksomheten (%(lead)s) godtar eller avslår forespørselen.") % {"lead": initiative.lead.name},
    })


@login_required
def join_requests(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    initiative = access.get_initiative_for_user(user, pk)
    access.require_lead(user, initiative)
    requests = initiative.join_requests.select_related("organisation", "requested_by", "decided_by")
    return render(request, "procurement/join_requests.html", {"initiative": initiative, "requests": requests})


@login_required
@require_POST
def join_decide(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    user: Any = request.user
    initiative = access.get_initiative_for_user(user, pk)
    join = get_object_or_404(JoinRequest.objects.select_related("initiative__lead", "organisation"), pk=request_pk, initiative=initiative)
    form = forms.JoinDecisionForm(request.POST)
    if not form.is_valid():
        access.require_lead(user, initiative)
        messages.error(request, _("Velg om forespørselen skal godtas eller avslås."))
        return redirect("procurement:join_requests", pk=initiative.pk)
    try:
        services.join_request_decide(
            join_request=join, user=user, accept=form.cleaned_data["decision"] == "accept", note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Forespørselen fra %(org)s er besvart.") % {"org": join.organisation.name})
    return redirect("procurement:join_requests", pk=initiative.pk)


@login_required
def interest_register(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    initiative = access.get_initiative_for_user(user, pk)
    access.require_supplier(user)
    form = forms.InterestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.interest_register(initiative=initiative, user=user, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_service_errors(form, exc)
        else:
            messages.success(request, _("Interessen er registrert. Du får e-post når fasen endres og når spørsmål besvares."))
            return redirect("procurement:detail", pk=initiative.pk)
    return render(request, "procurement/simple_form.html", {
        "form": form, "initiative": initiative, "title": _("Meld interesse for markedsdialogen"),
        "action": "procurement:interest", "submit": _("Meld interesse"),
    })


@login_required
def question_ask(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    initiative = access.get_initiative_for_user(user, pk)
    access.require_supplier(user)
    form = forms.QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_ask(initiative=initiative, user=user, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_service_errors(form, exc)
        else:
            messages.success(request, _("Spørsmålet er sendt. Svaret publiseres for alle leverandører."))
            return redirect("procurement:detail", pk=initiative.pk)
    return render(request, "procurement/simple_form.html", {
        "form": form, "initiative": initiative, "title": _("Still et spørsmål i markedsdialogen"),
        "action": "procurement:question", "submit": _("Send spørsmål"),
        "intro": "" if initiative.dialogue_accepts_questions else _("Markedsdialogen er lukket."),
    })


@login_required
@require_POST
def question_answer(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    user: Any = request.user
    initiative = access.get_initiative_for_user(user, pk)
    access.require_participant(user, initiative)
    question = get_object_or_404(SupplierQuestion, pk=question_pk, initiative=initiative)
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.question_answer(question=question, user=user, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Svaret er publisert for alle leverandører."))
    else:
        messages.error(request, _("Skriv svaret."))
    return redirect(f"{initiative_url(initiative)}#sporsmal")


def initiative_url(initiative: Initiative) -> str:
    from django.urls import reverse

    return reverse("procurement:detail", args=[initiative.pk])


@login_required
def report_create(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    initiative = access.get_initiative_for_user(user, pk)
    access.require_participant(user, initiative)
    form = forms.ExperienceReportForm(request.POST or None, organisations=access.report_orgs(user, initiative))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        publish = data.pop("publish")
        try:
            report = services.experience_report_create(
                initiative=initiative, user=user, organisation=organisation, data=data, publish=publish
            )
        except ValidationError as exc:
            forms.apply_service_errors(form, exc)
        else:
            messages.success(request, _("Erfaringsrapporten er lagret."))
            return redirect("procurement:report_detail", pk=report.pk)
    return render(request, "procurement/report_form.html", {"form": form, "initiative": initiative})


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        access.visible_reports(request.user).select_related("initiative", "organisation"), pk=pk
    )
    return render(request, "procurement/report_detail.html", {
        "report": report, "can_publish": report.published_at is None and access.is_participant(request.user, report.initiative),
    })


@login_required
@require_POST
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    report: ExperienceReport = get_object_or_404(access.visible_reports(request.user), pk=pk)
    services.experience_report_publish(report=report, user=request.user)
    messages.success(request, _("Rapporten er publisert."))
    return redirect("procurement:report_detail", pk=report.pk)


def report_search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    reports = selectors.search_experience_reports(q, user=request.user)
    page = Paginator(reports, 20).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "procurement/report_search.html", {
        "q": q, "page_obj": page, "reports": page.object_list, "count": page.paginator.count,
        "querystring_without_page": params.urlencode(),
    })


SIGNUP_LIMIT_PER_HOUR = 10


def supplier_signup(request: HttpRequest) -> HttpResponse:
    form = forms.SupplierSignupForm(request.POST or None)
    if request.method == "POST":
        key = f"procurement-signup:{request.META.get('REMOTE_ADDR', '')}"
        attempts = cache.get(key, 0)
        if attempts >= SIGNUP_LIMIT_PER_HOUR:
            form.is_valid()
            form.add_error(None, _("For mange registreringer fra denne adressen. Vent en time og prøv igjen."))
            return render(request, "procurement/supplier_signup.html", {"form": form}, status=429)
        cache.set(key, attempts + 1, 3600)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.supplier_register(
                organisation_name=data["organisation_name"], org_number=data["org_number"],
                username=data["username"], email=data["email"], password=data["password1"],
                full_name=data["full_name"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "password" in exc.error_dict:
                exc.error_dict["password1"] = exc.error_dict.pop("password")
            forms.apply_service_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Leverandørkontoen er opprettet, og du er logget inn."))
            return redirect("procurement:list")
    return render(request, "procurement/supplier_signup.html", {"form": form})
