//! `[outbound_networking] block_networks`: addresses refused after DNS (spec 6).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use crate::error::{ErrorKind, PolicyError};

/// A block list: CIDR networks plus, optionally, every non-global address (`private`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockedNetworks {
    networks: Vec<IpNet>,
    block_private: bool,
}

impl BlockedNetworks {
    /// Parses `block_networks`: CIDRs (host bits truncated, so `8.8.8.8/16` is
    /// `8.8.0.0/16`) and the keyword `private`. Anything else is an error.
    pub fn parse(entries: &[String]) -> Result<Self, PolicyError> {
        let mut blocked = Self::default();
        for entry in entries {
            if entry == "private" {
                blocked.block_private = true;
            } else if let Some(net) = parse_cidr(entry) {
                blocked.networks.push(net);
            } else {
                return Err(PolicyError::new(
                    ErrorKind::InvalidBlockedNetwork,
                    format!(
                        "invalid value: string {entry:?}, expected an IP network in CIDR notation or the keyword 'private'"
                    ),
                ));
            }
        }
        Ok(blocked)
    }

    /// Whether connecting to `ip` is refused. As in Spin, an address is judged as itself
    /// first (so `private` blocks every IPv4-mapped `::ffff:a.b.c.d`: the IANA registry
    /// lists that block as not globally reachable), then IPv4-mapped and IPv4-compatible
    /// (`::a.b.c.d`) addresses are checked again as IPv4, so they cannot bypass an IPv4 rule.
    pub fn is_blocked(&self, ip: IpAddr) -> bool {
        if (self.block_private && !is_global(ip)) || self.networks.iter().any(|n| n.contains(&ip)) {
            return true;
        }
        match ip {
            IpAddr::V6(v6) => v6
                .to_ipv4()
                .is_some_and(|v4| self.is_blocked(IpAddr::V4(v4))),
            IpAddr::V4(_) => false,
        }
    }

    /// Whether nothing is blocked.
    pub fn is_empty(&self) -> bool {
        !self.block_private && self.networks.is_empty()
    }

    /// The CIDR networks, as given (truncated).
    pub fn networks(&self) -> &[IpNet] {
        &self.networks
    }

    /// Whether `private` was given.
    pub fn blocks_private(&self) -> bool {
        self.block_private
    }
}

/// Strict `<ip>/<prefix>` (std address syntax), truncated to the network.
fn parse_cidr(text: &str) -> Option<IpNet> {
    let (addr, prefix) = text.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let prefix: u8 = prefix.parse().ok()?;
    IpNet::new(addr, prefix).ok().map(|n| n.trunc())
}

/// Whether an address is globally reachable, per the IANA IPv4 and IPv6
/// special-purpose address registries (what `private` blocks is the rest).
fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_global_v4(v4),
        IpAddr::V6(v6) => is_global_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn in_v6(ip: Ipv6Addr, net: [u16; 8], prefix: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
    let [a, b, c, d, e, f, g, h] = net;
    u128::from(ip) & mask == u128::from(Ipv6Addr::new(a, b, c, d, e, f, g, h)) & mask
}

fn is_global_v4(ip: Ipv4Addr) -> bool {
    // Globally reachable exceptions inside 192.0.0.0/24 (PCP and TURN anycast).
    if ip == Ipv4Addr::new(192, 0, 0, 9) || ip == Ipv4Addr::new(192, 0, 0, 10) {
        return true;
    }
    const NOT_GLOBAL: &[([u8; 4], u32)] = &[
        ([0, 0, 0, 0], 8),       // "this network"
        ([10, 0, 0, 0], 8),      // private
        ([100, 64, 0, 0], 10),   // shared address space (CGN)
        ([127, 0, 0, 0], 8),     // loopback
        ([169, 254, 0, 0], 16),  // link local
        ([172, 16, 0, 0], 12),   // private
        ([192, 0, 0, 0], 24),    // IETF protocol assignments
        ([192, 0, 2, 0], 24),    // documentation (TEST-NET-1)
        ([192, 168, 0, 0], 16),  // private
        ([198, 18, 0, 0], 15),   // benchmarking
        ([198, 51, 100, 0], 24), // documentation (TEST-NET-2)
        ([203, 0, 113, 0], 24),  // documentation (TEST-NET-3)
        ([240, 0, 0, 0], 4),     // reserved, including broadcast
    ];
    !NOT_GLOBAL
        .iter()
        .any(|&(net, prefix)| in_v4(ip, net, prefix))
}

fn is_global_v6(ip: Ipv6Addr) -> bool {
    const GLOBAL_EXCEPTIONS: &[([u16; 8], u32)] = &[
        ([0x2001, 0x1, 0, 0, 0, 0, 0, 0x1], 128), // port control protocol anycast
        ([0x2001, 0x1, 0, 0, 0, 0, 0, 0x2], 128), // TURN anycast
        ([0x2001, 0x1, 0, 0, 0, 0, 0, 0x3], 128), // DNS-SD service registration anycast
        ([0x2001, 0x3, 0, 0, 0, 0, 0, 0], 32),    // AMT
        ([0x2001, 0x4, 0x112, 0, 0, 0, 0, 0], 48), // AS112-v6
        ([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28),   // ORCHIDv2
        ([0x2001, 0x30, 0, 0, 0, 0, 0, 0], 28),   // drone remote ID
    ];
    if GLOBAL_EXCEPTIONS
        .iter()
        .any(|&(net, prefix)| in_v6(ip, net, prefix))
    {
        return true;
    }
    const NOT_GLOBAL: &[([u16; 8], u32)] = &[
        ([0, 0, 0, 0, 0, 0, 0, 0], 128),          // unspecified
        ([0, 0, 0, 0, 0, 0, 0, 1], 128),          // loopback
        ([0, 0, 0, 0, 0, 0xffff, 0, 0], 96),      // IPv4-mapped
        ([0x64, 0xff9b, 0x1, 0, 0, 0, 0, 0], 48), // local-use IPv4/IPv6 translation
        ([0x100, 0, 0, 0, 0, 0, 0, 0], 64),       // discard-only
        ([0x100, 0, 0, 0x1, 0, 0, 0, 0], 64),     // dummy prefix
        ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),      // IETF protocol assignments
        ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),  // documentation
        ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20),      // documentation
        ([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16),      // segment routing SIDs
        ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),       // unique local
        ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),      // link local
        ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10),      // deprecated site local
    ];
    if NOT_GLOBAL
        .iter()
        .any(|&(net, prefix)| in_v6(ip, net, prefix))
    {
        return false;
    }
    // Multicast: only the global scope (ffxe::) leaves the site.
    if ip.segments()[0] & 0xff00 == 0xff00 {
        return ip.segments()[0] & 0x000f == 0xe;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> BlockedNetworks {
        let items: Vec<String> = items.iter().map(|s| s.to_string()).collect();
        BlockedNetworks::parse(&items).unwrap_or_else(|e| panic!("{items:?}: {e}"))
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    /// E1, E2: (address, blocked).
    #[test]
    fn cidr_list() {
        let blocked = list(&["123.123.0.0/16", "2001::/96"]);
        let cases = [
            ("123.123.123.123", true),
            ("2001::1000", true),
            ("::ffff:123.123.123.123", true),
            ("::123.123.123.123", true), // IPv4-compatible
            ("123.100.100.100", false),
            ("2002::1000", false),
            ("::ffff:123.100.100.100", false),
            ("10.0.0.1", false), // not `private` here
            ("::1", false),
        ];
        for (addr, expected) in cases {
            assert_eq!(blocked.is_blocked(ip(addr)), expected, "{addr}");
        }
    }

    /// E3, E4 and the rest of the IANA registries: (address, blocked by `private`).
    #[test]
    fn private_keyword() {
        let blocked = list(&["private", "10.0.0.0/8"]);
        let cases = [
            ("0.0.0.0", true),
            ("10.10.10.10", true),
            ("100.64.1.1", true),
            ("127.0.0.1", true),
            ("169.254.0.1", true),
            ("192.0.0.1", true),
            ("::1", true),
            ("::ffff:10.10.10.10", true),
            ("fc00::f00d", true),
            ("123.123.123.123", false),
            ("2600::beef", false),
            // More IPv4.
            ("172.16.0.1", true),
            ("172.31.255.255", true),
            ("172.32.0.1", false),
            ("192.168.1.1", true),
            ("192.0.0.9", false),
            ("192.0.0.10", false),
            ("192.0.0.170", true),
            ("192.0.2.1", true),
            ("198.18.0.1", true),
            ("198.19.255.255", true),
            ("198.20.0.1", false),
            ("198.51.100.7", true),
            ("203.0.113.7", true),
            ("240.0.0.1", true),
            ("255.255.255.255", true),
            ("100.63.255.255", false),
            ("100.128.0.0", false),
            ("8.8.8.8", false),
            ("1.1.1.1", false),
            // More IPv6.
            ("::", true),
            ("fe80::1", true),
            ("febf::1", true),
            ("fec0::1", true),
            ("fdff::1", true),
            ("2001:db8::1", true),
            ("3fff::1", true),
            ("100::1", true),
            ("2001::1", true),
            ("2001:2::1", true),
            ("2001:1::1", false),
            ("2001:3::1", false),
            ("2001:20::1", false),
            ("64:ff9b::8.8.8.8", false),
            ("64:ff9b:1::1", true),
            ("2606:4700::1111", false),
            ("ff02::1", true),
            ("ff05::2", true),
            ("ff0e::1", false),
            // IPv4-mapped addresses are not global themselves (Spin's `is_global`), whatever
            // they map; IPv4-compatible ones are judged as the IPv4 address they hold.
            ("::ffff:8.8.8.8", true),
            ("::ffff:127.0.0.1", true),
            ("::127.0.0.1", true),
            ("::8.8.8.8", false),
        ];
        for (addr, expected) in cases {
            assert_eq!(blocked.is_blocked(ip(addr)), expected, "{addr}");
        }
    }

    /// E6: CIDRs are truncated; `private` is a flag.
    #[test]
    fn parse_truncates_and_flags_private() {
        let blocked = list(&["1.1.1.1/32", "8.8.8.8/16", "private"]);
        let nets: Vec<String> = blocked.networks().iter().map(|n| n.to_string()).collect();
        assert_eq!(nets, ["1.1.1.1/32", "8.8.0.0/16"]);
        assert!(blocked.blocks_private());
        assert!(blocked.is_blocked(ip("8.8.4.4")));
        assert!(!blocked.is_blocked(ip("8.9.0.1")));
    }

    #[test]
    fn is_empty() {
        assert!(list(&[]).is_empty());
        assert!(!list(&["private"]).is_empty());
        assert!(!list(&["1.1.1.1/32"]).is_empty());
        // `::1` is IPv4-compatible `0.0.0.1` too, so an all-IPv4 rule blocks it (as in Spin).
        assert!(list(&["0.0.0.0/0"]).is_blocked(ip("::1")));
        assert!(list(&["0.0.0.0/0"]).is_blocked(ip("8.8.8.8")));
        assert!(!list(&["0.0.0.0/0"]).is_blocked(ip("2600::1")));
        assert!(!list(&[]).is_blocked(ip("127.0.0.1")));
    }

    #[test]
    fn rejects_other_values() {
        for entry in [
            "1.1.1.1",
            "Private",
            "private ",
            "10.0.0.0/33",
            "::/129",
            "01.2.3.4/8",
            "host/8",
            "",
            "10.0.0.0/8/",
        ] {
            let err = BlockedNetworks::parse(&[entry.to_owned()]).expect_err(entry);
            assert_eq!(err.kind(), ErrorKind::InvalidBlockedNetwork);
            assert!(
                err.to_string()
                    .ends_with("expected an IP network in CIDR notation or the keyword 'private'"),
                "{err}"
            );
        }
    }
}
