"""The rule table as a queryable object: which platforms, forms and types a discipline may
use in an academic year, and what "additional information" each combination needs.

Both the edit dialog (to build the dependent drop-downs) and the services (to validate
what comes back) ask the same ``RuleBook``, so the page can never offer what the server
would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import AdditionalInfo, ExamRule


@dataclass(frozen=True)
class RuleBook:
    academic_year: str
    rules: tuple[ExamRule, ...]
    medical: bool

    @classmethod
    def load(cls, *, academic_year: str, medical: bool) -> RuleBook:
        rules = ExamRule.objects.filter(academic_year=academic_year, is_active=True).order_by(
            "number"
        )
        return cls(academic_year=academic_year, rules=tuple(rules), medical=medical)

    def _open(self) -> list[ExamRule]:
        return [r for r in self.rules if self.medical or not r.medical_only]

    def platforms(self) -> list[str]:
        return _unique(r.platform for r in self._open())

    def forms(self, platform: str) -> list[str]:
        return _unique(r.form for r in self._open() if r.platform == platform)

    def types(self, platform: str, form: str) -> list[str]:
        """The types of a platform and form; empty when the table has no type there."""
        return _unique(
            r.exam_type
            for r in self._open()
            if r.platform == platform and r.form == form and r.exam_type
        )

    def find(self, platform: str, form: str, exam_type: str) -> ExamRule | None:
        for rule in self._open():
            if (rule.platform, rule.form, rule.exam_type) == (platform, form, exam_type):
                return rule
        return None

    def is_medical_only(self, platform: str) -> bool:
        """True when every rule of the platform is limited to medicine (StartExam)."""
        rows = [r for r in self.rules if r.platform == platform]
        return bool(rows) and all(r.medical_only for r in rows)

    def additional_info(self, platform: str, form: str) -> str:
        kinds = {
            r.additional_info for r in self._open() if r.platform == platform and r.form == form
        }
        return kinds.pop() if len(kinds) == 1 else AdditionalInfo.NONE


def _unique(values) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)
