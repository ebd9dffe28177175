// The smallest stateful collector: an identity, a state type with `Default`, no options
// of its own (the framework still adds `state_dir`). Shows what the derive generates.

use n6_collectors::config::raw::{Origin, RawConfig};
use n6_collectors::config::validate;
use n6_collectors::{Collect, Output, StatefulCollector};
use serde::{Deserialize, Serialize};

#[derive(StatefulCollector)]
#[collector(source = "example-org.minimal", raw_type = "stream")]
pub struct MinimalCollector {
    config: MinimalCollectorConfig,
    #[state]
    state: Seen,
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    count: u64,
}

impl Collect for MinimalCollector {
    fn collect(&mut self, out: &mut Output<'_, Seen>) -> n6_collectors::Result<()> {
        out.publish("hello")?;
        self.state.count += 1;
        Ok(())
    }
}

fn main() {
    let meta = MinimalCollector::META;
    assert_eq!(meta.name, "MinimalCollector");
    assert_eq!(meta.identity.source, "example-org.minimal");
    assert_eq!(meta.identity.raw_type.as_str(), "stream");
    assert_eq!(meta.identity.content_type, None);
    assert_eq!(meta.state_version, 1);
    assert_eq!(meta.state_file_name(), "MinimalCollector.cbor");
    assert_eq!(
        meta.legacy_state_file_name().as_deref(),
        Some(format!("{}.MinimalCollector.cbor", module_path!().replace("::", ".")).as_str())
    );

    let spec = MinimalCollector::config_spec();
    assert_eq!(spec.sections.len(), 1);
    assert_eq!(spec.sections[0].name, "MinimalCollector");
    let names: Vec<&str> = spec.sections[0].options.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["state_dir"]);

    let mut raw = RawConfig::default();
    raw.set("MinimalCollector", "state_dir", "/var/lib/n6-minimal", Origin::Other);
    let (typed, _warnings) = validate::validate(&spec, &raw, &MinimalCollector::custom_converters())
        .expect("the config is valid");
    let config = MinimalCollector::build_config(typed).expect("the generated struct matches the spec");
    assert_eq!(config.state_dir, std::path::PathBuf::from("/var/lib/n6-minimal"));
    assert_eq!(MinimalCollector::state_dir(&config), std::path::Path::new("/var/lib/n6-minimal"));

    let collector = MinimalCollector::from_parts(
        config.clone(),
        MinimalCollector::make_default_state(),
        n6_collectors::cli::NoArgs {},
    );
    assert_eq!(collector.state(), &Seen { count: 0 });
    assert_eq!(collector.config(), &config);
}
