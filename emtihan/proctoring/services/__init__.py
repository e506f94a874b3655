"""Writes of the proctoring app (docs/PROCTORING.md is the contract).

Modules: ``gate`` (the start requirement attempts asks), ``consent`` (the text and its
version). Callers import from ``emtihan.proctoring.services``.
"""

from .consent import LANGUAGES, consent_paragraphs, consent_version
from .gate import start_blocker, start_requirement

__all__ = [
    "LANGUAGES",
    "consent_paragraphs",
    "consent_version",
    "start_blocker",
    "start_requirement",
]
