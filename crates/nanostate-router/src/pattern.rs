//! Route patterns: parsing them, matching paths against them and building
//! paths from them.

use std::fmt;

use crate::page::Params;
use crate::url::{decode_segment, encode, UrlError};

/// A route: a name and what it matches, a pattern or a function.
///
/// Pattern syntax, one item per `/`-separated segment:
///
/// * `posts`: this text, compared without regard to case (as
///   @nanostores/router does) after percent-decoding, so `/café` matches
///   `/caf%C3%A9`;
/// * `:id`: a parameter, one non-empty segment, percent-decoded;
/// * `:id?`: an optional parameter (absent from [`Params`] when missing);
/// * `*rest` (last only): everything left, one or more segments, with its
///   slashes (`*` alone names it `wildcard`).
///
/// A trailing slash is ignored on both sides: `/posts/` is `/posts`.
///
/// ```
/// use nanostate_router::Route;
/// let post = Route::new("post", "/posts/:category/:id?").unwrap();
/// assert_eq!(post.name(), "post");
/// ```
#[derive(Clone)]
pub struct Route {
    name: &'static str,
    matcher: Matcher,
}

/// A custom route's matcher: given the normalized, still encoded path,
/// the parameters if it matches.
///
/// ```
/// use nanostate_router::{MatchFn, Route};
/// let numeric: MatchFn = |path| {
///     let n = path.strip_prefix('/')?;
///     n.parse::<u64>().ok().map(|_| vec![("n", n.to_string())])
/// };
/// let _route = Route::custom("number", numeric);
/// ```
pub type MatchFn = fn(&str) -> Option<Vec<(&'static str, String)>>;

#[derive(Clone)]
enum Matcher {
    Pattern(Vec<Segment>),
    Custom(MatchFn),
}

#[derive(Clone, Debug, PartialEq)]
enum Segment {
    /// Static text as written, and lowercased for comparison.
    Text(&'static str, String),
    Param(&'static str),
    Optional(&'static str),
    Rest(&'static str),
}

/// Why a route pattern is not valid.
///
/// ```
/// use nanostate_router::{PatternError, Route};
/// assert!(matches!(Route::new("bad", "/a/:id/:id"), Err(PatternError::DuplicateParam { .. })));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// The pattern does not start with `/`.
    NotAbsolute {
        /// The route's name.
        route: &'static str,
    },
    /// `:` or `*` without a name made of letters, digits and `_`.
    BadParamName {
        /// The route's name.
        route: &'static str,
        /// The segment as written.
        segment: &'static str,
    },
    /// The same parameter name twice in one pattern.
    DuplicateParam {
        /// The route's name.
        route: &'static str,
        /// The repeated name.
        param: &'static str,
    },
    /// A `*` segment that is not the last one.
    RestNotLast {
        /// The route's name.
        route: &'static str,
    },
    /// An empty segment (`//`) inside the pattern, which no path matches.
    EmptySegment {
        /// The route's name.
        route: &'static str,
    },
    /// Two routes with one name.
    DuplicateRoute {
        /// The repeated name.
        route: &'static str,
    },
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::NotAbsolute { route } => {
                write!(
                    f,
                    "nanostate-router: the pattern of route {route:?} must start with /"
                )
            }
            PatternError::BadParamName { route, segment } => write!(
                f,
                "nanostate-router: route {route:?}: {segment:?} needs a name of letters, digits \
                 and _"
            ),
            PatternError::DuplicateParam { route, param } => write!(
                f,
                "nanostate-router: route {route:?} names the parameter {param:?} twice"
            ),
            PatternError::RestNotLast { route } => write!(
                f,
                "nanostate-router: route {route:?}: a * segment must be the last"
            ),
            PatternError::EmptySegment { route } => write!(
                f,
                "nanostate-router: route {route:?} has an empty segment (//)"
            ),
            PatternError::DuplicateRoute { route } => {
                write!(f, "nanostate-router: two routes are named {route:?}")
            }
        }
    }
}

impl std::error::Error for PatternError {}

/// Why a path could not be built for a route.
///
/// ```
/// use nanostate_router::{BuildError, Router};
/// let router = Router::new([("post", "/posts/:id")]).unwrap();
/// assert_eq!(
///     router.path_for("post", &[]),
///     Err(BuildError::MissingParam { route: "post", param: "id" })
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// No route has this name.
    UnknownRoute {
        /// The name asked for.
        route: String,
    },
    /// A required parameter was not given, or given empty.
    MissingParam {
        /// The route's name.
        route: &'static str,
        /// The parameter.
        param: &'static str,
    },
    /// A parameter the route does not have (a typo, usually).
    UnknownParam {
        /// The route's name.
        route: &'static str,
        /// The name given.
        param: String,
    },
    /// The route matches with a function, so it has no pattern to fill.
    CustomRoute {
        /// The route's name.
        route: &'static str,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::UnknownRoute { route } => {
                write!(f, "nanostate-router: there is no route named {route:?}")
            }
            BuildError::MissingParam { route, param } => write!(
                f,
                "nanostate-router: route {route:?} needs the parameter {param:?}"
            ),
            BuildError::UnknownParam { route, param } => write!(
                f,
                "nanostate-router: route {route:?} has no parameter {param:?}"
            ),
            BuildError::CustomRoute { route } => write!(
                f,
                "nanostate-router: route {route:?} matches with a function: no path to build"
            ),
        }
    }
}

impl std::error::Error for BuildError {}

fn param_name(
    route: &'static str,
    segment: &'static str,
    name: &'static str,
) -> Result<&'static str, PatternError> {
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    valid
        .then_some(name)
        .ok_or(PatternError::BadParamName { route, segment })
}

impl Route {
    /// A route matching `pattern` (see the syntax above).
    ///
    /// ```
    /// use nanostate_router::Route;
    /// assert!(Route::new("files", "/files/*path").is_ok());
    /// assert!(Route::new("files", "files").is_err()); // not absolute
    /// ```
    pub fn new(name: &'static str, pattern: &'static str) -> Result<Route, PatternError> {
        let route = name;
        let Some(body) = pattern.strip_prefix('/') else {
            return Err(PatternError::NotAbsolute { route });
        };
        let body = body.strip_suffix('/').unwrap_or(body);
        let mut segments = Vec::new();
        if !body.is_empty() {
            for segment in body.split('/') {
                if matches!(segments.last(), Some(Segment::Rest(_))) {
                    return Err(PatternError::RestNotLast { route });
                }
                let parsed = if let Some(rest) = segment.strip_prefix('*') {
                    let name = if rest.is_empty() { "wildcard" } else { rest };
                    Segment::Rest(param_name(route, segment, name)?)
                } else if let Some(param) = segment.strip_prefix(':') {
                    match param.strip_suffix('?') {
                        Some(name) => Segment::Optional(param_name(route, segment, name)?),
                        None => Segment::Param(param_name(route, segment, param)?),
                    }
                } else if segment.is_empty() {
                    return Err(PatternError::EmptySegment { route });
                } else {
                    Segment::Text(segment, segment.to_lowercase())
                };
                segments.push(parsed);
            }
        }
        let mut names: Vec<&str> = Vec::new();
        for segment in &segments {
            if let Segment::Param(n) | Segment::Optional(n) | Segment::Rest(n) = segment {
                if names.contains(n) {
                    return Err(PatternError::DuplicateParam { route, param: n });
                }
                names.push(n);
            }
        }
        Ok(Route {
            name,
            matcher: Matcher::Pattern(segments),
        })
    }

    /// A route decided by a function of the normalized, still encoded path
    /// (`/` for the root, no trailing slash): `Some(params)` is a match.
    /// @nanostores/router's regular-expression routes, as code.
    ///
    /// ```
    /// use nanostate_router::{Route, Router};
    /// fn year(path: &str) -> Option<Vec<(&'static str, String)>> {
    ///     let year = path.strip_prefix("/archive/")?;
    ///     (year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()))
    ///         .then(|| vec![("year", year.to_string())])
    /// }
    /// let router = Router::with_routes([Route::custom("archive", year)]).unwrap();
    /// router.open("/archive/2024").unwrap();
    /// assert_eq!(router.get().unwrap().params.get("year"), Some("2024"));
    /// ```
    pub fn custom(name: &'static str, matcher: MatchFn) -> Route {
        Route {
            name,
            matcher: Matcher::Custom(matcher),
        }
    }

    /// The route's name.
    ///
    /// ```
    /// assert_eq!(nanostate_router::Route::new("home", "/").unwrap().name(), "home");
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The parameters of `segments` if this route matches them. A match
    /// whose parameter does not decode is an error (no later route is
    /// tried: the path was meant for this one).
    pub(crate) fn matches(
        &self,
        path: &str,
        segments: &[&str],
    ) -> Result<Option<Params>, UrlError> {
        let pattern = match &self.matcher {
            Matcher::Custom(f) => return Ok(f(path).map(Params::from_pairs)),
            Matcher::Pattern(pattern) => pattern,
        };
        // Decide first, decode after: a path that does not match is never
        // an error, whatever its escapes.
        let mut at = 0;
        let mut captures: Vec<(&'static str, usize, usize)> = Vec::new();
        for (index, item) in pattern.iter().enumerate() {
            match item {
                Segment::Text(_, text) => {
                    let Some(segment) = segments.get(at) else {
                        return Ok(None);
                    };
                    let decoded = decode_segment(segment).ok();
                    let same = match decoded {
                        Some(d) => d == *text || d.to_lowercase() == *text,
                        None => false,
                    };
                    if !same {
                        return Ok(None);
                    }
                    at += 1;
                }
                Segment::Param(name) => {
                    match segments.get(at) {
                        Some(s) if !s.is_empty() => captures.push((name, at, at + 1)),
                        _ => return Ok(None),
                    }
                    at += 1;
                }
                Segment::Optional(name) => {
                    // Taken when the rest of the pattern still has enough
                    // segments to match after it.
                    let needed = pattern[index + 1..]
                        .iter()
                        .filter(|s| !matches!(s, Segment::Optional(_)))
                        .count();
                    let left = segments.len().saturating_sub(at);
                    if left > needed && segments.get(at).is_some_and(|s| !s.is_empty()) {
                        captures.push((name, at, at + 1));
                        at += 1;
                    }
                }
                Segment::Rest(name) => {
                    let rest = &segments[at.min(segments.len())..];
                    if rest.is_empty() || rest.iter().any(|s| s.is_empty()) {
                        return Ok(None);
                    }
                    captures.push((name, at, segments.len()));
                    at = segments.len();
                }
            }
        }
        if at != segments.len() {
            return Ok(None);
        }
        let mut params = Vec::with_capacity(captures.len());
        for (name, from, to) in captures {
            let mut value = String::new();
            for (i, segment) in segments[from..to].iter().enumerate() {
                if i > 0 {
                    value.push('/');
                }
                value.push_str(&decode_segment(segment)?);
            }
            params.push((name, value));
        }
        Ok(Some(Params::from_pairs(params)))
    }

    /// The path of this route with `params` filled in, encoded.
    pub(crate) fn build(&self, params: &[(&str, &str)]) -> Result<String, BuildError> {
        let route = self.name;
        let Matcher::Pattern(pattern) = &self.matcher else {
            return Err(BuildError::CustomRoute { route });
        };
        for (given, _) in params {
            let known = pattern.iter().any(|s| {
                matches!(s, Segment::Param(n) | Segment::Optional(n) | Segment::Rest(n) if n == given)
            });
            if !known {
                return Err(BuildError::UnknownParam {
                    route,
                    param: given.to_string(),
                });
            }
        }
        let value = |name: &str| {
            params
                .iter()
                .rev()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .filter(|v| !v.is_empty())
        };
        let mut path = String::new();
        for segment in pattern {
            match segment {
                Segment::Text(text, _) => {
                    path.push('/');
                    encode(text, &mut path);
                }
                Segment::Param(name) => {
                    let v = value(name).ok_or(BuildError::MissingParam { route, param: name })?;
                    push_segment(v, &mut path);
                }
                Segment::Rest(name) => {
                    let v = value(name).ok_or(BuildError::MissingParam { route, param: name })?;
                    push_rest(v, &mut path);
                }
                Segment::Optional(name) => {
                    if let Some(v) = value(name) {
                        push_segment(v, &mut path);
                    }
                }
            }
        }
        if path.is_empty() {
            path.push('/');
        }
        Ok(path)
    }
}

/// Appends `/` and `value` encoded; `.` and `..` are escaped, or reading
/// the path back would resolve them as dot segments.
fn push_segment(value: &str, path: &mut String) {
    path.push('/');
    match value {
        "." => path.push_str("%2E"),
        ".." => path.push_str("%2E%2E"),
        _ => encode(value, path),
    }
}

/// Appends a `*rest` value: a `/` between two non-empty parts separates
/// segments; any other `/` (leading, trailing, doubled) stays inside its
/// segment, escaped as `%2F`, so no segment is empty and the value reads
/// back exactly (`a//b` is `a%2F/b`).
fn push_rest(value: &str, path: &mut String) {
    let mut parts = value.split('/');
    let mut current = parts.next().unwrap_or("").to_string();
    for part in parts {
        if current.is_empty() || part.is_empty() {
            current.push('/');
            current.push_str(part);
        } else {
            push_segment(&current, path);
            current = part.to_string();
        }
    }
    push_segment(&current, path);
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Route");
        s.field("name", &self.name);
        match &self.matcher {
            Matcher::Pattern(p) => s.field("pattern", p),
            Matcher::Custom(_) => s.field("pattern", &"<function>"),
        };
        s.finish()
    }
}
