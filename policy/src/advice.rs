//! The lines the host prints when a request is denied (spec 2.2).

use crate::OutboundUrl;

/// The lines the host logs for a denied request, in order: the error line, the
/// warning, and the suggested manifest entry. `None` means a self (relative or
/// `self.alt`) request, whose suggestion is `http://self`.
pub fn denial_advice(url: Option<&OutboundUrl>) -> Vec<String> {
    let (pattern, warning) = match url {
        Some(url) => {
            let pattern = url.origin_for_display();
            let warning = format!(
                "Warning: A component tried to make an outbound network connection to disallowed destination '{pattern}'."
            );
            (pattern, warning)
        }
        None => (
            "http://self".to_owned(),
            "Warning: A component tried to make an HTTP request to its own app but it does not have permission."
                .to_owned(),
        ),
    };
    vec![
        format!("Outbound network destination not allowed: {pattern}"),
        warning,
        format!(
            "To allow this request, add 'allowed_outbound_hosts = [\"{pattern}\"]' to the manifest component section."
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_for_a_denied_url() {
        let url = OutboundUrl::parse("https://www.fermyon.com/path?q", "https").unwrap();
        assert_eq!(
            denial_advice(Some(&url)),
            [
                "Outbound network destination not allowed: https://www.fermyon.com",
                "Warning: A component tried to make an outbound network connection to disallowed destination 'https://www.fermyon.com'.",
                "To allow this request, add 'allowed_outbound_hosts = [\"https://www.fermyon.com\"]' to the manifest component section.",
            ]
        );
    }

    #[test]
    fn advice_keeps_only_non_default_ports() {
        let cases = [
            ("http://localhost:1234/", "http://localhost:1234"),
            ("https://x:443/", "https://x"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("tcp://127.0.0.1:7", "tcp://127.0.0.1:7"),
        ];
        for (url, pattern) in cases {
            let url = OutboundUrl::parse(url, "https").unwrap();
            let lines = denial_advice(Some(&url));
            assert_eq!(
                lines[0],
                format!("Outbound network destination not allowed: {pattern}")
            );
            assert!(
                lines[2].contains(&format!("[\"{pattern}\"]")),
                "{}",
                lines[2]
            );
        }
    }

    #[test]
    fn advice_for_a_self_request() {
        assert_eq!(
            denial_advice(None),
            [
                "Outbound network destination not allowed: http://self",
                "Warning: A component tried to make an HTTP request to its own app but it does not have permission.",
                "To allow this request, add 'allowed_outbound_hosts = [\"http://self\"]' to the manifest component section.",
            ]
        );
    }
}
