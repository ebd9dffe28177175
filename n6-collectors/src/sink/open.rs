//! Opening the sink a run chose.

use crate::sink::amqp::{AmqpSettings, AmqpSink};
use crate::sink::jsonl::JsonLinesSink;
use crate::sink::lazy::SinkOpener;
use crate::sink::{SinkError, SinkTarget};

/// How to open `target` when the first message is published; `amqp` holds the
/// `[rabbitmq]` settings (if the configuration has that section); `exchange` is declared
/// on connecting.
pub(crate) fn opener(
    target: SinkTarget,
    amqp: Option<AmqpSettings>,
    exchange: String,
) -> SinkOpener {
    Box::new(move || match &target {
        SinkTarget::Stdout => Ok(Box::new(JsonLinesSink::stdout())),
        SinkTarget::File(path) => Ok(Box::new(JsonLinesSink::append_to(path)?)),
        SinkTarget::Amqp => match &amqp {
            Some(settings) => Ok(Box::new(AmqpSink::connect(settings, &[exchange.as_str()])?)),
            None => Err(SinkError::Unavailable(
                "no [rabbitmq] section in the configuration".to_owned(),
            )),
        },
    })
}
