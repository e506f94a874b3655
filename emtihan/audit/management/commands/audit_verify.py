from django.core.management.base import BaseCommand, CommandError

from emtihan.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain from the first entry to the last."

    def handle(self, *args, **options):
        report = audit_verify(progress=lambda n: self.stdout.write(f"  checked {n} entries…"))
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(f"Audit chain OK: {report.checked} entries verified.")
            )
            return
        raise CommandError(
            f"Audit chain BROKEN at entry {report.first_bad_seq}: {report.reason} "
            f"({report.checked} entries verified before it)."
        )
