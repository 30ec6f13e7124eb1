"""Errors of the SDK: one exception class per case of `error-code` and `header-error` in
wasi:http@0.2.12.

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


@dataclass(frozen=True)
class DnsErrorPayload:
    """Defines the case payload type for `DNS-error` above:

    (`DNS-error-payload` in the WIT.)
    """

    rcode: str | None
    info_code: int | None


def _dns_error_payload_from_raw(raw_value: raw.DnsErrorPayload) -> DnsErrorPayload:
    return DnsErrorPayload(
        rcode=raw_value.rcode,
        info_code=raw_value.info_code,
    )

@dataclass(frozen=True)
class TlsAlertReceivedPayload:
    """Defines the case payload type for `TLS-alert-received` above:

    (`TLS-alert-received-payload` in the WIT.)
    """

    alert_id: int | None
    alert_message: str | None


def _tls_alert_received_payload_from_raw(raw_value: raw.TlsAlertReceivedPayload) -> TlsAlertReceivedPayload:
    return TlsAlertReceivedPayload(
        alert_id=raw_value.alert_id,
        alert_message=raw_value.alert_message,
    )

@dataclass(frozen=True)
class FieldSizePayload:
    """Defines the case payload type for `HTTP-response-{header,trailer}-size` above:

    (`field-size-payload` in the WIT.)
    """

    field_name: str | None
    field_size: int | None


def _field_size_payload_from_raw(raw_value: raw.FieldSizePayload) -> FieldSizePayload:
    return FieldSizePayload(
        field_name=raw_value.field_name,
        field_size=raw_value.field_size,
    )


class DnsTimeout(HttpError):
    """`DNS-timeout`
    """

    code = "DNS-timeout"

class DnsError(HttpError):
    """`DNS-error`

    ``payload``: ``DnsErrorPayload``.
    """

    code = "DNS-error"

class DestinationNotFound(HttpError):
    """`destination-not-found`
    """

    code = "destination-not-found"

class DestinationUnavailable(HttpError):
    """`destination-unavailable`
    """

    code = "destination-unavailable"

class DestinationIpProhibited(HttpError):
    """`destination-IP-prohibited`
    """

    code = "destination-IP-prohibited"

class DestinationIpUnroutable(HttpError):
    """`destination-IP-unroutable`
    """

    code = "destination-IP-unroutable"

class ConnectionRefused(HttpError):
    """`connection-refused`
    """

    code = "connection-refused"

class ConnectionTerminated(HttpError):
    """`connection-terminated`
    """

    code = "connection-terminated"

class ConnectionTimeout(HttpError):
    """`connection-timeout`
    """

    code = "connection-timeout"

class ConnectionReadTimeout(HttpError):
    """`connection-read-timeout`
    """

    code = "connection-read-timeout"

class ConnectionWriteTimeout(HttpError):
    """`connection-write-timeout`
    """

    code = "connection-write-timeout"

class ConnectionLimitReached(HttpError):
    """`connection-limit-reached`
    """

    code = "connection-limit-reached"

class TlsProtocolError(HttpError):
    """`TLS-protocol-error`
    """

    code = "TLS-protocol-error"

class TlsCertificateError(HttpError):
    """`TLS-certificate-error`
    """

    code = "TLS-certificate-error"

class TlsAlertReceived(HttpError):
    """`TLS-alert-received`

    ``payload``: ``TlsAlertReceivedPayload``.
    """

    code = "TLS-alert-received"

class HttpRequestDenied(HttpError):
    """`HTTP-request-denied`
    """

    code = "HTTP-request-denied"

class HttpRequestLengthRequired(HttpError):
    """`HTTP-request-length-required`
    """

    code = "HTTP-request-length-required"

class HttpRequestBodySize(HttpError):
    """`HTTP-request-body-size`

    ``payload``: ``int | None``.
    """

    code = "HTTP-request-body-size"

class HttpRequestMethodInvalid(HttpError):
    """`HTTP-request-method-invalid`
    """

    code = "HTTP-request-method-invalid"

class HttpRequestUriInvalid(HttpError):
    """`HTTP-request-URI-invalid`
    """

    code = "HTTP-request-URI-invalid"

class HttpRequestUriTooLong(HttpError):
    """`HTTP-request-URI-too-long`
    """

    code = "HTTP-request-URI-too-long"

class HttpRequestHeaderSectionSize(HttpError):
    """`HTTP-request-header-section-size`

    ``payload``: ``int | None``.
    """

    code = "HTTP-request-header-section-size"

class HttpRequestHeaderSize(HttpError):
    """`HTTP-request-header-size`

    ``payload``: ``FieldSizePayload | None``.
    """

    code = "HTTP-request-header-size"

class HttpRequestTrailerSectionSize(HttpError):
    """`HTTP-request-trailer-section-size`

    ``payload``: ``int | None``.
    """

    code = "HTTP-request-trailer-section-size"

class HttpRequestTrailerSize(HttpError):
    """`HTTP-request-trailer-size`

    ``payload``: ``FieldSizePayload``.
    """

    code = "HTTP-request-trailer-size"

class HttpResponseIncomplete(HttpError):
    """`HTTP-response-incomplete`
    """

    code = "HTTP-response-incomplete"

class HttpResponseHeaderSectionSize(HttpError):
    """`HTTP-response-header-section-size`

    ``payload``: ``int | None``.
    """

    code = "HTTP-response-header-section-size"

class HttpResponseHeaderSize(HttpError):
    """`HTTP-response-header-size`

    ``payload``: ``FieldSizePayload``.
    """

    code = "HTTP-response-header-size"

class HttpResponseBodySize(HttpError):
    """`HTTP-response-body-size`

    ``payload``: ``int | None``.
    """

    code = "HTTP-response-body-size"

class HttpResponseTrailerSectionSize(HttpError):
    """`HTTP-response-trailer-section-size`

    ``payload``: ``int | None``.
    """

    code = "HTTP-response-trailer-section-size"

class HttpResponseTrailerSize(HttpError):
    """`HTTP-response-trailer-size`

    ``payload``: ``FieldSizePayload``.
    """

    code = "HTTP-response-trailer-size"

class HttpResponseTransferCoding(HttpError):
    """`HTTP-response-transfer-coding`

    ``payload``: ``str | None``.
    """

    code = "HTTP-response-transfer-coding"

class HttpResponseContentCoding(HttpError):
    """`HTTP-response-content-coding`

    ``payload``: ``str | None``.
    """

    code = "HTTP-response-content-coding"

class HttpResponseTimeout(HttpError):
    """`HTTP-response-timeout`
    """

    code = "HTTP-response-timeout"

class HttpUpgradeFailed(HttpError):
    """`HTTP-upgrade-failed`
    """

    code = "HTTP-upgrade-failed"

class HttpProtocolError(HttpError):
    """`HTTP-protocol-error`
    """

    code = "HTTP-protocol-error"

class LoopDetected(HttpError):
    """`loop-detected`
    """

    code = "loop-detected"

class ConfigurationError(HttpError):
    """`configuration-error`
    """

    code = "configuration-error"

class InternalError(HttpError):
    """`internal-error`: This is a catch-all error for anything that doesn't fit cleanly into a
    more specific case. It also includes an optional string for an
    unstructured description of the error. Users should not depend on the
    string for diagnosing errors, as it's not required to be consistent
    between implementations.

    ``payload``: ``str | None``.
    """

    code = "internal-error"


class InvalidSyntax(HeaderError):
    """`invalid-syntax`: This error indicates that a `field-name` or `field-value` was
    syntactically invalid when used with an operation that sets headers in a
    `fields`."""

    code = "invalid-syntax"

class Forbidden(HeaderError):
    """`forbidden`: This error indicates that a forbidden `field-name` was used when trying
    to set a header in a `fields`."""

    code = "forbidden"

class Immutable(HeaderError):
    """`immutable`: This error indicates that the operation on the `fields` was not
    permitted because the fields are immutable."""

    code = "immutable"


#: Every `error-code` case, by WIT name, in WIT order.
ERROR_CODES: dict[str, type[HttpError]] = {
    "DNS-timeout": DnsTimeout,
    "DNS-error": DnsError,
    "destination-not-found": DestinationNotFound,
    "destination-unavailable": DestinationUnavailable,
    "destination-IP-prohibited": DestinationIpProhibited,
    "destination-IP-unroutable": DestinationIpUnroutable,
    "connection-refused": ConnectionRefused,
    "connection-terminated": ConnectionTerminated,
    "connection-timeout": ConnectionTimeout,
    "connection-read-timeout": ConnectionReadTimeout,
    "connection-write-timeout": ConnectionWriteTimeout,
    "connection-limit-reached": ConnectionLimitReached,
    "TLS-protocol-error": TlsProtocolError,
    "TLS-certificate-error": TlsCertificateError,
    "TLS-alert-received": TlsAlertReceived,
    "HTTP-request-denied": HttpRequestDenied,
    "HTTP-request-length-required": HttpRequestLengthRequired,
    "HTTP-request-body-size": HttpRequestBodySize,
    "HTTP-request-method-invalid": HttpRequestMethodInvalid,
    "HTTP-request-URI-invalid": HttpRequestUriInvalid,
    "HTTP-request-URI-too-long": HttpRequestUriTooLong,
    "HTTP-request-header-section-size": HttpRequestHeaderSectionSize,
    "HTTP-request-header-size": HttpRequestHeaderSize,
    "HTTP-request-trailer-section-size": HttpRequestTrailerSectionSize,
    "HTTP-request-trailer-size": HttpRequestTrailerSize,
    "HTTP-response-incomplete": HttpResponseIncomplete,
    "HTTP-response-header-section-size": HttpResponseHeaderSectionSize,
    "HTTP-response-header-size": HttpResponseHeaderSize,
    "HTTP-response-body-size": HttpResponseBodySize,
    "HTTP-response-trailer-section-size": HttpResponseTrailerSectionSize,
    "HTTP-response-trailer-size": HttpResponseTrailerSize,
    "HTTP-response-transfer-coding": HttpResponseTransferCoding,
    "HTTP-response-content-coding": HttpResponseContentCoding,
    "HTTP-response-timeout": HttpResponseTimeout,
    "HTTP-upgrade-failed": HttpUpgradeFailed,
    "HTTP-protocol-error": HttpProtocolError,
    "loop-detected": LoopDetected,
    "configuration-error": ConfigurationError,
    "internal-error": InternalError,
}

#: Every `header-error` case, by WIT name, in WIT order.
HEADER_ERRORS: dict[str, type[HeaderError]] = {
    "invalid-syntax": InvalidSyntax,
    "forbidden": Forbidden,
    "immutable": Immutable,
}


def error_for_code(code: str, message: str = "", payload: object = None) -> Error:
    """The exception for a WIT case name; a name the WIT does not have gives a plain Error."""
    cls = ERROR_CODES.get(code) or HEADER_ERRORS.get(code)
    if cls is None:
        return Error(f"{code}: {message}" if message else code)
    return cls(message, payload)


def error_code_from_raw(raw_case: raw.ErrorCode, message: str = "") -> HttpError:
    """The SDK exception for a raw `error-code` value from the bindings."""
    if isinstance(raw_case, raw.ErrorCode_DnsTimeout):
        return DnsTimeout(message)
    if isinstance(raw_case, raw.ErrorCode_DnsError):
        return DnsError(message, _dns_error_payload_from_raw(raw_case.value))
    if isinstance(raw_case, raw.ErrorCode_DestinationNotFound):
        return DestinationNotFound(message)
    if isinstance(raw_case, raw.ErrorCode_DestinationUnavailable):
        return DestinationUnavailable(message)
    if isinstance(raw_case, raw.ErrorCode_DestinationIpProhibited):
        return DestinationIpProhibited(message)
    if isinstance(raw_case, raw.ErrorCode_DestinationIpUnroutable):
        return DestinationIpUnroutable(message)
    if isinstance(raw_case, raw.ErrorCode_ConnectionRefused):
        return ConnectionRefused(message)
    if isinstance(raw_case, raw.ErrorCode_ConnectionTerminated):
        return ConnectionTerminated(message)
    if isinstance(raw_case, raw.ErrorCode_ConnectionTimeout):
        return ConnectionTimeout(message)
    if isinstance(raw_case, raw.ErrorCode_ConnectionReadTimeout):
        return ConnectionReadTimeout(message)
    if isinstance(raw_case, raw.ErrorCode_ConnectionWriteTimeout):
        return ConnectionWriteTimeout(message)
    if isinstance(raw_case, raw.ErrorCode_ConnectionLimitReached):
        return ConnectionLimitReached(message)
    if isinstance(raw_case, raw.ErrorCode_TlsProtocolError):
        return TlsProtocolError(message)
    if isinstance(raw_case, raw.ErrorCode_TlsCertificateError):
        return TlsCertificateError(message)
    if isinstance(raw_case, raw.ErrorCode_TlsAlertReceived):
        return TlsAlertReceived(message, _tls_alert_received_payload_from_raw(raw_case.value))
    if isinstance(raw_case, raw.ErrorCode_HttpRequestDenied):
        return HttpRequestDenied(message)
    if isinstance(raw_case, raw.ErrorCode_HttpRequestLengthRequired):
        return HttpRequestLengthRequired(message)
    if isinstance(raw_case, raw.ErrorCode_HttpRequestBodySize):
        return HttpRequestBodySize(message, raw_case.value)
    if isinstance(raw_case, raw.ErrorCode_HttpRequestMethodInvalid):
        return HttpRequestMethodInvalid(message)
    if isinstance(raw_case, raw.ErrorCode_HttpRequestUriInvalid):
        return HttpRequestUriInvalid(message)
    if isinstance(raw_case, raw.ErrorCode_HttpRequestUriTooLong):
        return HttpRequestUriTooLong(message)
    if isinstance(raw_case, raw.ErrorCode_HttpRequestHeaderSectionSize):
        return HttpRequestHeaderSectionSize(message, raw_case.value)
    if isinstance(raw_case, raw.ErrorCode_HttpRequestHeaderSize):
        return HttpRequestHeaderSize(message, (None if raw_case.value is None else _field_size_payload_from_raw(raw_case.value)))
    if isinstance(raw_case, raw.ErrorCode_HttpRequestTrailerSectionSize):
        return HttpRequestTrailerSectionSize(message, raw_case.value)
    if isinstance(raw_case, raw.ErrorCode_HttpRequestTrailerSize):
        return HttpRequestTrailerSize(message, _field_size_payload_from_raw(raw_case.value))
    if isinstance(raw_case, raw.ErrorCode_HttpResponseIncomplete):
        return HttpResponseIncomplete(message)
    if isinstance(raw_case, raw.ErrorCode_HttpResponseHeaderSectionSize):
        return HttpResponseHeaderSectionSize(message, raw_case.value)
    if isinstance(raw_case, raw.ErrorCode_HttpResponseHeaderSize):
        return HttpResponseHeaderSize(message, _field_size_payload_from_raw(raw_case.value))
    if isinstance(raw_case, raw.ErrorCode_HttpResponseBodySize):
        return HttpResponseBodySize(message, raw_case.value)
    if isinstance(raw_case, raw.ErrorCode_HttpResponseTrailerSectionSize):
        return HttpResponseTrailerSectionSize(message, raw_case.value)
    if isinstance(raw_case, raw.ErrorCode_HttpResponseTrailerSize):
        return HttpResponseTrailerSize(message, _field_size_payload_from_raw(raw_case.value))
    if isinstance(raw_case, raw.ErrorCode_HttpResponseTransferCoding):
        return HttpResponseTransferCoding(message, raw_case.value)
    if isinstance(raw_case, raw.ErrorCode_HttpResponseContentCoding):
        return HttpResponseContentCoding(message, raw_case.value)
    if isinstance(raw_case, raw.ErrorCode_HttpResponseTimeout):
        return HttpResponseTimeout(message)
    if isinstance(raw_case, raw.ErrorCode_HttpUpgradeFailed):
        return HttpUpgradeFailed(message)
    if isinstance(raw_case, raw.ErrorCode_HttpProtocolError):
        return HttpProtocolError(message)
    if isinstance(raw_case, raw.ErrorCode_LoopDetected):
        return LoopDetected(message)
    if isinstance(raw_case, raw.ErrorCode_ConfigurationError):
        return ConfigurationError(message)
    if isinstance(raw_case, raw.ErrorCode_InternalError):
        return InternalError(message, raw_case.value)
    return HttpError(f"unknown error-code {raw_case!r}")


def header_error_from_raw(raw_case: raw.HeaderError, message: str = "") -> HeaderError:
    """The SDK exception for a raw `header-error` value from the bindings."""
    if isinstance(raw_case, raw.HeaderError_InvalidSyntax):
        return InvalidSyntax(message)
    if isinstance(raw_case, raw.HeaderError_Forbidden):
        return Forbidden(message)
    if isinstance(raw_case, raw.HeaderError_Immutable):
        return Immutable(message)
    return HeaderError(f"unknown header-error {raw_case!r}")
