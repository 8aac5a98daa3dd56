"""REDIS_URL's forms read into what to connect to, and every malformed one refused in one line without its password."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.redis_url import ClusterNodes, RedisTarget, RedisUrlError, SentinelService, SingleServer, parse_redis_url
from bot.app.runtime import running
from bot.app.settings import Settings

SECRET = "s3cr%40t-p4ss"  # what an operator would write for the password "s3cr@t-p4ss"


@pytest.mark.parametrize(("url", "target"), [
    ("redis://redis:6379/0", SingleServer("redis://redis:6379/0", tls=False)),
    ("redis://localhost", SingleServer("redis://localhost", tls=False)),
    (f"rediss://:{SECRET}@redis.internal:6380/2", SingleServer(f"rediss://:{SECRET}@redis.internal:6380/2", tls=True)),
    ("rediss://redis:6380/0?ssl_cert_reqs=none", SingleServer("rediss://redis:6380/0?ssl_cert_reqs=none", tls=True)),
    ("redis://[::1]:6379", SingleServer("redis://[::1]:6379", tls=False)),
    ("unix:///run/redis/redis.sock", SingleServer("unix:///run/redis/redis.sock", tls=False)),
    ("unix://:pw@/run/redis.sock?db=3", SingleServer("unix://:pw@/run/redis.sock?db=3", tls=False)),
    ("redis+sentinel://s1:26379,s2:26380,s3/mymaster",
     SentinelService((("s1", 26379), ("s2", 26380), ("s3", 26379)), "mymaster")),
    (f"redis+sentinel://bot:{SECRET}@s1:5000/regbot/4",
     SentinelService((("s1", 5000),), "regbot", db=4, username="bot", password="s3cr@t-p4ss")),
    ("rediss+sentinel://:data@s1,s2/mymaster?sentinel_password=watch&ssl_cert_reqs=optional",
     SentinelService((("s1", 26379), ("s2", 26379)), "mymaster", tls=True, password="data",
                     sentinel_password="watch", ssl_options=(("ssl_cert_reqs", "optional"),))),
    ("redis+sentinel://[::1]:26379/mymaster", SentinelService((("::1", 26379),), "mymaster")),
    ("REDIS+SENTINEL://s1/mymaster/", SentinelService((("s1", 26379),), "mymaster")),
    ("redis+cluster://n1:7000,n2:7001,n3", ClusterNodes((("n1", 7000), ("n2", 7001), ("n3", 6379)))),
    (f"rediss+cluster://default:{SECRET}@n1:7000/0?ssl_ca_certs=/etc/ca.pem",
     ClusterNodes((("n1", 7000),), tls=True, username="default", password="s3cr@t-p4ss",
                  ssl_options=(("ssl_ca_certs", "/etc/ca.pem"),))),
])
def test_every_form_is_read(url: str, target: RedisTarget) -> None:
    assert parse_redis_url(url) == target


@pytest.mark.parametrize(("url", "reason"), [
    ("redis.internal:6379", "unknown form"),
    ("http://redis:6379", "unknown form http://"),
    ("redis+replica://s1/mymaster", "unknown form redis+replica://"),
    (f"redis://:{SECRET}@", "names no host"),
    (f"redis://:{SECRET}@redis:63a9", "port '63a9' of 'redis' is not a port number"),
    (f"redis://:{SECRET}@redis:0", "port '0' of 'redis'"),
    (f"redis://:{SECRET}@redis:6379/zero", "database 'zero' is not a number"),
    (f"redis://:{SECRET}@r1:6379,r2:6379", "several hosts are for redis+sentinel:// or redis+cluster://"),
    (f"redis://:{SECRET}@[::1:6379", "is not [IPv6 address]:port"),
    (f"unix://:{SECRET}@run/redis.sock", "absolute path"),
    (f"redis+sentinel://:{SECRET}@s1:26379,s2:26379", "needs the service name"),
    (f"redis+sentinel://:{SECRET}@s1:26379,:26380/mymaster", "empty host"),
    (f"redis+sentinel://:{SECRET}@s1/mymaster/db1", "database 'db1' is not a number"),
    (f"redis+sentinel://:{SECRET}@s1/mymaster?password={SECRET}", "option 'password' is not understood"),
    (f"redis+sentinel://:{SECRET}@s1/mymaster?ssl_ca_certs=/ca.pem", "option 'ssl_ca_certs' is not understood"),
    (f"redis+sentinel://s1/mymaster?{SECRET}", "without a value"),
    (f"rediss+cluster://:{SECRET}@n1/0?ssl_cert_reqs=maybe", "ssl_cert_reqs must be none, optional or required"),
    (f"redis+cluster://:{SECRET}@n1:7000/1", "only database 0"),
    (f"redis+cluster://:{SECRET}@n1:7000?sentinel_password={SECRET}", "option 'sentinel_password'"),
    ("redis://:pa/ss?wo#rd@redis:6379", "write them as %2F, %3F and %23"),  # redis-py would cut the URL there
    ("redis+sentinel://:pa/ss@s1/mymaster", "write them as %2F, %3F and %23"),
])
def test_a_malformed_url_is_refused_in_one_line_without_its_password(url: str, reason: str) -> None:
    with pytest.raises(RedisUrlError) as refused:
        parse_redis_url(url)
    message = str(refused.value)
    assert reason in message
    assert "\n" not in message and message.startswith("REDIS_URL ")
    for secret in ("s3cr", "p4ss", "pa/ss", "wo#rd", "ss?wo"):
        assert secret not in message


def test_a_password_never_shows_in_the_target_s_repr() -> None:
    target = parse_redis_url(f"rediss+sentinel://bot:{SECRET}@s1/mymaster?sentinel_password=watch-{SECRET}")
    assert "s3cr" not in repr(target) and "s3cr" not in target.describe()


async def test_a_malformed_url_stops_the_process_before_anything_starts(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data",  # type: ignore[call-arg]
                        redis_url=f"redis+sentinel://:{SECRET}@s1:26379")
    with pytest.raises(SystemExit) as stopped:
        async with running(settings):
            pass
    assert str(stopped.value.code).startswith("REDIS_URL redis+sentinel:// needs the service name")
    assert "s3cr" not in str(stopped.value.code)
    assert not (tmp_path / "data").exists()  # no embedded Redis, no key: nothing was built
