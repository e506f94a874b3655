"""``manage.py attempts_lock_expired [--every SECONDS]``: lock sittings past their deadline.

Once by default (cron); with ``--every 15`` it loops, the database being the queue. Every
request touching an attempt also locks it lazily, so this command only makes sure that
attempts nobody comes back to are locked and their time-out policy applied promptly.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from emtihan.attempts.services import attempts_lock_expired


class Command(BaseCommand):
    help = "Lock every exam sitting past its deadline and apply the exam's time-out policy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=float, default=0, help="repeat every SECONDS (default: run once)"
        )

    def handle(self, *args: Any, every: float = 0, **options: Any) -> None:
        while True:
            locked = attempts_lock_expired()
            if locked or options["verbosity"] > 1:
                self.stdout.write(f"locked {locked}")
            if not every:
                return
            time.sleep(every)
