//! `courier hosts check`: explain whether an `allowed_outbound_hosts` list allows a URL.

use std::collections::HashMap;
use std::process::ExitCode;

use courier_policy::{AllowedHosts, OutboundUrl};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Explain whether a policy allows a URL, and which entry matched or why none did.
    ///
    /// Exit status: 0 allowed, 1 denied, 2 an entry is invalid (with the message `courier up` would
    /// give) or the URL cannot be parsed.
    #[command(
        after_help = "Examples:\n  courier hosts check --allow 'https://*.example.com' https://api.example.com/v1\n  \
courier hosts check --allow 'http://{{ host }}:8080' --var host=localhost http://localhost:8080/\n  \
courier hosts check --allow http://self /api/items\n  \
courier hosts check --allow 'http://*.spin.internal' --component back http://back.spin.internal/"
    )]
    Check {
        /// An `allowed_outbound_hosts` entry; repeat for a list. None at all means deny everything.
        #[arg(long = "allow", value_name = "PATTERN")]
        allow: Vec<String>,
        /// A value for a `{{ variable }}` used in a pattern.
        #[arg(long = "var", value_name = "NAME=VALUE", value_parser = super::parse_pair)]
        variables: Vec<(String, String)>,
        /// A component id of the app, for expanding `*.spin.internal`; repeat for several.
        #[arg(long = "component", value_name = "ID")]
        components: Vec<String>,
        /// The request URL: absolute (`https://host/path`; no scheme means https) or relative (`/path`, a self request).
        url: String,
    },
}

pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    let Command::Check {
        allow,
        variables,
        components,
        url,
    } = command;
    let values: HashMap<String, String> = variables.into_iter().collect();
    let defaults = values
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    let invalid = |e: courier_policy::PolicyError| {
        errln!(
            "invalid: `allowed_outbound_hosts` is malformed: {:#}",
            anyhow::Error::from(e)
        );
        Ok(ExitCode::from(2))
    };
    if let Err(e) = courier_policy::validate(&allow, &defaults) {
        return invalid(e);
    }
    let hosts =
        match AllowedHosts::resolve(&allow, &|name: &str| values.get(name).cloned(), &components) {
            Ok(hosts) => hosts,
            Err(e) => return invalid(e),
        };
    if url.starts_with("//") {
        errln!("{url}: a scheme-relative URL names a host, not a path of this app\n  hint: write the scheme (https:{url}), or a path with one leading '/'");
        return Ok(ExitCode::from(2));
    }
    // The runtime's own test, on the URI it would get (no scheme means https).
    let with_scheme = match url.contains("://") {
        true => url.clone(),
        false => format!("https://{url}"),
    };
    let is_relative = url.starts_with('/')
        || http::Uri::try_from(with_scheme).is_ok_and(|u| courier_runtime::is_self_request(&u));
    if is_relative {
        let granting = hosts.entries().iter().position(|e| e.allows_relative());
        return Ok(match granting {
            Some(i) => {
                outln!(
                    "{url}: allowed (a request to the app itself) by entry #{i} {:?}",
                    hosts.entries()[i].as_str()
                );
                ExitCode::SUCCESS
            }
            None => {
                outln!("{url}: denied: a request to the app itself needs an entry like \"http://self\" (or a '*' host)");
                ExitCode::from(1)
            }
        });
    }
    let parsed = match OutboundUrl::parse(&url, "https") {
        Ok(parsed) => parsed,
        Err(e) => {
            errln!(
                "{url}: the URL cannot be parsed: {:#}\n  hint: write an absolute URL (https://host/path) or a path of this app (/path)",
                anyhow::Error::from(e)
            );
            return Ok(ExitCode::from(2));
        }
    };
    let explanation = hosts.explain(&parsed);
    out!("{explanation}");
    if explanation.is_allowed() {
        return Ok(ExitCode::SUCCESS);
    }
    if hosts.entries().is_empty() && !allow.is_empty() {
        outln!("  note: the entries given expand to none: `*.spin.internal` stands for the app's component ids (name them with --component), and an entry whose variable is empty is skipped");
    }
    for line in courier_policy::denial_advice(Some(&parsed)) {
        outln!("{line}");
    }
    // Spin's advice names the origin as is, which for a scheme without a default port is not
    // an entry that loads.
    let suggested = parsed.origin_for_display();
    if courier_policy::validate(std::slice::from_ref(&suggested), &HashMap::new()).is_err() {
        outln!("  note: \"{suggested}\" does not load as an entry: scheme {} has no default port, so name one, e.g. \"{suggested}:<port>\"", parsed.scheme());
    }
    Ok(ExitCode::from(1))
}
