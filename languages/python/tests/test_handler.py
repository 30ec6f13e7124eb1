from __future__ import annotations

from courier_sdk.handler import _head
from courier_sdk.headers import Headers
from courier_sdk.http import Response


def test_a_response_with_trailers_declares_each_name_once() -> None:
    trailers = Headers([("X-Checksum", "1"), ("x-parts", "2"), ("x-checksum", "3")])
    r = Response(200, Headers({"content-type": "text/plain"}), b"x", trailers)
    head = _head(r)
    assert head.get_all("trailer") == ["x-checksum, x-parts"]
    assert head.get_all("content-type") == ["text/plain"]


def test_a_declaration_the_handler_made_is_kept() -> None:
    r = Response(200, Headers({"Trailer": "x-a"}), b"", Headers({"x-b": "1"}))
    assert _head(r).get_all("trailer") == ["x-a"]


def test_a_response_without_trailers_declares_none() -> None:
    r = Response(200, Headers(), b"")
    assert "trailer" not in _head(r)
