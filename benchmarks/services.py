"""The processes of `benchmarks.load`, started as an operator starts them, and what CPU each one used.

`regbot run --webhook` workers and one `regbot portal` (the sandbox every
worker shares, as PORTAL_URL) are real child processes; their output goes to
a log file, shown if one exits early. CPU time is read from
/proc/<pid>/stat (user + system, every thread, and reaped children), the
machine's from /proc/stat.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_environment() -> dict[str, str]:
    """This process's environment without any of the bot's settings: each service gets exactly what it is given."""
    settings = {name.upper() for name in Settings.model_fields}
    return {key: value for key, value in os.environ.items() if key.upper() not in settings}


class Service:
    """`python -m bot <args>` in its own process, up once `ready_url` answers 200."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], ready_url: str, log: Path) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.ready_url = ready_url
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self, timeout: float = 30.0) -> Service:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", *self.args, cwd=ROOT, env=self.env, stdout=out,
                stderr=asyncio.subprocess.STDOUT, stdin=asyncio.subprocess.DEVNULL)
        async with aiohttp.ClientSession() as session:
            try:
                async with asyncio.timeout(timeout):
                    while True:
                        if self.process.returncode is not None:
                            raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.output()}")
                        try:
                            async with session.get(self.ready_url) as response:
                                if response.status == 200:
                                    return self
                        except aiohttp.ClientError:
                            pass
                        await asyncio.sleep(0.1)
            except TimeoutError:
                await self.stop()
                raise RuntimeError(f"{self.name} not ready after {timeout} s:\n{self.output()}") from None

    def output(self, tail: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(10):
                await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def process_ticks(pid: int) -> int:
    """User + system CPU ticks so far, its reaped children's included (Redis's BGSAVE forks); 0 if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime (fields 14-17 of proc(5))


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def machine_ticks() -> tuple[int, int, int]:
    """(busy, steal, total) CPU ticks of the whole machine, every core.

    Steal is time the hypervisor gave another guest while this one wanted to run: not ours, not idle.
    """
    values = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    values += [0] * (8 - len(values))
    idle = values[3] + values[4]  # idle + iowait
    steal = values[7]
    total = sum(values[:8])  # guest time is already in user
    return total - idle - steal, steal, total


@dataclass(slots=True)
class CpuSample:
    at_ns: int
    processes: dict[str, int]  # name -> ticks
    machine: tuple[int, int, int]


def sample(pids: dict[str, int], at_ns: int) -> CpuSample:
    return CpuSample(at_ns, {name: process_ticks(pid) for name, pid in pids.items()}, machine_ticks())


def cpu_use(first: CpuSample, last: CpuSample) -> dict[str, float]:
    """% of one core per process between two samples, "machine" (% of all cores, 100 = every core busy),
    "others" (% of one core the rest of the machine used: another job on a shared machine shows here) and
    "steal" (% of all cores the hypervisor took for other guests: a busy host shows here)."""
    seconds = (last.at_ns - first.at_ns) / 1e9
    used = {name: round(100 * (last.processes[name] - first.processes[name]) / TICKS_PER_S / seconds, 1)
            for name in first.processes}
    busy, steal, total = (after - before for after, before in zip(last.machine, first.machine, strict=True))
    used["machine"] = round(100 * busy / total, 1) if total else 0.0
    mine = sum(used.values()) - used["machine"]
    used["steal"] = round(100 * steal / total, 1) if total else 0.0
    used["others"] = round(max(0.0, used["machine"] * CORES - mine), 1)  # % of a core: processes not ours
    return used
