"""Lift a log-in lock at once: `manage.py login_unlock student1@uni.kz` or `--ip 10.0.0.7`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from emtihan.accounts import throttle


class Command(BaseCommand):
    help = "Forget the failed log-ins of an e-mail and/or a client address (lifts the lock)."

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", default="")
        parser.add_argument("--ip", default="", help="a client address (an IPv6 one as its /64)")

    def handle(self, *args, email: str, ip: str, **options):
        if not email and not ip:
            raise CommandError("Name an e-mail, an --ip, or both.")
        removed = throttle.unlock(account=email, ip=ip)
        self.stdout.write(f"Unlocked: {removed} failed log-in(s) forgotten.")
