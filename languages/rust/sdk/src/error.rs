//! Errors of the SDK. [`ErrorCode`] and [`HeaderError`] mirror the `wasi:http@0.2.12`
//! variants case for case; their `Display` is the case name exactly as the WIT spells it.
use std::fmt;
use crate::bindings::wasi::http::types as raw;
/// Why a request failed: `error-code` from `wasi:http@0.2.12`.
///
/// `Display` prints the WIT case name (e.g. `HTTP-request-denied`), followed by the
/// payload when the case carries one; [`ErrorCode::wit_name`] gives the bare name.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorCode {
    DnsTimeout,
    DnsError(DnsErrorPayload),
    DestinationNotFound,
    DestinationUnavailable,
    DestinationIpProhibited,
    DestinationIpUnroutable,
    ConnectionRefused,
    ConnectionTerminated,
    ConnectionTimeout,
    ConnectionReadTimeout,
    ConnectionWriteTimeout,
    ConnectionLimitReached,
    TlsProtocolError,
    TlsCertificateError,
    TlsAlertReceived(TlsAlertReceivedPayload),
    HttpRequestDenied,
    HttpRequestLengthRequired,
    HttpRequestBodySize(Option<u64>),
    HttpRequestMethodInvalid,
    HttpRequestUriInvalid,
    HttpRequestUriTooLong,
    HttpRequestHeaderSectionSize(Option<u32>),
    HttpRequestHeaderSize(Option<FieldSizePayload>),
    HttpRequestTrailerSectionSize(Option<u32>),
    HttpRequestTrailerSize(FieldSizePayload),
    HttpResponseIncomplete,
    HttpResponseHeaderSectionSize(Option<u32>),
    HttpResponseHeaderSize(FieldSizePayload),
    HttpResponseBodySize(Option<u64>),
    HttpResponseTrailerSectionSize(Option<u32>),
    HttpResponseTrailerSize(FieldSizePayload),
    HttpResponseTransferCoding(Option<String>),
    HttpResponseContentCoding(Option<String>),
    HttpResponseTimeout,
    HttpUpgradeFailed,
    HttpProtocolError,
    LoopDetected,
    ConfigurationError,
    /// This is a catch-all error for anything that doesn't fit cleanly into a
    /// more specific case. It also includes an optional string for an
    /// unstructured description of the error. Users should not depend on the
    /// string for diagnosing errors, as it's not required to be consistent
    /// between implementations.
    InternalError(Option<String>),
}
impl ErrorCode {
    /// The case name as written in the WIT, e.g. `DNS-error`.
    pub fn wit_name(&self) -> &'static str {
        match self {
            ErrorCode::DnsTimeout => "DNS-timeout",
            ErrorCode::DnsError(_) => "DNS-error",
            ErrorCode::DestinationNotFound => "destination-not-found",
            ErrorCode::DestinationUnavailable => "destination-unavailable",
            ErrorCode::DestinationIpProhibited => "destination-IP-prohibited",
            ErrorCode::DestinationIpUnroutable => "destination-IP-unroutable",
            ErrorCode::ConnectionRefused => "connection-refused",
            ErrorCode::ConnectionTerminated => "connection-terminated",
            ErrorCode::ConnectionTimeout => "connection-timeout",
            ErrorCode::ConnectionReadTimeout => "connection-read-timeout",
            ErrorCode::ConnectionWriteTimeout => "connection-write-timeout",
            ErrorCode::ConnectionLimitReached => "connection-limit-reached",
            ErrorCode::TlsProtocolError => "TLS-protocol-error",
            ErrorCode::TlsCertificateError => "TLS-certificate-error",
            ErrorCode::TlsAlertReceived(_) => "TLS-alert-received",
            ErrorCode::HttpRequestDenied => "HTTP-request-denied",
            ErrorCode::HttpRequestLengthRequired => "HTTP-request-length-required",
            ErrorCode::HttpRequestBodySize(_) => "HTTP-request-body-size",
            ErrorCode::HttpRequestMethodInvalid => "HTTP-request-method-invalid",
            ErrorCode::HttpRequestUriInvalid => "HTTP-request-URI-invalid",
            ErrorCode::HttpRequestUriTooLong => "HTTP-request-URI-too-long",
            ErrorCode::HttpRequestHeaderSectionSize(_) => {
                "HTTP-request-header-section-size"
            }
            ErrorCode::HttpRequestHeaderSize(_) => "HTTP-request-header-size",
            ErrorCode::HttpRequestTrailerSectionSize(_) => {
                "HTTP-request-trailer-section-size"
            }
            ErrorCode::HttpRequestTrailerSize(_) => "HTTP-request-trailer-size",
            ErrorCode::HttpResponseIncomplete => "HTTP-response-incomplete",
            ErrorCode::HttpResponseHeaderSectionSize(_) => {
                "HTTP-response-header-section-size"
            }
            ErrorCode::HttpResponseHeaderSize(_) => "HTTP-response-header-size",
            ErrorCode::HttpResponseBodySize(_) => "HTTP-response-body-size",
            ErrorCode::HttpResponseTrailerSectionSize(_) => {
                "HTTP-response-trailer-section-size"
            }
            ErrorCode::HttpResponseTrailerSize(_) => "HTTP-response-trailer-size",
            ErrorCode::HttpResponseTransferCoding(_) => "HTTP-response-transfer-coding",
            ErrorCode::HttpResponseContentCoding(_) => "HTTP-response-content-coding",
            ErrorCode::HttpResponseTimeout => "HTTP-response-timeout",
            ErrorCode::HttpUpgradeFailed => "HTTP-upgrade-failed",
            ErrorCode::HttpProtocolError => "HTTP-protocol-error",
            ErrorCode::LoopDetected => "loop-detected",
            ErrorCode::ConfigurationError => "configuration-error",
            ErrorCode::InternalError(_) => "internal-error",
        }
    }
    /// Every case name of `error-code`, in WIT order.
    pub const WIT_NAMES: &'static [&'static str] = &[
        "DNS-timeout",
        "DNS-error",
        "destination-not-found",
        "destination-unavailable",
        "destination-IP-prohibited",
        "destination-IP-unroutable",
        "connection-refused",
        "connection-terminated",
        "connection-timeout",
        "connection-read-timeout",
        "connection-write-timeout",
        "connection-limit-reached",
        "TLS-protocol-error",
        "TLS-certificate-error",
        "TLS-alert-received",
        "HTTP-request-denied",
        "HTTP-request-length-required",
        "HTTP-request-body-size",
        "HTTP-request-method-invalid",
        "HTTP-request-URI-invalid",
        "HTTP-request-URI-too-long",
        "HTTP-request-header-section-size",
        "HTTP-request-header-size",
        "HTTP-request-trailer-section-size",
        "HTTP-request-trailer-size",
        "HTTP-response-incomplete",
        "HTTP-response-header-section-size",
        "HTTP-response-header-size",
        "HTTP-response-body-size",
        "HTTP-response-trailer-section-size",
        "HTTP-response-trailer-size",
        "HTTP-response-transfer-coding",
        "HTTP-response-content-coding",
        "HTTP-response-timeout",
        "HTTP-upgrade-failed",
        "HTTP-protocol-error",
        "loop-detected",
        "configuration-error",
        "internal-error",
    ];
}
impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::DnsTimeout => f.write_str("DNS-timeout"),
            ErrorCode::DnsError(payload) => write!(f, "DNS-error ({payload:?})"),
            ErrorCode::DestinationNotFound => f.write_str("destination-not-found"),
            ErrorCode::DestinationUnavailable => f.write_str("destination-unavailable"),
            ErrorCode::DestinationIpProhibited => {
                f.write_str("destination-IP-prohibited")
            }
            ErrorCode::DestinationIpUnroutable => {
                f.write_str("destination-IP-unroutable")
            }
            ErrorCode::ConnectionRefused => f.write_str("connection-refused"),
            ErrorCode::ConnectionTerminated => f.write_str("connection-terminated"),
            ErrorCode::ConnectionTimeout => f.write_str("connection-timeout"),
            ErrorCode::ConnectionReadTimeout => f.write_str("connection-read-timeout"),
            ErrorCode::ConnectionWriteTimeout => f.write_str("connection-write-timeout"),
            ErrorCode::ConnectionLimitReached => f.write_str("connection-limit-reached"),
            ErrorCode::TlsProtocolError => f.write_str("TLS-protocol-error"),
            ErrorCode::TlsCertificateError => f.write_str("TLS-certificate-error"),
            ErrorCode::TlsAlertReceived(payload) => {
                write!(f, "TLS-alert-received ({payload:?})")
            }
            ErrorCode::HttpRequestDenied => f.write_str("HTTP-request-denied"),
            ErrorCode::HttpRequestLengthRequired => {
                f.write_str("HTTP-request-length-required")
            }
            ErrorCode::HttpRequestBodySize(payload) => {
                write!(f, "HTTP-request-body-size ({payload:?})")
            }
            ErrorCode::HttpRequestMethodInvalid => {
                f.write_str("HTTP-request-method-invalid")
            }
            ErrorCode::HttpRequestUriInvalid => f.write_str("HTTP-request-URI-invalid"),
            ErrorCode::HttpRequestUriTooLong => f.write_str("HTTP-request-URI-too-long"),
            ErrorCode::HttpRequestHeaderSectionSize(payload) => {
                write!(f, "HTTP-request-header-section-size ({payload:?})")
            }
            ErrorCode::HttpRequestHeaderSize(payload) => {
                write!(f, "HTTP-request-header-size ({payload:?})")
            }
            ErrorCode::HttpRequestTrailerSectionSize(payload) => {
                write!(f, "HTTP-request-trailer-section-size ({payload:?})")
            }
            ErrorCode::HttpRequestTrailerSize(payload) => {
                write!(f, "HTTP-request-trailer-size ({payload:?})")
            }
            ErrorCode::HttpResponseIncomplete => f.write_str("HTTP-response-incomplete"),
            ErrorCode::HttpResponseHeaderSectionSize(payload) => {
                write!(f, "HTTP-response-header-section-size ({payload:?})")
            }
            ErrorCode::HttpResponseHeaderSize(payload) => {
                write!(f, "HTTP-response-header-size ({payload:?})")
            }
            ErrorCode::HttpResponseBodySize(payload) => {
                write!(f, "HTTP-response-body-size ({payload:?})")
            }
            ErrorCode::HttpResponseTrailerSectionSize(payload) => {
                write!(f, "HTTP-response-trailer-section-size ({payload:?})")
            }
            ErrorCode::HttpResponseTrailerSize(payload) => {
                write!(f, "HTTP-response-trailer-size ({payload:?})")
            }
            ErrorCode::HttpResponseTransferCoding(payload) => {
                write!(f, "HTTP-response-transfer-coding ({payload:?})")
            }
            ErrorCode::HttpResponseContentCoding(payload) => {
                write!(f, "HTTP-response-content-coding ({payload:?})")
            }
            ErrorCode::HttpResponseTimeout => f.write_str("HTTP-response-timeout"),
            ErrorCode::HttpUpgradeFailed => f.write_str("HTTP-upgrade-failed"),
            ErrorCode::HttpProtocolError => f.write_str("HTTP-protocol-error"),
            ErrorCode::LoopDetected => f.write_str("loop-detected"),
            ErrorCode::ConfigurationError => f.write_str("configuration-error"),
            ErrorCode::InternalError(payload) => {
                write!(f, "internal-error ({payload:?})")
            }
        }
    }
}
impl std::error::Error for ErrorCode {}
impl FromRaw<raw::ErrorCode> for ErrorCode {
    fn from_raw(raw: raw::ErrorCode) -> Self {
        match raw {
            raw::ErrorCode::DnsTimeout => ErrorCode::DnsTimeout,
            raw::ErrorCode::DnsError(payload) => {
                ErrorCode::DnsError(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::DestinationNotFound => ErrorCode::DestinationNotFound,
            raw::ErrorCode::DestinationUnavailable => ErrorCode::DestinationUnavailable,
            raw::ErrorCode::DestinationIpProhibited => ErrorCode::DestinationIpProhibited,
            raw::ErrorCode::DestinationIpUnroutable => ErrorCode::DestinationIpUnroutable,
            raw::ErrorCode::ConnectionRefused => ErrorCode::ConnectionRefused,
            raw::ErrorCode::ConnectionTerminated => ErrorCode::ConnectionTerminated,
            raw::ErrorCode::ConnectionTimeout => ErrorCode::ConnectionTimeout,
            raw::ErrorCode::ConnectionReadTimeout => ErrorCode::ConnectionReadTimeout,
            raw::ErrorCode::ConnectionWriteTimeout => ErrorCode::ConnectionWriteTimeout,
            raw::ErrorCode::ConnectionLimitReached => ErrorCode::ConnectionLimitReached,
            raw::ErrorCode::TlsProtocolError => ErrorCode::TlsProtocolError,
            raw::ErrorCode::TlsCertificateError => ErrorCode::TlsCertificateError,
            raw::ErrorCode::TlsAlertReceived(payload) => {
                ErrorCode::TlsAlertReceived(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpRequestDenied => ErrorCode::HttpRequestDenied,
            raw::ErrorCode::HttpRequestLengthRequired => {
                ErrorCode::HttpRequestLengthRequired
            }
            raw::ErrorCode::HttpRequestBodySize(payload) => {
                ErrorCode::HttpRequestBodySize(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpRequestMethodInvalid => {
                ErrorCode::HttpRequestMethodInvalid
            }
            raw::ErrorCode::HttpRequestUriInvalid => ErrorCode::HttpRequestUriInvalid,
            raw::ErrorCode::HttpRequestUriTooLong => ErrorCode::HttpRequestUriTooLong,
            raw::ErrorCode::HttpRequestHeaderSectionSize(payload) => {
                ErrorCode::HttpRequestHeaderSectionSize(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpRequestHeaderSize(payload) => {
                ErrorCode::HttpRequestHeaderSize(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpRequestTrailerSectionSize(payload) => {
                ErrorCode::HttpRequestTrailerSectionSize(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpRequestTrailerSize(payload) => {
                ErrorCode::HttpRequestTrailerSize(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpResponseIncomplete => ErrorCode::HttpResponseIncomplete,
            raw::ErrorCode::HttpResponseHeaderSectionSize(payload) => {
                ErrorCode::HttpResponseHeaderSectionSize(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpResponseHeaderSize(payload) => {
                ErrorCode::HttpResponseHeaderSize(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpResponseBodySize(payload) => {
                ErrorCode::HttpResponseBodySize(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpResponseTrailerSectionSize(payload) => {
                ErrorCode::HttpResponseTrailerSectionSize(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpResponseTrailerSize(payload) => {
                ErrorCode::HttpResponseTrailerSize(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpResponseTransferCoding(payload) => {
                ErrorCode::HttpResponseTransferCoding(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpResponseContentCoding(payload) => {
                ErrorCode::HttpResponseContentCoding(FromRaw::from_raw(payload))
            }
            raw::ErrorCode::HttpResponseTimeout => ErrorCode::HttpResponseTimeout,
            raw::ErrorCode::HttpUpgradeFailed => ErrorCode::HttpUpgradeFailed,
            raw::ErrorCode::HttpProtocolError => ErrorCode::HttpProtocolError,
            raw::ErrorCode::LoopDetected => ErrorCode::LoopDetected,
            raw::ErrorCode::ConfigurationError => ErrorCode::ConfigurationError,
            raw::ErrorCode::InternalError(payload) => {
                ErrorCode::InternalError(FromRaw::from_raw(payload))
            }
        }
    }
}
/// Why a header could not be set: `header-error` from `wasi:http@0.2.12`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum HeaderError {
    /// This error indicates that a `field-name` or `field-value` was
    /// syntactically invalid when used with an operation that sets headers in a
    /// `fields`.
    InvalidSyntax,
    /// This error indicates that a forbidden `field-name` was used when trying
    /// to set a header in a `fields`.
    Forbidden,
    /// This error indicates that the operation on the `fields` was not
    /// permitted because the fields are immutable.
    Immutable,
}
impl HeaderError {
    /// The case name as written in the WIT, e.g. `forbidden`.
    pub fn wit_name(&self) -> &'static str {
        match self {
            HeaderError::InvalidSyntax => "invalid-syntax",
            HeaderError::Forbidden => "forbidden",
            HeaderError::Immutable => "immutable",
        }
    }
}
impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wit_name())
    }
}
impl std::error::Error for HeaderError {}
impl FromRaw<raw::HeaderError> for HeaderError {
    fn from_raw(raw: raw::HeaderError) -> Self {
        match raw {
            raw::HeaderError::InvalidSyntax => HeaderError::InvalidSyntax,
            raw::HeaderError::Forbidden => HeaderError::Forbidden,
            raw::HeaderError::Immutable => HeaderError::Immutable,
        }
    }
}
/// Defines the case payload type for `DNS-error` above:
/// (`DNS-error-payload` in the WIT.)
#[derive(Debug, Clone, PartialEq)]
pub struct DnsErrorPayload {
    pub rcode: Option<String>,
    pub info_code: Option<u16>,
}
impl FromRaw<raw::DnsErrorPayload> for DnsErrorPayload {
    fn from_raw(raw: raw::DnsErrorPayload) -> Self {
        Self {
            rcode: FromRaw::from_raw(raw.rcode),
            info_code: FromRaw::from_raw(raw.info_code),
        }
    }
}
/// Defines the case payload type for `TLS-alert-received` above:
/// (`TLS-alert-received-payload` in the WIT.)
#[derive(Debug, Clone, PartialEq)]
pub struct TlsAlertReceivedPayload {
    pub alert_id: Option<u8>,
    pub alert_message: Option<String>,
}
impl FromRaw<raw::TlsAlertReceivedPayload> for TlsAlertReceivedPayload {
    fn from_raw(raw: raw::TlsAlertReceivedPayload) -> Self {
        Self {
            alert_id: FromRaw::from_raw(raw.alert_id),
            alert_message: FromRaw::from_raw(raw.alert_message),
        }
    }
}
/// Defines the case payload type for `HTTP-response-{header,trailer}-size` above:
/// (`field-size-payload` in the WIT.)
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSizePayload {
    pub field_name: Option<String>,
    pub field_size: Option<u32>,
}
impl FromRaw<raw::FieldSizePayload> for FieldSizePayload {
    fn from_raw(raw: raw::FieldSizePayload) -> Self {
        Self {
            field_name: FromRaw::from_raw(raw.field_name),
            field_size: FromRaw::from_raw(raw.field_size),
        }
    }
}
/// Everything that can go wrong sending a request or reading its response.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The host refused or failed the request; the code comes from the WIT.
    Http(ErrorCode),
    /// A header name or value was rejected; `name` is the field the host refused, when known
    /// (the WIT's `header-error` does not say).
    Header { error: HeaderError, name: Option<String> },
    /// The request was refused before it was sent, for a reason the WIT names: `code` is
    /// `HttpRequestUriInvalid` (not an absolute URI or a path, or a part the host would not take)
    /// or `HttpRequestMethodInvalid`; `detail` says what was wrong.
    Refused { code: ErrorCode, detail: String },
    /// The request could not be built for a reason the WIT has no code for (an unsupported
    /// request option, a body taken twice).
    InvalidRequest(String),
    /// The response could not be turned into the type asked for.
    InvalidResponse(String),
    /// A body stream failed without an HTTP error code.
    Io(String),
}
impl Error {
    /// The `error-code`: the host's, or the one that names why the SDK refused the request.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Http(code) | Error::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
    /// Whether the error is named by the WIT: an `error-code` or a `header-error`.
    pub fn has_wit_name(&self) -> bool {
        self.code().is_some() || matches!(self, Error::Header { .. })
    }
    pub(crate) fn invalid_uri(detail: impl Into<String>) -> Self {
        Error::Refused {
            code: ErrorCode::HttpRequestUriInvalid,
            detail: detail.into(),
        }
    }
    pub(crate) fn invalid_method(detail: impl Into<String>) -> Self {
        Error::Refused {
            code: ErrorCode::HttpRequestMethodInvalid,
            detail: detail.into(),
        }
    }
}
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Http(code) => fmt::Display::fmt(code, f),
            Error::Header { error, name: Some(name) } => {
                write!(f, "invalid header `{name}`: {error}")
            }
            Error::Header { error, name: None } => write!(f, "invalid header: {error}"),
            Error::Refused { code, detail } => write!(f, "{code}: {detail}"),
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Error::InvalidResponse(m) => write!(f, "invalid response: {m}"),
            Error::Io(m) => write!(f, "body stream failed: {m}"),
        }
    }
}
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Http(code) | Error::Refused { code, .. } => Some(code),
            Error::Header { error, .. } => Some(error),
            _ => None,
        }
    }
}
impl From<ErrorCode> for Error {
    fn from(code: ErrorCode) -> Self {
        Error::Http(code)
    }
}
impl From<HeaderError> for Error {
    fn from(error: HeaderError) -> Self {
        Error::Header { error, name: None }
    }
}
impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}
impl From<::http::Error> for Error {
    fn from(e: ::http::Error) -> Self {
        Error::InvalidRequest(e.to_string())
    }
}
/// Converts a raw binding value into the SDK's mirror of it.
pub(crate) trait FromRaw<R> {
    fn from_raw(raw: R) -> Self;
}
macro_rules! identity_from_raw {
    ($($t:ty),*) => {
        $(impl FromRaw <$t > for $t { fn from_raw(raw : $t) -> Self { raw } })*
    };
}
identity_from_raw!(bool, u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, char, String);
impl<R, T: FromRaw<R>> FromRaw<Option<R>> for Option<T> {
    fn from_raw(raw: Option<R>) -> Self {
        raw.map(T::from_raw)
    }
}
impl<R, T: FromRaw<R>> FromRaw<Vec<R>> for Vec<T> {
    fn from_raw(raw: Vec<R>) -> Self {
        raw.into_iter().map(T::from_raw).collect()
    }
}
