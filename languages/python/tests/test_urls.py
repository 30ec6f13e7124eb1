from __future__ import annotations

import pytest

from courier_sdk.urls import SELF_AUTHORITY, Target, is_token, split_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://h:8080/p?q=1", Target("http", "h:8080", "/p?q=1")),
        # Percent-escapes, an empty query and odd characters go out exactly as written.
        ("http://h/a%2Fb/%7Euser?x=%20&y=", Target("http", "h", "/a%2Fb/%7Euser?x=%20&y=")),
        ("http://h/p?", Target("http", "h", "/p?")),
        ("http://h", Target("http", "h", "/")),
        ("http://h?x=1", Target("http", "h", "/?x=1")),
        ("https://h/p#frag", Target("https", "h", "/p")),
        ("http://[::1]:9000/v6", Target("http", "[::1]:9000", "/v6")),
        ("ws://h/", Target("ws", "h", "/")),
        ("HTTP://H/", Target("HTTP", "H", "/")),
        ("//h/p", Target(None, "h", "/p")),
        ("http:/nowhere", Target("http", None, "/nowhere")),
        # A request-target is ASCII: the rest goes out as UTF-8 percent-escapes.
        ("http://h/caf\u00e9?q=\u00e9t#\u00e9", Target("http", "h", "/caf%C3%A9?q=%C3%A9t")),
        ("/\u00fc/%41", Target("http", SELF_AUTHORITY, "/%C3%BC/%41")),
    ],
)
def test_split_url_cuts_without_normalising(url: str, expected: Target) -> None:
    assert split_url(url) == expected


def test_a_path_alone_is_a_self_request() -> None:
    assert split_url("/hello?x=1") == Target("http", SELF_AUTHORITY, "/hello?x=1")
    # The self authority has no host.
    assert SELF_AUTHORITY.rsplit(":", 1)[0] == ""


def test_method_tokens() -> None:
    for ok in ["GET", "PURGE", "M-SEARCH", "x!#$%&'*+.^_`|~1"]:
        assert is_token(ok), ok
    for bad in ["", "bad method", "bad\nmethod", "GET\n", "G(ET", "GÉT"]:
        assert not is_token(bad), bad


def test_a_lone_surrogate_cannot_be_encoded() -> None:
    with pytest.raises(UnicodeEncodeError):
        split_url("http://h/\ud800")
