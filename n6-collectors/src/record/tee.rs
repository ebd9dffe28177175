//! The sink of a recorded run: every message goes to the run's own sink and, as a JSON
//! line, into the recording's `published.jsonl`.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

use crate::message::Message;
use crate::sink::{Sink, SinkError};

/// How a run opens its sink (as the lifecycle's lazy sink calls it).
pub(crate) type Opener = Box<dyn FnMut() -> Result<Box<dyn Sink>, SinkError>>;

/// `open`, with its sink teed into the recording when this thread's run records.
pub(crate) fn tee_when_recording(mut open: Opener) -> Opener {
    let Some((dir, published)) = super::session::recording_dir() else {
        return open;
    };
    let path = dir.join(published);
    Box::new(move || {
        let inner = open()?;
        let file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|source| SinkError::Io {
                path: path.clone(),
                source,
            })?;
        Ok(Box::new(Tee {
            inner,
            file,
            path: path.clone(),
        }) as Box<dyn Sink>)
    })
}

struct Tee {
    inner: Box<dyn Sink>,
    file: File,
    path: PathBuf,
}

impl Sink for Tee {
    fn publish(&mut self, message: &Message) -> Result<(), SinkError> {
        self.inner.publish(message)?;
        let mut line = crate::sink::jsonl::render(message);
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .map_err(|source| SinkError::Io {
                path: self.path.clone(),
                source,
            })
    }

    fn confirm(&mut self) -> Result<(), SinkError> {
        self.inner.confirm()
    }

    fn close(&mut self) -> Result<(), SinkError> {
        self.inner.close()
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}
