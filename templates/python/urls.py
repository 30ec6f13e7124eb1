"""Splitting a URL into the parts a wasi:http request takes, without normalising anything.

``urllib.parse`` re-encodes and drops pieces (an empty ``?``, some percent-escapes); wasi:http
wants the path and query exactly as written, so this module only cuts the string. The one
change: a request-target is ASCII (RFC 9112), so other characters go out as UTF-8
percent-escapes (``café`` as ``caf%C3%A9``), as a browser writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

__all__ = ["SELF_AUTHORITY", "Target", "is_token", "split_url"]

#: The authority of a self request: no host (and the default port, so it parses as a URI).
SELF_AUTHORITY = ":80"

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True)
class Target:
    """Where a request goes: ``scheme``/``authority`` are ``None`` when the URL has none."""

    scheme: str | None
    authority: str | None
    #: Path and query as written; ``/`` when the URL has an authority but no path.
    path_with_query: str


def split_url(url: str) -> Target:
    """Cuts ``scheme://authority/path?query#fragment``; the fragment is never sent.

    A URL that is only a path (``/hello``) is a request to the component's own app (a Spin
    *self* request, if its policy allows that): it gets scheme ``http`` and an authority with
    no host, :data:`SELF_AUTHORITY`. A lone surrogate raises ``UnicodeEncodeError``.
    """
    rest = url.split("#", 1)[0]
    scheme = None
    m = _SCHEME.match(rest)
    if m is not None:
        scheme = m.group(1)
        rest = rest[m.end():]
    authority = None
    if rest.startswith("//"):
        rest = rest[2:]
        end = len(rest)
        for stop in "/?":
            i = rest.find(stop)
            if i != -1:
                end = min(end, i)
        authority = rest[:end]
        rest = rest[end:]
    if rest.startswith("?") or (rest == "" and authority is not None):
        rest = "/" + rest
    rest = _NON_ASCII.sub(lambda m: quote(m.group(), safe=""), rest)
    if scheme is None and authority is None and rest.startswith("/"):
        # A path alone is a request to the app itself. wasi:http 0.2 cannot send a request
        # without an authority, so it goes out with an empty host, which a Spin host reads
        # as a self request.
        return Target("http", SELF_AUTHORITY, rest)
    return Target(scheme, authority, rest)


def is_token(text: str) -> bool:
    """Whether ``text`` is an HTTP token (RFC 9110), as a method must be."""
    return _TOKEN.fullmatch(text) is not None
