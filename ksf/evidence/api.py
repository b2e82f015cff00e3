"""API: the evidence base (public, read-only) and the evidence linked to a need.

- GET  /api/v1/evidence                          list with filters, paginated
- GET  /api/v1/evidence/{id}                     one record, with the published needs it is linked to
- GET  /api/v1/needs/{public_id}/evidence        the evidence linked to a need (if you may see the need)
- POST /api/v1/needs/{public_id}/evidence        link (or re-link) evidence; coordinators and partners
- DELETE /api/v1/needs/{public_id}/evidence/{id} remove a link; same access
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from ksf.core.privacy import guard_free_text
from ksf.needs.access import get_need_for_user

from . import selectors, services
from .access import can_link_evidence
from .models import Evidence, EvidenceType, LinkRelation, NeedEvidenceLink, Source


class EvidenceSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="evidence_type")
    doi_url = serializers.SerializerMethodField()
    pubmed_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id", "title", "title_no", "abstract", "authors", "year", "journal", "source", "type", "language",
            "doi", "doi_url", "pmid", "pubmed_url", "cochrane_id", "url", "certainty", "keywords", "updated_at",
        ]

    def get_doi_url(self, obj: Evidence) -> str | None:
        return f"https://doi.org/{obj.doi}" if obj.doi else None

    def get_pubmed_url(self, obj: Evidence) -> str | None:
        return f"https://pubmed.ncbi.nlm.nih.gov/{obj.pmid}/" if obj.pmid else None


class LinkedNeedSerializer(serializers.ModelSerializer):
    public_id = serializers.CharField(source="need.public_id")
    title = serializers.CharField(source="need.title")
    status = serializers.CharField(source="need.status")

    class Meta:
        model = NeedEvidenceLink
        fields = ["public_id", "title", "status", "relation", "what_we_know"]


class EvidenceDetailSerializer(EvidenceSerializer):
    needs = serializers.SerializerMethodField()

    class Meta(EvidenceSerializer.Meta):
        fields = [*EvidenceSerializer.Meta.fields, "needs"]

    @extend_schema_field(LinkedNeedSerializer(many=True))
    def get_needs(self, obj: Evidence) -> list[dict[str, Any]]:
        return list(LinkedNeedSerializer(selectors.published_links_for_evidence(obj), many=True).data)


class EvidenceSummarySerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="evidence_type")

    class Meta:
        model = Evidence
        fields = ["id", "title", "title_no", "year", "source", "type", "language", "doi", "pmid"]


class NeedEvidenceLinkSerializer(serializers.ModelSerializer):
    evidence = EvidenceSummarySerializer()

    class Meta:
        model = NeedEvidenceLink
        fields = ["evidence", "relation", "what_we_know", "created_at", "updated_at"]


class LinkRequestSerializer(serializers.Serializer):
    evidence = serializers.IntegerField(min_value=1, help_text="Id-en til kunnskapskilden")
    relation = serializers.ChoiceField(choices=LinkRelation.choices)
    what_we_know = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")

    def validate_what_we_know(self, value: str) -> str:
        guard_free_text({"what_we_know": ("Hva vi vet", value)})
        return value


def _int_param(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Tekst i tittel, norsk tittel eller sammendrag"),
        OpenApiParameter("source", str, enum=Source.values, description="Kilde"),
        OpenApiParameter("type", str, enum=EvidenceType.values, description="Type kunnskapskilde"),
        OpenApiParameter("language", str, description="Språk (ISO 639-1), f.eks. en eller nb"),
        OpenApiParameter("year_from", int, description="Fra og med år"),
        OpenApiParameter("year_to", int, description="Til og med år"),
    ],
    tags=["kunnskapsgrunnlag"],
)
class EvidenceList(generics.ListAPIView):
    """Kunnskapskilder (systematiske oversikter, kunnskapsoppsummeringer, metodevurderinger, retningslinjer)."""

    serializer_class = EvidenceSerializer

    def get_queryset(self) -> QuerySet[Evidence]:
        params = self.request.query_params
        return selectors.evidence_list(
            q=params.get("q", ""), source=params.get("source", ""), evidence_type=params.get("type", ""),
            language=params.get("language", ""), year_from=_int_param(params.get("year_from")),
            year_to=_int_param(params.get("year_to")),
        )


@extend_schema(tags=["kunnskapsgrunnlag"])
class EvidenceDetail(generics.RetrieveAPIView):
    """Én kunnskapskilde, med de publiserte behovene den er koblet til."""

    serializer_class = EvidenceDetailSerializer
    queryset = Evidence.objects.all()


class NeedEvidence(generics.GenericAPIView):
    """Kunnskapskildene som er koblet til et behov."""

    serializer_class = NeedEvidenceLinkSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = None

    @extend_schema(tags=["kunnskapsgrunnlag"], responses=NeedEvidenceLinkSerializer(many=True))
    def get(self, request: Request, public_id: str) -> Response:
        need = get_need_for_user(request.user, public_id)
        return Response(NeedEvidenceLinkSerializer(selectors.links_for_need(need), many=True).data)

    @extend_schema(
        tags=["kunnskapsgrunnlag"],
        request=LinkRequestSerializer,
        responses={201: NeedEvidenceLinkSerializer, 200: NeedEvidenceLinkSerializer},
        description="Koble en kunnskapskilde til behovet (eller endre koblingen). Krever innlogging som "
        "klynge-, region- eller nasjonal koordinator eller forskningspartner på behovet.",
    )
    def post(self, request: Request, public_id: str) -> Response:
        need = get_need_for_user(request.user, public_id)
        if not can_link_evidence(request.user, need):
            raise PermissionDenied(_("Bare koordinatorer og forskningspartnere på behovet kan koble kunnskap til det."))
        payload = LinkRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        evidence = get_object_or_404(Evidence, pk=payload.validated_data["evidence"])
        existed = NeedEvidenceLink.objects.filter(need=need, evidence=evidence).exists()
        link = services.evidence_link(
            need=need, evidence=evidence, relation=payload.validated_data["relation"],
            what_we_know=payload.validated_data.get("what_we_know", ""), user=request.user,
        )
        return Response(
            NeedEvidenceLinkSerializer(link).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class NeedEvidenceItem(generics.GenericAPIView):
    serializer_class = NeedEvidenceLinkSerializer
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["kunnskapsgrunnlag"], responses={204: None})
    def delete(self, request: Request, public_id: str, evidence_id: int) -> Response:
        """Fjern koblingen mellom behovet og kunnskapskilden."""
        need = get_need_for_user(request.user, public_id)
        if not can_link_evidence(request.user, need):
            raise PermissionDenied(_("Du kan ikke endre kunnskapskoblingene på dette behovet."))
        evidence = get_object_or_404(Evidence, pk=evidence_id)
        if not services.evidence_unlink(need=need, evidence=evidence, user=request.user):
            return Response({"detail": "Kilden er ikke koblet til behovet."}, status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("evidence", EvidenceList.as_view(), name="evidence-list"),
    path("evidence/<int:pk>", EvidenceDetail.as_view(), name="evidence-detail"),
    path("needs/<str:public_id>/evidence", NeedEvidence.as_view(), name="need-evidence"),
    path("needs/<str:public_id>/evidence/<int:evidence_id>", NeedEvidenceItem.as_view(), name="need-evidence-item"),
]
