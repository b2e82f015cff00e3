"""Public Atom feeds: new needs and answered needs — all, per health region, per service area."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from ksf.organisations.models import HealthRegion

from . import selectors
from .models import Need, ServiceArea
from .workflow import ANSWERED_STATUSES

FEED_SIZE = 50


class _NeedFeed(Feed):
    feed_type = Atom1Feed
    kind = "new"

    def get_object(self, request: HttpRequest, region: str = "", service_area: str = "") -> dict[str, Any]:
        scope: dict[str, Any] = {"region": None, "service_area": ""}
        if region:
            scope["region"] = HealthRegion.objects.filter(code=region).first()
            if scope["region"] is None:
                raise Http404(_("Ukjent helseregion."))
        if service_area:
            if service_area not in ServiceArea.values:
                raise Http404(_("Ukjent tjenesteområde."))
            scope["service_area"] = service_area
        return scope

    def _scope_label(self, obj: dict[str, Any]) -> str:
        if obj["region"] is not None:
            return f" – {obj['region'].name}"
        if obj["service_area"]:
            return f" – {ServiceArea(obj['service_area']).label}"
        return ""

    def link(self, obj: dict[str, Any]) -> str:
        url = reverse("needs:list")
        if obj["region"] is not None:
            return f"{url}?region={obj['region'].code}"
        if obj["service_area"]:
            return f"{url}?service_area={obj['service_area']}"
        return url

    def _queryset(self, obj: dict[str, Any]) -> QuerySet[Need]:
        qs = selectors.public_needs()
        if obj["region"] is not None:
            qs = qs.filter(region=obj["region"])
        if obj["service_area"]:
            qs = qs.filter(service_area=obj["service_area"])
        return qs

    def item_title(self, item: Need) -> str:
        return f"{item.public_id}: {item.title}"

    def item_link(self, item: Need) -> str:
        return reverse("needs:detail", args=[item.public_id])

    def item_guid(self, item: Need) -> str:
        return item.public_id

    def item_author_name(self, item: Need) -> str:
        return item.municipality.name

    def item_categories(self, item: Need) -> list[str]:
        return [item.get_service_area_display(), item.region.name]


class NewNeedsFeed(_NeedFeed):
    def title(self, obj: dict[str, Any]) -> str:
        return _("Nye kunnskapsbehov") + self._scope_label(obj)

    def subtitle(self, obj: dict[str, Any]) -> str:
        return _("Behov som klyngene har tatt til vurdering og publisert.")

    def items(self, obj: dict[str, Any]) -> QuerySet[Need]:
        return self._queryset(obj).order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_description(self, item: Need) -> str:
        return escape(item.question)  # the summary is HTML for feed readers: user text stays inert

    def item_pubdate(self, item: Need) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Need) -> dt.datetime | None:
        return item.published_at


class AnsweredNeedsFeed(_NeedFeed):
    def title(self, obj: dict[str, Any]) -> str:
        return _("Besvarte kunnskapsbehov") + self._scope_label(obj)

    def subtitle(self, obj: dict[str, Any]) -> str:
        return _("Behov som er besvart med kunnskap i klarspråk.")

    def items(self, obj: dict[str, Any]) -> QuerySet[Need]:
        return (
            self._queryset(obj).filter(status__in=ANSWERED_STATUSES, answered_at__isnull=False)
            .order_by("-answered_at", "-pk")[:FEED_SIZE]
        )

    def item_description(self, item: Need) -> str:
        return escape(item.answer)

    def item_pubdate(self, item: Need) -> dt.datetime | None:
        return item.answered_at

    def item_updateddate(self, item: Need) -> dt.datetime | None:
        return item.answered_at
