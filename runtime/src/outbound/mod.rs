//! Outbound requests of a guest: the permission check, then one of three destinations.
//!
//! Order (spec section 2.1): empty host → self request; **permission check**; `Host` removed;
//! then self (over the network to our own listener), chaining (in memory), or the network.
//! A denial reaches the guest as `HTTP-request-denied` through the response future.

mod length;
pub mod network;
mod permission;
mod pool;
mod replay;
mod resolve;
#[cfg(test)]
mod tests;
mod timeouts;
mod tls;

use std::future::Future;
use std::sync::{Arc, Weak};

use http_body_util::BodyExt;

use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use crate::app::AppShared;
use network::IoFuture;
pub(crate) use permission::Policy;

/// How deep chained requests may nest before we call it a loop.
const MAX_CHAIN_DEPTH: u32 = 16;

type SendResult = Result<(http::Response<WasiBody>, IoFuture), Error>;

/// The `WasiHttpHooks` of one instance: which component it is and how deep in a chain.
pub struct OutboundHooks {
    /// Weak: a parked instance (see `crate::instances`) lives inside the app it points to.
    app: Weak<AppShared>,
    component: Arc<str>,
    chain_depth: u32,
}

impl OutboundHooks {
    pub(crate) fn new(app: &Arc<AppShared>, component: &str) -> Self {
        Self {
            app: Arc::downgrade(app),
            component: component.into(),
            chain_depth: 0,
        }
    }

    /// A reused instance may serve a chained request after a direct one, and vice versa.
    pub(crate) fn set_chain_depth(&mut self, depth: u32) {
        self.chain_depth = depth;
    }
}

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        let app = self.app.upgrade();
        let component = self.component.clone();
        let depth = self.chain_depth;
        Box::new(async move {
            // The server holds the app while it runs instances: this fails only mid-shutdown.
            let app = app.ok_or(Error::InternalError(Some("the app has stopped".into())))?;
            dispatch(app, &component, depth, request, options).await
        })
    }
}

/// Whether a guest's request URI names the app itself (spec 4): no host (SDKs send an
/// authority of ":80"/":443" for relative URLs) or exactly `self.alt`, compared as written.
pub fn is_self_request(uri: &http::Uri) -> bool {
    let host = uri.host().unwrap_or("");
    host.is_empty() || host == "self.alt"
}

async fn dispatch(
    app: Arc<AppShared>,
    component: &str,
    depth: u32,
    mut request: http::Request<WasiBody>,
    options: Option<RequestOptions>,
) -> SendResult {
    let uri = request.uri().clone();
    let is_self = is_self_request(&uri);
    let loaded = app
        .components
        .get(component)
        .ok_or_else(|| Error::InternalError(Some(format!("unknown component {component}"))))?;
    loaded.policy.check(component, &uri, is_self)?;
    request.headers_mut().remove(http::header::HOST);
    let mut request = length::enforce_content_length(request);

    if is_self {
        let origin = app.listen_addr.get().ok_or_else(|| {
            tracing::error!("Couldn't handle outbound HTTP request to relative URI; no origin set");
            Error::HttpRequestUriInvalid
        })?;
        let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        *request.uri_mut() = format!("http://{origin}{path}")
            .parse()
            .map_err(|_| Error::HttpRequestUriInvalid)?;
        return app.network.send(component, request, options).await;
    }
    if let Some(target) = courier_policy::chaining_target(uri.host().unwrap_or("")) {
        if depth >= MAX_CHAIN_DEPTH {
            tracing::error!(
                component,
                target,
                "service chain deeper than {MAX_CHAIN_DEPTH} hops; refusing"
            );
            return Err(Error::LoopDetected);
        }
        // Host names are case-insensitive, and the permission check compared this one so;
        // component ids are lower case.
        let target = target.to_ascii_lowercase();
        // Chaining skips the network (spec 3.1), not the caller's time limits: a target that
        // never answers, or stalls mid-body, fails as an upstream would. Spin applies only
        // the between-bytes one here; a guest that set a first-byte timeout meant it too.
        let limits = timeouts::Timeouts::from_options(options);
        let chained = crate::inbound::chain(app, &target, depth + 1, request);
        let response = tokio::time::timeout(limits.first_byte, chained)
            .await
            .map_err(|_| Error::ConnectionReadTimeout)??;
        let response = response
            .map(|body| timeouts::BetweenBytes::new(body, limits.between_bytes).boxed_unsync());
        return Ok((response, Box::new(async { Ok(()) })));
    }
    app.network.send(component, request, options).await
}
