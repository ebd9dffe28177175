//! n6's template-method collectors as traits: [`SimpleCollector`] (`BaseSimpleCollector`:
//! at most one message per run) and [`TwoPhaseCollector`] (`BaseTwoPhaseCollector`:
//! obtain the input pile, then publish many messages).
//!
//! Source, routing key, `type` and `content_type` come from `#[collector(...)]`; the
//! hooks here are n6's `obtain_data_body` / `obtain_input_pile`,
//! `generate_input_data_dicts`, `get_output_data_body` and the properties hook (as
//! `headers.meta`; a two-phase collector can also change a message's identity per
//! item, as n6's `get_source(**processed_data)` can). Wire a collector to one of them in its `Collect` impl:
//!
//! ```
//! use n6_collectors::helpers::prelude::*;
//! use n6_collectors::prelude::*;
//!
//! /// A blacklist published whole on every run (no state field: no state file).
//! #[derive(StatefulCollector)]
//! #[collector(source = "example-org.blacklist", raw_type = "blacklist", content_type = "text/plain")]
//! #[config_spec("list :: path")]
//! pub struct ExampleBlacklistCollector {
//!     config: ExampleBlacklistCollectorConfig,
//! }
//!
//! impl SimpleCollector for ExampleBlacklistCollector {
//!     fn obtain_data_body(&mut self) -> Result<Option<Vec<u8>>> {
//!         let path = &self.config.list;
//!         Ok(Some(std::fs::read(path).or_source_unavailable(path.display())?))
//!     }
//! }
//!
//! impl Collect for ExampleBlacklistCollector {
//!     fn collect(&mut self, out: &mut Output<'_>) -> Result<()> {
//!         collect_simple(self, out)
//!     }
//! }
//! ```

use crate::collector::StatefulCollector;
use crate::error::Result;
use crate::message::{HeaderTable, MessageOptions};
use crate::output::Output;

/// At most one message per run (n6's `BaseSimpleCollector`).
pub trait SimpleCollector: StatefulCollector {
    /// n6's `obtain_data_body`: the body to publish, or `None` when there is nothing to
    /// publish (then nothing is published and the state stays as it was on disk).
    ///
    /// Do not change the state here; do it in [`SimpleCollector::after_publishing`].
    fn obtain_data_body(&mut self) -> Result<Option<Vec<u8>>>;

    /// The message's `headers.meta` (n6's `get_output_prop_kwargs` extensions). Default:
    /// none (`http_last_modified` of a download is added anyway, see [`Output::publish_with_meta`]).
    fn output_meta(&self) -> HeaderTable {
        HeaderTable::default()
    }

    /// Called after the message was handed to the output: update the state here (it is
    /// saved after the broker confirmed the message).
    fn after_publishing(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Runs a [`SimpleCollector`]: obtain the body; if any, publish it with its meta and
/// call `after_publishing` (whether a message was published: [`Output::published`]).
pub fn collect_simple<C: SimpleCollector>(
    collector: &mut C,
    out: &mut Output<'_, C::State>,
) -> Result<()> {
    let Some(body) = collector.obtain_data_body()? else {
        tracing::info!("{}: nothing to publish.", C::META.name);
        return Ok(());
    };
    out.publish_with_meta(body, collector.output_meta())?;
    collector.after_publishing()
}

/// What to do after an item was published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterItem {
    /// Go on with the next item.
    Continue,
    /// Save the state now (after the broker confirmed everything so far), then go on.
    Checkpoint,
}

/// Obtain the input pile, then publish one message per item (n6's `BaseTwoPhaseCollector`).
pub trait TwoPhaseCollector: StatefulCollector {
    /// What [`TwoPhaseCollector::obtain_input_pile`] gathers.
    type Pile;
    /// One message's worth of input (n6: an input-data dict).
    type Item;
    /// The items of a pile, in publishing order.
    type Items: IntoIterator<Item = Self::Item>;

    /// n6's `obtain_input_pile`: `None` when there is nothing to do (nothing published,
    /// no connection, state untouched).
    fn obtain_input_pile(&mut self) -> Result<Option<Self::Pile>>;

    /// n6's `generate_input_data_dicts`.
    fn items(&mut self, pile: Self::Pile) -> Result<Self::Items>;

    /// n6's `get_output_data_body`.
    fn output_body(&mut self, item: &Self::Item) -> Result<Vec<u8>>;

    /// The message's `headers.meta`. Default: none.
    fn output_meta(&mut self, item: &Self::Item) -> Result<HeaderTable> {
        let _ = item;
        Ok(HeaderTable::default())
    }

    /// The identity of the item's message (n6's `get_source(**processed_data)`,
    /// `get_output_rk` and `get_output_prop_kwargs`, called per item): e.g. a source
    /// that depends on the item, `MessageOptions::new().source(..)`. What it leaves
    /// unset is the collector's. Default: the collector's identity with
    /// [`TwoPhaseCollector::output_meta`] as `headers.meta`.
    fn output_options(&mut self, item: &Self::Item) -> Result<MessageOptions> {
        Ok(MessageOptions::new().meta(self.output_meta(item)?))
    }

    /// Called after each message was handed to the output: update the state for the
    /// item and say whether to checkpoint.
    fn after_item_published(&mut self, item: Self::Item) -> Result<AfterItem> {
        let _ = item;
        Ok(AfterItem::Continue)
    }

    /// n6's `after_completed_publishing`: called once all items were published.
    fn after_completed_publishing(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Runs a [`TwoPhaseCollector`] (how many messages were published: [`Output::published`]).
///
/// With a pile but no items, n6 logs a WARNING and still completes the run
/// (`after_completed_publishing` is called); so does this.
pub fn collect_two_phase<C: TwoPhaseCollector>(
    collector: &mut C,
    out: &mut Output<'_, C::State>,
) -> Result<()> {
    let Some(pile) = collector.obtain_input_pile()? else {
        tracing::info!("{}: nothing to publish.", C::META.name);
        return Ok(());
    };
    let mut published = 0u64;
    for item in collector.items(pile)? {
        let body = collector.output_body(&item)?;
        let options = collector.output_options(&item)?;
        out.publish_with(body, options)?;
        published += 1;
        if collector.after_item_published(item)? == AfterItem::Checkpoint {
            out.checkpoint(collector.state())?;
        }
    }
    if published == 0 {
        tracing::warn!(
            "{}: nothing published because no items got from the input pile",
            C::META.name
        );
    }
    collector.after_completed_publishing()
}
