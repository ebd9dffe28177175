//! Rust names for what a spec names: option fields, section fields and struct names.

use proc_macro2::Span;
use syn::Ident;

/// A Rust identifier for `name` (raw for keywords), or why there is none.
pub fn rust_ident(name: &str) -> Result<Ident, String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(
            "only ASCII letters, digits and `_` are allowed, not starting with a digit".to_owned(),
        );
    }
    if name == "_" {
        return Err("`_` is not a field name".to_owned());
    }
    if matches!(name, "self" | "Self" | "super" | "crate") {
        return Err(format!(
            "`{name}` is a Rust keyword that cannot be a field name"
        ));
    }
    match syn::parse_str::<Ident>(name) {
        Ok(ident) => Ok(Ident::new(&ident.to_string(), Span::call_site())),
        Err(_) => Ok(Ident::new_raw(name, Span::call_site())),
    }
}

/// `misp_api` → `misp_api`, `MispApi` → `misp_api`, `misp-api` → `misp_api`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '-' {
            out.push('_');
            prev_lower = false;
        } else if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// `misp_api` → `MispApi`.
pub fn camel_case(name: &str) -> String {
    snake_case(name)
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conversions() {
        assert_eq!(snake_case("misp_api"), "misp_api");
        assert_eq!(snake_case("MispApi"), "misp_api");
        assert_eq!(snake_case("misp-api2"), "misp_api2");
        assert_eq!(camel_case("misp_api"), "MispApi");
        assert_eq!(camel_case("MispApi"), "MispApi");
        assert_eq!(camel_case("abc"), "Abc");
    }

    #[test]
    fn identifiers() {
        assert_eq!(
            rust_ident("url").map(|i| i.to_string()),
            Ok("url".to_owned())
        );
        assert_eq!(
            rust_ident("type").map(|i| i.to_string()),
            Ok("r#type".to_owned())
        );
        assert!(rust_ident("klm.rst").is_err());
        assert!(rust_ident("1abc").is_err());
        assert!(rust_ident("self").is_err());
        assert!(rust_ident("_").is_err());
    }
}
