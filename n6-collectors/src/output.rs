//! [`Output`]: what a collector publishes through, and where it checkpoints its state.
//!
//! The output turns bodies into n6 messages (routing key, `message_id`, `timestamp`,
//! `type`, `content_type`, `headers.meta`), hands them to the run's sink, and saves state
//! only after the sink confirmed every message published before it.

use std::marker::PhantomData;

use serde::Serialize;

use crate::clock::Clock;
use crate::error::Result;
use crate::message::{HeaderTable, HeaderValue, Identity, MessageOptions, RawType};
use crate::run::signal::stop_if_interrupted;
use crate::run::summary::RunStats;
use crate::sink::LazySink;
use crate::state::StateSaver;

/// What a collector publishes through; given to [`crate::Collect::collect`].
pub struct Output<'a, S = ()> {
    identity: &'a Identity,
    exchange_suffix: &'a str,
    clock: Clock,
    sink: &'a mut LazySink,
    saver: &'a mut StateSaver,
    stats: &'a mut RunStats,
    unconfirmed: bool,
    _state: PhantomData<fn(&S)>,
}

impl<'a, S: Serialize> Output<'a, S> {
    /// `exchange_suffix` is `--n6output-suffix` (appended to every exchange).
    pub(crate) fn new(
        identity: &'a Identity,
        exchange_suffix: &'a str,
        clock: Clock,
        sink: &'a mut LazySink,
        saver: &'a mut StateSaver,
        stats: &'a mut RunStats,
    ) -> Self {
        Output {
            identity,
            exchange_suffix,
            clock,
            sink,
            saver,
            stats,
            unconfirmed: false,
            _state: PhantomData,
        }
    }

    /// Publishes one message with `body` and no `headers.meta`.
    pub fn publish(&mut self, body: impl Into<Vec<u8>>) -> Result<()> {
        self.publish_with_meta(body, HeaderTable::default())
    }

    /// Publishes one message with `body` and `meta` as `headers.meta` (omitted when empty).
    pub fn publish_with_meta(&mut self, body: impl Into<Vec<u8>>, meta: HeaderTable) -> Result<()> {
        self.publish_with(body, MessageOptions::new().meta(meta))
    }

    /// Publishes one message with `body`, overriding the collector's identity with
    /// `options` (source, version tag, exchange, raw type, content type, `headers.meta`,
    /// other top-level headers; see [`MessageOptions`]). A choice that breaks n6's wire
    /// rules is [`Error::Message`](crate::Error::Message) naming it, and nothing is published.
    ///
    /// Every exchange is declared (durable topic, as n6) before its first message, and
    /// every message is published `mandatory` with publisher confirms, whichever
    /// exchange it goes to: a message no queue would receive fails the run (exit 69,
    /// state not saved).
    ///
    /// `http_last_modified` of the run's most recent download through
    /// [`DownloadingCollector`](crate::helpers::download::DownloadingCollector) is added
    /// to `headers.meta` unless the options have one (n6's `BaseDownloadingCollector`).
    ///
    /// ```no_run
    /// # use n6_collectors::prelude::*;
    /// # use n6_collectors::message::{MessageOptions, RawType};
    /// # fn demo<S: Serialize>(out: &mut Output<'_, S>, sample: Vec<u8>) -> Result<()> {
    /// // MISP: a malware sample to n6's `sample` exchange, as a `file`.
    /// out.publish_with(
    ///     sample,
    ///     MessageOptions::new()
    ///         .source("circl.misp")
    ///         .exchange("sample")
    ///         .raw_type(RawType::File)
    ///         .content_type("application/json"),
    /// )?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn publish_with(
        &mut self,
        body: impl Into<Vec<u8>>,
        mut options: MessageOptions,
    ) -> Result<()> {
        stop_if_interrupted()?;
        self.saver.still_held()?;
        crate::helpers::download::add_run_meta(&mut options.meta);
        let message = self.identity.message_with(
            self.exchange_suffix,
            options,
            body.into(),
            self.clock.unix_timestamp(),
        )?;
        self.sink.get()?.publish(&message)?;
        self.unconfirmed = true;
        self.stats.messages += 1;
        self.stats.bytes += message.body.len() as u64;
        Ok(())
    }

    /// Starts a message with `body` whose identity can be changed in place before it is
    /// published: `out.message(body).source("shadowserver.scan-ntp").publish()?`. The
    /// same as [`Output::publish_with`] with the options set by the builder.
    ///
    /// ```no_run
    /// # use n6_collectors::prelude::*;
    /// # fn demo<S: Serialize>(out: &mut Output<'_, S>, channel: &str, tag: Option<&str>) -> Result<()> {
    /// // Shadowserver: the channel and the version tag come from the e-mail subject.
    /// out.message("csv rows")
    ///     .source(format!("shadowserver.{channel}"))
    ///     .raw_format_version_tag(tag)
    ///     .publish()?;
    /// // n6's manual collector: a top-level header beside headers.meta.
    /// out.message("rows")
    ///     .meta_entry("dry_run", HeaderValue::Bool(true))
    ///     .header("_do_not_resolve_fqdn_to_ip", HeaderValue::Bool(false))
    ///     .publish()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn message<'o>(&'o mut self, body: impl Into<Vec<u8>>) -> PendingMessage<'o, 'a, S> {
        PendingMessage {
            out: self,
            body: body.into(),
            options: MessageOptions::new(),
        }
    }

    /// The run's clock: "now" for anything the collector computes from the time (the
    /// message timestamps use it too). Fixed by `--fake-now` in tests and replays.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Waits until everything published so far is confirmed, then saves `state`
    /// atomically (unless it is unchanged). Use it between batches of a long run, so a
    /// crash later re-sends only what came after the checkpoint.
    pub fn checkpoint(&mut self, state: &S) -> Result<()> {
        self.confirm()?;
        stop_if_interrupted()?;
        self.saver.still_held()?;
        self.saver.save(state)?;
        Ok(())
    }

    /// Waits until everything published so far is confirmed.
    pub fn confirm(&mut self) -> Result<()> {
        if self.unconfirmed {
            self.sink.confirm()?;
            self.unconfirmed = false;
        }
        Ok(())
    }

    /// Messages published so far in this run.
    pub fn published(&self) -> u64 {
        self.stats.messages
    }

    /// The collector's identity (source, raw type, ...).
    pub fn identity(&self) -> &Identity {
        self.identity
    }
}

/// A message being built by [`Output::message`]; [`PendingMessage::publish`] sends it.
#[must_use = "a pending message is sent only by .publish()"]
pub struct PendingMessage<'o, 'a, S> {
    out: &'o mut Output<'a, S>,
    body: Vec<u8>,
    options: MessageOptions,
}

impl<S: Serialize> PendingMessage<'_, '_, S> {
    /// Sets the source (`provider.channel`), hence the routing key and `message_id`.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.options = self.options.source(source);
        self
    }

    /// Sets the raw format version tag (`YYYYMM`), or removes the collector's with `None`.
    pub fn raw_format_version_tag(mut self, tag: Option<impl Into<String>>) -> Self {
        self.options = self.options.raw_format_version_tag(tag);
        self
    }

    /// Sets the exchange (before `--n6output-suffix`), e.g. n6's `sample`.
    pub fn exchange(mut self, exchange: impl Into<String>) -> Self {
        self.options = self.options.exchange(exchange);
        self
    }

    /// Sets the raw type (`type` property).
    pub fn raw_type(mut self, raw_type: RawType) -> Self {
        self.options = self.options.raw_type(raw_type);
        self
    }

    /// Sets the content type (sent for `file` and `blacklist` only).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.options = self.options.content_type(content_type);
        self
    }

    /// Sets `headers.meta` (replacing entries set before).
    pub fn meta(mut self, meta: HeaderTable) -> Self {
        self.options = self.options.meta(meta);
        self
    }

    /// Sets one entry of `headers.meta`.
    pub fn meta_entry(mut self, key: impl Into<String>, value: impl Into<HeaderValue>) -> Self {
        self.options = self.options.meta_entry(key, value);
        self
    }

    /// Sets one top-level header besides `meta`.
    pub fn header(mut self, key: impl Into<String>, value: impl Into<HeaderValue>) -> Self {
        self.options = self.options.header(key, value);
        self
    }

    /// Replaces every option set so far with `options`.
    pub fn options(mut self, options: MessageOptions) -> Self {
        self.options = options;
        self
    }

    /// Publishes the message ([`Output::publish_with`]).
    pub fn publish(self) -> Result<()> {
        self.out.publish_with(self.body, self.options)
    }
}
