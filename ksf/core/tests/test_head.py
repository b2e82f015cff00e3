"""Uptime monitors and link checkers ask with HEAD: public pages answer it as they answer GET."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ksf.needs.tests.helpers import walk
from ksf.needs.workflow import Status

pytestmark = pytest.mark.django_db


def test_public_pages_answer_head_like_get(client, world):
    need = walk(world, Status.CLUSTER_REVIEW, title="Fall hos hjemmeboende eldre")
    for url in (reverse("needs:list"), reverse("needs:detail", args=[need.public_id]), reverse("search:search") + "?q=fall",
                reverse("monitor:stats"), reverse("core:home")):
        get, head = client.get(url), client.head(url)
        assert (head.status_code, head["Content-Type"]) == (get.status_code, get["Content-Type"]) == (200, "text/html; charset=utf-8"), url
        assert head.content == b""
