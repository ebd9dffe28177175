//! [`LazySink`]: the run's sink, opened on first use.

use crate::sink::{Sink, SinkError};

/// How a run opens its sink (called at most once, at the first publish).
pub(crate) type SinkOpener = Box<dyn FnMut() -> Result<Box<dyn Sink>, SinkError>>;

/// Opens the sink on first use, so a run with nothing to publish never connects (as n6).
pub(crate) struct LazySink {
    open: SinkOpener,
    sink: Option<Box<dyn Sink>>,
}

impl LazySink {
    /// A sink that `open` creates when the first message is published.
    pub(crate) fn new(open: SinkOpener) -> Self {
        LazySink { open, sink: None }
    }

    /// The sink, opened now if this is the first use.
    pub(crate) fn get(&mut self) -> Result<&mut Box<dyn Sink>, SinkError> {
        if self.sink.is_none() {
            self.sink = Some((self.open)()?);
        }
        // Just filled above when empty.
        self.sink
            .as_mut()
            .ok_or_else(|| SinkError::Unavailable("output could not be opened".into()))
    }

    /// Waits for every published message to be confirmed (nothing to do if never opened).
    pub(crate) fn confirm(&mut self) -> Result<(), SinkError> {
        match &mut self.sink {
            Some(sink) => sink.confirm(),
            None => Ok(()),
        }
    }

    /// Confirms and closes the sink, if it was opened.
    pub(crate) fn close(&mut self) -> Result<(), SinkError> {
        match &mut self.sink {
            Some(sink) => sink.close(),
            None => Ok(()),
        }
    }

    /// The sink's description, or `None` if it was never opened.
    pub(crate) fn describe(&self) -> Option<String> {
        self.sink.as_ref().map(|s| s.describe())
    }
}
