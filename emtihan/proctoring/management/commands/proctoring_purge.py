"""Delete the proctoring recordings whose retention has run out (docs/PROCTORING.md,
"Retention"). Run it daily (cron, a systemd timer); it is safe to run more often."""

from django.core.management.base import BaseCommand

from emtihan.proctoring.services import proctoring_purge


class Command(BaseCommand):
    help = "Delete proctoring recordings past their exam's retention period."

    def handle(self, *args, **options):
        purged = proctoring_purge()
        self.stdout.write(f"{purged} proctoring session(s) purged")
