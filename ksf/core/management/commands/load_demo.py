"""`manage.py load_demo`: reference data, organisation structure, personas and each app's demo set.

Idempotent: run it on every start. Each app contributes its demo data through a
`demo.py` module with a `load(world)` function, called in dependency order.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from ksf.core.personas import DEMO_PASSWORD, build_world

# Order matters: later apps link to earlier apps' demo objects.
DEMO_APPS = ["needs", "evidence", "projects", "priorities", "procurement", "monitor", "search"]


class Command(BaseCommand):
    help = "Laster referansedata, demo-organisasjoner, demobrukere og demodata (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("load_reference_data", stdout=self.stdout)
        world = build_world(password=DEMO_PASSWORD)
        self.stdout.write(f"Demobrukere: {', '.join(sorted(u.username for u in world.users.values()))} (passord: {DEMO_PASSWORD})")
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"ksf.{app}.demo")
            except ModuleNotFoundError:
                continue
            result = module.load(world)
            self.stdout.write(f"{app}: {result}")
        self.stdout.write(self.style.SUCCESS("Demodata er klare."))
