"""API: published prioritisation rounds (minutes with ranking and decisions) and published
municipal decision records. Read-only and public; unpublished objects are not found."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from ksf.needs.api import NeedRefSerializer

from . import selectors
from .forms import rating_label
from .models import DecisionRecord, Round
from .ranking import TIE_BREAK_ORDER, compute_ranking


class CriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    source = serializers.CharField(help_text="scored | omfang | knowledge")  # type: ignore[assignment]
    weight = serializers.DecimalField(max_digits=4, decimal_places=1)
    anchors = serializers.DictField(child=serializers.CharField(), help_text="Poeng (1–5) → hva poenget betyr")


class CriterionResultSerializer(serializers.Serializer):
    key = serializers.CharField(source="criterion.key")
    value = serializers.FloatField(allow_null=True, help_text="Snitt av poeng uten inhabile, eller beregnet verdi")
    count = serializers.IntegerField(help_text="Antall poeng som er tatt med")
    excluded = serializers.IntegerField(help_text="Antall poeng utelatt fordi deltakeren var inhabil")
    minimum = serializers.IntegerField(allow_null=True)
    maximum = serializers.IntegerField(allow_null=True)
    sd = serializers.FloatField(allow_null=True, help_text="Standardavvik (populasjon)")
    note = serializers.CharField()


class RoundDecisionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField(source="get_kind_display")  # type: ignore[assignment]
    partner = serializers.CharField(source="partner.name", allow_null=True, default=None)
    due = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()


class DuplicateSerializer(serializers.Serializer):
    public_id = serializers.CharField(source="other.public_id")
    region = serializers.CharField(source="other.region.code")
    similarity = serializers.FloatField()


class RankedNeedSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    need = NeedRefSerializer()
    total = serializers.FloatField(allow_null=True, help_text="Vektet snitt")
    tied = serializers.BooleanField()
    tie_note = serializers.CharField()
    incomplete = serializers.BooleanField()
    municipalities = serializers.IntegerField()
    population = serializers.IntegerField()
    criteria = CriterionResultSerializer(source="results", many=True)
    decision = RoundDecisionSerializer(allow_null=True)
    possible_duplicates = DuplicateSerializer(source="duplicates", many=True)


class ParticipantSerializer(serializers.Serializer):
    name = serializers.CharField(source="user.display_name")
    capacity = serializers.CharField()


class DeclarationSerializer(serializers.Serializer):
    participant = serializers.CharField(source="user.display_name")
    need = serializers.CharField(source="need.public_id")
    conflicted = serializers.BooleanField()
    note = serializers.CharField()


class RoundSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code", allow_null=True, default=None)
    region_name = serializers.CharField(source="region.name", allow_null=True, default=None)
    criteria = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()
    declarations = serializers.SerializerMethodField()
    ranking = serializers.SerializerMethodField()
    tie_break_order = serializers.SerializerMethodField()
    minutes_url = serializers.SerializerMethodField()
    minutes_pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id", "title", "level", "region", "region_name", "meeting_date", "published_at", "notes",
            "criteria", "participants", "declarations", "ranking", "tie_break_order", "minutes_url", "minutes_pdf_url",
        ]

    @extend_schema_field(CriterionSerializer(many=True))
    def get_criteria(self, obj: Round) -> Any:
        return CriterionSerializer(obj.criteria.all(), many=True).data

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, obj: Round) -> Any:
        return ParticipantSerializer(obj.participants.select_related("user"), many=True).data

    @extend_schema_field(DeclarationSerializer(many=True))
    def get_declarations(self, obj: Round) -> Any:
        return DeclarationSerializer(obj.declarations.select_related("user", "need").order_by("need__public_id", "pk"), many=True).data

    @extend_schema_field(RankedNeedSerializer(many=True))
    def get_ranking(self, obj: Round) -> Any:
        return RankedNeedSerializer(compute_ranking(obj).rows, many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tie_break_order(self, obj: Round) -> list[str]:
        return [str(label) for label in TIE_BREAK_ORDER]

    def _url(self, name: str, pk: int) -> str:
        request = self.context.get("request")
        url = reverse(name, args=[pk])
        return request.build_absolute_uri(url) if request else url

    def get_minutes_url(self, obj: Round) -> str:
        return self._url("priorities:minutes", obj.pk)

    def get_minutes_pdf_url(self, obj: Round) -> str:
        return self._url("priorities:minutes_pdf", obj.pk)


class RatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(allow_null=True, help_text="1–5")
    label = serializers.CharField()  # type: ignore[assignment]
    text = serializers.CharField()


class EvidenceRefSerializer(serializers.Serializer):
    title = serializers.CharField(source="evidence.display_title")
    year = serializers.IntegerField(source="evidence.year", allow_null=True)
    doi = serializers.CharField(source="evidence.doi")
    url = serializers.CharField(source="evidence.url")
    certainty = serializers.CharField(source="evidence.certainty")
    relation = serializers.CharField()


class DecisionRecordSerializer(serializers.ModelSerializer):
    need = NeedRefSerializer()
    municipality = serializers.CharField(source="municipality.name")
    municipality_number = serializers.CharField(source="municipality.municipality_number")
    decision_label = serializers.CharField(source="get_decision_display")
    linked_evidence = serializers.SerializerMethodField()
    other_knowledge = serializers.SerializerMethodField()
    nytte = serializers.SerializerMethodField()
    ressurs = serializers.SerializerMethodField()
    alvorlighet = serializers.SerializerMethodField()
    further_points = serializers.SerializerMethodField()
    memo_pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = DecisionRecord
        fields = [
            "id", "need", "municipality", "municipality_number", "measure_title", "measure_description",
            "linked_evidence", "other_knowledge", "nytte", "ressurs", "alvorlighet", "further_points",
            "decision", "decision_label", "decision_text", "follow_up_date", "experience_text",
            "published_at", "updated_at", "memo_pdf_url",
        ]

    @extend_schema_field(EvidenceRefSerializer(many=True))
    def get_linked_evidence(self, obj: DecisionRecord) -> Any:
        return EvidenceRefSerializer(selectors.linked_evidence(obj.need), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_other_knowledge(self, obj: DecisionRecord) -> list[str]:
        return [line.strip() for line in obj.knowledge_other.splitlines() if line.strip()]

    def _rating(self, obj: DecisionRecord, name: str) -> dict[str, Any]:
        value = getattr(obj, f"{name}_rating")
        return {"rating": value, "label": rating_label(f"{name}_rating", value), "text": getattr(obj, f"{name}_text")}

    @extend_schema_field(RatingSerializer)
    def get_nytte(self, obj: DecisionRecord) -> dict[str, Any]:
        return self._rating(obj, "nytte")

    @extend_schema_field(RatingSerializer)
    def get_ressurs(self, obj: DecisionRecord) -> dict[str, Any]:
        return self._rating(obj, "ressurs")

    @extend_schema_field(RatingSerializer)
    def get_alvorlighet(self, obj: DecisionRecord) -> dict[str, Any]:
        return self._rating(obj, "alvorlighet")

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_further_points(self, obj: DecisionRecord) -> dict[str, str]:
        return {
            "children": obj.children_text, "local_conditions": obj.local_text, "equity": obj.equity_text,
            "evidence_uncertainty": obj.uncertainty_text, "user_involvement": obj.involvement_text,
            "municipal_plan": obj.plan_text,
        }

    def get_memo_pdf_url(self, obj: DecisionRecord) -> str:
        request = self.context.get("request")
        url = reverse("priorities:record_pdf", args=[obj.pk])
        return request.build_absolute_uri(url) if request else url


@extend_schema(
    tags=["prioritering"],
    parameters=[
        OpenApiParameter("region", str, description="Helseregion: nord, midt, vest, sorost"),
        OpenApiParameter("level", str, description="regional eller national"),
    ],
)
class RoundList(generics.ListAPIView):
    """Publiserte prioriteringsrunder: referat med kriterier, deltakere, habilitet, rangering og vedtak."""

    serializer_class = RoundSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Round]:
        qs = selectors.published_rounds()
        params = self.request.query_params
        if params.get("region"):
            qs = qs.filter(region__code=params["region"])
        if params.get("level"):
            qs = qs.filter(level=params["level"])
        return qs


@extend_schema(tags=["prioritering"])
class RoundDetail(generics.RetrieveAPIView):
    """Én publisert prioriteringsrunde (referat med rangering og vedtak)."""

    serializer_class = RoundSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Round]:
        return selectors.published_rounds()


@extend_schema(
    tags=["prioritering"],
    parameters=[
        OpenApiParameter("need", str, description="Behovsnummer, f.eks. KB-2026-0001"),
        OpenApiParameter("municipality", str, description="Kommunenummer, f.eks. 4627"),
        OpenApiParameter("decision", str, description="adopt, trial, not_adopt, postpone"),
    ],
)
class DecisionRecordList(generics.ListAPIView):
    """Publiserte kommunale beslutningsgrunnlag (nytte, ressurs, alvorlighet og andre hensyn)."""

    serializer_class = DecisionRecordSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[DecisionRecord]:
        qs = selectors.published_records().select_related("need__municipality", "need__region")
        params = self.request.query_params
        if params.get("need"):
            qs = qs.filter(need__public_id=params["need"])
        if params.get("municipality"):
            qs = qs.filter(municipality__municipality_number=params["municipality"])
        if params.get("decision"):
            qs = qs.filter(decision=params["decision"])
        return qs


@extend_schema(tags=["prioritering"])
class DecisionRecordDetail(generics.RetrieveAPIView):
    """Ett publisert kommunalt beslutningsgrunnlag."""

    serializer_class = DecisionRecordSerializer
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[DecisionRecord]:
        return selectors.published_records().select_related("need__municipality", "need__region")


urlpatterns = [
    path("rounds", RoundList.as_view(), name="priorities-rounds"),
    path("rounds/<int:pk>", RoundDetail.as_view(), name="priorities-round"),
    path("decisions", DecisionRecordList.as_view(), name="priorities-decisions"),
    path("decisions/<int:pk>", DecisionRecordDetail.as_view(), name="priorities-decision"),
]
