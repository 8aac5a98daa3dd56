"""Draw the flow as a Mermaid diagram, from the steps' declared exits.

`docs/flow.md` holds the output; a test fails when it is stale, so the
picture in the docs is always the tree that runs.
"""

from __future__ import annotations

from conversations.steps import FLOW


def mermaid() -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {FLOW[0].name}"]
    for step in FLOW:
        lines += [f"    {step.name} --> {exit_}" for exit_ in step.exits]
        if step.back is not None:
            lines.append(f"    {step.name} --> {step.back}: /back")
    lines.append(f"    {FLOW[-1].name} --> [*]")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(mermaid(), end="")
