//! `wasi:http/types.http-error-code`: why a body stream failed.
//!
//! wasmtime-wasi-http 48 keeps a failed incoming body's error as its own `Error` type, while
//! its `http-error-code` only recognises the p2 `ErrorCode`, so guests got `none` for every
//! body error: a between-bytes timeout could not say `connection-read-timeout` (conformance
//! case E07). Courier's definition, which shadows the crate's, recognises both.

use wasmtime::component::{Linker, Resource};
use wasmtime::StoreContextMut;
use wasmtime_wasi::WasiView;
use wasmtime_wasi_http::p2::bindings::http::types::{
    DnsErrorPayload, ErrorCode, FieldSizePayload, IoError, TlsAlertReceivedPayload,
};
use wasmtime_wasi_http::Error;

use crate::state::State;

/// The `wasi:http/types` instance wasmtime-wasi-http defines (guests of any 0.2.x reach it).
const TYPES: &str = "wasi:http/types@0.2.12";
const NAME: &str = "http-error-code";

/// Replace the crate's `http-error-code` with one that sees every body error.
pub(crate) fn add_to_linker(linker: &mut Linker<State>) -> wasmtime::Result<()> {
    // Without shadowing this must fail, since the crate's definition is the one replaced; if it
    // succeeds, a newer wasmtime-wasi-http names another version and `TYPES` must follow.
    if linker
        .instance(TYPES)?
        .func_wrap(NAME, http_error_code)
        .is_ok()
    {
        wasmtime::bail!("wasmtime-wasi-http defines no {TYPES}; update runtime/src/error_code.rs");
    }
    linker.allow_shadowing(true);
    let defined = linker.instance(TYPES)?.func_wrap(NAME, http_error_code);
    linker.allow_shadowing(false);
    defined
}

fn http_error_code(
    mut store: StoreContextMut<'_, State>,
    (error,): (Resource<IoError>,),
) -> wasmtime::Result<(Option<ErrorCode>,)> {
    let error = store.data_mut().ctx().table.get(&error)?;
    Ok((error_code(error),))
}

/// The wasi:http error code an I/O error carries, if it carries one.
fn error_code(error: &wasmtime::Error) -> Option<ErrorCode> {
    if let Some(code) = error.downcast_ref::<ErrorCode>() {
        return Some(code.clone());
    }
    error.downcast_ref::<Error>().map(from_host_error)
}

/// The same mapping wasmtime-wasi-http applies to a failed outgoing request, so a body error
/// and a response error of one kind get one code.
fn from_host_error(error: &Error) -> ErrorCode {
    let field = |name: &Option<String>, size: &Option<u32>| FieldSizePayload {
        field_name: name.clone(),
        field_size: *size,
    };
    match error {
        Error::Hyper(e) => std::error::Error::source(e)
            .and_then(|cause| {
                let code = cause.downcast_ref::<ErrorCode>().cloned();
                code.or_else(|| cause.downcast_ref::<Error>().map(from_host_error))
            })
            .unwrap_or(ErrorCode::HttpProtocolError),
        Error::Connect(_) => ErrorCode::ConnectionRefused,
        Error::Tls(_) => ErrorCode::TlsProtocolError,
        Error::HttpRequestBodySize(size) => ErrorCode::HttpRequestBodySize(*size),
        Error::DnsTimeout => ErrorCode::DnsTimeout,
        Error::DnsError { rcode, info_code } => ErrorCode::DnsError(DnsErrorPayload {
            rcode: rcode.clone(),
            info_code: *info_code,
        }),
        Error::DestinationNotFound => ErrorCode::DestinationNotFound,
        Error::DestinationUnavailable => ErrorCode::DestinationUnavailable,
        Error::DestinationIpProhibited => ErrorCode::DestinationIpProhibited,
        Error::DestinationIpUnroutable => ErrorCode::DestinationIpUnroutable,
        Error::ConnectionRefused => ErrorCode::ConnectionRefused,
        Error::ConnectionTerminated => ErrorCode::ConnectionTerminated,
        Error::ConnectionTimeout => ErrorCode::ConnectionTimeout,
        Error::ConnectionReadTimeout => ErrorCode::ConnectionReadTimeout,
        Error::ConnectionWriteTimeout => ErrorCode::ConnectionWriteTimeout,
        Error::ConnectionLimitReached => ErrorCode::ConnectionLimitReached,
        Error::TlsProtocolError => ErrorCode::TlsProtocolError,
        Error::TlsCertificateError => ErrorCode::TlsCertificateError,
        Error::TlsAlertReceived {
            alert_id,
            alert_message,
        } => ErrorCode::TlsAlertReceived(TlsAlertReceivedPayload {
            alert_id: *alert_id,
            alert_message: alert_message.clone(),
        }),
        Error::HttpRequestDenied => ErrorCode::HttpRequestDenied,
        Error::HttpRequestLengthRequired => ErrorCode::HttpRequestLengthRequired,
        Error::HttpRequestMethodInvalid => ErrorCode::HttpRequestMethodInvalid,
        Error::HttpRequestUriInvalid => ErrorCode::HttpRequestUriInvalid,
        Error::HttpRequestUriTooLong => ErrorCode::HttpRequestUriTooLong,
        Error::HttpRequestHeaderSectionSize(size) => ErrorCode::HttpRequestHeaderSectionSize(*size),
        Error::HttpRequestHeaderSize {
            field_name,
            field_size,
        } => ErrorCode::HttpRequestHeaderSize(Some(field(field_name, field_size))),
        Error::HttpRequestTrailerSectionSize(size) => {
            ErrorCode::HttpRequestTrailerSectionSize(*size)
        }
        Error::HttpRequestTrailerSize {
            field_name,
            field_size,
        } => ErrorCode::HttpRequestTrailerSize(field(field_name, field_size)),
        Error::HttpResponseIncomplete => ErrorCode::HttpResponseIncomplete,
        Error::HttpResponseHeaderSectionSize(size) => {
            ErrorCode::HttpResponseHeaderSectionSize(*size)
        }
        Error::HttpResponseHeaderSize {
            field_name,
            field_size,
        } => ErrorCode::HttpResponseHeaderSize(field(field_name, field_size)),
        Error::HttpResponseBodySize(size) => ErrorCode::HttpResponseBodySize(*size),
        Error::HttpResponseTrailerSectionSize(size) => {
            ErrorCode::HttpResponseTrailerSectionSize(*size)
        }
        Error::HttpResponseTrailerSize {
            field_name,
            field_size,
        } => ErrorCode::HttpResponseTrailerSize(field(field_name, field_size)),
        Error::HttpResponseTransferCoding(coding) => {
            ErrorCode::HttpResponseTransferCoding(coding.clone())
        }
        Error::HttpResponseContentCoding(coding) => {
            ErrorCode::HttpResponseContentCoding(coding.clone())
        }
        Error::HttpResponseTimeout => ErrorCode::HttpResponseTimeout,
        Error::HttpUpgradeFailed => ErrorCode::HttpUpgradeFailed,
        Error::HttpProtocolError => ErrorCode::HttpProtocolError,
        Error::LoopDetected => ErrorCode::LoopDetected,
        Error::ConfigurationError => ErrorCode::ConfigurationError,
        Error::InternalError(message) => ErrorCode::InternalError(message.clone()),
        // `Error` is non-exhaustive: a variant added later still reaches the guest, by name.
        other => ErrorCode::InternalError(Some(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_crate_definition_and_nothing_else() {
        let engine = wasmtime::Engine::default();
        let mut linker = Linker::<State>::new(&engine);
        // No wasi:http yet: nothing to replace, which must be an error, not a new instance.
        let missing = add_to_linker(&mut linker).unwrap_err();
        assert!(missing.to_string().contains(TYPES), "{missing}");

        let mut linker = Linker::<State>::new(&engine);
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).unwrap();
        add_to_linker(&mut linker).unwrap();
    }

    #[test]
    fn body_errors_of_either_type_have_a_code() {
        let timeout = wasmtime::Error::from(Error::ConnectionReadTimeout);
        assert!(matches!(
            error_code(&timeout),
            Some(ErrorCode::ConnectionReadTimeout)
        ));
        let p2 = wasmtime::Error::from(ErrorCode::HttpResponseIncomplete);
        assert!(matches!(
            error_code(&p2),
            Some(ErrorCode::HttpResponseIncomplete)
        ));
        let size = wasmtime::Error::from(Error::HttpResponseBodySize(Some(7)));
        assert!(matches!(
            error_code(&size),
            Some(ErrorCode::HttpResponseBodySize(Some(7)))
        ));
        let io = wasmtime::Error::msg("broken pipe");
        assert!(error_code(&io).is_none());
    }
}
