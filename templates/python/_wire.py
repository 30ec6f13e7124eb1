{#- The token lists come from the WIT's `method` and `scheme` variants. -#}
"""Conversions between the SDK's strings and the raw bindings' `method`, `scheme` and `fields`."""

from __future__ import annotations

from componentize_py_types import Err

from ._bindings import http_types as raw
from .errors import header_error_from_raw

_METHODS: dict[str, raw.Method] = {
{%- for (token, class) in methods.fixed %}
    "{{ token }}": raw.{{ class }}(),
{%- endfor %}
}


def method_to_raw(method: str) -> raw.Method:
    """A method token to WIT `method`; tokens without a case of their own go to `other`."""
    return _METHODS.get(method) or raw.{{ methods.other }}(method)


def method_from_raw(method: raw.Method) -> str:
    """WIT `method` to its token."""
{%- for (token, class) in methods.fixed %}
    if isinstance(method, raw.{{ class }}):
        return "{{ token }}"
{%- endfor %}
    if isinstance(method, raw.{{ methods.other }}):
        return method.value
    raise TypeError(f"not a WIT method: {method!r}")


def scheme_to_raw(scheme: str) -> raw.Scheme:
    """A URL scheme to WIT `scheme` (case-insensitive for the named cases)."""
    lowered = scheme.lower()
{%- for (token, class) in schemes.fixed %}
    if lowered == "{{ token }}":
        return raw.{{ class }}()
{%- endfor %}
    return raw.{{ schemes.other }}(scheme)


def scheme_from_raw(scheme: raw.Scheme) -> str:
    """WIT `scheme` to a URL scheme."""
{%- for (token, class) in schemes.fixed %}
    if isinstance(scheme, raw.{{ class }}):
        return "{{ token }}"
{%- endfor %}
    if isinstance(scheme, raw.{{ schemes.other }}):
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
