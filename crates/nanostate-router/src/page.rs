//! The router's value: the page open now.

/// The page a router is on: the route that matched and what the href
/// carried.
///
/// ```
/// use nanostate_router::Router;
/// let router = Router::new([("post", "/posts/:id")]).unwrap();
/// router.open("/posts/7/?ref=home#comments").unwrap();
/// let page = router.get().unwrap();
/// assert_eq!(page.route, "post");
/// assert_eq!(page.path, "/posts/7");
/// assert_eq!(page.params.get("id"), Some("7"));
/// assert_eq!(page.search.get("ref"), Some("home"));
/// assert_eq!(page.hash, "comments");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The name of the route that matched.
    pub route: &'static str,
    /// The path, normalized (dot segments resolved, no trailing slash) and
    /// still encoded.
    pub path: String,
    /// The route's parameters, decoded.
    pub params: Params,
    /// The search parameters, decoded.
    pub search: Search,
    /// The hash without `#`, as written (empty when there is none).
    pub hash: String,
}

/// A route's parameters, in pattern order. An optional parameter that was
/// not in the path is absent (@nanostores/router gives `''`).
///
/// ```
/// use nanostate_router::Router;
/// let router = Router::new([("list", "/posts/:category?")]).unwrap();
/// router.open("/posts").unwrap();
/// assert_eq!(router.get().unwrap().params.get("category"), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    pub(crate) fn from_pairs(pairs: Vec<(&'static str, String)>) -> Self {
        Params(pairs)
    }

    /// The value of parameter `name`.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("user", "/users/:name")]).unwrap();
    /// router.open("/users/J%C3%BCrgen").unwrap();
    /// assert_eq!(router.get().unwrap().params.get("name"), Some("Jürgen"));
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The parameter `name` parsed as `T`: `None` when absent, `Some(Err)`
    /// when it does not parse (a typed error, never a panic).
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("post", "/posts/:id")]).unwrap();
    /// router.open("/posts/12").unwrap();
    /// let params = router.get().unwrap().params;
    /// assert_eq!(params.parse::<u32>("id"), Some(Ok(12)));
    /// router.open("/posts/twelve").unwrap();
    /// assert!(router.get().unwrap().params.parse::<u32>("id").unwrap().is_err());
    /// ```
    pub fn parse<T: std::str::FromStr>(&self, name: &str) -> Option<Result<T, T::Err>> {
        self.get(name).map(str::parse)
    }

    /// `(name, value)` pairs in pattern order.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("post", "/:category/:id")]).unwrap();
    /// router.open("/news/3").unwrap();
    /// let page = router.get().unwrap();
    /// let pairs: Vec<_> = page.params.iter().collect();
    /// assert_eq!(pairs, [("category", "news"), ("id", "3")]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(n, v)| (*n, v.as_str()))
    }

    /// Number of parameters present.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("home", "/")]).unwrap();
    /// router.open("/").unwrap();
    /// assert_eq!(router.get().unwrap().params.len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no parameter is present.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("home", "/")]).unwrap();
    /// router.open("/").unwrap();
    /// assert!(router.get().unwrap().params.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The search parameters of a page, in order, repeated keys kept.
///
/// ```
/// use nanostate_router::Router;
/// let router = Router::new([("list", "/posts")]).unwrap();
/// router.open("/posts?tag=rust&tag=wasm&q=a+b").unwrap();
/// let search = router.get().unwrap().search;
/// assert_eq!(search.get("tag"), Some("rust"));
/// assert_eq!(search.get_all("tag").collect::<Vec<_>>(), ["rust", "wasm"]);
/// assert_eq!(search.get("q"), Some("a b"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Search(Vec<(String, String)>);

impl Search {
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Search(pairs)
    }

    /// The first value of `key`.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("home", "/")]).unwrap();
    /// router.open("/?page=2").unwrap();
    /// assert_eq!(router.get().unwrap().search.get("page"), Some("2"));
    /// ```
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("home", "/")]).unwrap();
    /// router.open("/?a=1&b=2&a=3").unwrap();
    /// assert_eq!(router.get().unwrap().search.get_all("a").count(), 2);
    /// ```
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `(key, value)` pairs in order.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("home", "/")]).unwrap();
    /// router.open("/?x=1").unwrap();
    /// let page = router.get().unwrap();
    /// assert_eq!(page.search.iter().collect::<Vec<_>>(), [("x", "1")]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of pairs.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("home", "/")]).unwrap();
    /// router.open("/?x=1&y=2").unwrap();
    /// assert_eq!(router.get().unwrap().search.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no pairs.
    ///
    /// ```
    /// use nanostate_router::Router;
    /// let router = Router::new([("home", "/")]).unwrap();
    /// router.open("/").unwrap();
    /// assert!(router.get().unwrap().search.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
