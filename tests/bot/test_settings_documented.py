"""Every setting is in the README's Configuration table, so an operator finds all of them in one place."""

from __future__ import annotations

from pathlib import Path

from bot.app.settings import Settings

README = Path(__file__).parents[2] / "README.md"


def test_every_environment_variable_is_documented_in_the_configuration_table() -> None:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Configuration"):text.index("Commands:", text.index("## Configuration"))]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    undocumented = [name.upper() for name in Settings.model_fields
                    if not any(f"`{name.upper()}`" in row.split("|")[1] for row in rows)]
    assert undocumented == []
