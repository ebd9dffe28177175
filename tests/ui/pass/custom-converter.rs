// A custom converter: `converters(name = function -> Type)` makes the spec's `:: tlp` use
// `parse_tlp`, and the field's type is `Option<Tlp>`. Its defaults are checked at run
// time, when the config is validated.

use n6_collectors::config::raw::{Origin, RawConfig};
use n6_collectors::config::validate;
use n6_collectors::StatefulCollector;

#[derive(Debug, PartialEq)]
pub enum Tlp {
    White,
    Green,
    Amber,
    Red,
}

fn parse_tlp(raw: &str) -> Result<Option<Tlp>, String> {
    Ok(Some(match raw.to_ascii_lowercase().as_str() {
        "" => return Ok(None),
        "white" => Tlp::White,
        "green" => Tlp::Green,
        "amber" => Tlp::Amber,
        "red" => Tlp::Red,
        _ => return Err(format!("not a valid TLP indicator: {raw:?}")),
    }))
}

#[derive(StatefulCollector)]
#[collector(
    source = "example-org.events",
    raw_type = "stream",
    converters(tlp = parse_tlp -> Option<Tlp>),
)]
#[config_spec(r#"
    minimum_tlp = :: tlp
    maximum_tlp = red :: tlp
"#)]
pub struct EventsCollector {
    config: EventsCollectorConfig,
    #[state]
    state: Vec<u64>,
}

fn main() {
    let custom = EventsCollector::custom_converters();
    assert_eq!(custom.len(), 1);
    assert_eq!(custom[0].name, "tlp");

    let mut raw = RawConfig::default();
    raw.set("EventsCollector", "minimum_tlp", "Amber", Origin::Other);
    let (typed, _) = validate::validate(&EventsCollector::config_spec(), &raw, &custom).expect("valid");
    let c = EventsCollector::build_config(typed).expect("built");
    assert_eq!(c.minimum_tlp, Some(Tlp::Amber));
    assert_eq!(c.maximum_tlp, Some(Tlp::Red));

    raw.set("EventsCollector", "minimum_tlp", "purple", Origin::Other);
    assert!(validate::validate(&EventsCollector::config_spec(), &raw, &custom).is_err());
}
