"""Compile every emtihan/locale/*/LC_MESSAGES/django.po to .mo with polib.

Same result as `manage.py compilemessages` without needing GNU gettext installed.
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
for po_path in sorted((ROOT / "emtihan" / "locale").glob("*/LC_MESSAGES/django.po")):
    po = polib.pofile(str(po_path))
    po.save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"{po_path.relative_to(ROOT)}: {po.percent_translated()}% translated")
