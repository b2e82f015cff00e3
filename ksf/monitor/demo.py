"""Demo: build today's open-data bundle so /statistikk/ links to one (idempotent: same-day rebuild)."""

from __future__ import annotations

from typing import Any

from . import services


def load(world: Any) -> str:
    path = services.open_data_bundle_build()
    return f"åpen datapakke {path.name} ({path.stat().st_size // 1024} KiB)"
