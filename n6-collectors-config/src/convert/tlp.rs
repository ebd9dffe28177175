//! n6's `MispCollector` custom converter `tlp` (a TLP indicator), offered for collectors
//! that declare an option `:: tlp` with their own converter function.

use super::ConvertError;

const TLP_VALUES: [&str; 4] = ["white", "green", "amber", "red"];

/// `tlp`: an empty value gives `None`; otherwise the value (not stripped) must be,
/// case-insensitively, one of `white`, `green`, `amber`, `red`, returned lower-cased.
pub fn to_tlp(raw: &str) -> Result<Option<String>, ConvertError> {
    if raw.is_empty() {
        return Ok(None);
    }
    TLP_VALUES
        .iter()
        .find(|v| raw.eq_ignore_ascii_case(v))
        .map(|v| Some((*v).to_owned()))
        .ok_or_else(|| {
            ConvertError::value_error(
                "not a valid TLP indicator (if not left empty, it should be one of: 'white', \
                 'green', 'amber', 'red')",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlp_table_2_8() {
        assert_eq!(to_tlp(""), Ok(None));
        assert_eq!(to_tlp("white"), Ok(Some("white".into())));
        assert_eq!(to_tlp("GREEN"), Ok(Some("green".into())));
        assert_eq!(to_tlp("Amber"), Ok(Some("amber".into())));
        assert_eq!(to_tlp("reD"), Ok(Some("red".into())));
        for bad in ["clear", " red"] {
            assert_eq!(
                to_tlp(bad).unwrap_err().to_string(),
                "ValueError: not a valid TLP indicator (if not left empty, it should be one of: \
                 'white', 'green', 'amber', 'red')"
            );
        }
    }
}
