//! The HTTP router: Spin route patterns (`/exact`, `/prefix/...`, `/users/:id`) to component ids.
//!
//! Private endpoints (`route = { private = true }`) register no route at all: such a component
//! is reachable only through service chaining, which never consults the router.

use anyhow::{bail, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// One parsed route pattern.
#[derive(Debug, Clone)]
pub struct Route {
    /// As written in the manifest, e.g. `/api/:id/...`.
    raw: String,
    segments: Vec<Segment>,
    wildcard: bool,
    pub component: String,
}

/// What a request matched, with everything the `spin-*` headers report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    pub component: String,
    /// The route as written (`spin-matched-route`, `spin-raw-component-route`).
    pub raw_route: String,
    /// The route without a trailing `/...` (`spin-component-route`).
    pub component_route: String,
    /// The part of the path after the route's fixed prefix (`spin-path-info`).
    pub path_info: String,
    /// `:name` segments and the values they captured, in route order.
    pub params: Vec<(String, String)>,
}

impl RouteMatch {
    /// The synthetic match a chained request gets: it reaches the component whatever its route.
    pub fn synthetic(component: &str, path: &str) -> Self {
        Self {
            component: component.to_string(),
            raw_route: "/...".to_string(),
            component_route: String::new(),
            path_info: path.to_string(),
            params: Vec::new(),
        }
    }
}

impl Route {
    pub fn parse(raw: &str, component: &str) -> Result<Self> {
        if !raw.starts_with('/') {
            bail!("route {raw:?} must start with '/'");
        }
        let trimmed = raw.trim_end_matches('/');
        let (body, wildcard) = match trimmed.strip_suffix("/...") {
            Some(body) => (body, true),
            None if trimmed == "..." || trimmed == "/..." => ("", true),
            None => (trimmed, false),
        };
        if raw.contains(['?', '#']) {
            // Spin loads it too; it can never match, since routes see only the path.
            tracing::warn!("route {raw:?} of component `{component}` holds '?' or '#', which never appear in a request's path: it matches nothing");
        }
        let mut segments = Vec::new();
        for part in body.split('/').filter(|s| !s.is_empty()) {
            if part.contains("...") {
                bail!("route {raw:?}: '...' is allowed only as the last segment");
            }
            match part.strip_prefix(':') {
                Some("") => bail!("route {raw:?}: a ':' segment needs a name, e.g. /users/:id"),
                Some(name) => {
                    let param = Segment::Param(name.to_string());
                    if segments.contains(&param) {
                        tracing::warn!("route {raw:?} of component `{component}` names the parameter `{name}` twice: the component sees only one value");
                    }
                    segments.push(param)
                }
                None => segments.push(Segment::Literal(part.to_string())),
            }
        }
        Ok(Self {
            raw: raw.to_string(),
            segments,
            wildcard,
            component: component.to_string(),
        })
    }

    /// Specificity: exact routes beat wildcards, literal segments beat parameters, longer beats shorter.
    fn rank(&self) -> (bool, usize, usize) {
        let literals = self
            .segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count();
        (!self.wildcard, literals, self.segments.len())
    }

    fn matches(&self, path: &str) -> Option<RouteMatch> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if parts.len() < self.segments.len()
            || (!self.wildcard && parts.len() != self.segments.len())
        {
            return None;
        }
        let mut params = Vec::new();
        for (segment, part) in self.segments.iter().zip(&parts) {
            match segment {
                Segment::Literal(lit) if lit == part => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) => params.push((name.clone(), part.to_string())),
            }
        }
        let path_info = if self.wildcard {
            let rest = parts[self.segments.len()..].join("/");
            let trailing = path.len() > 1 && path.ends_with('/');
            match (rest.is_empty(), trailing) {
                (true, false) => String::new(),
                (true, true) => "/".to_string(),
                (false, false) => format!("/{rest}"),
                (false, true) => format!("/{rest}/"),
            }
        } else {
            String::new()
        };
        Some(RouteMatch {
            component: self.component.clone(),
            raw_route: self.raw.clone(),
            component_route: self.raw.trim_end_matches("/...").to_string(),
            path_info,
            params,
        })
    }
}

/// All public routes of an app, most specific first.
#[derive(Debug, Default, Clone)]
pub struct Router {
    routes: Vec<Route>,
}

impl Router {
    /// Of routes that match the same requests, the later in the manifest wins and the
    /// earlier is never used, as in Spin, which logs them and serves the app.
    pub fn new(routes: Vec<Route>) -> Self {
        let mut kept: Vec<Route> = Vec::with_capacity(routes.len());
        for route in routes {
            let same = |k: &Route| k.segments == route.segments && k.wildcard == route.wildcard;
            if let Some(i) = kept.iter().position(same) {
                let earlier = kept.remove(i);
                tracing::warn!(
                    "route {:?} of component `{}` is never used: {:?} of component `{}`, later in the manifest, matches the same requests",
                    earlier.raw,
                    earlier.component,
                    route.raw,
                    route.component
                );
            }
            kept.push(route);
        }
        // Stable sort keeps manifest order among equally specific routes.
        kept.sort_by_key(|r| std::cmp::Reverse(r.rank()));
        Self { routes: kept }
    }

    pub fn route(&self, path: &str) -> Option<RouteMatch> {
        self.routes.iter().find_map(|r| r.matches(path))
    }

    /// Each route as (component, route as written), most specific first.
    pub fn list(&self) -> impl Iterator<Item = (&str, &str)> {
        self.routes
            .iter()
            .map(|r| (r.component.as_str(), r.raw.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[(&str, &str)]) -> Router {
        Router::new(
            routes
                .iter()
                .map(|(r, c)| Route::parse(r, c).unwrap())
                .collect(),
        )
    }

    #[test]
    fn exact_wildcard_and_params() {
        let r = router(&[
            ("/...", "catchall"),
            ("/api/...", "api"),
            ("/api/users/:id", "user"),
            ("/api/users/me", "me"),
            ("/hello", "hello"),
        ]);
        let cases = [
            ("/hello", "hello", ""),
            ("/hello/x", "catchall", "/hello/x"),
            ("/api", "api", ""),
            ("/api/", "api", "/"),
            ("/api/things/1", "api", "/things/1"),
            ("/api/users/42", "user", ""),
            ("/api/users/me", "me", ""),
            ("/", "catchall", ""),
            ("/other", "catchall", "/other"),
        ];
        for (path, component, info) in cases {
            let m = r.route(path).unwrap_or_else(|| panic!("{path} unrouted"));
            assert_eq!(
                (m.component.as_str(), m.path_info.as_str()),
                (component, info),
                "{path}"
            );
        }
        let m = r.route("/api/users/42").unwrap();
        assert_eq!(m.params, vec![("id".to_string(), "42".to_string())]);
        assert_eq!(m.component_route, "/api/users/:id");
        let m = r.route("/api/x").unwrap();
        assert_eq!(
            (m.raw_route.as_str(), m.component_route.as_str()),
            ("/api/...", "/api")
        );
    }

    #[test]
    fn no_route_means_none() {
        let r = router(&[("/a", "a"), ("/b/...", "b")]);
        assert!(r.route("/c").is_none());
        assert!(r.route("/a/b").is_none());
        assert!(r.route("/bb").is_none());
    }

    #[test]
    fn bad_routes_are_errors() {
        assert!(Route::parse("api", "c").is_err());
        assert!(Route::parse("/a/.../b", "c").is_err());
        assert!(Route::parse("/a/:", "c").is_err());
    }

    #[test]
    fn of_duplicate_routes_the_later_one_serves() {
        let r = router(&[
            ("/x/...", "a"),
            ("/y", "y"),
            ("/x/...", "b"),
            ("/twin", "c"),
            ("/twin/", "d"),
        ]);
        assert_eq!(r.route("/x/1").unwrap().component, "b");
        assert_eq!(r.route("/y").unwrap().component, "y");
        // A trailing slash matches the same requests.
        assert_eq!(r.route("/twin").unwrap().component, "d");
        assert_eq!(r.route("/twin/").unwrap().component, "d");
    }
}
