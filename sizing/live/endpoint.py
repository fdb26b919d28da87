"""Where a live server is, from a ``redis[s]://[user:password@]host[:port][/db]`` URL.

The URL is split by hand rather than by ``urllib``: a password may hold any character,
and ``#``, ``/``, ``?`` and ``@`` (common in generated AUTH tokens) make ``urlsplit``
cut the password into the host, the path or a fragment. The user information is
everything before the last ``@``; the password, which never appears in any message, is
what follows its first ``:``. Percent-escapes are decoded, as redis-py does. Without a
password in the URL, ``REDISCLI_AUTH`` gives it (as for ``redis-cli``), so that it need
not appear in a command line, ``ps`` or shell history.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

import redis

from sizing.errors import ServerError

DEFAULT_PORT = 6379
PASSWORD_ENVIRONMENT = "REDISCLI_AUTH"
"""The environment variable redis-cli reads a password from; read here too."""


@dataclass(frozen=True)
class Endpoint:
    """One server's address and credentials."""

    tls: bool
    host: str
    port: int
    db: int
    username: str | None
    password: str | None = field(repr=False)
    options: str = ""
    """The URL's query (``ssl_ca_certs=...``, ``ssl_cert_reqs=none``), passed to redis-py."""

    @property
    def url_without_credentials(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        query = f"?{self.options}" if self.options else ""
        return f"{'rediss' if self.tls else 'redis'}://{host}:{self.port}/{self.db}{query}"

    @property
    def shown(self) -> str:
        """The URL as messages and files show it: the user name, never the password."""
        user = f"{self.username}@" if self.username else ""
        return f"{'rediss' if self.tls else 'redis'}://{user}{self.host}:{self.port}"

    def client(self, socket_timeout: float, connect_timeout: float | None = None) -> redis.Redis:
        # The URL's own options (TLS certificates) as redis-py reads them; credentials apart.
        return redis.Redis.from_url(self.url_without_credentials, username=self.username, password=self.password,
                                    socket_timeout=socket_timeout, socket_connect_timeout=connect_timeout)


def check_options(endpoint: Endpoint) -> None:
    """Refuse, in one line that does not show the password, URL options redis-py would only
    fail on while connecting (``ssl_*`` on ``redis://``)."""
    pool = endpoint.client(socket_timeout=1).connection_pool
    try:
        pool.connection_class(**pool.connection_kwargs)  # builds the connection without opening it
    except TypeError as exc:
        option = re.search(r"argument '(\w+)'", str(exc))
        raise ServerError(f"invalid URL {endpoint.shown}: option '{option[1] if option else '?'}' is not one a "
                          f"{'rediss' if endpoint.tls else 'redis'}:// connection takes (ssl_* options need "
                          "rediss://)") from None


def parse_endpoint(url: str) -> Endpoint:
    """The endpoint ``url`` names; ``ServerError`` (without the password) if it names none."""
    scheme, separator, rest = url.partition("://")
    if not separator:  # without '://' the whole URL may be a password: show none of it
        raise ServerError("invalid URL: expected redis://host:port or rediss://host:port (no '://' found)")
    if scheme not in ("redis", "rediss"):
        named = f", got scheme '{scheme[:20]}'" if scheme.isalnum() else ""  # never part of a userinfo
        raise ServerError(f"invalid URL: expected redis://host:port or rediss://host:port{named}")
    userinfo, at, address = rest.rpartition("@")
    username = password = None
    if at:
        user, colon, secret = userinfo.partition(":")  # as redis-py: user@host has no password
        username, password = (unquote(user) or None), (unquote(secret) if colon else None)
    address, _, query = address.partition("?")
    hostport, _, path = address.partition("/")
    if hostport.startswith("["):  # [IPv6]:port
        host, _, after = hostport[1:].partition("]")
        colon, port_text = (":", after[1:]) if after.startswith(":") else ("", "")
    else:
        host, colon, port_text = hostport.partition(":")
    shown = f"{scheme}://{(username + '@') if username else ''}{host or '?'}"
    if not host:
        raise ServerError(f"invalid URL {shown}: no host")
    if colon and not (port_text.isdigit() and 0 < int(port_text) < 65_536):
        raise ServerError(f"invalid URL {shown}: the port must be a number from 1 to 65535, got '{port_text}'")
    db_text = path
    if db_text and not db_text.isdigit():
        raise ServerError(f"invalid URL {shown}: the database must be a number, got '{db_text}'")
    if password is None:
        password = os.environ.get(PASSWORD_ENVIRONMENT) or None
    endpoint = Endpoint(tls=scheme == "rediss", host=host, port=int(port_text) if colon else DEFAULT_PORT,
                        db=int(db_text) if db_text else 0, username=username, password=password, options=query)
    try:
        redis.connection.parse_url(endpoint.url_without_credentials)  # type: ignore[no-untyped-call]
    except ValueError as exc:
        raise ServerError(f"invalid URL {shown}: {exc}") from None
    return endpoint
