//! The config-spec parser on arbitrary text, then every converter on what it parsed:
//! never panics.
//!
//! For each option with a default and a known converter the default is converted (the
//! derive does this at compile time; the runtime does it for values from config files),
//! the spec is combined with itself and with the parse of the text's second half (as a
//! collector's spec is combined with the framework's), and every error is displayed.

#![no_main]

use libfuzzer_sys::fuzz_target;
use n6_collectors_config::convert::Converter;
use n6_collectors_config::spec::{Spec, combine};

fn check(spec: &Spec, text: &str) {
    for section in &spec.sections {
        assert!(section.line <= text.len() + 1, "section line out of range");
        for option in &section.options {
            assert!(
                option.line >= 1 && option.line <= text.len() + 1,
                "option line out of range"
            );
            let Ok(converter) = Converter::from_name(&option.converter) else {
                continue;
            };
            if let Some(default) = &option.default {
                match converter.convert(default) {
                    Ok(value) => std::hint::black_box(format!("{value:?}")),
                    Err(e) => std::hint::black_box(e.to_string()),
                };
            }
        }
        if let Some(free) = &section.free_options {
            let _ = Converter::from_name(&free.converter);
        }
    }
}

fn parse(text: &str) -> Option<Spec> {
    match Spec::parse(text, "FuzzCollector") {
        Ok(spec) => {
            check(&spec, text);
            Some(spec)
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "parse failed without naming a problem");
            for e in &errors {
                assert!(e.line <= text.len() + 1, "error line out of range");
                std::hint::black_box(e.to_string());
            }
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(spec) = parse(text) else {
        return;
    };
    if let Ok(both) = combine(&spec, &spec) {
        check(&both, text);
    }
    let mid = (0..=text.len() / 2)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    if let Some(second) = parse(&text[mid..]) {
        match combine(&spec, &second) {
            Ok(both) => check(&both, text),
            Err(errors) => errors.iter().for_each(|e| {
                std::hint::black_box(e.to_string());
            }),
        }
    }
});
