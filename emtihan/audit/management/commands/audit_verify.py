from django.core.management.base import BaseCommand, CommandError

from emtihan.audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chains (the global one and each exam's), each from its "
        "first entry to its head; report the first break in each."
    )

    def handle(self, *args, **options):
        report = audit_verify(progress=lambda n: self.stdout.write(f"  checked {n} entries…"))
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit chain OK: {report.checked} entries verified "
                    f"in {len(report.chains)} chains."
                )
            )
            return
        raise CommandError(
            "\n".join(
                f"Audit chain {broken.chain} BROKEN at entry {broken.first_bad_seq}: "
                f"{broken.reason} ({broken.checked} entries verified before it)."
                for broken in report.breaks
            )
        )
