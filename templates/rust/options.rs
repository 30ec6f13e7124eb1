{# One field per `request-options` getter/setter pair found in the WIT. -#}
//! Per-request options: the properties of the WIT `request-options` resource.

use crate::bindings::wasi::http::types as raw;
use crate::error::Error;

/// Options for one outbound request; unset fields leave the host's default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestOptions {
{%- for option in options %}
    {%- for line in option.docs %}
    /// {{ line }}
    {%- endfor %}
    pub {{ option.rust_name }}: Option<{{ option.ty }}>,
{%- endfor %}
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
        {%- for option in options %}
        if let Some(value) = self.{{ option.rust_name }} {
            {%- if option.is_duration %}
            // WIT durations are nanoseconds.
            let value = u64::try_from(value.as_nanos()).unwrap_or(u64::MAX);
            {%- endif %}
            options.{{ option.setter }}(Some(value)).map_err(|()| {
                Error::InvalidRequest("the host does not support request option `{{ option.wit_name }}`".to_string())
            })?;
        }
        {%- endfor %}
        Ok(Some(options))
    }
}
