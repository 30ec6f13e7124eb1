"""The error classes come from the WIT: checked here against the vendored WIT itself."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from wit_world.imports import http_types as raw

from courier_sdk import errors

WIT = Path(__file__).resolve().parents[3] / "wit" / "deps" / "http.wit"


def wit_cases(variant: str) -> list[str]:
    text = WIT.read_text()
    body = re.search(r"variant " + variant + r" \{(.*?)\n  \}", text, re.S)
    assert body is not None, variant
    names = []
    for line in body.group(1).splitlines():
        line = line.strip()
        if line and not line.startswith(("//", "@")):
            names.append(re.match(r"[A-Za-z0-9-]+", line).group(0))  # type: ignore[union-attr]
    return names


def test_one_class_per_error_code_case_in_wit_order() -> None:
    cases = wit_cases("error-code")
    assert len(cases) > 30
    assert list(errors.ERROR_CODES) == cases
    for name, cls in errors.ERROR_CODES.items():
        assert cls.code == name
        assert issubclass(cls, errors.HttpError)
        assert issubclass(cls, errors.Error)


def test_one_class_per_header_error_case() -> None:
    assert list(errors.HEADER_ERRORS) == wit_cases("header-error")
    assert errors.HEADER_ERRORS["forbidden"] is errors.Forbidden
    assert issubclass(errors.InvalidSyntax, errors.HeaderError)


def test_raw_error_codes_map_to_their_class_with_payloads() -> None:
    e = errors.error_code_from_raw(raw.ErrorCode_ConnectionRefused())
    assert type(e) is errors.ConnectionRefused
    assert e.code == "connection-refused"

    e = errors.error_code_from_raw(raw.ErrorCode_DnsError(raw.DnsErrorPayload("NXDOMAIN", 3)))
    assert isinstance(e, errors.DnsError)
    assert e.code == "DNS-error"
    assert e.payload == errors.DnsErrorPayload(rcode="NXDOMAIN", info_code=3)

    e = errors.error_code_from_raw(raw.ErrorCode_HttpRequestBodySize(11))
    assert e.code == "HTTP-request-body-size" and e.payload == 11

    # An optional record payload, present and absent.
    e = errors.error_code_from_raw(
        raw.ErrorCode_HttpRequestHeaderSize(raw.FieldSizePayload("x-big", 9000))
    )
    assert e.payload == errors.FieldSizePayload(field_name="x-big", field_size=9000)
    assert errors.error_code_from_raw(raw.ErrorCode_HttpRequestHeaderSize(None)).payload is None


@pytest.mark.parametrize("name", list(errors.ERROR_CODES))
def test_every_raw_case_round_trips(name: str) -> None:
    cls = errors.ERROR_CODES[name]
    raw_cls = getattr(raw, "ErrorCode_" + cls.__name__)
    fields = dataclasses.fields(raw_cls)
    if not fields:
        raw_value = raw_cls()
    else:
        # A record payload is built with every (optional) field unset; anything else is None.
        record = fields[0].type
        if isinstance(record, type) and dataclasses.is_dataclass(record):
            raw_value = raw_cls(record(*(None for _ in dataclasses.fields(record))))
        else:
            raw_value = raw_cls(None)
    e = errors.error_code_from_raw(raw_value, "why")
    assert type(e) is cls
    assert e.code == name
    assert str(e).startswith(name)


def test_header_errors_from_raw() -> None:
    e = errors.header_error_from_raw(raw.HeaderError_InvalidSyntax(), "bad name")
    assert type(e) is errors.InvalidSyntax
    assert e.code == "invalid-syntax"
    assert str(e) == "invalid-syntax: bad name"


def test_error_for_code() -> None:
    e = errors.error_for_code("HTTP-request-URI-invalid", "no host")
    assert type(e) is errors.HttpRequestUriInvalid
    assert str(e) == "HTTP-request-URI-invalid: no host"
    unknown = errors.error_for_code("teapot", "?")
    assert type(unknown) is errors.Error and unknown.code == "other"


def test_errors_are_exceptions_callers_can_catch_by_class() -> None:
    with pytest.raises(errors.HttpError) as info:
        raise errors.error_code_from_raw(raw.ErrorCode_ConnectionTimeout())
    assert info.value.code == "connection-timeout"
