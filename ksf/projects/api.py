"""API: GET/POST /api/v1/projects, GET/PATCH /api/v1/projects/{id}, POST /api/v1/projects/{id}/results.

Reading is open (published projects; unpublished ones for those who may edit them). Writing
needs a logged-in user (token or session) and follows `projects.access`; every write goes
through `projects.services`, so the rules and Norwegian messages are the same as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ksf.needs.access import visible_needs
from ksf.needs.api import NeedRefSerializer
from ksf.needs.models import Need, ServiceArea
from ksf.organisations.models import Organisation

from . import access, selectors, services
from .exports import org_ref
from .models import (
    MAX_AMOUNT_NOK,
    Capacity,
    Funding,
    FundingSource,
    Participant,
    ParticipationState,
    Phase,
    Project,
    ProjectKind,
    ProjectStatus,
    UserParticipation,
)


class ProjectOrganisationSerializer(serializers.ModelSerializer):
    ref = serializers.SerializerMethodField(help_text="Kommunenummer for kommuner, ellers kortnavn (slug).")

    class Meta:
        model = Organisation
        fields = ["ref", "name", "kind"]

    def get_ref(self, obj: Organisation) -> str:
        return org_ref(obj)


class FundingSerializer(serializers.ModelSerializer):
    source = serializers.ChoiceField(choices=FundingSource.choices)  # type: ignore[assignment]
    amount = serializers.IntegerField(help_text=f"Hele kroner, 0–{MAX_AMOUNT_NOK}.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)

    class Meta:
        model = Funding
        fields = ["source", "amount", "note"]


class ParticipationSerializer(serializers.ModelSerializer):
    phase = serializers.ChoiceField(choices=Phase.choices)
    capacity = serializers.ChoiceField(choices=Capacity.choices)
    who = serializers.ChoiceField(choices=Participant.choices)

    class Meta:
        model = UserParticipation
        fields = ["phase", "capacity", "who"]


class ProjectNeedRefSerializer(NeedRefSerializer):
    class Meta(NeedRefSerializer.Meta):
        fields = ["public_id", "title", "status"]


class ProjectSerializer(serializers.ModelSerializer):
    owner = ProjectOrganisationSerializer()
    leader = ProjectOrganisationSerializer()
    partners = ProjectOrganisationSerializer(many=True)
    municipalities = ProjectOrganisationSerializer(many=True)
    keywords = serializers.ListField(child=serializers.CharField(), source="keyword_list")
    service_areas = serializers.ListField(child=serializers.ChoiceField(choices=ServiceArea.choices), source="service_area_codes")
    needs = serializers.SerializerMethodField()
    funding = FundingSerializer(many=True)
    participation = ParticipationSerializer(many=True)
    publications = serializers.ListField(child=serializers.CharField(), help_text="DOI-er")
    links = serializers.ListField(child=serializers.URLField())

    class Meta:
        model = Project
        fields = [
            "id", "title", "summary", "kind", "status", "start_date", "end_date", "owner", "leader", "partners",
            "municipalities", "keywords", "service_areas", "needs", "cristin_id", "funding", "participation_reported",
            "participation", "results", "results_published_at", "publications", "links", "is_published",
            "created_at", "updated_at", "version",
        ]

    @extend_schema_field(ProjectNeedRefSerializer(many=True))
    def get_needs(self, obj: Project) -> list[dict[str, Any]]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        needs = visible_needs(user).filter(projects=obj).order_by("public_id")
        return list(ProjectNeedRefSerializer(needs, many=True).data)


class OrgRefField(serializers.CharField):
    """An organisation by municipality number, organisation number, slug or exact name."""

    def to_internal_value(self, data: Any) -> Organisation:  # type: ignore[override]
        ref = super().to_internal_value(data)
        org = selectors.resolve_organisation(ref)
        if org is None:
            raise serializers.ValidationError(f"Ukjent organisasjon «{ref}».")
        return org


class ProjectWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    summary = serializers.CharField(max_length=5000)
    kind = serializers.ChoiceField(choices=ProjectKind.choices, default=ProjectKind.RESEARCH)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    owner = OrgRefField(help_text="Kommunenummer, organisasjonsnummer, kortnavn eller navn.")
    leader = OrgRefField(help_text="Kommunenummer, organisasjonsnummer, kortnavn eller navn.")
    partners = serializers.ListField(child=OrgRefField(), required=False)
    municipalities = serializers.ListField(child=OrgRefField(), required=False, help_text="Kommunenummer.")
    keywords = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    service_areas = serializers.ListField(child=serializers.ChoiceField(choices=ServiceArea.choices), required=False)
    cristin_id = serializers.CharField(required=False, allow_blank=True, max_length=12)
    publications = serializers.ListField(child=serializers.CharField(max_length=200), required=False, help_text="DOI-er")
    links = serializers.ListField(child=serializers.CharField(max_length=500), required=False)
    is_published = serializers.BooleanField(default=True)
    funding = FundingSerializer(many=True, required=False, help_text="Erstatter all finansiering når den er med.")
    participation_reported = serializers.ChoiceField(choices=ParticipationState.choices, required=False)
    participation = ParticipationSerializer(many=True, required=False, help_text="Rader finnes hvis og bare hvis svaret er «participation».")
    needs = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False,
        help_text="Behovsnummer som knyttes til prosjektet (legges til; et behov i «forslag til forskning» går til «i prosjekt»).",
    )
    version = serializers.IntegerField(required=False, help_text="Versjonen du endrer (PATCH): avvises hvis noen har endret prosjektet siden.")

    def validate_needs(self, value: list[str]) -> list[Need]:
        user = self.context["request"].user
        found = []
        for public_id in value:
            need = visible_needs(user).filter(public_id=public_id.strip().upper(), published_at__isnull=False).first()
            if need is None:
                raise serializers.ValidationError(f"Ukjent eller upublisert behov «{public_id}».")
            found.append(need)
        return found


class ResultsSerializer(serializers.Serializer):
    results = serializers.CharField(max_length=services.MAX_RESULTS)
    publications = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    links = serializers.ListField(child=serializers.CharField(max_length=500), required=False)


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Fritekst i tittel, sammendrag, emneord; eller Cristin-nummer"),
    OpenApiParameter("region", str, description="Helseregion: nord, midt, vest, sorost"),
    OpenApiParameter("municipality", str, description="Kommunenummer, f.eks. 4627"),
    OpenApiParameter("service_area", str, enum=ServiceArea.values),
    OpenApiParameter("status", str, enum=ProjectStatus.values),
    OpenApiParameter("kind", str, enum=ProjectKind.values),
    OpenApiParameter("funding_source", str, enum=FundingSource.values),
    OpenApiParameter("participation", str, enum=ParticipationState.values),
    OpenApiParameter("phase", str, enum=Phase.values, description="Brukermedvirkning i denne fasen"),
    OpenApiParameter("capacity", str, enum=Capacity.values, description="Brukermedvirkning i denne rollen"),
    OpenApiParameter("need", str, description="Behovsnummer prosjektet svarer på, f.eks. KB-2026-0042"),
]


def _service_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if "funding" in data:
        kwargs["funding"] = services.funding_rows(data["funding"])
    if "participation_reported" in data:
        kwargs["participation_state"] = data["participation_reported"]
    if "participation" in data:
        kwargs["participation"] = services.participation_rows(data["participation"])
    return kwargs


def _project_data(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("funding", "participation_reported", "participation", "needs", "version")}


def _read(project: Project, request: Request) -> dict[str, Any]:
    fresh = selectors.with_details(Project.objects.filter(pk=project.pk)).get()
    return dict(ProjectSerializer(fresh, context={"request": request}).data)


@extend_schema_view(
    get=extend_schema(summary="Prosjekter (filtrert, sidevis)", parameters=FILTER_PARAMETERS),
    post=extend_schema(
        summary="Registrer et prosjekt", request=ProjectWriteSerializer, responses={201: ProjectSerializer}
    ),
)
class ProjectListCreate(generics.ListCreateAPIView):
    """FoU- og innovasjonsprosjekter med finansiering, brukermedvirkning og behovene de svarer på."""

    serializer_class = ProjectSerializer

    def get_queryset(self) -> QuerySet[Project]:
        return selectors.project_list(user=self.request.user, filters=selectors.ProjectFilters.from_params(self.request.query_params))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        access.require_create(request.user)  # 403 before the payload is validated
        serializer = ProjectWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        extra = _service_kwargs(data)
        project = services.project_create(
            user=request.user, data=_project_data(data), needs=data.get("needs", []), **extra
        )
        return Response(_read(project, request), status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Ett prosjekt"),
    patch=extend_schema(
        summary="Endre et prosjekt (bare feltene som sendes)",
        request=ProjectWriteSerializer, responses={200: ProjectSerializer},
    ),
)
class ProjectDetail(generics.RetrieveUpdateAPIView):
    serializer_class = ProjectSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> Project:
        project = access.get_project_for_user(self.request.user, int(self.kwargs["pk"]))
        return selectors.with_details(Project.objects.filter(pk=project.pk)).get()

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = access.get_project_for_user(request.user, int(self.kwargs["pk"]), write=True)
        serializer = ProjectWriteSerializer(data=request.data, partial=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # A partial serializer still fills defaults; keep only what the client sent.
        data = {k: v for k, v in data.items() if k in request.data}
        project = services.project_update(
            project=project, user=request.user, data=_project_data(data),
            expected_version=data.get("version"), **_service_kwargs(data),
        )
        for need in data.get("needs", []):
            services.project_link_need(project=project, user=request.user, need=need)
        return Response(_read(project, request))


class ProjectResults(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Publiser resultater",
        description="Setter resultatene; behov i «i prosjekt» som prosjektet svarer på får «resultater publisert», "
        "og de som følger dem får e-post.",
        request=ResultsSerializer, responses={200: ProjectSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        project = access.get_project_for_user(request.user, pk, write=True)
        serializer = ResultsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project = services.project_publish_results(
            project=project, user=request.user, results=data["results"],
            publications=data.get("publications"), links=data.get("links"),
        )
        return Response(_read(project, request))


urlpatterns = [
    path("projects", ProjectListCreate.as_view(), name="projects"),
    path("projects/<int:pk>", ProjectDetail.as_view(), name="project"),
    path("projects/<int:pk>/results", ProjectResults.as_view(), name="project_results"),
]
