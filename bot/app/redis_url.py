"""REDIS_URL read into what to connect to: one server, a Sentinel-watched primary, or a Redis Cluster.

The forms (issue 18, item 4):

- `redis://[user:password@]host[:port][/db]`, `rediss://…` (TLS), `unix://[user:password@]/path/to.sock[?db=N]`:
  one server; the URL goes to redis-py as it is, with redis-py's own query options;
- `redis+sentinel://[user:password@]host[:port][,host[:port]…]/service[/db]`, `rediss+sentinel://…`: the
  primary the sentinels name for `service` (26379 by default); the credentials are the data nodes', and
  `?sentinel_username=…&sentinel_password=…` are the sentinels' own, if they require any;
- `redis+cluster://[user:password@]host[:port][,host[:port]…]`, `rediss+cluster://…`: the startup nodes of a
  Redis Cluster (database 0 only).

`ssl_ca_certs` and `ssl_cert_reqs` may follow any TLS form. A URL that is none of these is refused with a
`RedisUrlError` whose text is one line naming what is wrong and never the password (nor any query value):
the caller stops the process with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

__all__ = ["ClusterNodes", "RedisTarget", "RedisUrlError", "SentinelService", "SingleServer", "parse_redis_url"]

FORMS = ("redis://, rediss://, unix://, redis+sentinel://host:port[,host:port…]/service[/db], "
         "rediss+sentinel://…, redis+cluster://host:port[,host:port…] or rediss+cluster://…")
SENTINEL_PORT = 26379
REDIS_PORT = 6379
TLS_OPTIONS = frozenset({"ssl_ca_certs", "ssl_cert_reqs"})
SENTINEL_OPTIONS = frozenset({"sentinel_username", "sentinel_password"})
CERT_REQS = frozenset({"none", "optional", "required"})

Address = tuple[str, int]


class RedisUrlError(ValueError):
    """REDIS_URL cannot be used; the message is safe to print (no password, no query values)."""


@dataclass(frozen=True, slots=True)
class SingleServer:
    """One Redis server (TCP, TLS or a Unix socket); redis-py reads the URL itself."""

    url: str = field(repr=False)
    tls: bool

    def describe(self) -> str:
        return "one server" + (" over TLS" if self.tls else "")


@dataclass(frozen=True, slots=True)
class SentinelService:
    """The primary of `service`, as the sentinels name it now and after every failover."""

    sentinels: tuple[Address, ...]
    service: str
    db: int = 0
    tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sentinel_username: str | None = None
    sentinel_password: str | None = field(default=None, repr=False)
    ssl_options: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return f"the primary of {self.service!r} named by {len(self.sentinels)} sentinel(s)" + (
            " over TLS" if self.tls else "")


@dataclass(frozen=True, slots=True)
class ClusterNodes:
    """A Redis Cluster, found from any of its startup nodes."""

    nodes: tuple[Address, ...]
    tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ssl_options: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return f"a cluster ({len(self.nodes)} startup node(s))" + (" over TLS" if self.tls else "")


RedisTarget = SingleServer | SentinelService | ClusterNodes


def parse_redis_url(url: str) -> RedisTarget:
    scheme, separator, rest = url.strip().partition("://")
    scheme = scheme.lower()
    if not separator or scheme not in {"redis", "rediss", "unix", "redis+sentinel", "rediss+sentinel",
                                       "redis+cluster", "rediss+cluster"}:
        shown = f" {scheme}://" if separator and scheme.replace("+", "").isalnum() else ""
        raise RedisUrlError(f"REDIS_URL has an unknown form{shown}; use {FORMS}")
    tls = scheme.startswith("rediss")
    # The credentials end at the last @ of all: a password's own @, ? or # should be escaped, but may not be, and
    # nothing after them is ever shown.
    userinfo, at, rest = rest.rpartition("@")
    if any(mark in userinfo for mark in "/?#"):  # redis-py, which reads the one-server forms, would cut it there
        raise RedisUrlError("REDIS_URL has a / ? or # in its user or password: write them as %2F, %3F and %23")
    username, password = _credentials(userinfo) if at else (None, None)
    location, _, query = rest.partition("#")[0].partition("?")
    if scheme == "unix":
        if not location.startswith("/") or location == "/":
            raise RedisUrlError("REDIS_URL unix:// needs the socket's absolute path, e.g. unix:///run/redis.sock")
        return SingleServer(url.strip(), tls=False)
    hosts, _, path = location.partition("/")
    if scheme in {"redis", "rediss"}:
        (_host,) = _addresses(hosts, REDIS_PORT, several=False)
        _database(path, scheme)
        return SingleServer(url.strip(), tls=tls)
    options = _options(query, tls, sentinel=scheme.endswith("sentinel"))
    ssl_options = tuple((name, value) for name, value in options.items() if name in TLS_OPTIONS)
    if scheme.endswith("cluster"):
        if path.strip("/") not in {"", "0"}:
            raise RedisUrlError(f"REDIS_URL {scheme}://: a Redis Cluster has only database 0, not /{path}")
        return ClusterNodes(_addresses(hosts, REDIS_PORT, several=True), tls, username, password, ssl_options)
    service, _, db = path.partition("/")
    service = unquote(service)
    if not service:
        raise RedisUrlError(f"REDIS_URL {scheme}:// needs the service name the sentinels monitor, "
                            f"e.g. {scheme}://sentinel-1:26379,sentinel-2:26379/mymaster")
    return SentinelService(_addresses(hosts, SENTINEL_PORT, several=True), service, _database(db, scheme), tls,
                           username, password, options.get("sentinel_username"), options.get("sentinel_password"),
                           ssl_options)


def _credentials(userinfo: str) -> tuple[str | None, str | None]:
    username, colon, password = userinfo.partition(":")
    return unquote(username) or None, (unquote(password) or None) if colon else None


def _addresses(hosts: str, default_port: int, several: bool) -> tuple[Address, ...]:
    if not hosts:
        raise RedisUrlError("REDIS_URL names no host")
    entries = hosts.split(",")
    if len(entries) > 1 and not several:
        raise RedisUrlError("REDIS_URL redis:// names one server; several hosts are for redis+sentinel:// or "
                            "redis+cluster://")
    return tuple(_address(entry, default_port) for entry in entries)


def _address(entry: str, default_port: int) -> Address:
    if entry.startswith("["):  # an IPv6 address: [::1]:6379
        host, bracket, port = entry[1:].partition("]")
        if not bracket or (port and not port.startswith(":")):
            raise RedisUrlError(f"REDIS_URL host {entry!r} is not [IPv6 address]:port")
        port = port[1:]
    else:
        host, _, port = entry.partition(":")
    if not host:
        raise RedisUrlError(f"REDIS_URL has an empty host in {entry!r}")
    if not port:
        return host, default_port
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise RedisUrlError(f"REDIS_URL port {port!r} of {host!r} is not a port number (1–65535)")
    return host, int(port)


def _database(path: str, scheme: str) -> int:
    path = path.strip("/")
    if not path:
        return 0
    if not path.isdigit():
        raise RedisUrlError(f"REDIS_URL {scheme}://: the database {path!r} is not a number")
    return int(path)


def _options(query: str, tls: bool, sentinel: bool) -> dict[str, str]:
    allowed = (TLS_OPTIONS if tls else frozenset()) | (SENTINEL_OPTIONS if sentinel else frozenset())
    options: dict[str, str] = {}
    for pair in filter(None, query.split("&")):
        if "=" not in pair:
            raise RedisUrlError("REDIS_URL has a query option without a value (name=value)")
        name, value = (unquote(part) for part in pair.split("=", 1))
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise RedisUrlError(f"REDIS_URL option {name!r} is not understood here (known: {known})")
        options[name] = value
    if options.get("ssl_cert_reqs", "required") not in CERT_REQS:
        raise RedisUrlError("REDIS_URL ssl_cert_reqs must be none, optional or required")
    return options
