"""Per-request options: the properties of the WIT `request-options` resource (wasi:http@0.2.12)."""

from __future__ import annotations

from dataclasses import dataclass

from componentize_py_types import Err

from ._bindings import http_types as raw
from .errors import error_for_code

__all__ = ["RequestOptions"]


@dataclass(frozen=True)
class RequestOptions:
    """Options for one outbound request; ``None`` leaves the host's default.

    ``connect_timeout`` (`connect-timeout`, seconds): The timeout for the initial connect to the HTTP Server.
    ``first_byte_timeout`` (`first-byte-timeout`, seconds): The timeout for receiving the first byte of the Response body.
    ``between_bytes_timeout`` (`between-bytes-timeout`, seconds): The timeout for receiving subsequent chunks of bytes in the Response body stream.
    """

    connect_timeout: float | None = None
    first_byte_timeout: float | None = None
    between_bytes_timeout: float | None = None

    def is_empty(self) -> bool:
        """Whether no option is set (then the request is sent without options)."""
        return self == RequestOptions()

    def to_raw(self) -> raw.RequestOptions | None:
        """The WIT resource; a host that does not support an option refuses it here."""
        if self.is_empty():
            return None
        options = raw.RequestOptions()
        if self.connect_timeout is not None:
            # WIT durations are nanoseconds.
            value = max(0, round(self.connect_timeout * 1_000_000_000))
            try:
                options.set_connect_timeout(value)
            except Err:
                raise error_for_code(
                    "other", "the host does not support request option `connect-timeout`"
                ) from None
        if self.first_byte_timeout is not None:
            # WIT durations are nanoseconds.
            value = max(0, round(self.first_byte_timeout * 1_000_000_000))
            try:
                options.set_first_byte_timeout(value)
            except Err:
                raise error_for_code(
                    "other", "the host does not support request option `first-byte-timeout`"
                ) from None
        if self.between_bytes_timeout is not None:
            # WIT durations are nanoseconds.
            value = max(0, round(self.between_bytes_timeout * 1_000_000_000))
            try:
                options.set_between_bytes_timeout(value)
            except Err:
                raise error_for_code(
                    "other", "the host does not support request option `between-bytes-timeout`"
                ) from None
        return options
