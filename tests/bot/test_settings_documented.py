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


def test_every_zalo_setting_is_explained_where_an_operator_sets_up_the_oa() -> None:
    """The README's Running on Zalo section says what each ZALO_* setting is, beside the steps that give it."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Running on Zalo"):text.index("\n## ", text.index("## Running on Zalo") + 1)]
    zalo = [name.upper() for name in Settings.model_fields if name.startswith("zalo_")]
    assert len(zalo) >= 7
    assert [name for name in zalo if f"`{name}`" not in section] == []
    assert "https://<your host>/zalo/webhook" in section
