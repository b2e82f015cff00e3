"""API: joint procurement initiatives and experience reports (public reads), supplier writes.

Reads show what the caller may see (published material for the public and suppliers; drafts
for participants). Suppliers register interest and ask questions with an authenticated POST
(token or session); the same services as the pages decide and validate.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ksf.needs.api import NeedRefSerializer

from . import access, selectors, services
from .models import Document, ExperienceReport, Initiative, PhaseChange, SupplierInterest, SupplierQuestion
from .phases import Phase


@extend_schema_field({"type": "string", "enum": list(Phase.values), "description": "LUP-fase"})
class LupPhaseField(serializers.CharField):
    """A LUP phase, read-only (inline enum in the schema, so it does not collide with other apps' "phase")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)


class ProcurementNeedSerializer(NeedRefSerializer):
    class Meta(NeedRefSerializer.Meta):
        fields = ["public_id", "title", "municipality"]


class PhaseChangeSerializer(serializers.ModelSerializer):
    from_phase = LupPhaseField(allow_blank=True)
    to_phase = LupPhaseField()
    organisation = serializers.CharField(source="actor_organisation.name", default=None)

    class Meta:
        model = PhaseChange
        fields = ["from_phase", "to_phase", "organisation", "note", "created_at"]


class DocumentSerializer(serializers.ModelSerializer):
    phase = LupPhaseField()

    class Meta:
        model = Document
        fields = ["phase", "title", "url", "created_at"]


class QuestionSerializer(serializers.ModelSerializer):
    """The asker is never shown: all suppliers are treated equally."""

    answered = serializers.BooleanField(source="is_answered")

    class Meta:
        model = SupplierQuestion
        fields = ["id", "text", "created_at", "answered", "answer", "answered_at"]


class InitiativeSerializer(serializers.ModelSerializer):
    phase = LupPhaseField()
    phase_label = serializers.CharField(source="get_phase_display")
    lead = serializers.CharField(source="lead.name")
    participants = serializers.SerializerMethodField()
    needs = serializers.SerializerMethodField()
    dialogue_accepts_questions = serializers.BooleanField()

    class Meta:
        model = Initiative
        fields = [
            "id", "title", "phase", "phase_label", "lead", "participants", "needs",
            "volume_text", "volume_number", "volume_unit", "dialogue_open", "dialogue_deadline",
            "dialogue_accepts_questions", "published_at", "updated_at",
        ]

    def get_participants(self, obj: Initiative) -> list[str]:
        return [p.organisation.name for p in obj.participations.select_related("organisation")]

    def get_needs(self, obj: Initiative) -> list[str]:
        return list(obj.needs.order_by("public_id").values_list("public_id", flat=True))


class InitiativeDetailSerializer(InitiativeSerializer):
    need_details = serializers.SerializerMethodField()
    history = PhaseChangeSerializer(source="phase_changes", many=True)
    documents = DocumentSerializer(many=True)
    questions = serializers.SerializerMethodField()
    interest_count = serializers.SerializerMethodField()

    class Meta(InitiativeSerializer.Meta):
        fields = [*InitiativeSerializer.Meta.fields, "description", "need_details", "history", "documents", "questions", "interest_count"]

    @extend_schema_field(ProcurementNeedSerializer(many=True))
    def get_need_details(self, obj: Initiative) -> list[dict[str, Any]]:
        return list(ProcurementNeedSerializer(obj.needs.select_related("municipality").order_by("public_id"), many=True).data)

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, obj: Initiative) -> list[dict[str, Any]]:
        user = self.context["request"].user
        return list(QuestionSerializer(access.visible_questions(user, obj), many=True).data)

    def get_interest_count(self, obj: Initiative) -> int:
        return obj.interests.count()


class ExperienceReportSerializer(serializers.ModelSerializer):
    initiative = serializers.IntegerField(source="initiative_id", read_only=True)
    initiative_title = serializers.CharField(source="initiative.title")
    organisation = serializers.CharField(source="organisation.name")
    cost_range_label = serializers.CharField(source="get_cost_range_display")

    class Meta:
        model = ExperienceReport
        fields = [
            "id", "title", "initiative", "initiative_title", "organisation", "what_procured",
            "cost_range", "cost_range_label", "effects", "lessons", "published_at",
        ]


class InterestInputSerializer(serializers.Serializer):
    contact_role = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class InterestSerializer(serializers.ModelSerializer):
    supplier = serializers.CharField(source="supplier.name")

    class Meta:
        model = SupplierInterest
        fields = ["id", "supplier", "contact_role", "created_at"]


class QuestionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


@extend_schema(
    parameters=[
        OpenApiParameter("phase", str, description="LUP-fase: " + ", ".join(Phase.values)),
        OpenApiParameter("q", str, description="Fritekst i tittel, beskrivelse og ansvarlig virksomhet"),
    ]
)
class InitiativeList(generics.ListAPIView):
    """Felles anskaffelser (publiserte; deltakere ser også egne upubliserte)."""

    serializer_class = InitiativeSerializer

    def get_queryset(self) -> QuerySet[Initiative]:
        params = self.request.query_params
        return selectors.initiative_list(self.request.user, phase=params.get("phase", ""), q=params.get("q", ""))


class InitiativeDetail(generics.RetrieveAPIView):
    """Én anskaffelse med behov, deltakere, fasehistorikk, dokumenter og publiserte spørsmål og svar."""

    serializer_class = InitiativeDetailSerializer

    def get_object(self) -> Initiative:
        return access.get_initiative_for_user(self.request.user, int(self.kwargs["pk"]))


class InterestCreate(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=InterestInputSerializer,
        responses={201: InterestSerializer, 400: OpenApiResponse(description="Allerede meldt interesse eller ugyldig"), 403: OpenApiResponse(description="Ikke leverandør")},
        summary="Meld interesse for markedsdialogen (leverandører)",
    )
    def post(self, request: Request, pk: int) -> Response:
        initiative = access.get_initiative_for_user(request.user, pk)
        access.require_supplier(request.user)  # 403 before the payload is validated
        data = InterestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interest = services.interest_register(
            initiative=initiative, user=request.user, contact_role=data.validated_data.get("contact_role", "")
        )
        return Response(InterestSerializer(interest).data, status=status.HTTP_201_CREATED)


class QuestionListCreate(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses=QuestionSerializer(many=True), summary="Spørsmål og svar i markedsdialogen")
    def get(self, request: Request, pk: int) -> Response:
        initiative = access.get_initiative_for_user(request.user, pk)
        return Response(QuestionSerializer(access.visible_questions(request.user, initiative), many=True).data)

    @extend_schema(
        request=QuestionInputSerializer,
        responses={201: QuestionSerializer, 400: OpenApiResponse(description="Dialogen er lukket eller ugyldig tekst"), 403: OpenApiResponse(description="Ikke leverandør")},
        summary="Still et spørsmål i markedsdialogen (leverandører)",
    )
    def post(self, request: Request, pk: int) -> Response:
        initiative = access.get_initiative_for_user(request.user, pk)
        access.require_supplier(request.user)  # 403 before the payload is validated
        data = QuestionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_ask(initiative=initiative, user=request.user, text=data.validated_data["text"])
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[OpenApiParameter("q", str, description="Søk, f.eks. «digitalt tilsyn»")])
class ExperienceReportList(generics.ListAPIView):
    """Publiserte erfaringsrapporter fra felles anskaffelser."""

    serializer_class = ExperienceReportSerializer

    def get_queryset(self) -> QuerySet[ExperienceReport]:
        return selectors.search_experience_reports(self.request.query_params.get("q", ""), user=self.request.user)


class ExperienceReportDetail(generics.RetrieveAPIView):
    serializer_class = ExperienceReportSerializer

    def get_queryset(self) -> QuerySet[ExperienceReport]:
        return access.visible_reports(self.request.user).select_related("initiative", "organisation")


urlpatterns = [
    path("procurements", InitiativeList.as_view(), name="procurement-list"),
    path("procurements/<int:pk>", InitiativeDetail.as_view(), name="procurement-detail"),
    path("procurements/<int:pk>/interest", InterestCreate.as_view(), name="procurement-interest"),
    path("procurements/<int:pk>/questions", QuestionListCreate.as_view(), name="procurement-questions"),
    path("experience-reports", ExperienceReportList.as_view(), name="experience-report-list"),
    path("experience-reports/<int:pk>", ExperienceReportDetail.as_view(), name="experience-report-detail"),
]
