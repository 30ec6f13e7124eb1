{#- Every class here is a loop over the model: a case added to the WIT shows up on the next
    `courier generate` without an edit to this file. -#}
"""Errors of the SDK: one exception class per case of `error-code` and `header-error` in
{{ model.package }}.

Every exception the SDK raises is an :class:`Error`; its ``code`` is the case name exactly as
the WIT spells it (``"HTTP-request-denied"``, ``"DNS-error"``, ``"forbidden"``), or
``"other"`` for a failure without a WIT code. Catch a class to handle one case::

    try:
        send(Request("GET", url, {}, None))
    except errors.ConnectionRefused:
        ...
    except errors.HttpError as e:
        print(e.code, e.payload)
"""

from __future__ import annotations

from dataclasses import dataclass

from ._bindings import http_types as raw


class Error(Exception):
    """Base of every error the SDK raises."""

    #: The WIT case name, or ``"other"`` when nothing in the WIT fits.
    code: str = "other"

    def __init__(self, message: str = "", payload: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.payload = payload

    def __str__(self) -> str:
        text = self.code
        if self.payload is not None:
            text += f" ({self.payload!r})"
        if self.message:
            text += f": {self.message}"
        return text


class HttpError(Error):
    """The host refused or failed the request: a case of WIT `error-code`."""


class HeaderError(Error):
    """A header name or value was rejected: a case of WIT `header-error`."""


class BodyError(Error):
    """A body stream failed without an `error-code` (``code`` is ``"other"``)."""
{% for record in records %}

@dataclass(frozen=True)
class {{ record.class_name }}:
    """{% for line in record.docs %}{{ line }}
    {% endfor %}
    (`{{ record.wit_name }}` in the WIT.)
    """
{% for field in record.fields %}
    {{ field.name }}: {{ field.ty }}
    {%- if !field.docs.is_empty() %}
    """{% for line in field.docs %}{{ line }}{% endfor %}"""{% endif %}
{%- endfor %}


def {{ record.from_raw }}(raw_value: raw.{{ record.class_name }}) -> {{ record.class_name }}:
    return {{ record.class_name }}(
    {%- for field in record.fields %}
        {{ field.name }}={{ field.convert }},
    {%- endfor %}
    )

{%- endfor %}
{% for case in error_codes %}

class {{ case.class_name }}(HttpError):
    """`{{ case.wit_name }}`{% if !case.docs.is_empty() %}: {% for line in case.docs %}{{ line }}{% if !loop.last %}
    {% endif %}{% endfor %}{% endif %}
    {%- match case.payload %}{% when Some with (ty) %}

    ``payload``: ``{{ ty }}``.
    {%- when None %}{% endmatch %}
    """

    code = "{{ case.wit_name }}"
{%- endfor %}
{% for case in header_errors %}

class {{ case.class_name }}(HeaderError):
    """`{{ case.wit_name }}`{% if !case.docs.is_empty() %}: {% for line in case.docs %}{{ line }}{% if !loop.last %}
    {% endif %}{% endfor %}{% endif %}"""

    code = "{{ case.wit_name }}"
{%- endfor %}


#: Every `error-code` case, by WIT name, in WIT order.
ERROR_CODES: dict[str, type[HttpError]] = {
{%- for case in error_codes %}
    "{{ case.wit_name }}": {{ case.class_name }},
{%- endfor %}
}

#: Every `header-error` case, by WIT name, in WIT order.
HEADER_ERRORS: dict[str, type[HeaderError]] = {
{%- for case in header_errors %}
    "{{ case.wit_name }}": {{ case.class_name }},
{%- endfor %}
}


def error_for_code(code: str, message: str = "", payload: object = None) -> Error:
    """The exception for a WIT case name; a name the WIT does not have gives a plain Error."""
    cls = ERROR_CODES.get(code) or HEADER_ERRORS.get(code)
    if cls is None:
        return Error(f"{code}: {message}" if message else code)
    return cls(message, payload)


def error_code_from_raw(raw_case: raw.ErrorCode, message: str = "") -> HttpError:
    """The SDK exception for a raw `error-code` value from the bindings."""
{%- for case in error_codes %}
    if isinstance(raw_case, raw.{{ case.raw_class }}):
    {%- match case.convert %}{% when Some with (convert) %}
        return {{ case.class_name }}(message, {{ convert }})
    {%- when None %}
        return {{ case.class_name }}(message)
    {%- endmatch %}
{%- endfor %}
    return HttpError(f"unknown error-code {raw_case!r}")


def header_error_from_raw(raw_case: raw.HeaderError, message: str = "") -> HeaderError:
    """The SDK exception for a raw `header-error` value from the bindings."""
{%- for case in header_errors %}
    if isinstance(raw_case, raw.{{ case.raw_class }}):
    {%- match case.convert %}{% when Some with (convert) %}
        return {{ case.class_name }}(message, {{ convert }})
    {%- when None %}
        return {{ case.class_name }}(message)
    {%- endmatch %}
{%- endfor %}
    return HeaderError(f"unknown header-error {raw_case!r}")
