"""Conversions between the SDK's strings and the raw bindings' `method`, `scheme` and `fields`."""

from __future__ import annotations

from componentize_py_types import Err

from ._bindings import http_types as raw
from .errors import header_error_from_raw

_METHODS: dict[str, raw.Method] = {
    "GET": raw.Method_Get(),
    "HEAD": raw.Method_Head(),
    "POST": raw.Method_Post(),
    "PUT": raw.Method_Put(),
    "DELETE": raw.Method_Delete(),
    "CONNECT": raw.Method_Connect(),
    "OPTIONS": raw.Method_Options(),
    "TRACE": raw.Method_Trace(),
    "PATCH": raw.Method_Patch(),
}


def method_to_raw(method: str) -> raw.Method:
    """A method token to WIT `method`; tokens without a case of their own go to `other`."""
    return _METHODS.get(method) or raw.Method_Other(method)


def method_from_raw(method: raw.Method) -> str:
    """WIT `method` to its token."""
    if isinstance(method, raw.Method_Get):
        return "GET"
    if isinstance(method, raw.Method_Head):
        return "HEAD"
    if isinstance(method, raw.Method_Post):
        return "POST"
    if isinstance(method, raw.Method_Put):
        return "PUT"
    if isinstance(method, raw.Method_Delete):
        return "DELETE"
    if isinstance(method, raw.Method_Connect):
        return "CONNECT"
    if isinstance(method, raw.Method_Options):
        return "OPTIONS"
    if isinstance(method, raw.Method_Trace):
        return "TRACE"
    if isinstance(method, raw.Method_Patch):
        return "PATCH"
    if isinstance(method, raw.Method_Other):
        return method.value
    raise TypeError(f"not a WIT method: {method!r}")


def scheme_to_raw(scheme: str) -> raw.Scheme:
    """A URL scheme to WIT `scheme` (case-insensitive for the named cases)."""
    lowered = scheme.lower()
    if lowered == "http":
        return raw.Scheme_Http()
    if lowered == "https":
        return raw.Scheme_Https()
    return raw.Scheme_Other(scheme)


def scheme_from_raw(scheme: raw.Scheme) -> str:
    """WIT `scheme` to a URL scheme."""
    if isinstance(scheme, raw.Scheme_Http):
        return "http"
    if isinstance(scheme, raw.Scheme_Https):
        return "https"
    if isinstance(scheme, raw.Scheme_Other):
        return scheme.value
    raise TypeError(f"not a WIT scheme: {scheme!r}")


def fields_from_list(fields: list[tuple[str, bytes]]) -> raw.Fields:
    """Ordered fields to WIT `fields`, keeping repeated names and their order.

    A refusal names the first field the host refuses: WIT `header-error` does not say which.
    """
    try:
        return raw.Fields.from_list(fields)
    except Err as e:
        refused = e.value
    for name, value in fields:
        try:
            raw.Fields.from_list([(name, value)]).__exit__(None, None, None)
        except Err:
            raise header_error_from_raw(refused, f"header {name!r} was rejected") from None
    raise header_error_from_raw(refused, "a header was rejected")
