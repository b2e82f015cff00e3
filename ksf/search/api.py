"""API: ranked search over evidence and needs.

- GET /api/v1/search/evidence?q=…   evidence hits with scores (filters: source, type, language, year_from, year_to)
- GET /api/v1/search/needs?q=…      needs the caller may see (filters: status, region, service_area)

`limit` is 1-50 (default 20). A query over 2000 characters is refused with a Norwegian message.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ksf.evidence.models import EvidenceType, Source
from ksf.needs.models import ServiceArea
from ksf.needs.workflow import Status

from . import services
from .text import MAX_QUERY_CHARS


def _interpolated(message: Any, **values: Any) -> Any:
    """`message % values`, evaluated when used (in the request's language), not at import."""
    return lazy(lambda: str(message) % values, str)()


class _QuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=MAX_QUERY_CHARS,
        allow_blank=True,
        trim_whitespace=True,
        error_messages={"max_length": _interpolated(_("Søketeksten er for lang (høyst %(n)s tegn)."), n=MAX_QUERY_CHARS)},
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=services.MAX_LIMIT,
        default=20,
        error_messages={
            "max_value": _interpolated(_("Du kan be om høyst %(n)s treff."), n=services.MAX_LIMIT),
            "min_value": _("Antall treff må være minst 1."),
            "invalid": _("Antall treff må være et heltall."),
        },
    )


class EvidenceQuerySerializer(_QuerySerializer):
    source = serializers.ChoiceField(choices=Source.choices, required=False)  # type: ignore[assignment]
    type = serializers.ChoiceField(choices=EvidenceType.choices, required=False)
    language = serializers.CharField(max_length=5, required=False)
    year_from = serializers.IntegerField(min_value=1800, max_value=2200, required=False)
    year_to = serializers.IntegerField(min_value=1800, max_value=2200, required=False)


class NeedQuerySerializer(_QuerySerializer):
    status = serializers.ChoiceField(choices=[c for c in Status.choices if c[0] != Status.DRAFT], required=False)
    region = serializers.SlugField(max_length=20, required=False)
    service_area = serializers.ChoiceField(choices=ServiceArea.choices, required=False)


class EvidenceHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="evidence.pk")
    title = serializers.CharField(source="evidence.title")
    title_no = serializers.CharField(source="evidence.title_no")
    year = serializers.IntegerField(source="evidence.year", allow_null=True)
    source = serializers.CharField(source="evidence.source")  # type: ignore[assignment]
    type = serializers.CharField(source="evidence.evidence_type")
    language = serializers.CharField(source="evidence.language")
    doi = serializers.CharField(source="evidence.doi")
    url = serializers.CharField(source="evidence.url")
    score = serializers.FloatField()
    snippet = serializers.CharField(help_text="HTML: escaped text with matched words in <mark>")
    matched_terms = serializers.ListField(child=serializers.CharField())


class NeedHitSerializer(serializers.Serializer):
    public_id = serializers.CharField()
    title = serializers.CharField(source="need.title")
    status = serializers.CharField()
    status_label = serializers.CharField()
    region = serializers.CharField(source="need.region.code")
    service_area = serializers.CharField(source="need.service_area")
    score = serializers.FloatField()
    snippet = serializers.CharField(help_text="HTML: escaped text with matched words in <mark>")
    answer_excerpt = serializers.CharField()
    matched_terms = serializers.ListField(child=serializers.CharField())


class EvidenceSearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    count = serializers.IntegerField()
    results = EvidenceHitSerializer(many=True)


class NeedSearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    count = serializers.IntegerField()
    results = NeedHitSerializer(many=True)


class SearchErrorSerializer(serializers.Serializer):
    q = serializers.ListField(child=serializers.CharField(), required=False)
    limit = serializers.ListField(child=serializers.CharField(), required=False)


def _params(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    # NUL and other control characters are dropped here (DRF would refuse NUL with an English message).
    data = {k: str(request.query_params.get(k, "")).replace("\x00", " ") for k in request.query_params}
    data = {k: v for k, v in data.items() if v != ""}
    data.setdefault("q", "")
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


Q_PARAM = OpenApiParameter("q", str, description="Søketekst på norsk eller engelsk (høyst 2000 tegn)")
LIMIT_PARAM = OpenApiParameter("limit", int, description="Antall treff, 1–50 (standard 20)")


class EvidenceSearch(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            Q_PARAM,
            LIMIT_PARAM,
            OpenApiParameter("source", str, enum=Source.values, description="Kilde"),
            OpenApiParameter("type", str, enum=EvidenceType.values, description="Type kunnskapskilde"),
            OpenApiParameter("language", str, description="Språk (ISO 639-1), f.eks. en eller nb"),
            OpenApiParameter("year_from", int, description="Fra og med år"),
            OpenApiParameter("year_to", int, description="Til og med år"),
        ],
        responses={200: EvidenceSearchResultSerializer, 400: SearchErrorSerializer},
        operation_id="search_evidence",
        tags=["søk"],
    )
    def get(self, request: Request) -> Response:
        """Kunnskapskilder rangert etter hvor godt de svarer på søket (ord og mening)."""
        params = _params(EvidenceQuerySerializer, request)
        q = params.pop("q")
        limit = params.pop("limit")
        hits = services.search_evidence(q, filters=params, limit=limit)
        data = {"query": services.clean_query(q), "count": len(hits), "results": EvidenceHitSerializer(hits, many=True).data}
        return Response(data)


class NeedSearch(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            Q_PARAM,
            LIMIT_PARAM,
            OpenApiParameter("status", str, enum=[v for v in Status.values if v != Status.DRAFT], description="Status"),
            OpenApiParameter("region", str, description="Helseregion (kode)"),
            OpenApiParameter("service_area", str, enum=ServiceArea.values, description="Tjenesteområde"),
        ],
        responses={200: NeedSearchResultSerializer, 400: SearchErrorSerializer},
        operation_id="search_needs",
        tags=["søk"],
    )
    def get(self, request: Request) -> Response:
        """Behov du har tilgang til, rangert etter søket."""
        params = _params(NeedQuerySerializer, request)
        q = params.pop("q")
        limit = params.pop("limit")
        hits = [
            h for h in services.search_needs(q, filters=params, limit=limit, user=request.user)
            if h.need.status != Status.DRAFT
        ]
        data = {"query": services.clean_query(q), "count": len(hits), "results": NeedHitSerializer(hits, many=True).data}
        return Response(data)


urlpatterns = [
    path("search/evidence", EvidenceSearch.as_view(), name="search-evidence"),
    path("search/needs", NeedSearch.as_view(), name="search-needs"),
]
