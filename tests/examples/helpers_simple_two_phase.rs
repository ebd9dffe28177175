//! The simple and two-phase helpers through whole runs: nothing to publish → no message
//! and no state file; a two-phase run that fails half-way keeps the state of its last
//! checkpoint, and the next run goes on from there; a two-phase item can choose its
//! message's source.

use crate::example_support::{Runs, overrides};
use n6_collectors::helpers::prelude::*;
use n6_collectors::{StatefulCollector, prelude::*};

/// Publishes the lines of `input` after the first `state.done`, one message each; fails
/// (source unavailable) on line `fail_at` (0-based, -1: never).
#[derive(StatefulCollector)]
#[collector(source = "test-org.two-phase", raw_type = "stream")]
#[config_spec(
    r#"
    input :: path
    checkpoint_every = 0 :: int
    fail_at = -1 :: int
"#
)]
pub struct TwoPhaseLinesCollector {
    config: TwoPhaseLinesCollectorConfig,
    #[state]
    state: Done,
}

/// How many lines were published.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    done: u64,
}

impl TwoPhaseCollector for TwoPhaseLinesCollector {
    type Pile = Vec<(u64, String)>;
    type Item = (u64, String);
    type Items = Vec<(u64, String)>;

    fn obtain_input_pile(&mut self) -> Result<Option<Self::Pile>> {
        let text = std::fs::read_to_string(&self.config.input).or_source_unavailable("input")?;
        let pile: Vec<(u64, String)> = (0u64..)
            .zip(text.lines().map(str::to_owned))
            .skip(self.state.done as usize)
            .collect();
        Ok((!pile.is_empty()).then_some(pile))
    }

    fn items(&mut self, pile: Self::Pile) -> Result<Self::Items> {
        Ok(pile)
    }

    fn output_body(&mut self, item: &(u64, String)) -> Result<Vec<u8>> {
        if item.0 as i64 == self.config.fail_at {
            return Err(Error::source_unavailable("simulated failure"));
        }
        Ok(item.1.clone().into_bytes())
    }

    fn after_item_published(&mut self, item: (u64, String)) -> Result<AfterItem> {
        self.state.done = item.0 + 1;
        let every = self.config.checkpoint_every;
        Ok(
            if every > 0 && self.state.done.is_multiple_of(every as u64) {
                AfterItem::Checkpoint
            } else {
                AfterItem::Continue
            },
        )
    }
}

impl Collect for TwoPhaseLinesCollector {
    fn collect(&mut self, out: &mut Output<'_, Done>) -> Result<()> {
        collect_two_phase(self, out)
    }
}

/// Publishes `body` unless it is empty.
#[derive(StatefulCollector)]
#[collector(
    source = "test-org.simple",
    raw_type = "file",
    content_type = "text/plain"
)]
#[config_spec("body = :: str")]
pub struct SimpleBodyCollector {
    config: SimpleBodyCollectorConfig,
    #[state]
    state: Done,
}

impl SimpleCollector for SimpleBodyCollector {
    fn obtain_data_body(&mut self) -> Result<Option<Vec<u8>>> {
        let body = self.config.body.clone().into_bytes();
        Ok((!body.is_empty()).then_some(body))
    }

    fn after_publishing(&mut self) -> Result<()> {
        self.state.done += 1;
        Ok(())
    }
}

impl Collect for SimpleBodyCollector {
    fn collect(&mut self, out: &mut Output<'_, Done>) -> Result<()> {
        collect_simple(self, out)
    }
}

/// One message per line of `lines`; a line `channel:text` goes to source
/// `test-org.channel`, any other line to the collector's source (n6's
/// `get_source(**processed_data)`).
#[derive(StatefulCollector)]
#[collector(source = "test-org.default", raw_type = "stream")]
#[config_spec("lines :: list_of_str")]
pub struct PerItemSourceCollector {
    config: PerItemSourceCollectorConfig,
}

impl TwoPhaseCollector for PerItemSourceCollector {
    type Pile = Vec<String>;
    type Item = String;
    type Items = Vec<String>;

    fn obtain_input_pile(&mut self) -> Result<Option<Self::Pile>> {
        Ok(Some(self.config.lines.clone()))
    }

    fn items(&mut self, pile: Self::Pile) -> Result<Self::Items> {
        Ok(pile)
    }

    fn output_body(&mut self, item: &String) -> Result<Vec<u8>> {
        Ok(item.clone().into_bytes())
    }

    fn output_options(&mut self, item: &String) -> Result<MessageOptions> {
        Ok(match item.split_once(':') {
            Some((channel, _)) => MessageOptions::new().source(format!("test-org.{channel}")),
            None => MessageOptions::new(),
        })
    }
}

impl Collect for PerItemSourceCollector {
    fn collect(&mut self, out: &mut Output<'_>) -> Result<()> {
        collect_two_phase(self, out)
    }
}

#[test]
fn two_phase_items_choose_their_source() {
    let mut runs = Runs::with_config("[PerItemSourceCollector]\nlines = a:1, 2, b:3\n");
    let (code, published) = runs.run(
        n6_collectors::run_from::<PerItemSourceCollector, Vec<String>, String>,
        &[],
    );
    assert_eq!(code, 0);
    assert_eq!(texts(&published), vec!["a:1", "2", "b:3"]);
    let keys: Vec<&str> = published.iter().map(|m| m.routing_key.as_str()).collect();
    assert_eq!(keys, vec!["test-org.a", "test-org.default", "test-org.b"]);
    published[0].assert_n6_properties("test-org.a", "stream", None, None);
    published[1].assert_n6_properties("test-org.default", "stream", None, None);
}

fn texts(published: &[crate::example_support::Published]) -> Vec<&str> {
    published
        .iter()
        .map(|m| m.text().expect("UTF-8 body"))
        .collect()
}

#[test]
fn two_phase_failure_keeps_the_last_checkpoint() {
    let config = "[TwoPhaseLinesCollector]\ninput = /nonexistent\n";
    let mut runs = Runs::with_config(config);
    let input = runs.write("input.txt", b"a\nb\nc\nd\ne\n");
    let set = |extra: &[&str]| {
        let mut items = vec![format!("TwoPhaseLinesCollector.input={}", input.display())];
        items.extend(extra.iter().map(|e| format!("TwoPhaseLinesCollector.{e}")));
        overrides(&items)
    };
    let run = n6_collectors::run_from::<TwoPhaseLinesCollector, Vec<String>, String>;

    // Fails on the 5th line after checkpoints at 2 and 4: 4 published, state 4.
    let (code, published) = runs.run(run, &set(&["checkpoint_every=2", "fail_at=4"]));
    assert_eq!(code, 69);
    assert_eq!(texts(&published), vec!["a", "b", "c", "d"]);
    assert_eq!(
        runs.load_state::<TwoPhaseLinesCollector>(),
        Some(Done { done: 4 })
    );

    // The next run publishes only the rest.
    let (code, published) = runs.run(run, &set(&["checkpoint_every=2"]));
    assert_eq!(code, 0);
    assert_eq!(texts(&published), vec!["e"]);
    assert_eq!(
        runs.load_state::<TwoPhaseLinesCollector>(),
        Some(Done { done: 5 })
    );

    // Nothing left: no message, state as it was.
    let (code, published) = runs.run(run, &set(&[]));
    assert_eq!(code, 0);
    assert!(published.is_empty());
    assert_eq!(
        runs.load_state::<TwoPhaseLinesCollector>(),
        Some(Done { done: 5 })
    );
}

#[test]
fn two_phase_failure_without_checkpoints_saves_nothing() {
    let mut runs = Runs::with_config("[TwoPhaseLinesCollector]\ninput = /nonexistent\n");
    let input = runs.write("input.txt", b"a\nb\nc\n");
    let args = overrides(&[
        format!("TwoPhaseLinesCollector.input={}", input.display()),
        "TwoPhaseLinesCollector.fail_at=2".to_owned(),
    ]);
    let (code, published) = runs.run(
        n6_collectors::run_from::<TwoPhaseLinesCollector, Vec<String>, String>,
        &args,
    );
    assert_eq!(code, 69);
    assert_eq!(texts(&published), vec!["a", "b"]);
    assert_eq!(runs.load_state::<TwoPhaseLinesCollector>(), None);
}

#[test]
fn simple_publishes_at_most_one_message_and_nothing_when_empty() {
    let mut runs = Runs::with_config("[SimpleBodyCollector]\n");
    let run = n6_collectors::run_from::<SimpleBodyCollector, Vec<String>, String>;
    let (code, published) = runs.run(run, &[]);
    assert_eq!(code, 0);
    assert!(published.is_empty());
    assert_eq!(runs.load_state::<SimpleBodyCollector>(), None);

    let (code, published) = runs.run(
        run,
        &overrides(&["SimpleBodyCollector.body=x y".to_owned()]),
    );
    assert_eq!(code, 0);
    assert_eq!(texts(&published), vec!["x y"]);
    published[0].assert_n6_properties("test-org.simple", "file", Some("text/plain"), None);
    assert_eq!(
        runs.load_state::<SimpleBodyCollector>(),
        Some(Done { done: 1 })
    );
}
