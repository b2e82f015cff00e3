"""API: municipalities (public, read-only)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from . import selectors
from .models import Organisation


class MunicipalitySerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="municipality_number")
    county = serializers.CharField(source="county.number")
    county_name = serializers.CharField(source="county.name")
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")

    class Meta:
        model = Organisation
        fields = ["number", "name", "county", "county_name", "region", "region_name", "population", "malform"]


@extend_schema(
    parameters=[
        OpenApiParameter("county", str, description="Fylkesnummer, f.eks. 46"),
        OpenApiParameter("region", str, description="Helseregion: nord, midt, vest, sorost"),
        OpenApiParameter("q", str, description="Navn eller nummer"),
    ]
)
class MunicipalityList(generics.ListAPIView):
    """Alle kommuner med nummer, navn, fylke, helseregion og innbyggertall."""

    serializer_class = MunicipalitySerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        params = self.request.query_params
        return selectors.municipalities(
            q=params.get("q", ""), county=params.get("county", ""), region=params.get("region", "")
        ).order_by("municipality_number")


urlpatterns = [path("municipalities", MunicipalityList.as_view(), name="municipalities")]
