{#- The binding modules, pinned by name. The interface list comes from the WIT world. -#}
"""The raw {{ model.package }} bindings this package builds on.

componentize-py generates them when it builds a component (and `componentize-py bindings`
writes type stubs for editors and mypy). Their module names are pinned with one
`--import-interface-name`/`--export-interface-name` flag per interface, so they do not depend
on which other packages a world pulls in:

{% for b in bindings %}    --{% if b.export %}export{% else %}import{% endif %}-interface-name {{ b.interface }}={{ b.module }}
{% endfor %}"""

from wit_world.imports import (
    http_types,
    io_error,
    monotonic_clock,
    outgoing_handler,
    poll,
    streams,
)

__all__ = [
    "EXPORT_INTERFACE_NAMES",
    "IMPORT_INTERFACE_NAMES",
    "WORLD",
    "http_types",
    "io_error",
    "monotonic_clock",
    "outgoing_handler",
    "poll",
    "streams",
]

#: `(interface, module)` for every binding module above; the flags componentize-py needs.
IMPORT_INTERFACE_NAMES = (
{%- for b in bindings %}{% if !b.export %}
    ("{{ b.interface }}", "{{ b.module }}"),
{%- endif %}{% endfor %}
)

#: `(interface, module)` for the exported handler interface.
EXPORT_INTERFACE_NAMES = (
{%- for b in bindings %}{% if b.export %}
    ("{{ b.interface }}", "{{ b.module }}"),
{%- endif %}{% endfor %}
)

#: The world the SDK is generated for.
WORLD = "{{ model.world }}"
