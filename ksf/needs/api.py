"""API for needs: public list and detail (with history), authenticated create, endorse, follow, transition.

Never exposes a person: the history shows the level and the acting organisation only.
Errors: 400 with Norwegian messages per field, 401/403/404 for access, 409 when someone else
changed the need first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ksf.core.pagecache import cached_value
from ksf.organisations.models import Organisation, OrgKind

from . import access, selectors, services
from .models import Need, NeedKind, ServiceArea, Urgency
from .workflow import Level, Status

T = TypeVar("T")

# --- serializers ---------------------------------------------------------------------------------


class HistoryItemSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="Tidspunkt for endringen")
    level = serializers.ChoiceField(choices=Level.choices, help_text="Nivået som gjorde endringen")
    level_label = serializers.CharField()
    organisation = serializers.CharField(help_text="Organisasjonen som gjorde endringen (aldri en person)")
    from_status = serializers.CharField(allow_blank=True)
    from_label = serializers.CharField(allow_blank=True)
    to_status = serializers.ChoiceField(choices=Status.choices)
    to_label = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)


# The one definition of a need named inside another object's payload (projects, procurements,
# prioritisation rounds). A use that shows fewer fields subclasses it and lists them in its own
# `Meta.fields`, so each shape keeps its own name in the schema.
class NeedRefSerializer(serializers.ModelSerializer):
    """Et behov omtalt i et annet objekt: behovsnummer og tittel (og status, kommune og region der de er med)."""

    municipality = serializers.CharField(source="municipality.name")
    region = serializers.CharField(source="region.code")

    class Meta:
        model = Need
        fields = ["public_id", "title", "status", "municipality", "region"]


class MunicipalityRefSerializer(serializers.Serializer):
    number = serializers.CharField(source="municipality_number")
    name = serializers.CharField()
    population = serializers.IntegerField(allow_null=True)


class NeedListSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    service_area_label = serializers.CharField(source="get_service_area_display", read_only=True)
    municipality = MunicipalityRefSerializer(read_only=True)
    cluster = serializers.SerializerMethodField()
    region = serializers.CharField(source="region.code", read_only=True)
    endorsement_count = serializers.SerializerMethodField(help_text="Antall kommuner som har sagt «relevant for oss også»")
    combined_population = serializers.SerializerMethodField(help_text="Innbyggere i innmelderkommunen og kommunene som støtter")
    merged_into = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Need
        fields = [
            "public_id", "kind", "title", "question", "status", "status_label", "service_area", "service_area_label",
            "municipality", "cluster", "region", "is_national", "created_at", "published_at", "answered_at",
            "endorsement_count", "combined_population", "merged_into", "url",
        ]

    def get_cluster(self, need: Need) -> str | None:
        return need.cluster.slug if need.cluster else None

    def get_endorsement_count(self, need: Need) -> int:
        count = getattr(need, "endorsement_count", None)
        return int(count) if count is not None else need.endorsements.count()

    def get_combined_population(self, need: Need) -> int:
        return selectors.combined_population(need)

    def get_merged_into(self, need: Need) -> str | None:
        return need.merged_into.public_id if need.merged_into else None

    def get_url(self, need: Need) -> str:
        from django.urls import reverse

        request = self.context.get("request")
        url = reverse("needs:detail", args=[need.public_id])
        return request.build_absolute_uri(url) if request else url


class NeedDetailSerializer(NeedListSerializer):
    history = serializers.SerializerMethodField()
    endorsing_municipalities = serializers.SerializerMethodField()
    assigned_partner = serializers.SerializerMethodField()

    class Meta(NeedListSerializer.Meta):
        fields = NeedListSerializer.Meta.fields + [
            "population", "intervention", "comparison", "outcome", "target_group", "why_it_matters", "urgency",
            "answer", "assigned_partner", "endorsing_municipalities", "history",
        ]

    @extend_schema_field(HistoryItemSerializer(many=True))
    def get_history(self, need: Need) -> list[dict[str, Any]]:
        request = self.context.get("request")
        internal = request is not None and access.can_see_internal(request.user, need)
        return selectors.timeline(need, internal=internal)

    @extend_schema_field(MunicipalityRefSerializer(many=True))
    def get_endorsing_municipalities(self, need: Need) -> list[dict[str, Any]]:
        endorsers = [e.municipality for e in need.endorsements.select_related("municipality").order_by("municipality__name")]
        return list(MunicipalityRefSerializer(endorsers, many=True).data)

    def get_assigned_partner(self, need: Need) -> str | None:
        return need.assigned_partner.name if need.assigned_partner else None


class NeedCreateSerializer(serializers.Serializer):
    """Field checks (lengths, fødselsnummer, service area) are done by the service, with Norwegian messages."""

    kind = serializers.ChoiceField(choices=NeedKind.choices, default=NeedKind.KNOWLEDGE)
    title = serializers.CharField(allow_blank=True, help_text="Kort tittel (maks 200 tegn)")
    question = serializers.CharField(allow_blank=True, help_text="Spørsmålet med egne ord (maks 4000 tegn)")
    population = serializers.CharField(required=False, allow_blank=True)
    intervention = serializers.CharField(required=False, allow_blank=True)
    comparison = serializers.CharField(required=False, allow_blank=True)
    outcome = serializers.CharField(required=False, allow_blank=True)
    service_area = serializers.CharField(help_text="En av: " + ", ".join(ServiceArea.values))
    target_group = serializers.CharField(required=False, allow_blank=True)
    why_it_matters = serializers.CharField(required=False, allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.MEDIUM)
    municipality = serializers.CharField(required=False, help_text="Kommunenummer (standard: brukerens kommune)")
    submit = serializers.BooleanField(default=False, help_text="Send inn med en gang (ellers lagres et utkast)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.update({
                "required": "Feltet må fylles ut.",
                "invalid_choice": "Ugyldig valg «{input}».",
                "invalid": "Ugyldig verdi.",
                "null": "Feltet kan ikke være tomt.",
            })


class TransitionRequestSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices, help_text="Ny status (se arbeidsflyten)")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    answer = serializers.CharField(required=False, allow_blank=True, default="", help_text="Svar i klarspråk")
    target = serializers.CharField(required=False, allow_blank=True, default="", help_text="Behovsnummer å slå sammen med")
    partner = serializers.CharField(required=False, allow_blank=True, default="", help_text="Forskningspartnerens kortnavn (slug)")
    due = serializers.DateField(required=False, allow_null=True, default=None, help_text="Frist (åååå-mm-dd)")
    project_ref = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].error_messages["invalid_choice"] = "Ukjent status «{input}»."
        self.fields["to"].error_messages["required"] = "Oppgi ny status."
        self.fields["due"].error_messages["invalid"] = "Skriv datoen som åååå-mm-dd."


class EndorseRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


ErrorSerializer = inline_serializer("Feil", {"detail": serializers.CharField()})
EndorseResponse = inline_serializer(
    "Stotte", {"municipality": serializers.CharField(), "endorsement_count": serializers.IntegerField(),
               "combined_population": serializers.IntegerField()},
)
FollowResponse = inline_serializer("Folging", {"following": serializers.BooleanField()})

FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Fritekst i tittel, spørsmål og svar"),
    OpenApiParameter("status", str, enum=Status.values, description="Status"),
    OpenApiParameter("region", str, description="Helseregion: nord, midt, vest, sorost"),
    OpenApiParameter("cluster", str, description="Klyngens kortnavn, f.eks. bergensklyngen"),
    OpenApiParameter("municipality", str, description="Kommunenummer, f.eks. 4627"),
    OpenApiParameter("service_area", str, enum=ServiceArea.values, description="Tjenesteområde"),
    OpenApiParameter("year", int, description="Registreringsår"),
    OpenApiParameter("kind", str, enum=NeedKind.values, description="knowledge eller innovation"),
]
PUBLIC_ID = OpenApiParameter("public_id", str, OpenApiParameter.PATH, description="Behovsnummer, f.eks. KB-2026-0042")


def _detail_response(request: Request, need: Need, code: int = status.HTTP_200_OK) -> Response:
    need = selectors.with_support(Need.objects.filter(pk=need.pk)).select_related(
        "municipality", "cluster", "region", "merged_into", "assigned_partner").get()
    return Response(NeedDetailSerializer(need, context={"request": request}).data, status=code)


def _get(request: Request, public_id: str, *, write: bool = False) -> Need:
    return _require(access.get_need_for_user, request.user, public_id, write=write)


def _require(check: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an access check before the payload is validated: 403 (or 404) whatever was sent."""
    try:
        return check(*args, **kwargs)
    except DjangoPermissionDenied as exc:
        from rest_framework.exceptions import PermissionDenied

        raise PermissionDenied(str(exc)) from exc


# --- views ------------------------------------------------------------------------------------


class NeedListCreate(generics.GenericAPIView):
    """Kunnskapsbehov: åpen liste med filtre; innloggede kan melde nye behov."""

    serializer_class = NeedListSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self) -> QuerySet[Need]:
        filters = selectors.NeedFilters.from_query(self.request.query_params)
        return selectors.need_list(user=self.request.user, filters=filters)

    @extend_schema(parameters=FILTER_PARAMETERS, responses=NeedListSerializer(many=True), operation_id="needs_list")
    def get(self, request: Request) -> Response:
        filters = selectors.NeedFilters.from_query(request.query_params)
        if filters.errors:
            return Response(filters.errors, status=status.HTTP_400_BAD_REQUEST)

        def listing() -> Any:
            page = self.paginate_queryset(self.get_queryset())
            serializer = NeedListSerializer(page, many=True, context={"request": request})
            return self.get_paginated_response(serializer.data).data

        if request.user.is_authenticated:
            return Response(listing())
        # Every anonymous client gets the same published needs: computed once per data version
        # and query (ksf.core.pagecache; measured need: bench/load, issue #9).
        parts = ["api:needs", request.get_host(), request.is_secure(), sorted(request.query_params.lists())]
        return Response(cached_value(parts, listing, version=selectors.data_version()))

    @extend_schema(
        request=NeedCreateSerializer,
        responses={201: NeedDetailSerializer, 400: OpenApiTypes.OBJECT, 401: ErrorSerializer, 403: ErrorSerializer},
        operation_id="needs_create",
    )
    def post(self, request: Request) -> Response:
        if not access.can_register(request.user):
            return Response({"detail": _("Du må være knyttet til en kommune for å melde behov.")}, status=status.HTTP_403_FORBIDDEN)
        serializer = NeedCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        submit = data.pop("submit", False)
        number = data.pop("municipality", "")
        municipality = None
        if number:
            municipality = Organisation.objects.filter(kind=OrgKind.MUNICIPALITY, municipality_number=number).first()
            if municipality is None:
                return Response({"municipality": ["Ukjent kommunenummer."]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            need = services.need_create(user=request.user, municipality=municipality, data=data, submit=submit)
        except DjangoPermissionDenied as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        return _detail_response(request, need, status.HTTP_201_CREATED)


class NeedDetail(APIView):
    @extend_schema(parameters=[PUBLIC_ID], responses={200: NeedDetailSerializer, 404: ErrorSerializer}, operation_id="needs_retrieve")
    def get(self, request: Request, public_id: str) -> Response:
        """Ett behov med historikk, støtte og svar."""
        return _detail_response(request, _get(request, public_id))


class NeedEndorse(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[PUBLIC_ID], request=EndorseRequestSerializer,
        responses={201: EndorseResponse, 400: OpenApiTypes.OBJECT, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        operation_id="needs_endorse",
    )
    def post(self, request: Request, public_id: str) -> Response:
        """«Relevant for oss også»: kommunen din støtter behovet (én gang per kommune)."""
        need = _get(request, public_id)
        _require(access.require_endorse_right, request.user, need)
        serializer = EndorseRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endorsement = services.need_endorse(need=need, user=request.user, comment=serializer.validated_data["comment"])
        need = selectors.with_support(Need.objects.filter(pk=need.pk)).select_related("municipality").get()
        return Response(
            {"municipality": endorsement.municipality.name, "endorsement_count": need.endorsement_count,  # type: ignore[attr-defined]
             "combined_population": selectors.combined_population(need)},
            status=status.HTTP_201_CREATED,
        )


class NeedFollow(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[PUBLIC_ID], request=None, responses={200: FollowResponse, 401: ErrorSerializer, 404: ErrorSerializer},
                   operation_id="needs_follow")
    def post(self, request: Request, public_id: str) -> Response:
        """Følg behovet (e-post ved hver statusendring)."""
        need = _get(request, public_id)
        return Response({"following": services.need_follow(need=need, user=request.user, follow=True)})

    @extend_schema(parameters=[PUBLIC_ID], request=None, responses={200: FollowResponse, 401: ErrorSerializer, 404: ErrorSerializer},
                   operation_id="needs_unfollow")
    def delete(self, request: Request, public_id: str) -> Response:
        """Slutt å følge behovet."""
        need = _get(request, public_id)
        return Response({"following": services.need_follow(need=need, user=request.user, follow=False)})


class NeedTransition(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[PUBLIC_ID], request=TransitionRequestSerializer,
        responses={200: NeedDetailSerializer, 400: OpenApiTypes.OBJECT, 401: ErrorSerializer, 403: ErrorSerializer,
                   404: ErrorSerializer, 409: ErrorSerializer},
        operation_id="needs_transition",
    )
    def post(self, request: Request, public_id: str) -> Response:
        """Flytt behovet i arbeidsflyten (tabellen i workflow.py avgjør hvem som kan og hva som må oppgis)."""
        need = _get(request, public_id, write=True)
        to = request.data.get("to") if isinstance(request.data, dict) else None
        _require(access.require_transition_right, request.user, need, to if isinstance(to, str) else "")
        serializer = TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = None
        if data["target"]:
            target = Need.objects.filter(public_id=data["target"].strip().upper()).first()
            if target is None:
                return Response({"target": [f"Fant ikke behovet {data['target'][:20]}."]}, status=status.HTTP_400_BAD_REQUEST)
        partner = None
        if data["partner"]:
            partner = Organisation.objects.filter(kind=OrgKind.RESEARCH_PARTNER, slug=data["partner"]).first()
            if partner is None:
                return Response({"partner": ["Ukjent forskningspartner."]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            need = services.need_transition(
                need=need, user=request.user, to=data["to"], reason=data["reason"], answer=data["answer"],
                target=target, partner=partner, due=data["due"], project_ref=data["project_ref"],
            )
        except services.TransitionConflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except DjangoPermissionDenied as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        return _detail_response(request, need)


urlpatterns = [
    path("needs", NeedListCreate.as_view(), name="needs"),
    path("needs/<str:public_id>", NeedDetail.as_view(), name="need"),
    path("needs/<str:public_id>/endorse", NeedEndorse.as_view(), name="need-endorse"),
    path("needs/<str:public_id>/follow", NeedFollow.as_view(), name="need-follow"),
    path("needs/<str:public_id>/transition", NeedTransition.as_view(), name="need-transition"),
]
