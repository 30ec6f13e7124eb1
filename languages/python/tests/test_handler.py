from __future__ import annotations

import pytest

from courier_sdk.handler import _head_fields
from courier_sdk.headers import Headers
from courier_sdk.http import Response, StreamingResponse


def test_a_response_with_trailers_declares_each_name_once() -> None:
    trailers = Headers([("X-Checksum", "1"), ("x-parts", "2"), ("x-checksum", "3")])
    r = Response(200, Headers({"content-type": "text/plain"}), b"x", trailers)
    head = _head_fields(r)
    assert head.get_all("trailer") == ["x-checksum, x-parts"]
    assert head.get_all("content-type") == ["text/plain"]


def test_a_declaration_the_handler_made_is_kept() -> None:
    r = Response(200, Headers({"Trailer": "x-a"}), b"", Headers({"x-b": "1"}))
    assert _head_fields(r).get_all("trailer") == ["x-a"]


def test_a_response_without_trailers_declares_none() -> None:
    r = Response(200, Headers(), b"")
    assert "trailer" not in _head_fields(r)


def test_a_status_outside_100_to_599_is_refused_before_the_host_sees_it() -> None:
    for status in (99, 600, 700):
        with pytest.raises(ValueError, match=str(status)):
            _head_fields(Response(status, Headers(), b""))
    assert "trailer" not in _head_fields(Response(599, Headers(), b""))


def test_a_handmade_response_takes_a_dict_and_a_str() -> None:
    r = Response(200, {"content-type": "text/plain"}, "caf\u00e9")  # type: ignore[arg-type]
    assert isinstance(r.headers, Headers)
    assert r.headers["content-type"] == "text/plain"
    assert r.body == "caf\u00e9".encode()
    assert r.text() == "caf\u00e9"
    streamed = StreamingResponse(200, {"x-a": "1"}, [b"a", b"b"])  # type: ignore[arg-type]
    assert _head_fields(streamed).get_all("x-a") == ["1"]


def test_a_body_that_disagrees_with_its_content_length_is_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="content-length 2, but the body has 5 bytes"):
        _head_fields(Response(200, Headers({"content-length": "2"}), b"hello"))
    # A HEAD's answer declares a length and has no body.
    assert _head_fields(Response(200, Headers({"content-length": "5"}), b"")).get_all(
        "content-length"
    ) == ["5"]
