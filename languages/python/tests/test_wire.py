from __future__ import annotations

from typing import Any

import pytest
from componentize_py_types import Err
from wit_world.imports import http_types as raw

from courier_sdk import _wire, errors, options


def test_methods_map_to_their_cases_and_back() -> None:
    for token in ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]:
        m = _wire.method_to_raw(token)
        assert not isinstance(m, raw.Method_Other), token
        assert _wire.method_from_raw(m) == token
    assert _wire.method_to_raw("PURGE") == raw.Method_Other("PURGE")
    # Method tokens are case-sensitive: `get` is not GET.
    assert _wire.method_to_raw("get") == raw.Method_Other("get")
    assert _wire.method_from_raw(raw.Method_Other("PURGE")) == "PURGE"


def test_schemes() -> None:
    assert isinstance(_wire.scheme_to_raw("https"), raw.Scheme_Https)
    assert isinstance(_wire.scheme_to_raw("HTTP"), raw.Scheme_Http)
    assert _wire.scheme_to_raw("ws") == raw.Scheme_Other("ws")
    assert _wire.scheme_from_raw(raw.Scheme_Http()) == "http"
    assert _wire.scheme_from_raw(raw.Scheme_Other("ws")) == "ws"


class FakeOptions:
    def __init__(self) -> None:
        self.set: dict[str, Any] = {}

    def set_connect_timeout(self, ns: int | None) -> None:
        self.set["connect"] = ns

    def set_first_byte_timeout(self, ns: int | None) -> None:
        self.set["first_byte"] = ns

    def set_between_bytes_timeout(self, ns: int | None) -> None:
        self.set["between"] = ns


def test_request_options_are_seconds_sent_as_nanoseconds(monkeypatch: pytest.MonkeyPatch) -> None:
    assert options.RequestOptions().to_raw() is None
    monkeypatch.setattr(options.raw, "RequestOptions", FakeOptions)
    o = options.RequestOptions(connect_timeout=0.2, between_bytes_timeout=1.5)
    made = o.to_raw()
    assert isinstance(made, FakeOptions)
    assert made.set == {"connect": 200_000_000, "between": 1_500_000_000}


def test_an_option_the_host_refuses_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Refusing(FakeOptions):
        def set_first_byte_timeout(self, ns: int | None) -> None:
            raise Err(None)

    monkeypatch.setattr(options.raw, "RequestOptions", Refusing)
    with pytest.raises(errors.Error) as info:
        options.RequestOptions(first_byte_timeout=1).to_raw()
    assert "first-byte-timeout" in str(info.value)
