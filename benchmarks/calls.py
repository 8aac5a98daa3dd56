"""Bot API calls per step of the stream: `python -m benchmarks calls [--citizens N]`.

The main benchmark gives the calls per update of the whole stream; this
says where they are made. Each framework's product is fed the same stream
(`workload.py`, the same path as `product.py`), once as webhook updates,
whose response may carry one call (`webhook_reply.py`), and once as polled
ones, which carry none; the requests each beat caused, and the call its
response carried, are counted by the step it answered, valid and invalid
apart. Timings are not taken: the counts do not depend on the machine.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from benchmarks.harness import MAIN_FIRST_USER
from benchmarks.product import Product
from benchmarks.redis_server import RedisServer, redis_server
from benchmarks.workload import Updates, Workload
from bot.app import eventloop

# Short names for the table: requests as made, and a carried call marked with "+".
SHORT = {"sendMessage": "send", "editMessageText": "edit", "editMessageReplyMarkup": "markup",
         "answerCallbackQuery": "answer", "deleteMessage": "delete"}


@dataclass(slots=True)
class StepCalls:
    beats: int = 0
    requests: Counter[str] = field(default_factory=Counter)
    carried: Counter[str] = field(default_factory=Counter)


class PolledProduct(Product):
    """The product fed as polling feeds it: no webhook response to carry a call."""

    async def feed(self, update: dict[str, Any]) -> None:
        assert self.adapter is not None and self.front is not None
        await self.front.on_update(self.adapter.parse_update(update))


async def count(server: RedisServer, framework: str, webhook: bool, workload: Workload) -> dict[str, StepCalls]:
    """The calls of each step of `workload`, by "<step>" (valid beats) and "<step> (invalid)"."""
    product = (Product if webhook else PolledProduct)(server, framework=framework)
    await server.clean()
    await product.start()
    steps: dict[str, StepCalls] = defaultdict(StepCalls)
    try:
        updates = Updates(product.api.user, product.chats, product.otp_code, first_update_id=1)
        for citizen, beat in workload.stream():
            requests, carried = product.api.calls.copy(), product.api.carried.copy()
            await product.feed(updates.build(citizen, beat))
            step = steps[beat.step if beat.valid else f"{beat.step} (invalid)"]
            step.beats += 1
            step.requests += product.api.calls - requests
            step.carried += product.api.carried - carried
    finally:
        await product.stop()
        await server.clean([product.bot_id])
    return steps


def _calls(counter: Counter[str], beats: int, mark: str = "") -> str:
    return " ".join(f"{mark}{SHORT.get(method, method)} {n / beats:g}" for method, n in sorted(counter.items())) \
        or "-"


def render(framework: str, mode: str, steps: dict[str, StepCalls]) -> str:
    beats = sum(step.beats for step in steps.values())
    requests = sum(sum(step.requests.values()) for step in steps.values())
    carried = sum(sum(step.carried.values()) for step in steps.values())
    lines = [f"product on {framework}, {mode}: {requests / beats:.3f} requests per update "
             f"(+ {carried / beats:.3f} carried in webhook responses), {beats} updates",
             f"  {'step':<22} {'beats':>6} {'requests':>9}  per beat"]
    for name, step in steps.items():
        per_beat = sum(step.requests.values()) / step.beats
        lines.append(f"  {name:<22} {step.beats:>6} {per_beat:>9.2f}  "
                     f"{_calls(step.requests, step.beats)}  {_calls(step.carried, step.beats, '+')}".rstrip())
    return "\n".join(lines)


async def run(citizens: int) -> None:
    workload = Workload.make(citizens, MAIN_FIRST_USER)
    async with redis_server() as server:
        for framework in ("aiogram", "ptb"):
            for webhook in (True, False):
                steps = await count(server, framework, webhook, workload)
                print(render(framework, "webhook" if webhook else "polling", steps) + "\n", flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks calls", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citizens", type=int, default=40, help="citizens in the stream (default 40)")
    options = parser.parse_args(argv)
    print(f"{options.citizens} citizens", file=sys.stderr)
    eventloop.run(run(options.citizens), fast=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
