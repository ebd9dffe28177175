//! The table of the family: one line per collector.
//!
//! Each [`Entry`] names n6's class (also the config section and the struct name) and
//! module, runs the collector with the framework's whole command line, and says how its
//! state looks as n6's Python value (for `state export-pickle` and the conformance
//! replay).

use std::ffi::OsString;

pub use n6_collectors::pickle::PythonForm;

use crate::*;

/// One collector of the family.
#[derive(Clone, Copy)]
pub struct Entry {
    /// n6's class name, e.g. `SpamhausDropCollector` (also the config section's name).
    pub class: &'static str,
    /// n6's module in `n6datasources.collectors`, e.g. `spamhaus`.
    pub module: &'static str,
    /// Runs the collector; the first argument is the program name. Returns the exit code.
    pub run: fn(Vec<OsString>) -> u8,
    /// The state as n6's Python value; `None` for collectors n6 keeps no state for.
    pub python_form: Option<PythonForm>,
}

impl Entry {
    /// n6's console-script name: `n6collector_` + the class name lower-cased without
    /// `collector` (`SpamhausDropCollector` → `n6collector_spamhausdrop`).
    pub fn script(&self) -> String {
        format!(
            "n6collector_{}",
            self.class.to_lowercase().replace("collector", "")
        )
    }

    /// n6's state file name: `n6datasources.collectors.{module}.{class}.pickle`.
    pub fn pickle_file_name(&self) -> String {
        format!(
            "n6datasources.collectors.{}.{}.pickle",
            self.module, self.class
        )
    }
}

const fn stateless<C: n6_collectors::Collect>(module: &'static str) -> Entry {
    Entry {
        class: C::META.name,
        module,
        run: n6_collectors::run_from::<C, Vec<OsString>, OsString>,
        python_form: None,
    }
}

const fn stateful<C: n6_collectors::Collect>(module: &'static str, form: PythonForm) -> Entry {
    Entry {
        class: C::META.name,
        module,
        run: n6_collectors::run_from::<C, Vec<OsString>, OsString>,
        python_form: Some(form),
    }
}

/// Every collector of the family, in n6's console-script order.
pub const COLLECTORS: &[Entry] = &[
    stateful::<abuse_ch::AbuseChFeodoTrackerCollector>("abuse_ch", forms::rows_state),
    stateful::<abuse_ch::AbuseChSslBlacklistCollector>("abuse_ch", forms::rows_state),
    stateful::<abuse_ch::AbuseChUrlhausPayloadSamplesCollector>(
        "abuse_ch",
        abuse_ch::payload_samples::python_form,
    ),
    stateful::<abuse_ch::AbuseChUrlhausPayloadsUrlsCollector>("abuse_ch", forms::rows_state),
    stateful::<abuse_ch::AbuseChUrlhausUrlsCollector>("abuse_ch", forms::rows_state),
    stateful::<cert_pl::CertPlShieldCollector>("cert_pl", forms::rows_state),
    stateless::<cesnet_cz::CesnetCzWardenCollector>("cesnet_cz"),
    stateless::<dan_tv::DanTvTorCollector>("dan_tv"),
    stateless::<dataplane::DataplaneDnsrdCollector>("dataplane"),
    stateless::<dataplane::DataplaneDnsrdanyCollector>("dataplane"),
    stateless::<dataplane::DataplaneDnsversionCollector>("dataplane"),
    stateless::<dataplane::DataplaneSipinvitationCollector>("dataplane"),
    stateless::<dataplane::DataplaneSipqueryCollector>("dataplane"),
    stateless::<dataplane::DataplaneSipregistrationCollector>("dataplane"),
    stateless::<dataplane::DataplaneSmtpdataCollector>("dataplane"),
    stateless::<dataplane::DataplaneSmtpgreetCollector>("dataplane"),
    stateless::<dataplane::DataplaneSshclientCollector>("dataplane"),
    stateless::<dataplane::DataplaneSshpwauthCollector>("dataplane"),
    stateless::<dataplane::DataplaneTelnetloginCollector>("dataplane"),
    stateless::<dataplane::DataplaneVncrfbCollector>("dataplane"),
    stateless::<greensnow_co::GreenSnowCoListTxtCollector>("greensnow_co"),
    stateless::<openphish::OpenphishWebBlCollector>("openphish"),
    stateless::<phishtank::PhishtankVerifiedCollector>("phishtank"),
    stateless::<sblam::SblamSpamCollector>("sblam"),
    stateless::<shadowserver::ShadowserverMailCollector>("shadowserver"),
    stateless::<spamhaus::SpamhausBotsCollector>("spamhaus"),
    stateless::<spamhaus::SpamhausDropCollector>("spamhaus"),
    stateless::<spamhaus::SpamhausEdropCollector>("spamhaus"),
    stateless::<spam404_com::Spam404ComScamListBlCollector>("spam404_com"),
    stateless::<stopforum::StopForumSpamCollector>("stopforum"),
    stateful::<tu_dresden_de::TuDresdenDeResolversCollector>(
        "tu_dresden_de",
        n6_collectors::pickle::write_form::generic_python_form,
    ),
    stateless::<turris_cz::TurrisCzGreylistCsvCollector>("turris_cz"),
    stateful::<withaname::WithanameDdosiaCollector>("withaname", forms::naive_datetime),
    stateful::<zoneh::ZonehRssCollector>("zoneh", forms::opset_of_tuples),
    stateful::<misp::MispCollector>("misp", misp::state::python_form),
    stateless::<amqp::AMQPCollector>("amqp"),
    stateless::<manual::ManualCollector>("manual"),
];

/// The collector named `name`: a console-script name with or without the
/// `n6collector_` prefix, or n6's class name.
pub fn find(name: &str) -> Option<&'static Entry> {
    let bare = name.strip_prefix("n6collector_").unwrap_or(name);
    COLLECTORS.iter().find(|entry| {
        entry.class == name || entry.script().strip_prefix("n6collector_") == Some(bare)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_names_are_n6s() {
        let drop = find("spamhausdrop").expect("listed");
        assert_eq!(drop.script(), "n6collector_spamhausdrop");
        assert_eq!(drop.class, "SpamhausDropCollector");
        assert_eq!(
            find("n6collector_spamhausdrop").map(|e| e.class),
            Some(drop.class)
        );
        assert_eq!(
            find("SpamhausDropCollector").map(|e| e.class),
            Some(drop.class)
        );
        assert!(find("n6collector_nosuch").is_none());
    }

    #[test]
    fn names_are_unique() {
        let mut scripts: Vec<String> = COLLECTORS.iter().map(Entry::script).collect();
        scripts.sort();
        scripts.dedup();
        assert_eq!(scripts.len(), COLLECTORS.len());
    }
}
