{#- One field per `request-options` getter/setter pair found in the WIT. -#}
"""Per-request options: the properties of the WIT `request-options` resource ({{ model.package }})."""

from __future__ import annotations

from dataclasses import dataclass

from componentize_py_types import Err

from ._bindings import http_types as raw
from .errors import error_for_code

__all__ = ["RequestOptions"]


@dataclass(frozen=True)
class RequestOptions:
    """Options for one outbound request; ``None`` leaves the host's default.
{% for option in options %}
    ``{{ option.name }}`` (`{{ option.wit_name }}`{% if option.is_duration %}, seconds{% endif %}): {% for line in option.docs %}{{ line }}{% if !loop.last %} {% endif %}{% endfor %}
{%- endfor %}
    """
{% for option in options %}
    {{ option.name }}: {{ option.ty }} | None = None
{%- endfor %}

    def is_empty(self) -> bool:
        """Whether no option is set (then the request is sent without options)."""
        return self == RequestOptions()

    def to_raw(self) -> raw.RequestOptions | None:
        """The WIT resource; a host that does not support an option refuses it here."""
        if self.is_empty():
            return None
        options = raw.RequestOptions()
{%- for option in options %}
        if self.{{ option.name }} is not None:
            {%- if option.is_duration %}
            # WIT durations are nanoseconds.
            value = max(0, round(self.{{ option.name }} * 1_000_000_000))
            {%- else %}
            value = self.{{ option.name }}
            {%- endif %}
            try:
                options.{{ option.setter }}(value)
            except Err:
                raise error_for_code(
                    "other", "the host does not support request option `{{ option.wit_name }}`"
                ) from None
{%- endfor %}
        return options
