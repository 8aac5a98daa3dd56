"""Re-extract the messages and bring both catalogs up to date.

    python scripts/update_catalogs.py

New English entries are filled with the source text (edit them where the
English should differ); new Vietnamese entries are left empty and listed,
and `tests/bot/test_i18n.py` fails until they are translated.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "locales" / "messages.pot"


def main() -> int:
    pybabel = [sys.executable, "-m", "babel.messages.frontend"]
    subprocess.run([*pybabel, "extract", "-F", "babel.cfg", "--no-wrap", "--sort-by-file", "--no-location",
                    "--project", "regbot", "-o", str(POT), "."], cwd=ROOT, check=True, capture_output=True)
    untranslated = 0
    for language in ("en", "vi"):
        path = ROOT / "locales" / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as file:
            catalog = read_po(file, locale=language)
        with POT.open("rb") as file:  # read afresh: update() shares the template's message objects
            catalog.update(read_po(file), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        for message in catalog:
            if message.id and not message.string:
                if language == "en":
                    message.string = message.id
                else:
                    untranslated += 1
                    print(f"vi: untranslated: {message.id}")
        with path.open("wb") as file:
            write_po(file, catalog, width=0, sort_by_file=True, omit_header=False, no_location=True)
    return 1 if untranslated else 0


if __name__ == "__main__":
    raise SystemExit(main())
