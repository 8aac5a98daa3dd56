"""`docs/portal-openapi.json` and the sandbox describe the same API.

PyYAML is not a dependency, so the contract is JSON (which any OpenAPI tool
reads). These tests keep the document honest: every route the sandbox serves
is documented and every documented route is served, every `$ref` resolves,
and every refusal the sandbox can answer is documented with its status.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.portal.sandbox import create_sandbox_app
from bot.portal.sandbox_http import STATUS
from conversations.portal import RefusalCode

DOC_PATH = Path(__file__).parents[3] / "docs" / "portal-openapi.json"


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return dict(json.loads(DOC_PATH.read_text(encoding="utf-8")))


def deref(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and set(node) == {"$ref"}:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for item in node for r in refs(item)]
    return []


def documented_errors(doc: dict[str, Any], response: Any) -> set[str]:
    schema = deref(doc, deref(doc, response).get("content", {}).get("application/json", {}).get("schema", {}))
    return {code for part in schema.get("allOf", []) for code in part.get("properties", {}).get("error", {})
            .get("enum", [])}


def test_it_is_openapi_3_1(doc: dict[str, Any]) -> None:
    assert doc["openapi"].startswith("3.1.")
    assert doc["info"]["title"] and doc["info"]["version"]


def test_routes_match_the_sandbox(doc: dict[str, Any]) -> None:
    app = create_sandbox_app()
    served = {(route.method.lower(), route.resource.canonical) for route in app.router.routes()
              if route.resource is not None}
    documented = {(method, path) for path, operations in doc["paths"].items() for method in operations}
    assert served == documented


def test_every_ref_resolves(doc: dict[str, Any]) -> None:
    found = refs(doc)
    assert found
    for ref in found:
        assert ref.startswith("#/")
        deref(doc, {"$ref": ref})  # raises KeyError when dangling


def test_every_operation_is_tagged_and_answers(doc: dict[str, Any]) -> None:
    for path, operations in doc["paths"].items():
        for operation in operations.values():
            assert operation["responses"], path
            assert operation["tags"] == (["sandbox"] if path.startswith("/sandbox/") else ["registration"])
            assert operation["security"] == ([] if path.startswith("/sandbox/") else [{"bearerAuth": []}, {}])


def test_error_codes_are_the_refusal_codes(doc: dict[str, Any]) -> None:
    codes = set(doc["components"]["schemas"]["Error"]["properties"]["error"]["enum"])
    assert codes == {code.value for code in RefusalCode} | {"unauthorized"}


def test_each_refusal_is_documented_with_the_sandbox_status(doc: dict[str, Any]) -> None:
    documented: dict[str, set[int]] = {}
    for operations in doc["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                for code in documented_errors(doc, response):
                    documented.setdefault(code, set()).add(int(status))
    for code, status in STATUS.items():
        assert documented.get(code.value) == {status}, code
