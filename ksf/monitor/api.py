"""GET /api/v1/stats: the headline figures for the same filters as /statistikk/ (read without login)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import stats
from .forms import StatsFilterForm


class HeadlineSerializer(serializers.Serializer):
    needs_registered = serializers.IntegerField(help_text="Behov sendt inn (første innsending i perioden).")
    needs_answered = serializers.IntegerField(help_text="Av dem: besvart (lokalt, med eksisterende kunnskap, oppsummering, resultater).")
    share_answered_pct = serializers.FloatField(allow_null=True, help_text="Andel besvart i prosent, én desimal.")
    needs_open = serializers.IntegerField(help_text="Av dem: fortsatt åpne (ikke i en sluttstatus).")
    municipalities_participating = serializers.IntegerField(help_text="Kommuner som har meldt inn eller støttet minst ett behov.")
    municipalities_total = serializers.IntegerField(help_text="Kommuner i utvalget.")
    municipalities_share_pct = serializers.FloatField(allow_null=True)
    population_share_pct = serializers.FloatField(allow_null=True, help_text="Deltakende kommuners andel av innbyggerne.")
    median_days_to_answer = serializers.FloatField(allow_null=True, help_text="Median dager fra første innsending til svar.")
    p80_days_to_answer = serializers.FloatField(allow_null=True, help_text="80-persentil (lineær interpolasjon, som PERCENTILE.INC).")
    median_days_to_cluster_decision = serializers.FloatField(allow_null=True)
    projects_total = serializers.IntegerField(allow_null=True, help_text="Publiserte prosjekter i utvalget; null hvis ikke tilgjengelig.")
    joint_procurements_total = serializers.IntegerField(allow_null=True, help_text="Publiserte felles anskaffelser (hele landet).")


class StatsResponseSerializer(serializers.Serializer):
    filters = serializers.DictField(child=serializers.CharField(), help_text="Filtrene som ble brukt.")
    headline = HeadlineSerializer()


class StatsView(APIView):
    """Nøkkeltall for statistikksiden med de samme filtrene; tallene er de samme som på siden og i CSV-filen."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="stats_headline",
        parameters=[
            OpenApiParameter("from", str, description="Første innsending fra og med dato (ÅÅÅÅ-MM-DD)"),
            OpenApiParameter("to", str, description="Første innsending til og med dato (ÅÅÅÅ-MM-DD)"),
            OpenApiParameter("region", str, description="Helseregion: nord, midt, vest, sorost"),
            OpenApiParameter("cluster", int, description="Kommuneklyngens id"),
            OpenApiParameter("service_area", str, description="Tjenesteområde, f.eks. hjemmetjenester"),
            OpenApiParameter("municipality", str, description="Kommunenummer (4 siffer)"),
        ],
        responses={200: StatsResponseSerializer},
    )
    def get(self, request: Request) -> Response:
        form = StatsFilterForm(request.query_params)
        if not form.is_valid():
            return Response({"detail": "Ugyldige filtre.", "errors": form.errors}, status=400)
        f = form.to_filter()
        return Response({"filters": f.as_params(), "headline": stats.headline(f)})


urlpatterns = [path("stats", StatsView.as_view(), name="stats")]
