"""Start a new academic year's Table 1 from last year's rows, then edit it in the admin.

manage.py examforms_copy_rules --from 2026-2027 --to 2027-2028 [--replace]
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from emtihan.audit.services import audit_record
from emtihan.examforms.models import ExamRule

YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{4})$")

ERR_YEAR_FORMAT = gettext_noop("%(year)s is not an academic year: write it like 2026-2027.")
ERR_SAME_YEAR = gettext_noop("The source and the target year are the same.")
ERR_SOURCE_EMPTY = gettext_noop("Academic year %(year)s has no rules to copy.")
ERR_TARGET_HAS_ROWS = gettext_noop(
    "Academic year %(year)s already has rules (%(count)d). Use --replace to delete them and "
    "copy again."
)


def _academic_year(value: str) -> str:
    match = YEAR_PATTERN.match(value)
    if not match or int(match[2]) != int(match[1]) + 1:
        raise CommandError(_(ERR_YEAR_FORMAT) % {"year": value})
    return value


class Command(BaseCommand):
    help = "Copy one academic year's exam-form rules (Table 1) to another academic year."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="source", required=True, metavar="YEAR", help="e.g. 2026-2027"
        )
        parser.add_argument(
            "--to", dest="target", required=True, metavar="YEAR", help="e.g. 2027-2028"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete the target year's rules first (otherwise the command refuses)",
        )

    def handle(self, *args, source: str, target: str, replace: bool, **options):
        source, target = _academic_year(source), _academic_year(target)
        if source == target:
            raise CommandError(_(ERR_SAME_YEAR))
        # One transaction: with --replace, the target year is never left without rules.
        with transaction.atomic():
            rules = list(ExamRule.objects.filter(academic_year=source).order_by("number"))
            if not rules:
                raise CommandError(_(ERR_SOURCE_EMPTY) % {"year": source})
            existing = ExamRule.objects.filter(academic_year=target)
            replaced = existing.count()
            if replaced and not replace:
                raise CommandError(_(ERR_TARGET_HAS_ROWS) % {"year": target, "count": replaced})
            if replaced:
                existing.delete()
            for rule in rules:
                rule.pk = None
                rule.academic_year = target
            ExamRule.objects.bulk_create(rules)
            audit_record(
                actor=None,
                action="examforms.rules_copy",
                object_type="examforms.examrule",
                object_id=target,
                data={"from": source, "to": target, "copied": len(rules), "replaced": replaced},
            )
        message = _("Rules copied from %(source)s to %(target)s: %(count)d.") % {
            "count": len(rules),
            "source": source,
            "target": target,
        }
        if replaced:
            message += " " + _("Rules of %(year)s deleted before copying: %(count)d.") % {
                "count": replaced,
                "year": target,
            }
        self.stdout.write(self.style.SUCCESS(message))
