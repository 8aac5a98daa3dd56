"""Commands that ride in the round trip that locks a dialog: another part's call to Redis at no round trip of its own.

Issue 18 asks the bot-wide message budget to cost "no extra round trip on
the common path". A worker that sends now and then holds no slots when an
update comes (they last a quarter of a second, bot/core/message_budget.py),
so its answer would wait for a lease of its own; instead the lease is sent
right after the script that locks the dialog, on the same connection (on
a Redis Cluster, in the same pipeline, to its own node), and its reply
handed back. One rider's command per round trip; a rider's failure never
touches the dialog's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from redis.typing import EncodableT

Command = tuple[EncodableT, ...]
Ride = tuple[Command, Callable[[Any], None]]  # the command, and what takes its reply (an exception for an error)


class Rider(Protocol):
    def ride(self) -> Ride | None:
        """A command to send with the next dialog's lock, if there is one now."""
        ...


class Riders:
    """The riders of a process's dialog store, added as the parts that have one are built (a bot's budget needs
    the bot's id, known only once the store is running)."""

    def __init__(self) -> None:
        self._riders: list[tuple[Rider, str | None]] = []

    def add(self, rider: Rider, channel: str | None = None) -> None:
        """`channel`: the channel account (`DialogKey.bot`) whose dialogs' locks it rides with, so that with two
        channels in one process each one's answer finds its own budget's lease there; None: any dialog's."""
        self._riders.append((rider, channel))

    def ride(self, channel: str | None = None) -> Ride | None:
        """A command to send with the lock of a dialog of `channel`."""
        for rider, only in self._riders:
            if only is not None and only != channel:
                continue
            ride = rider.ride()
            if ride is not None:
                return ride
        return None
