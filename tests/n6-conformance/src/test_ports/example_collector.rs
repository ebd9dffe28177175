//! n6's `ExampleCollector` of `TestBaseTwoPhaseCollector.test` (test_base.py): a
//! `BaseTwoPhaseCollector` whose input pile is one of the test's sentinels, each
//! carrying a list of input-data dicts; the source is `example-provider.example-channel`
//! for a dict with `bar`, else `x.y`; the body is
//! `f'source: {source!r}, foo: {foo!r}, bar: {bar!r}'` (`bar` defaults to `'ą'`). Once
//! per `raw_type_and_content_type`.

use std::ffi::OsString;

use n6_collectors::config::PyValue;
use n6_collectors::config::pyliteral::py_str_repr;
use n6_collectors::helpers::prelude::*;
use n6_collectors::prelude::*;

use super::n6_case::{self, InputPile, RawTypeParam};

/// One input-data dict: its keyword arguments in order.
pub type InputData = Vec<(&'static str, PyValue)>;

/// The collector `#[collector(...)]` with the given `raw_type` (and `content_type`).
macro_rules! port {
    ($($raw:tt)*) => {
        /// n6's `ExampleCollector` with these class attributes.
        #[derive(StatefulCollector)]
        #[collector(source = "example-provider.example-channel", $($raw)*)]
        pub struct ExampleCollector {
            config: ExampleCollectorConfig,
        }

        impl TwoPhaseCollector for ExampleCollector {
            type Pile = InputPile;
            type Item = InputData;
            type Items = Vec<InputData>;

            fn obtain_input_pile(&mut self) -> Result<Option<InputPile>> {
                super::obtain_input_pile()
            }

            fn items(&mut self, pile: InputPile) -> Result<Vec<InputData>> {
                Ok(super::input_data_dicts(pile))
            }

            fn output_body(&mut self, item: &InputData) -> Result<Vec<u8>> {
                super::output_data_body(item)
            }

            fn output_options(&mut self, item: &InputData) -> Result<MessageOptions> {
                Ok(MessageOptions::new().source(super::source(item)))
            }
        }

        impl Collect for ExampleCollector {
            fn collect(&mut self, out: &mut Output<'_>) -> Result<()> {
                collect_two_phase(self, out)
            }
        }
    };
}

mod stream {
    use super::*;
    port!(raw_type = "stream");
}

mod file {
    use super::*;
    port!(raw_type = "file", content_type = "application/jwt");
}

mod blacklist {
    use super::*;
    port!(raw_type = "blacklist", content_type = "text/csv");
}

/// `obtain_input_pile`: the replayed run's pile, `None` as nothing to publish.
fn obtain_input_pile() -> Result<Option<InputPile>> {
    let case = super::fixture()
        .and_then(n6_case::two_phase)
        .map_err(Error::source_unavailable)?;
    Ok((case.pile != InputPile::None).then_some(case.pile))
}

/// `generate_input_data_dicts`: the test's `input_pile_to_seq_of_input_data_dicts`.
fn input_data_dicts(pile: InputPile) -> Vec<InputData> {
    match pile {
        InputPile::CarryingOne => vec![vec![("foo", PyValue::Int(1))]],
        InputPile::CarryingMany => vec![
            vec![("foo", PyValue::Int(1)), ("bar", PyValue::Int(42))],
            vec![
                ("foo", PyValue::Str("2".to_owned())),
                ("bar", PyValue::List(vec![PyValue::Int(443)])),
            ],
            vec![("foo", PyValue::Bytes(b"3".to_vec()))],
        ],
        InputPile::CarryingNothing | InputPile::None => Vec::new(),
    }
}

/// `get_source(**processed_data)`.
fn source(item: &InputData) -> &'static str {
    if item.iter().any(|(key, _)| *key == "bar") {
        "example-provider.example-channel"
    } else {
        "x.y"
    }
}

/// `get_output_data_body(*, source, foo, bar='ą')` (`foo` is required).
fn output_data_body(item: &InputData) -> Result<Vec<u8>> {
    let get = |name: &str| item.iter().find(|(key, _)| *key == name).map(|(_, v)| v);
    let default_bar = PyValue::Str("ą".to_owned());
    let foo_value = get("foo").ok_or_else(|| Error::bad_data("an input-data dict without foo"))?;
    let bar_value = get("bar").unwrap_or(&default_bar);
    Ok(format!(
        "source: {}, foo: {foo_value}, bar: {bar_value}",
        py_str_repr(source(item))
    )
    .into_bytes())
}

/// Runs the port with the replayed run's class attributes.
pub fn run(argv: Vec<OsString>) -> u8 {
    super::run_case(argv, n6_case::two_phase, |case, argv| match case.raw {
        RawTypeParam::Stream => n6_collectors::run_from::<stream::ExampleCollector, _, _>(argv),
        RawTypeParam::File => n6_collectors::run_from::<file::ExampleCollector, _, _>(argv),
        RawTypeParam::Blacklist => {
            n6_collectors::run_from::<blacklist::ExampleCollector, _, _>(argv)
        }
    })
}
