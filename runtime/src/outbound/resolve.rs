//! Where a request goes: the test-only resolver, DNS, the block list, and the TCP connect.
//!
//! The block list is applied after DNS to every resolved address (spec section 6), so a name
//! like `localhost` cannot smuggle a request past `block_networks = ["private"]`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use courier_policy::BlockedNetworks;
use tokio::net::TcpStream;
use wasmtime_wasi_http::Error;

/// Test-only name resolution: `host` or `host:port` → `ip` or `ip:port`, consulted before DNS
/// and after the policy check, so tests can use names like `svc.example.test` without DNS.
#[derive(Debug, Default, Clone)]
pub struct TestResolver {
    entries: HashMap<String, String>,
}

impl TestResolver {
    pub fn new(entries: HashMap<String, String>) -> anyhow::Result<Self> {
        for (name, target) in &entries {
            if target.parse::<SocketAddr>().is_err() && target.parse::<IpAddr>().is_err() {
                anyhow::bail!(
                    "test-only resolver: {name} = {target:?} is not an IP address or IP:port"
                );
            }
        }
        // Names are case-insensitive, as in DNS.
        let entries = entries
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        Ok(Self { entries })
    }

    fn lookup(&self, host: &str, port: u16) -> Option<SocketAddr> {
        if self.entries.is_empty() {
            return None;
        }
        let host = host.to_ascii_lowercase();
        let target = self
            .entries
            .get(&format!("{host}:{port}"))
            .or_else(|| self.entries.get(&host))?;
        target.parse::<SocketAddr>().ok().or_else(|| {
            target
                .parse::<IpAddr>()
                .ok()
                .map(|ip| SocketAddr::new(ip, port))
        })
    }
}

/// Resolution plus the block list.
pub struct Resolver {
    blocked: BlockedNetworks,
    test_only: TestResolver,
}

impl Resolver {
    pub fn new(blocked: BlockedNetworks, test_only: TestResolver) -> Self {
        Self { blocked, test_only }
    }

    /// Resolve, then drop blocked addresses; all blocked is `destination-IP-prohibited`.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, Error> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = if let Some(addr) = self.test_only.lookup(bare, port) {
            vec![addr]
        } else if let Ok(ip) = bare.parse::<IpAddr>() {
            vec![SocketAddr::new(ip, port)]
        } else {
            tokio::net::lookup_host((bare, port))
                .await
                .map_err(|_| dns_error("address not available"))?
                .collect()
        };
        if addrs.is_empty() {
            return Err(dns_error("address not available"));
        }
        self.unblocked(host, addrs)
    }

    /// The addresses the block list leaves, in order: some blocked are dropped silently (the
    /// request goes to the rest, as in Spin); all blocked is `destination-IP-prohibited`.
    fn unblocked(&self, host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, Error> {
        // `is_blocked` re-checks IPv4-mapped IPv6 addresses as IPv4.
        let allowed: Vec<SocketAddr> = addrs
            .iter()
            .copied()
            .filter(|a| !self.blocked.is_blocked(a.ip()))
            .collect();
        if allowed.is_empty() {
            tracing::error!(error.type = "destination_ip_prohibited", %host, ?addrs, "every address of the destination is blocked by block_networks");
            return Err(Error::DestinationIpProhibited);
        }
        Ok(allowed)
    }
}

pub fn dns_error(rcode: &str) -> Error {
    Error::DnsError {
        rcode: Some(rcode.to_string()),
        info_code: Some(0),
    }
}

/// Connect to the first address that answers.
pub async fn connect_any(addrs: &[SocketAddr]) -> Result<TcpStream, Error> {
    let mut last = Error::ConnectionRefused;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                // Small requests and responses must not wait on Nagle's algorithm.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrNotAvailable => {
                last = dns_error("address not available")
            }
            Err(_) => last = Error::ConnectionRefused,
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver(blocked: &[&str]) -> Resolver {
        let blocked: Vec<String> = blocked.iter().map(|s| s.to_string()).collect();
        Resolver::new(
            BlockedNetworks::parse(&blocked).unwrap(),
            TestResolver::default(),
        )
    }

    fn addrs(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn some_blocked_addresses_are_dropped_and_the_rest_kept_in_order() {
        let r = resolver(&["127.0.0.0/8"]);
        let all = addrs(&[
            "127.0.0.1:80",
            "[::1]:80",
            "[::ffff:127.0.0.2]:80",
            "10.0.0.1:80",
        ]);
        assert_eq!(
            r.unblocked("h", all).unwrap(),
            addrs(&["[::1]:80", "10.0.0.1:80"])
        );
    }

    #[test]
    fn all_blocked_is_destination_ip_prohibited() {
        let r = resolver(&["private"]);
        let all = addrs(&["127.0.0.1:80", "[::1]:80", "[::ffff:10.1.2.3]:80"]);
        assert!(matches!(
            r.unblocked("h", all),
            Err(Error::DestinationIpProhibited)
        ));
        assert_eq!(
            resolver(&[])
                .unblocked("h", addrs(&["127.0.0.1:80"]))
                .unwrap(),
            addrs(&["127.0.0.1:80"])
        );
    }
}
