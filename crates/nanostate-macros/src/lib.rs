//! `#[derive(Fields)]` for [nanostate](https://docs.rs/nanostate): a struct
//! as a map store with typed keys.
//!
//! Use it through the core crate: `nanostate = { features = ["derive"] }`,
//! then `use nanostate::Fields;` (the trait and the derive share the name).
//! The generated code refers to the core as `::nanostate`, so the core must
//! be a direct dependency under that name.

use std::collections::HashMap;

use proc_macro::TokenStream;
use proc_macro2::{Group, TokenStream as TokenStream2, TokenTree};
use quote::{format_ident, quote, ToTokens};
use syn::ext::IdentExt;
use syn::{parse_macro_input, Data, DeriveInput, Error, Ident, Visibility};

/// Makes a struct with named fields a map store with typed keys.
///
/// For `struct Profile { name: String, age: u32 }` it generates:
///
/// * `enum ProfileKey { Name, Age }` — one variant per field, in CamelCase
///   (`Copy`, `Eq`, `Hash`, `Debug`), with the struct's visibility;
/// * `impl nanostate::Fields for Profile`, comparing a field with its
///   `PartialEq`;
/// * `struct ProfileStore`, with the struct's visibility: a newtype over
///   `nanostate::StructStore<Profile>` that dereferences to it (so `get`,
///   `with`, `set`, `set_field`, `update`, `listen`, `subscribe`,
///   `listen_keys`, `subscribe_keys`, … all work), implements
///   `nanostate::Store` (hooks, `computed`, `keep_mount`, `clean_stores`)
///   and `Clone` (clones share the store), with
///   * `const fn new(value: Profile)` and
///     `const fn with_init(init: fn() -> Profile)` for `static` items,
///   * per field, with the field's visibility: `set_<field>(value)`,
///     `<field>()` (a clone of the field) and `update_<field>(f)` (an
///     atomic read-modify-write of the field, like `Atom::update`); a
///     field `_x` gets `set_x` and `update_x`, and `r#type` gets
///     `set_type`, `r#type()` and the key `Type`.
///
/// A setter notifies with its field's key, and only if the field changed.
///
/// ```
/// use nanostate::Fields;
/// use std::sync::{Arc, Mutex};
///
/// #[derive(Fields, Clone, PartialEq, Debug)]
/// pub struct Profile {
///     pub name: String,
///     pub age: u32,
/// }
///
/// pub static PROFILE: ProfileStore =
///     ProfileStore::with_init(|| Profile { name: String::new(), age: 0 });
///
/// PROFILE.set_name("Ada".into());
/// let ages = Arc::new(Mutex::new(Vec::new()));
/// let log = ages.clone();
/// let _sub = PROFILE.listen_keys([ProfileKey::Age], move |p, _old, key| {
///     log.lock().unwrap().push((p.age, key.copied()));
/// });
/// PROFILE.set_age(36);
/// PROFILE.set_name("Ada L.".into()); // not a watched key
/// PROFILE.update_age(|age| age + 1);
/// PROFILE.set_age(37); // equal: nobody is told
/// assert_eq!(PROFILE.name(), "Ada L.");
/// assert_eq!(*ages.lock().unwrap(), [(36, Some(ProfileKey::Age)), (37, Some(ProfileKey::Age))]);
/// ```
///
/// Every field must be `Clone` and `PartialEq`, and the struct `Clone`,
/// `Send`, `Sync` and `'static`. Tuple structs, unit structs, enums, unions
/// and generic structs are rejected, and so are fields whose generated
/// methods would clash with each other or hide a method of the store (a
/// field named `get`, `set`, `update`, `new`, `field`, …).
///
/// # Misuse does not compile
///
/// The compile-fail examples below differ from this one only in the marked
/// line:
///
/// ```
/// use nanostate::Fields;
/// #[derive(Fields, Clone, PartialEq)]
/// pub struct Profile { pub name: String, pub age: u32 }
/// #[derive(Fields, Clone, PartialEq)]
/// pub struct Theme { pub dark: bool }
/// static PROFILE: ProfileStore = ProfileStore::with_init(|| Profile { name: String::new(), age: 0 });
/// PROFILE.set_age(36); // the line that changes below
/// let _sub = PROFILE.listen_keys([ProfileKey::Age], |_, _, _| {});
/// ```
///
/// An unknown field has no setter:
///
/// ```compile_fail,E0599
/// # use nanostate::Fields;
/// # #[derive(Fields, Clone, PartialEq)]
/// # pub struct Profile { pub name: String, pub age: u32 }
/// # static PROFILE: ProfileStore = ProfileStore::with_init(|| Profile { name: String::new(), age: 0 });
/// PROFILE.set_nickname("Ada".into());
/// ```
///
/// A setter takes the field's type:
///
/// ```compile_fail,E0308
/// # use nanostate::Fields;
/// # #[derive(Fields, Clone, PartialEq)]
/// # pub struct Profile { pub name: String, pub age: u32 }
/// # static PROFILE: ProfileStore = ProfileStore::with_init(|| Profile { name: String::new(), age: 0 });
/// PROFILE.set_age("x");
/// ```
///
/// So does an updater's function:
///
/// ```compile_fail,E0308
/// # use nanostate::Fields;
/// # #[derive(Fields, Clone, PartialEq)]
/// # pub struct Profile { pub name: String, pub age: u32 }
/// # static PROFILE: ProfileStore = ProfileStore::with_init(|| Profile { name: String::new(), age: 0 });
/// PROFILE.update_name(|name| name.len());
/// ```
///
/// An unknown field has no key:
///
/// ```compile_fail,E0599
/// # use nanostate::Fields;
/// # #[derive(Fields, Clone, PartialEq)]
/// # pub struct Profile { pub name: String, pub age: u32 }
/// # static PROFILE: ProfileStore = ProfileStore::with_init(|| Profile { name: String::new(), age: 0 });
/// let _sub = PROFILE.listen_keys([ProfileKey::Nickname], |_, _, _| {});
/// ```
///
/// `listen_keys` takes only keys of its own struct:
///
/// ```compile_fail,E0271
/// # use nanostate::Fields;
/// # #[derive(Fields, Clone, PartialEq)]
/// # pub struct Profile { pub name: String, pub age: u32 }
/// # #[derive(Fields, Clone, PartialEq)]
/// # pub struct Theme { pub dark: bool }
/// # static PROFILE: ProfileStore = ProfileStore::with_init(|| Profile { name: String::new(), age: 0 });
/// let _sub = PROFILE.listen_keys([ThemeKey::Dark], |_, _, _| {});
/// ```
///
/// and so does `set_field`:
///
/// ```compile_fail,E0308
/// # use nanostate::Fields;
/// # #[derive(Fields, Clone, PartialEq)]
/// # pub struct Profile { pub name: String, pub age: u32 }
/// # #[derive(Fields, Clone, PartialEq)]
/// # pub struct Theme { pub dark: bool }
/// # static PROFILE: ProfileStore = ProfileStore::with_init(|| Profile { name: String::new(), age: 0 });
/// PROFILE.set_field(ThemeKey::Dark, |p| p.age = 1);
/// ```
///
/// Only structs with named fields can derive it:
///
/// ```compile_fail
/// use nanostate::Fields;
/// #[derive(Fields, Clone, PartialEq)]
/// pub struct Pair(u32, u32);
/// ```
///
/// ```compile_fail
/// use nanostate::Fields;
/// #[derive(Fields, Clone, PartialEq)]
/// pub enum Mode { Light, Dark }
/// ```
///
/// ```compile_fail
/// use nanostate::Fields;
/// #[derive(Fields, Clone, PartialEq)]
/// pub struct Wrapper<T> { pub inner: T }
/// ```
///
/// Every field needs `PartialEq`:
///
/// ```compile_fail,E0277
/// use nanostate::Fields;
/// #[derive(Clone)]
/// pub struct Opaque;
/// #[derive(Fields, Clone)]
/// pub struct Holder { pub inner: Opaque }
/// ```
///
/// A field whose methods would hide the store's own is rejected:
///
/// ```compile_fail
/// use nanostate::Fields;
/// #[derive(Fields, Clone, PartialEq)]
/// pub struct Cache { pub get: u32 }
/// ```
#[proc_macro_derive(Fields)]
pub fn derive_fields(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// Names the generated newtype already has (its own, `StructStore`'s, and
/// those of the traits it implements); a field must not hide them.
const RESERVED: &[&str] = &[
    "new",
    "with_init",
    "get",
    "with",
    "set",
    "set_field",
    "update",
    "listen",
    "subscribe",
    "listen_keys",
    "subscribe_keys",
    "listener_count",
    "set_unmount_delay",
    "peek",
    "ptr_eq",
    "core",
    "node",
    "clean",
    "clone",
    "deref",
];

struct Field<'a> {
    ident: &'a Ident,
    vis: &'a Visibility,
    ty: TokenStream2,
    variant: Ident,
    setter: Ident,
    updater: Ident,
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    const WHAT: &str = "#[derive(Fields)] needs a struct with named fields";
    let named = match &input.data {
        Data::Struct(data) => match &data.fields {
            syn::Fields::Named(named) => &named.named,
            syn::Fields::Unnamed(fields) => {
                return Err(Error::new_spanned(
                    fields,
                    format!("{WHAT}; tuple structs are not supported (name the fields)"),
                ))
            }
            syn::Fields::Unit => {
                return Err(Error::new_spanned(
                    &input.ident,
                    format!("{WHAT}; a unit struct has no fields to store"),
                ))
            }
        },
        Data::Enum(data) => {
            return Err(Error::new(
                data.enum_token.span,
                format!("{WHAT}, not an enum (use an `Atom` for an enum value)"),
            ))
        }
        Data::Union(data) => {
            return Err(Error::new(
                data.union_token.span,
                format!("{WHAT}, not a union"),
            ))
        }
    };
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        return Err(Error::new_spanned(
            &input.generics,
            "#[derive(Fields)] does not support generic structs: the generated store \
             and key enum are concrete types (define the store for a concrete struct)",
        ));
    }

    let name = &input.ident;
    let vis = &input.vis;
    let base = name.unraw().to_string();
    let key = format_ident!("{}Key", base);
    let store = format_ident!("{}Store", base);

    let mut fields = Vec::new();
    let mut variants: HashMap<String, &Ident> = HashMap::new();
    let mut methods: HashMap<String, &Ident> = HashMap::new();
    for field in named {
        let ident = field.ident.as_ref().expect("named fields have names");
        let plain = ident.unraw().to_string();
        let variant = Ident::new(&camel_case(&plain), ident.span());
        if let Some(other) = variants.insert(variant.to_string(), ident) {
            return Err(Error::new_spanned(
                ident,
                format!("fields `{other}` and `{ident}` would both be the key `{key}::{variant}`"),
            ));
        }
        // `_field` gets `set_field`, not `set__field` (not snake case).
        let stem = plain.trim_start_matches('_');
        let setter = format_ident!("set_{}", stem, span = ident.span());
        let updater = format_ident!("update_{}", stem, span = ident.span());
        for method in [plain.clone(), setter.to_string(), updater.to_string()] {
            if RESERVED.contains(&method.as_str()) {
                return Err(Error::new_spanned(
                    ident,
                    format!(
                        "field `{plain}` would generate the method `{store}::{method}`, which \
                         would hide the store's own `{method}`; rename the field"
                    ),
                ));
            }
            if let Some(other) = methods.insert(method.clone(), ident) {
                return Err(Error::new_spanned(
                    ident,
                    format!(
                        "fields `{other}` and `{ident}` would both generate `{store}::{method}`"
                    ),
                ));
            }
        }
        fields.push(Field {
            ident,
            vis: &field.vis,
            ty: replace_self(field.ty.to_token_stream(), name),
            variant,
            setter,
            updater,
        });
    }

    let key_doc = format!("The fields of [`{base}`], as keys of a [`{store}`].");
    let variant_defs = fields.iter().map(|f| {
        let doc = format!("The field `{}`.", f.ident.unraw());
        let variant = &f.variant;
        quote!(#[doc = #doc] #variant)
    });
    let variant_paths: Vec<_> = fields
        .iter()
        .map(|f| {
            let variant = &f.variant;
            quote!(#key::#variant)
        })
        .collect();
    let field_idents: Vec<_> = fields.iter().map(|f| f.ident).collect();

    let store_doc = format!(
        "A store holding a [`{base}`]: a [`StructStore`](::nanostate::StructStore) \
         with one setter, getter and updater per field, and [`{key}`] keys \
         (generated by `#[derive(Fields)]`)."
    );
    let new_doc = "A store holding `value`; a `const fn`, usable in `static` items. \
                   Clones share the store.";
    let with_init_doc = format!(
        "A store whose [`{base}`] is built by `init` on first use; for \
         `static` items whose value has no `const` constructor."
    );
    let accessors = fields.iter().map(|f| {
        let Field {
            ident,
            vis,
            ty,
            variant,
            setter,
            updater,
        } = f;
        let plain = ident.unraw();
        let set_doc = format!(
            "Sets the field `{plain}`. Listeners are told `{key}::{variant}` changed, \
             unless it already held an equal value."
        );
        let get_doc = format!("A clone of the field `{plain}`.");
        let update_doc = format!(
            "Atomically replaces the field `{plain}` with `f(current)`. `f` runs \
             without a lock and runs again if another write raced with it."
        );
        quote! {
            #[doc = #set_doc]
            #vis fn #setter(&self, value: #ty) {
                self.0.set_field(#key::#variant, |v: &mut #name| {
                    v.#ident = ::core::clone::Clone::clone(&value);
                });
            }

            #[doc = #get_doc]
            #vis fn #ident(&self) -> #ty {
                self.0.with(|v: &#name| ::core::clone::Clone::clone(&v.#ident))
            }

            #[doc = #update_doc]
            #vis fn #updater(&self, f: impl ::core::ops::Fn(&#ty) -> #ty) {
                self.0.set_field(#key::#variant, |v: &mut #name| {
                    v.#ident = f(&v.#ident);
                });
            }
        }
    });

    Ok(quote! {
        #[doc = #key_doc]
        #[derive(
            ::core::clone::Clone,
            ::core::marker::Copy,
            ::core::cmp::PartialEq,
            ::core::cmp::Eq,
            ::core::hash::Hash,
            ::core::fmt::Debug
        )]
        #vis enum #key {
            #(#variant_defs,)*
        }

        #[automatically_derived]
        impl ::nanostate::Fields for #name {
            type Key = #key;
            const KEYS: &'static [#key] = &[#(#variant_paths),*];
            fn field_eq(&self, other: &Self, key: #key) -> bool {
                match key {
                    #(#variant_paths => ::core::cmp::PartialEq::eq(&self.#field_idents, &other.#field_idents),)*
                }
            }
        }

        #[doc = #store_doc]
        #vis struct #store(::nanostate::StructStore<#name>);

        impl #store {
            #[doc = #new_doc]
            pub const fn new(value: #name) -> Self {
                Self(::nanostate::struct_store(value))
            }

            #[doc = #with_init_doc]
            pub const fn with_init(init: fn() -> #name) -> Self {
                Self(::nanostate::struct_store_with(init))
            }

            #(#accessors)*
        }

        #[automatically_derived]
        impl ::core::ops::Deref for #store {
            type Target = ::nanostate::StructStore<#name>;
            fn deref(&self) -> &Self::Target {
                &self.0
            }
        }

        #[automatically_derived]
        impl ::core::clone::Clone for #store {
            fn clone(&self) -> Self {
                Self(::core::clone::Clone::clone(&self.0))
            }
        }

        #[automatically_derived]
        impl ::nanostate::Store for #store {
            type Value = #name;
            type Kind = ::nanostate::__private::StructKind<#name>;
            #[inline]
            fn core(&self) -> &::std::sync::Arc<::nanostate::__private::Core<Self::Kind>> {
                ::nanostate::Store::core(&self.0)
            }
        }
    })
}

/// `first_name` → `FirstName`; a name that would start with a digit (or be
/// `Self`) gets a `Field` prefix.
fn camel_case(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    for part in field.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() || out == "Self" || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "Field");
    }
    out
}

/// A field type may say `Self`; in the store's methods it must name the
/// struct instead.
fn replace_self(tokens: TokenStream2, name: &Ident) -> TokenStream2 {
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Ident(ident) if ident == "Self" => {
                let mut named = name.clone();
                named.set_span(ident.span());
                TokenTree::Ident(named)
            }
            TokenTree::Group(group) => {
                let mut new = Group::new(group.delimiter(), replace_self(group.stream(), name));
                new.set_span(group.span());
                TokenTree::Group(new)
            }
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;
    use syn::Type;

    #[test]
    fn camel_case_names() {
        assert_eq!(camel_case("name"), "Name");
        assert_eq!(camel_case("first_name"), "FirstName");
        assert_eq!(camel_case("_private"), "Private");
        assert_eq!(camel_case("url2"), "Url2");
        assert_eq!(camel_case("_0"), "Field0");
        assert_eq!(camel_case("self_"), "FieldSelf");
    }

    #[test]
    fn self_in_field_types_names_the_struct() {
        let name = Ident::new("Node", Span::call_site());
        let ty: Type = syn::parse_quote!(Option<Box<Self>>);
        let replaced = replace_self(ty.to_token_stream(), &name).to_string();
        let expected: Type = syn::parse_quote!(Option<Box<Node>>);
        assert_eq!(replaced, expected.to_token_stream().to_string());
    }
}
