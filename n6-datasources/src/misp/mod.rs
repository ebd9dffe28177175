//! n6's `n6datasources.collectors.misp`: events and malware samples of a MISP instance.
//!
//! As n6's `MispCollector` (`n6collector_misp SECTION`: the config section is the first
//! positional argument, so one config file can hold many instances). A run:
//!
//! 1. takes "now" once (to the second), loads the state (default: both times
//!    `days_for_first_run` days ago) and refuses one whose samples time is after its
//!    events time;
//! 2. searches the events since the events time ([`search`]); when there are some,
//!    publishes them as one `stream` message (`json.dumps` of the list) to `raw` and
//!    saves the events time as now; when there are none, sets it to now and — unless
//!    samples are overdue — marks the samples finished too and ends;
//! 3. samples: the events just fetched, or, when samples are overdue (their time is
//!    earlier than the events time), a second search since the samples time; every
//!    `malware-sample` attribute not yet in `already_processed_sample_ids` is downloaded
//!    from `urljoin(urljoin(misp_url, sample_path), id)` ([`samples`]) and published to
//!    the `sample` exchange as `file` / `application/json` with `headers.meta.misp`, and
//!    its id saved; if at least one download succeeded (or there was nothing to
//!    download), the samples are finished (time now, ids cleared); if all failed, they
//!    stay overdue, and the run fails once that has lasted more than
//!    `max_acceptable_days_of_continuous_download_failures` days.
//!
//! Every message has `headers.meta.minimum_tlp` when `minimum_tlp` is set. Differences
//! from n6 v4.40 (see docs/n6-differences.md): samples are downloaded at all (n6's spec
//! lacks `download_timeout`, so its `download` fails), with `misp_verifycert` applied to
//! them too; an error answer to the event search fails the run instead of counting as
//! "no events"; unusable attributes are skipped instead of crashing the run.

pub mod samples;
pub mod search;
pub mod state;
pub mod urljoin;

use n6_collectors::cli::SectionArg;
use n6_collectors::helpers::download::DownloadSettings;
use n6_collectors::helpers::pyjson::{self, PyJson};
use n6_collectors::prelude::*;

use samples::{SampleDownloads, misp_meta, samples_of};
use state::{MispState, NaiveUtc};

/// n6's `MispCollector.ALLOWED_TLP_VALUES`.
pub const ALLOWED_TLP_VALUES: [&str; 4] = ["white", "green", "amber", "red"];

/// The exchange of malware samples (n6's second `output_queue` item).
pub const SAMPLE_EXCHANGE: &str = "sample";

/// n6's `MispCollector._convert_tlp`: empty is `None`; otherwise one of
/// [`ALLOWED_TLP_VALUES`], case-insensitively, lower-cased.
pub fn convert_tlp(raw: &str) -> std::result::Result<Option<String>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    let tlp = raw.to_lowercase();
    if ALLOWED_TLP_VALUES.contains(&tlp.as_str()) {
        Ok(Some(tlp))
    } else {
        Err(
            "not a valid TLP indicator (if not left empty, it should be one of: \
             'white', 'green', 'amber', 'red')"
                .to_owned(),
        )
    }
}

/// n6's `MispCollector`: `<source_provider>.misp`, events as `stream` to `raw`, samples
/// as `file` (`application/json`) to `sample`.
#[derive(StatefulCollector)]
#[collector(
    source = "misp.misp",
    raw_type = "stream",
    state_file = "n6datasources.collectors.misp.MispCollector.cbor",
    converters(tlp = convert_tlp -> Option<String>),
    download
)]
#[config_spec(
    r#"
    source_provider :: str
    misp_url :: str
    misp_key :: str
    misp_verifycert = yes :: bool
    days_for_first_run :: int
    minimum_tlp = :: tlp
    sample_path = /attributes/downloadAttachment/download/ :: str
    download_retries = 3 :: int
    base_request_headers = {} :: py_namespaces_dict
    max_acceptable_days_of_continuous_download_failures = 3 :: int
    heartbeat_interval = 60 :: int
"#
)]
pub struct MispCollector {
    config: MispCollectorConfig,
    /// The section named on the command line.
    #[args]
    args: SectionArg,
    /// n6's state dict; `None` until the first run computes the default.
    #[state(default = None)]
    state: Option<MispState>,
}

/// The run's "now" as n6 takes it: `datetime.utcnow().replace(microsecond=0)`.
fn now_of(clock: Clock) -> Result<NaiveUtc> {
    let now = clock.now();
    let naive = time::PrimitiveDateTime::new(now.date(), now.time());
    naive
        .replace_microsecond(0)
        .map(NaiveUtc)
        .map_err(|e| Error::bug(format!("the clock's time: {e}")))
}

/// What a run works with, besides the state.
struct Run {
    now: NaiveUtc,
    source: String,
    minimum_tlp: Option<String>,
    settings: DownloadSettings,
}

impl MispCollector {
    fn default_state(&self, now: NaiveUtc) -> Result<MispState> {
        let days = self.config.days_for_first_run;
        let start = days
            .checked_mul(86_400)
            .and_then(|s| now.0.checked_sub(time::Duration::seconds(s)))
            .ok_or_else(|| {
                Error::Config(vec![format!(
                    "in section {}: days_for_first_run={days} reaches beyond the calendar",
                    self.args.n6config_section_name
                )])
            })?;
        let state = MispState::initial(NaiveUtc(start));
        tracing::warn!("no state yet; the default state is used: {state:?}");
        Ok(state)
    }

    /// Timeouts, TLS and `base_request_headers`. `download_retries` is left out: every
    /// request is one attempt, and n6 takes any value there (a negative one as 0).
    fn settings(&self) -> Result<DownloadSettings> {
        let c = &self.config;
        let mut settings =
            DownloadSettings::from_config(0, c.download_timeout, &c.base_request_headers)?
                .with_deadline(c.download_deadline)?
                .with_min_interval(c.download_min_interval)?;
        settings.tls.verify = c.misp_verifycert;
        Ok(settings)
    }

    /// PyMISP's constructor refuses an empty URL (`NoURL`) or key (`NoKey`).
    fn check_client_options(&self) -> Result<()> {
        let section = &self.args.n6config_section_name;
        let mut problems = Vec::new();
        for (name, value) in [
            ("misp_url", &self.config.misp_url),
            ("misp_key", &self.config.misp_key),
        ] {
            if value.is_empty() {
                problems.push(format!(
                    "in section {section}: {name} is empty (PyMISP needs it)"
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(problems))
        }
    }

    /// `headers.meta` of every message: `minimum_tlp` when set.
    fn meta(run: &Run) -> HeaderTable {
        let mut meta = HeaderTable::default();
        if let Some(tlp) = &run.minimum_tlp {
            meta.insert("minimum_tlp", HeaderValue::Str(tlp.clone()));
        }
        meta
    }

    fn fetch_events(&self, run: &Run, since: NaiveUtc) -> Result<Option<Vec<PyJson>>> {
        search::fetch_events(
            &run.settings,
            &self.config.misp_url,
            &self.config.misp_key,
            run.now,
            since,
        )
    }

    /// Saves the state as it is (n6's `save_state`).
    fn save(&self, out: &mut Output<'_, Option<MispState>>) -> Result<()> {
        out.checkpoint(&self.state)
    }

    /// Phase 2: n6's `_process_samples_stuff`.
    fn process_samples(
        &mut self,
        out: &mut Output<'_, Option<MispState>>,
        run: &Run,
        overdue: bool,
        fresh_events: Option<Vec<PyJson>>,
    ) -> Result<()> {
        let since = self.current()?.samples_last_proc_datetime;
        let events = if overdue {
            let events = self.fetch_events(run, since)?;
            if events.is_none() {
                tracing::warn!(
                    "The loaded state indicates that there should be overdue samples to publish, \
                     since {since}. However, according to the queried MISP system, there are no \
                     events and no associated malware samples to download for that period."
                );
            } else {
                tracing::info!(
                    "Preparing for downloading and publishing malware samples, including overdue samples since {since}."
                );
            }
            events
        } else {
            tracing::info!(
                "Preparing for downloading and publishing new malware samples, since {since}."
            );
            fresh_events
        };
        if let Some(events) = events {
            let todo = samples_of(&events, &self.current()?.already_processed_sample_ids);
            if todo.is_empty() {
                tracing::info!("No malware samples to publish since {since}.");
            } else if !self.download_and_publish(out, run, todo, since)? {
                return Ok(()); // left overdue
            }
        }
        let now = run.now;
        self.current_mut()?.finish_samples(now);
        self.save(out)
    }

    /// n6's `_download_and_publish_samples` and `_recap_downloads`: whether the samples
    /// are to be considered finished.
    fn download_and_publish(
        &mut self,
        out: &mut Output<'_, Option<MispState>>,
        run: &Run,
        todo: Vec<samples::Sample>,
        since: NaiveUtc,
    ) -> Result<bool> {
        let base = urljoin::urljoin(&self.config.misp_url, &self.config.sample_path);
        let downloads = SampleDownloads {
            settings: run.settings.clone(),
            misp_key: self.config.misp_key.clone(),
            retries: self.config.download_retries,
        };
        let (mut ok, mut failed) = (0u64, 0u64);
        for sample in todo {
            // n6's `await self.PubIter`: the state is saved already, so this only stops
            // a signalled run here.
            self.save(out)?;
            let url = urljoin::urljoin(&base, &sample.id_text);
            let state = self.state.clone();
            let mut safe_point = || out.checkpoint(&state);
            match downloads.download(&url, &mut safe_point)? {
                Err(why) => {
                    tracing::warn!(
                        "Cannot download the sample whose id is {} ({why})",
                        sample.id
                    );
                    failed += 1;
                }
                Ok(body) => {
                    ok += 1;
                    let mut meta = Self::meta(run);
                    meta.insert("misp", HeaderValue::Table(misp_meta(&sample.attribute)));
                    out.message(body)
                        .source(run.source.as_str())
                        .exchange(SAMPLE_EXCHANGE)
                        .raw_type(RawType::File)
                        .content_type("application/json")
                        .meta(meta)
                        .publish()?;
                    self.current_mut()?
                        .already_processed_sample_ids
                        .insert(sample.id);
                    self.save(out)?;
                    tracing::info!("Published the malware sample (id={}).", sample.id);
                }
            }
        }
        let attempts = ok + failed;
        if ok > 0 {
            if failed > 0 {
                tracing::warn!(
                    "Out of {attempts} sample downloads (since: {since}), {ok} were successful and \
                     {failed} were *not*! It needs to be emphasized that those {failed} undownloaded \
                     samples *will be lost!* (i.e., there will be *no* further attempts to download them)."
                );
            }
            return Ok(true);
        }
        tracing::warn!(
            "Attempted to download {attempts} samples (since: {since}), but *all* those downloads \
             failed; that's why the concerned samples are to be treated as *overdue* ones (we leave \
             a saved state reflecting that), so that it will be possible to process and publish \
             them during future collector run(s)."
        );
        let max_days = self
            .config
            .max_acceptable_days_of_continuous_download_failures;
        let limit = max_days
            .checked_mul(86_400)
            .map_or(time::Duration::MAX, time::Duration::seconds);
        if run.now.0 - since.0 > limit {
            return Err(Error::source_unavailable(format!(
                "continuous sample download failures have been being observed for samples from \
                 more than {max_days} days (see the related recent WARNING log messages for more \
                 information...)"
            )));
        }
        Ok(false)
    }

    fn current(&self) -> Result<&MispState> {
        self.state
            .as_ref()
            .ok_or_else(|| Error::bug("the MISP state is not set"))
    }

    fn current_mut(&mut self) -> Result<&mut MispState> {
        self.state
            .as_mut()
            .ok_or_else(|| Error::bug("the MISP state is not set"))
    }
}

impl Collect for MispCollector {
    fn collect(&mut self, out: &mut Output<'_, Option<MispState>>) -> Result<()> {
        tracing::info!("Collector activity started.");
        let now = now_of(out.clock())?;
        let state = match self.state.take() {
            Some(state) => state,
            None => self.default_state(now)?,
        };
        let overdue = state.overdue_samples();
        let events_since = state.events_last_proc_datetime;
        self.state = Some(state);
        self.check_client_options()?;
        let run = Run {
            now,
            source: format!("{}.misp", self.config.source_provider),
            minimum_tlp: self.config.minimum_tlp.clone(),
            settings: self.settings()?,
        };
        // One list value: published as it is, then read for samples (no copy).
        let events = self.fetch_events(&run, events_since)?.map(PyJson::Array);
        match &events {
            Some(list) => {
                tracing::info!(
                    "Fetched {} event(s). They are to be published...",
                    list.as_array().map_or(0, Vec::len)
                );
                out.message(pyjson::dumps(list).into_bytes())
                    .source(run.source.as_str())
                    .meta(Self::meta(&run))
                    .publish()?;
                self.current_mut()?.events_last_proc_datetime = now;
                self.save(out)?;
                tracing::info!("Published the event(s).");
            }
            None => {
                self.current_mut()?.events_last_proc_datetime = now;
                if overdue {
                    tracing::info!(
                        "No new events, but there are overdue malware samples to publish."
                    );
                    self.save(out)?;
                } else {
                    tracing::info!("No events or malware samples to publish.");
                    self.current_mut()?.finish_samples(now);
                    self.save(out)?;
                    tracing::info!("Collector activity finishes without a fatal error.");
                    return Ok(());
                }
            }
        }
        let fresh = match events {
            Some(PyJson::Array(list)) => Some(list),
            _ => None,
        };
        self.process_samples(out, &run, overdue, fresh)?;
        tracing::info!("Collector activity finishes without a fatal error.");
        Ok(())
    }
}
