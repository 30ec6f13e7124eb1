from __future__ import annotations

import pytest

from courier_sdk.headers import Headers


def test_repeated_names_keep_every_value_in_order() -> None:
    h = Headers([("X-Multi", "a"), ("content-type", "text/plain"), ("x-multi", "b")])
    assert h.get_all("x-multi") == ["a", "b"]
    assert h.get_all("X-MULTI") == ["a", "b"]
    assert h["X-Multi"] == "a"
    assert h.fields() == [("X-Multi", b"a"), ("content-type", b"text/plain"), ("x-multi", b"b")]
    assert list(h) == ["X-Multi", "content-type"]
    assert len(h) == 2


def test_a_dict_with_a_list_value_sends_one_field_per_item() -> None:
    h = Headers({"accept": ["text/html", b"application/json"], "x-one": "1"})
    assert h.fields() == [
        ("accept", b"text/html"),
        ("accept", b"application/json"),
        ("x-one", b"1"),
    ]


def test_lookup_is_case_insensitive_and_missing_names_raise() -> None:
    h = Headers({"X-Resp": "V a l u e"})
    assert h["x-resp"] == h["X-RESP"] == "V a l u e"
    assert "x-RESP" in h
    assert h.get("nope") is None
    with pytest.raises(KeyError):
        h["nope"]
    assert 3 not in h


def test_values_are_bytes_exact() -> None:
    raw = b"caf\xc3\xa9 \xff"
    h = Headers([("x-bin", raw)])
    assert h.get_bytes("X-BIN") == raw
    assert h.get_all_bytes("x-bin") == [raw]
    # The str view replaces what is not UTF-8, and never raises.
    assert h["x-bin"] == "café \ufffd"


def test_setitem_replaces_all_values_and_add_appends() -> None:
    h = Headers([("a", "1"), ("A", "2"), ("b", "3")])
    h["a"] = "9"
    assert h.fields() == [("b", b"3"), ("a", b"9")]
    h.add("A", "10")
    assert h.get_all("a") == ["9", "10"]
    h["b"] = ["x", "y"]
    assert h.get_all("b") == ["x", "y"]
    del h["A"]
    assert "a" not in h
    with pytest.raises(KeyError):
        del h["a"]


def test_copies_and_equality() -> None:
    h = Headers({"a": "1"})
    c = h.copy()
    c.add("a", "2")
    assert h.get_all("a") == ["1"]
    assert Headers(c) == c
    assert h == {"a": "1"}
    assert h != {"a": "2"}


def test_names_must_be_str() -> None:
    with pytest.raises(TypeError):
        Headers([(b"x", "1")])  # type: ignore[list-item]
