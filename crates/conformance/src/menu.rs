//! The function menu of computed and batched stores (FORMAT.md section 5).

use nanostate::Deep;

use crate::value::{safe_int, Encode, JsVal, MapVal};

/// A function of the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuFn {
    /// Sum of the numeric args.
    Sum,
    /// `args.map(String).join(",")`
    Join,
    /// Number of keys of the first arg if it is an object.
    Count,
    /// Sorted keys of the first arg if it is an object, joined with `,`.
    Keys,
    /// `!args[0]`
    Not,
    /// `args[0]`
    First,
    /// Whether the first arg is an odd number.
    Odd,
}

impl MenuFn {
    /// The menu entry named `name` (`bad-fn` otherwise).
    pub fn from_name(name: &str) -> Option<MenuFn> {
        Some(match name {
            "sum" => MenuFn::Sum,
            "join" => MenuFn::Join,
            "count" => MenuFn::Count,
            "keys" => MenuFn::Keys,
            "not" => MenuFn::Not,
            "first" => MenuFn::First,
            "odd" => MenuFn::Odd,
            _ => return None,
        })
    }
}

/// A dependency value as the function receives it.
#[derive(Clone, Copy)]
pub enum Arg<'a> {
    /// The value of an atom or a computed store.
    Val(&'a JsVal),
    /// The value of a map store (an object).
    Map(&'a MapVal),
    /// The value of a deepMap store (an object).
    Deep(&'a Deep),
}

impl Encode for Arg<'_> {
    fn encode(&self) -> Option<String> {
        match self {
            Arg::Val(v) => v.encode(),
            Arg::Map(m) => m.encode(),
            Arg::Deep(d) => d.encode(),
        }
    }
}

/// The result of `sum` was not a safe integer: the reference's encoder
/// throws when it prints it (see `trace::exception`).
#[derive(Debug)]
pub struct NotSafe;

/// Runs `f` on the args.
pub fn apply(f: MenuFn, args: &[Arg<'_>]) -> Result<JsVal, NotSafe> {
    let first = args.first().copied();
    Ok(match f {
        MenuFn::Sum => {
            // JavaScript adds doubles left to right; rounding included.
            let sum = args.iter().fold(0.0f64, |s, a| match a {
                Arg::Val(JsVal::Int(n)) => s + *n as f64,
                _ => s,
            });
            JsVal::Int(safe_int(sum).ok_or(NotSafe)?)
        }
        MenuFn::Join => {
            let parts: Vec<String> = args
                .iter()
                .map(|a| match a {
                    Arg::Val(v) => v.to_js_string(),
                    Arg::Map(_) | Arg::Deep(Deep::Object(_)) => "[object Object]".into(),
                    Arg::Deep(d) => d.to_string(),
                })
                .collect();
            JsVal::Str(parts.join(",").into())
        }
        MenuFn::Count => match first {
            Some(Arg::Map(m)) => JsVal::Int(m.len() as i64),
            Some(Arg::Deep(Deep::Object(o))) => JsVal::Int(o.len() as i64),
            _ => JsVal::Int(0),
        },
        MenuFn::Keys => match first {
            Some(Arg::Map(m)) => sorted_keys(m.keys()),
            Some(Arg::Deep(Deep::Object(o))) => sorted_keys(o.keys()),
            _ => JsVal::Str("".into()),
        },
        MenuFn::Not => JsVal::Bool(match first {
            Some(Arg::Val(v)) => !v.truthy(),
            // objects are truthy
            Some(Arg::Map(_) | Arg::Deep(_)) => false,
            None => true,
        }),
        MenuFn::First => match first {
            Some(Arg::Val(v)) => v.clone(),
            // `first` over a map is rejected with bad-fn before creation
            _ => JsVal::Undefined,
        },
        MenuFn::Odd => JsVal::Bool(matches!(first, Some(Arg::Val(JsVal::Int(n))) if n % 2 != 0)),
    })
}

/// The keys sorted by UTF-16 code units and joined with `,`.
fn sorted_keys<'a>(keys: impl Iterator<Item = &'a String>) -> JsVal {
    let mut keys: Vec<&str> = keys.map(String::as_str).collect();
    keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    JsVal::Str(keys.join(",").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menu() {
        let (a, b, u) = (JsVal::Int(3), JsVal::Str("x".into()), JsVal::Undefined);
        let args = [Arg::Val(&a), Arg::Val(&b), Arg::Val(&u)];
        assert_eq!(apply(MenuFn::Sum, &args).unwrap(), JsVal::Int(3));
        assert_eq!(
            apply(MenuFn::Join, &args).unwrap(),
            JsVal::Str("3,x,undefined".into())
        );
        assert_eq!(
            apply(MenuFn::Odd, &[Arg::Val(&JsVal::Int(-3))]).unwrap(),
            JsVal::Bool(true)
        );
        let big = JsVal::Int(9_007_199_254_740_991);
        assert!(apply(MenuFn::Sum, &[Arg::Val(&big), Arg::Val(&big)]).is_err());
    }
}
