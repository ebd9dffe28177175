// Several sections: the main one (named after the struct) is `{StructName}Config`, each
// other one a nested struct in a field named after the section. `...` allows free
// options, collected in `extra`.

use std::collections::BTreeMap;

use n6_collectors::config::raw::{Origin, RawConfig};
use n6_collectors::config::spec::{self, Spec};
use n6_collectors::config::validate;
use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(StatefulCollector)]
#[collector(source = "example-org.sections", raw_type = "stream")]
#[config_spec(r#"
    url :: str
    ... :: int

    [misp_api]
    key :: str
    timeout = 2.5 :: float
"#)]
pub struct SectionsCollector {
    config: SectionsCollectorConfig,
    #[state(default = Cursor { last: 0 })]
    state: Cursor,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    last: i64,
}

fn main() {
    let mut raw = RawConfig::default();
    raw.set("SectionsCollector", "url", "https://example.org/", Origin::Other);
    raw.set("SectionsCollector", "weight_a", "1", Origin::Other);
    raw.set("SectionsCollector", "weight_b", "-2", Origin::Other);
    raw.set("misp_api", "key", "k", Origin::Other);
    let spec = SectionsCollector::config_spec();
    let names: Vec<&str> = spec.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["SectionsCollector", "misp_api"]);
    // The spec was parsed at compile time; it equals what the parser gives at run time.
    let text = "url :: str\n... :: int\n\n[misp_api]\nkey :: str\ntimeout = 2.5 :: float\n";
    // The framework adds `state_dir` to every stateful collector.
    let background = Spec::parse("state_dir = ~/.n6state :: path\n", "SectionsCollector").unwrap();
    let mut expected = spec::combine(&background, &Spec::parse(text, "SectionsCollector").unwrap()).unwrap();
    // Line numbers differ only because the attribute's literal starts with a newline.
    for section in &mut expected.sections {
        if section.name == "misp_api" {
            section.line += 1;
        }
        for option in section.options.iter_mut().filter(|o| o.name != "state_dir") {
            option.line += 1;
        }
        if let Some(free) = &mut section.free_options {
            free.line += 1;
        }
    }
    assert_eq!(spec, expected);

    let (typed, _) = validate::validate(&spec, &raw, &[]).expect("valid");
    let c = SectionsCollector::build_config(typed).expect("built");
    assert_eq!(c.url, "https://example.org/");
    let extra: &BTreeMap<String, i64> = &c.extra;
    assert_eq!(extra.get("weight_a"), Some(&1));
    assert_eq!(extra.get("weight_b"), Some(&-2));
    assert_eq!(extra.len(), 2);
    let api: &SectionsCollectorMispApiConfig = &c.misp_api;
    assert_eq!(api.key, "k");
    assert_eq!(api.timeout, 2.5);
    assert_eq!(SectionsCollector::make_default_state(), Cursor { last: 0 });
}
