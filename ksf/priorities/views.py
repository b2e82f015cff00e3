"""Pages for prioritisation rounds and municipal decision records.

Views parse input and render; `services.py` decides and writes, `access.py` says who may.
A round that the user may not see is a 404 (we do not reveal drafts); an action the user
may not take is a 403 with the reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ksf.accounts.access import actor_for
from ksf.needs.models import Need
from ksf.organisations.models import HealthRegion

from . import access, selectors, services
from .forms import (
    RATING_LABELS,
    CandidateAddForm,
    CriterionAddForm,
    DecisionForm,
    DecisionRecordForm,
    DeclarationForm,
    InviteForm,
    RecordStartForm,
    RoundCreateForm,
    RoundEditForm,
    ScoreForm,
    WeightsForm,
    apply_errors,
    error_text,
    rating_label,
)
from .models import (
    Candidate,
    ConflictDeclaration,
    Criterion,
    DecisionRecord,
    Participant,
    Round,
    RoundDecision,
    RoundLevel,
    RoundStatus,
    Score,
)
from .pdf import pdf_response, render_pdf
from .ranking import TIE_BREAK_ORDER


def _round_for(request: HttpRequest, pk: int) -> Round:
    round_ = get_object_or_404(Round.objects.select_related("region"), pk=pk)
    if not access.can_view_round(request.user, round_):
        raise Http404(_("Fant ikke runden."))
    return round_


def _record_for(request: HttpRequest, pk: int) -> DecisionRecord:
    record = get_object_or_404(DecisionRecord.objects.select_related("need", "municipality"), pk=pk)
    if not access.can_view_record(request.user, record):
        raise Http404(_("Fant ikke beslutningsgrunnlaget."))
    return record


def _need(public_id: str) -> Need:
    need = Need.objects.filter(public_id=public_id).first()
    if need is None:
        raise Http404(_("Fant ikke behovet."))
    return need


# --- rounds -------------------------------------------------------------------------------

def round_list(request: HttpRequest) -> HttpResponse:
    rounds = list(access.visible_rounds(request.user).order_by("-meeting_date", "-pk"))
    context = {
        "published": [r for r in rounds if r.is_published],
        "working": [r for r in rounds if not r.is_published],
        "can_open": access.can_open_any_round(actor_for(request.user)),
        "records": selectors.published_records()[:10],
        "tie_break_order": TIE_BREAK_ORDER,
    }
    return render(request, "priorities/round_list.html", context)


def _creatable(request: HttpRequest) -> tuple[Any, list[tuple[str, str]]]:
    actor = actor_for(request.user)
    regions = HealthRegion.objects.all() if actor.is_admin else HealthRegion.objects.filter(pk__in=actor.region_ids)
    levels = []
    if actor.is_admin or actor.region_ids:
        levels.append((RoundLevel.REGIONAL.value, str(RoundLevel.REGIONAL.label)))
    if actor.is_admin or actor.is_national:
        levels.append((RoundLevel.NATIONAL.value, str(RoundLevel.NATIONAL.label)))
    return regions, levels


@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    if not access.can_open_any_round(actor_for(request.user)):
        raise PermissionDenied(_("Bare regionale og nasjonale koordinatorer kan åpne prioriteringsrunder."))
    regions, levels = _creatable(request)
    form = RoundCreateForm(request.POST or None, regions=regions, levels=levels,
                           initial={"level": levels[0][0] if levels else "", "region": regions.first()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_create(
                user=request.user, level=data["level"], region=data.get("region"), title=data["title"],
                meeting_date=data["meeting_date"], notes=data.get("notes", ""),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Runden er opprettet med standardkriteriene og %(n)s kandidatbehov.") % {
                "n": round_.candidates.count()})
            return redirect("priorities:detail", pk=round_.pk)
    return render(request, "priorities/round_form.html", {"form": form, "title": _("Ny prioriteringsrunde")})


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_for(request, pk)
    manager = access.can_manage_round(request.user, round_)
    participant = access.is_participant(request.user, round_)
    minutes = selectors.minutes(round_)
    context: dict[str, Any] = {
        "round": round_,
        "minutes": minutes,
        "ranking": minutes.ranking,
        "criteria": list(round_.criteria.all()),
        "manager": manager,
        "participant": participant,
        "show_ranking": access.can_see_results(request.user, round_),
        "steps": [(s, RoundStatus(s).label) for s in services.ROUND_STEPS.get(round_.status, ())] if manager else [],
        "setup_open": manager and round_.status in services.SETUP_STATUSES,
        "deciding": manager and round_.status in services.DECISION_STATUSES,
        "tie_break_order": TIE_BREAK_ORDER,
        "status_choices": RoundStatus.choices,
    }
    if context["setup_open"]:
        context["invite_form"] = InviteForm(round_=round_)
        context["candidate_form"] = CandidateAddForm(needs=services.eligible_needs(round_))
    return render(request, "priorities/round_detail.html", context)


@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_for(request, pk)
    if not access.can_manage_round(request.user, round_):
        raise PermissionDenied(_("Bare koordinatoren for runden kan endre den."))
    form = RoundEditForm(request.POST or None, initial={"title": round_.title, "meeting_date": round_.meeting_date, "notes": round_.notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(round_=round_, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Runden er oppdatert."))
            return redirect("priorities:detail", pk=round_.pk)
    return render(request, "priorities/round_form.html", {"form": form, "round": round_, "title": _("Endre runden")})


def _post_action(request: HttpRequest, round_: Round, action: Any, success: str) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, success)
    return redirect("priorities:detail", pk=round_.pk)


@login_required
@require_POST
def round_status(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_for(request, pk)
    to = request.POST.get("to", "")
    label = RoundStatus(to).label if to in RoundStatus.values else to
    return _post_action(request, round_, lambda: services.round_set_status(round_=round_, user=request.user, to=to),
                        _("Runden har nå status «%(status)s».") % {"status": label})


@login_required
def round_criteria(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_for(request, pk)
    if not access.can_manage_round(request.user, round_):
        raise PermissionDenied(_("Bare koordinatoren for runden kan endre kriteriene."))
    criteria = list(round_.criteria.all())
    weights_form = WeightsForm(request.POST if request.POST.get("form") == "weights" else None, criteria=criteria)
    add_form = CriterionAddForm(request.POST if request.POST.get("form") == "add" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "weights" and weights_form.is_valid():
                services.criteria_set_weights(round_=round_, user=request.user, weights=weights_form.weights())
                messages.success(request, _("Vektene er lagret."))
                return redirect("priorities:criteria", pk=round_.pk)
            if request.POST.get("form") == "add" and add_form.is_valid():
                data = add_form.cleaned_data
                services.criterion_add(round_=round_, user=request.user, name=data["name"], description=data["description"],
                                       weight=data["weight"], anchors=add_form.anchors())
                messages.success(request, _("Kriteriet er lagt til."))
                return redirect("priorities:criteria", pk=round_.pk)
        except ValidationError as exc:
            apply_errors(add_form if request.POST.get("form") == "add" else weights_form, exc)
    return render(request, "priorities/round_criteria.html", {
        "round": round_, "criteria": criteria, "weights_form": weights_form, "add_form": add_form,
        "editable": round_.status in services.SETUP_STATUSES,
    })


@login_required
@require_POST
def criterion_remove(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    round_ = _round_for(request, pk)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, round=round_)
    try:
        services.criterion_remove(round_=round_, user=request.user, criterion=criterion)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Kriteriet «%(name)s» er fjernet.") % {"name": criterion.name})
    return redirect("priorities:criteria", pk=round_.pk)


@login_required
@require_POST
def participant_invite(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_for(request, pk)
    if not access.can_manage_round(request.user, round_):
        raise PermissionDenied(_("Bare koordinatoren for runden kan invitere deltakere."))
    form = InviteForm(request.POST, round_=round_)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("priorities:detail", pk=round_.pk)
    invitee = form.cleaned_data["user"]
    return _post_action(
        request, round_,
        lambda: services.participant_invite(round_=round_, user=request.user, invitee=invitee, capacity=form.cleaned_data["capacity"]),
        _("%(name)s er invitert.") % {"name": invitee.display_name},
    )


@login_required
@require_POST
def participant_remove(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    round_ = _round_for(request, pk)
    participant = get_object_or_404(Participant, pk=participant_pk, round=round_)
    return _post_action(request, round_, lambda: services.participant_remove(round_=round_, user=request.user, participant=participant),
                        _("Deltakeren er fjernet."))


@login_required
@require_POST
def candidate_add(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_for(request, pk)
    if not access.can_manage_round(request.user, round_):
        raise PermissionDenied(_("Bare koordinatoren for runden kan legge til behov."))
    form = CandidateAddForm(request.POST, needs=services.eligible_needs(round_))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("priorities:detail", pk=round_.pk)
    need = form.cleaned_data["need"]
    return _post_action(request, round_, lambda: services.candidate_add(round_=round_, user=request.user, need=need),
                        _("%(id)s er lagt til i runden.") % {"id": need.public_id})


@login_required
@require_POST
def candidate_remove(request: HttpRequest, pk: int, public_id: str) -> HttpResponse:
    round_ = _round_for(request, pk)
    need = _need(public_id)
    return _post_action(request, round_, lambda: services.candidate_remove(round_=round_, user=request.user, need=need),
                        _("%(id)s er fjernet fra runden.") % {"id": need.public_id})


# --- participants: habilitet and scores -----------------------------------------------------

@login_required
def round_score(request: HttpRequest, pk: int) -> HttpResponse:
    """The participant's page: for each need, declare habilitet, then score."""
    round_ = _round_for(request, pk)
    if not access.is_participant(request.user, round_):
        raise PermissionDenied(_("Du er ikke invitert som deltaker i denne runden."))
    scored_criteria = [c for c in round_.criteria.all() if c.is_scored and c.weight > 0]
    user_id = int(request.user.pk or 0)
    declarations = {d.need_id: d for d in ConflictDeclaration.objects.filter(round=round_, user_id=user_id)}
    my_scores: dict[int, dict[int, int]] = {}
    for score in Score.objects.filter(round=round_, user_id=user_id):
        my_scores.setdefault(score.need_id, {})[score.criterion_id] = score.value
    open_for_input = round_.status in services.SCORING_STATUSES
    bound_need = request.POST.get("need") if request.method == "POST" else None
    items = []
    candidates = Candidate.objects.filter(round=round_).select_related("need", "need__municipality")
    for candidate in candidates:
        need = candidate.need
        declaration = declarations.get(need.pk)
        is_bound = bound_need == need.public_id
        form_kind = request.POST.get("form") if is_bound else None
        declaration_form = DeclarationForm(
            request.POST if form_kind == "declaration" else None, prefix=f"d{need.pk}",
            initial={"conflicted": ("yes" if declaration.conflicted else "no") if declaration else None,
                     "note": declaration.note if declaration else ""},
        )
        score_form = ScoreForm(request.POST if form_kind == "scores" else None, prefix=f"s{need.pk}",
                               criteria=scored_criteria, initial_values=my_scores.get(need.pk, {}))
        if is_bound and open_for_input:
            try:
                if form_kind == "declaration" and declaration_form.is_valid():
                    services.conflict_declare(round_=round_, user=request.user, need=need,
                                              conflicted=declaration_form.cleaned_data["conflicted"],
                                              note=declaration_form.cleaned_data["note"])
                    messages.success(request, _("Habilitet for %(id)s er registrert.") % {"id": need.public_id})
                    return redirect(f"{request.path}#behov-{need.public_id}")
                if form_kind == "scores" and score_form.is_valid():
                    services.scores_submit(round_=round_, user=request.user, need=need, values=score_form.values())
                    messages.success(request, _("Poengene for %(id)s er lagret.") % {"id": need.public_id})
                    return redirect(f"{request.path}#behov-{need.public_id}")
            except ValidationError as exc:
                apply_errors(declaration_form if form_kind == "declaration" else score_form, exc)
        items.append({"need": need, "declaration": declaration, "declaration_form": declaration_form,
                      "score_form": score_form, "scored": len(my_scores.get(need.pk, {}))})
    if request.method == "POST" and not open_for_input:
        messages.error(request, _("Runden er ikke åpen for habilitetsvurdering og poeng (status «%(status)s»). Ingenting er lagret.") % {
            "status": round_.get_status_display()})
        return redirect("priorities:score", pk=round_.pk)
    return render(request, "priorities/round_score.html", {
        "round": round_, "items": items, "criteria": scored_criteria, "open_for_input": open_for_input,
        "all_criteria": list(round_.criteria.all()),
    })


# --- decisions ------------------------------------------------------------------------------

@login_required
def round_decide(request: HttpRequest, pk: int, public_id: str) -> HttpResponse:
    round_ = _round_for(request, pk)
    if not access.can_manage_round(request.user, round_):
        raise PermissionDenied(_("Bare koordinatoren for runden kan registrere vedtak."))
    need = _need(public_id)
    if not Candidate.objects.filter(round=round_, need=need).exists():
        raise Http404(_("Behovet er ikke med i denne runden."))
    existing = RoundDecision.objects.filter(round=round_, need=need).first()
    form = DecisionForm(request.POST or None, national_round=round_.level == RoundLevel.NATIONAL)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.round_decide(round_=round_, user=request.user, need=need, kind=data["kind"],
                                  partner=data.get("partner"), due=data.get("due"), note=data.get("note", ""))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Vedtaket om %(id)s er registrert.") % {"id": need.public_id})
            return redirect("priorities:detail", pk=round_.pk)
    ranking = selectors.compute_ranking(round_)
    row = next((r for r in ranking.rows if r.need.pk == need.pk), None)
    return render(request, "priorities/round_decide.html", {
        "round": round_, "need": need, "form": form, "existing": existing, "row": row,
        "reason_preview": services.decision_reason(round_), "deciding": round_.status in services.DECISION_STATUSES,
    })


# --- minutes ----------------------------------------------------------------------------------

def _minutes_context(request: HttpRequest, round_: Round) -> dict[str, Any]:
    return {
        "round": round_, "minutes": selectors.minutes(round_), "tie_break_order": TIE_BREAK_ORDER,
        "criteria_all": list(round_.criteria.all()),
        "page_url": request.build_absolute_uri(reverse("priorities:minutes", args=[round_.pk])),
    }


def _results_round(request: HttpRequest, pk: int) -> Round:
    round_ = _round_for(request, pk)
    if not access.can_see_results(request.user, round_):
        raise PermissionDenied(_("Resultatene vises for deltakerne når møtet har startet."))
    return round_


def round_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _results_round(request, pk)
    return render(request, "priorities/round_minutes.html", _minutes_context(request, round_))


def round_minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _results_round(request, pk)
    content = render_pdf("priorities/pdf/minutes.html", _minutes_context(request, round_), request)
    return pdf_response(content, f"referat-prioriteringsrunde-{round_.pk}.pdf")


# --- decision records ----------------------------------------------------------------------------

def record_list(request: HttpRequest) -> HttpResponse:
    published = selectors.published_records()
    actor = actor_for(request.user)
    own = (DecisionRecord.objects.filter(municipality_id__in=actor.municipality_ids).select_related("need", "municipality")
           if actor.is_authenticated else DecisionRecord.objects.none())
    return render(request, "priorities/record_list.html", {
        "published": published, "own": own, "can_create": access.contact_municipalities(request.user).exists(),
    })


@login_required
def record_create(request: HttpRequest) -> HttpResponse:
    municipalities = access.contact_municipalities(request.user)
    if not municipalities.exists() and not actor_for(request.user).is_admin:
        raise PermissionDenied(_("Bare kommunens FoU-kontakter kan lage beslutningsgrunnlag."))
    initial_need = Need.objects.filter(public_id=request.GET.get("behov", "")).first()
    start = RecordStartForm(request.POST or None, municipalities=municipalities,
                            initial={"need": initial_need, "municipality": municipalities.first()})
    form = DecisionRecordForm(request.POST or None,
                              initial={"measure_title": initial_need.title if initial_need else ""})
    if request.method == "POST" and start.is_valid() and form.is_valid():
        try:
            record = services.record_create(user=request.user, need=start.cleaned_data["need"],
                                            municipality=start.cleaned_data["municipality"], data=form.record_data())
        except ValidationError as exc:
            apply_errors(form, exc)
            if hasattr(exc, "error_dict"):
                for key in ("need", "municipality"):
                    if key in exc.message_dict:
                        start.add_error(key, exc.message_dict[key])
        else:
            messages.success(request, _("Beslutningsgrunnlaget er lagret. Det er ikke publisert ennå."))
            return redirect("priorities:record", pk=record.pk)
    return render(request, "priorities/record_form.html", {"form": form, "start": start, "title": _("Nytt beslutningsgrunnlag")})


def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_for(request, pk)
    return render(request, "priorities/record_detail.html", _record_context(record, request))


def _record_context(record: DecisionRecord, request: HttpRequest) -> dict[str, Any]:
    return {
        "record": record,
        "evidence": selectors.linked_evidence(record.need),
        "ratings": [
            (_("Nytte"), rating_label("nytte_rating", record.nytte_rating), record.nytte_text),
            (_("Ressursbruk"), rating_label("ressurs_rating", record.ressurs_rating), record.ressurs_text),
            (_("Alvorlighet"), rating_label("alvorlighet_rating", record.alvorlighet_rating), record.alvorlighet_text),
        ],
        "further": [
            (_("Konsekvenser for barn"), record.children_text),
            (_("Lokale forhold"), record.local_text),
            (_("Ulik tilgang og likeverd"), record.equity_text),
            (_("Usikkerhet i kunnskapsgrunnlaget"), record.uncertainty_text),
            (_("Brukermedvirkning og berørte grupper"), record.involvement_text),
            (_("Forankring i kommuneplanen"), record.plan_text),
        ],
        "knowledge_lines": [line.strip() for line in record.knowledge_other.splitlines() if line.strip()],
        "can_edit": access.can_edit_record(request.user, record),
        "others": [r for r in selectors.adopted_by(record.need) if r.pk != record.pk],
        "rating_labels": RATING_LABELS,
        "page_url": request.build_absolute_uri(reverse("priorities:record", args=[record.pk])),
    }


@login_required
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_for(request, pk)
    if not access.can_edit_record(request.user, record):
        raise PermissionDenied(_("Bare kommunens egne FoU-kontakter kan endre beslutningsgrunnlaget."))
    initial = {name: getattr(record, name) for name in services.RECORD_FIELDS}
    initial["version"] = record.version
    form = DecisionRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_update(record=record, user=request.user, data=form.record_data(),
                                   version=form.cleaned_data.get("version") or record.version)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Endringene er lagret."))
            return redirect("priorities:record", pk=record.pk)
    return render(request, "priorities/record_form.html", {"form": form, "record": record, "title": _("Endre beslutningsgrunnlag")})


@login_required
@require_POST
def record_publish(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_for(request, pk)
    publish = request.POST.get("publish", "1") == "1"
    try:
        services.record_publish(record=record, user=request.user, published=publish)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Beslutningsgrunnlaget er publisert.") if publish else _("Publiseringen er trukket tilbake."))
    return redirect("priorities:record", pk=record.pk)


def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_for(request, pk)
    content = render_pdf("priorities/pdf/memo.html", _record_context(record, request), request)
    return pdf_response(content, f"beslutningsnotat-{record.municipality.slug}-{record.pk}.pdf")
