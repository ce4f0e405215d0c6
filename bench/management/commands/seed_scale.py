"""``manage.py seed_scale``: load the benchmark's synthetic clinic (bench/seed_scale.py)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from bench.seed_scale import FULL, seed_scale


class Command(BaseCommand):
    help = "Load a large synthetic clinic (ten years, busy therapists) for the benchmark."

    def add_arguments(self, parser):
        parser.add_argument("--small", action="store_true", help="A tiny data set of the same shape.")
        parser.add_argument("--clients", type=int, help=f"Clients (default {FULL['clients']:,}).")
        parser.add_argument("--notes", type=int, help=f"Visit notes (default {FULL['notes']:,}).")
        parser.add_argument("--assessments", type=int, help=f"Assessments (default {FULL['assessments']:,}).")
        parser.add_argument("--programs", type=int, help=f"Program versions (default {FULL['programs']:,}).")
        parser.add_argument("--seed", type=int, default=7, help="Random seed (same seed, same data).")

    def handle(self, *args, **options):
        started = time.monotonic()
        summary = seed_scale(
            small=options["small"],
            clients=options["clients"],
            notes=options["notes"],
            assessments=options["assessments"],
            programs=options["programs"],
            seed=options["seed"],
            say=self.stdout.write,
        )
        self.stdout.write(
            self.style.SUCCESS(f"Synthetic clinic ready in {time.monotonic() - started:.0f} s: {summary}")
        )
