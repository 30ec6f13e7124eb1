//! Per-request options: the properties of the WIT `request-options` resource.
use crate::bindings::wasi::http::types as raw;
use crate::error::Error;
/// Options for one outbound request; unset fields leave the host's default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestOptions {
    /// The timeout for the initial connect to the HTTP Server.
    pub connect_timeout: Option<std::time::Duration>,
    /// The timeout for receiving the first byte of the Response body.
    pub first_byte_timeout: Option<std::time::Duration>,
    /// The timeout for receiving subsequent chunks of bytes in the Response
    /// body stream.
    pub between_bytes_timeout: Option<std::time::Duration>,
}
impl RequestOptions {
    /// Whether any option is set (if none is, the request is sent without options).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
    /// Builds the WIT resource; a host that does not support an option refuses it here.
    pub(crate) fn to_raw(&self) -> Result<Option<raw::RequestOptions>, Error> {
        if self.is_empty() {
            return Ok(None);
        }
        let options = raw::RequestOptions::new();
        if let Some(value) = self.connect_timeout {
            let value = u64::try_from(value.as_nanos()).unwrap_or(u64::MAX);
            options
                .set_connect_timeout(Some(value))
                .map_err(|()| {
                    Error::InvalidRequest(
                        "the host does not support request option `connect-timeout`"
                            .to_string(),
                    )
                })?;
        }
        if let Some(value) = self.first_byte_timeout {
            let value = u64::try_from(value.as_nanos()).unwrap_or(u64::MAX);
            options
                .set_first_byte_timeout(Some(value))
                .map_err(|()| {
                    Error::InvalidRequest(
                        "the host does not support request option `first-byte-timeout`"
                            .to_string(),
                    )
                })?;
        }
        if let Some(value) = self.between_bytes_timeout {
            let value = u64::try_from(value.as_nanos()).unwrap_or(u64::MAX);
            options
                .set_between_bytes_timeout(Some(value))
                .map_err(|()| {
                    Error::InvalidRequest(
                        "the host does not support request option `between-bytes-timeout`"
                            .to_string(),
                    )
                })?;
        }
        Ok(Some(options))
    }
}
