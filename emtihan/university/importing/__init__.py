"""The registry import: faculties, departments, disciplines, groups, students, teachers and
teaching assignments from the registry's XLSX or CSV exports.

Three phases, so that a bad file never leaves half an import behind:

1. **read**: each source becomes rows of text keyed by lower-case column names, numbered
   as the person sees them in Excel (the header is line 1);
2. **plan**: every row is cleaned (formats), checked against the other rows and the
   database (duplicates, references, e-mails owned by someone else, photos) and compared
   with what is stored: *created*, *updated*, *unchanged* or *bad*. Read-only, outside any
   transaction, so a web job can report its progress as it goes;
3. **apply**: only when no row is bad (or with ``partial``): the passwords of new students
   are hashed first, in threads and outside the transaction (argon2id is slow on purpose),
   then everything is written in one ``transaction.atomic()`` with its audit entry.

Rows are keyed by the registry's natural keys, so running the same file twice changes
nothing the second time. Nothing is ever deleted: a row missing from the file is left as
it is. See docs/REGISTRY-IMPORT.md.

Modules, in the order the data flows: ``records`` (kinds, columns, messages, the report and
the typed records every phase shares), ``read``, ``clean``, ``photos``, ``plan``, ``write``
and ``run`` (``registry_import``, which drives them). Web jobs that run an import in the
background are in ``university.services`` and ``university.tasks``.
"""

from .photos import PhotoFolder, PhotoSource, PhotoZip, open_photos
from .read import detect_format
from .records import KIND_LABELS, KINDS, STAGE_LABELS, ImportFormatError, ImportReport, Source
from .run import registry_import

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "STAGE_LABELS",
    "ImportFormatError",
    "ImportReport",
    "PhotoFolder",
    "PhotoSource",
    "PhotoZip",
    "Source",
    "detect_format",
    "open_photos",
    "registry_import",
]
