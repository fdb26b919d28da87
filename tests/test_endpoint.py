"""Server URLs: any password character, errors that never show it, the password from the environment."""

from __future__ import annotations

import pytest

from sizing.errors import ServerError
from sizing.live.endpoint import Endpoint, parse_endpoint

# Generated AUTH tokens hold '#', '/', '?' and '@'; urlsplit would cut them into fragment or path.
TOKEN = "p#a/s?s@w:rd"


@pytest.mark.parametrize(("url", "expected"), [
    ("redis://127.0.0.1:6380", Endpoint(False, "127.0.0.1", 6380, 0, None, None)),
    ("rediss://app@cache.example:6379/2?ssl_cert_reqs=none", Endpoint(True, "cache.example", 6379, 2, "app", None, "ssl_cert_reqs=none")),
    (f"redis://app:{TOKEN}@127.0.0.1:7000/1", Endpoint(False, "127.0.0.1", 7000, 1, "app", TOKEN)),
    (f"redis://:{TOKEN}@host", Endpoint(False, "host", 6379, 0, None, TOKEN)),
    ("redis://:p%40ss@[::1]:6390", Endpoint(False, "::1", 6390, 0, None, "p@ss")),
])
def test_urls_parse_whatever_the_password_holds(url: str, expected: Endpoint) -> None:
    assert parse_endpoint(url) == expected


@pytest.mark.parametrize(("url", "says"), [
    (f"redis://app:{TOKEN}@host:63x9", "invalid URL redis://app@host: the port must be a number from 1 to 65535, got '63x9'"),
    (f"redis://:{TOKEN}@host:99999", "invalid URL redis://host: the port must be a number from 1 to 65535, got '99999'"),
    (f"redis://:{TOKEN}@host/zero", "invalid URL redis://host: the database must be a number, got 'zero'"),
    (f"http://:{TOKEN}@host", "invalid URL: expected redis://host:port or rediss://host:port, got scheme 'http'"),
    (f"redis://:{TOKEN}@", "invalid URL redis://?: no host"),
])
def test_bad_urls_are_one_line_without_the_password(url: str, says: str) -> None:
    with pytest.raises(ServerError) as caught:
        parse_endpoint(url)
    assert str(caught.value) == says and "p#a" not in str(caught.value)


def test_the_password_comes_from_the_environment_when_the_url_has_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDISCLI_AUTH", TOKEN)
    endpoint = parse_endpoint("redis://app@host:6379")
    assert endpoint.password == TOKEN and TOKEN not in endpoint.shown and TOKEN not in repr(endpoint)
    assert parse_endpoint("redis://app:other@host").password == "other"  # the URL's own wins


@pytest.mark.server
def test_a_wrong_password_is_reported_without_it(debian_redis_server: str) -> None:
    from sizing.live.sampling import connect
    from sizing.live.server import started_server
    from sizing.memory.engines import engine_profile

    with started_server(debian_redis_server, engine_profile("redis", "7.0").defaults, False) as client:
        client.config_set("requirepass", "right-one")
        port = client.connection_pool.connection_kwargs["port"]
        with pytest.raises(ServerError) as caught:
            connect(f"redis://:{TOKEN}@127.0.0.1:{port}")
        client.execute_command("AUTH", "right-one")  # type: ignore[no-untyped-call]
        client.config_set("requirepass", "")
    assert TOKEN not in str(caught.value) and "p#a" not in str(caught.value)
    assert str(caught.value).startswith(f"redis://127.0.0.1:{port}: authentication failed")


def test_a_url_without_its_slashes_shows_none_of_itself() -> None:
    with pytest.raises(ServerError) as error:
        parse_endpoint("redis:/user:Hunter2Secret@cache.internal:6379")
    assert "Hunter2Secret" not in str(error.value) and "://" in str(error.value)


def test_tls_options_on_a_plain_url_are_one_line_before_connecting() -> None:
    from sizing.live.endpoint import check_options
    from sizing.live.sampling import connect

    url = "redis://app:Hunter2Secret@127.0.0.1:1/?ssl_cert_reqs=none"
    for attempt in (lambda: check_options(parse_endpoint(url)), lambda: connect(url)):
        with pytest.raises(ServerError) as error:
            attempt()
        assert "ssl_cert_reqs" in str(error.value) and "Hunter2Secret" not in str(error.value)
