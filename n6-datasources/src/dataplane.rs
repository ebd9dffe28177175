//! n6's `n6datasources.collectors.dataplane`: twelve dataplane.org lists, each published
//! whole on every run (`blacklist`, `text/plain`, source `dataplane.<channel>`).

use crate::download_and_publish_collector as collector;

collector!(
    /// n6's `DataplaneDnsrdCollector`: `dataplane.dnsrd`.
    DataplaneDnsrdCollector, DataplaneDnsrdCollectorConfig, "dataplane.dnsrd", "blacklist", "text/plain"
);
collector!(
    /// n6's `DataplaneDnsrdanyCollector`: `dataplane.dnsrdany`.
    DataplaneDnsrdanyCollector, DataplaneDnsrdanyCollectorConfig, "dataplane.dnsrdany", "blacklist", "text/plain"
);
collector!(
    /// n6's `DataplaneDnsversionCollector`: `dataplane.dnsversion`.
    DataplaneDnsversionCollector, DataplaneDnsversionCollectorConfig, "dataplane.dnsversion", "blacklist", "text/plain"
);
collector!(
    /// n6's `DataplaneSipinvitationCollector`: `dataplane.sipinvitation`.
    DataplaneSipinvitationCollector, DataplaneSipinvitationCollectorConfig, "dataplane.sipinvitation", "blacklist", "text/plain"
);
collector!(
    /// n6's `DataplaneSipqueryCollector`: `dataplane.sipquery`.
    DataplaneSipqueryCollector, DataplaneSipqueryCollectorConfig, "dataplane.sipquery", "blacklist", "text/plain"
);
collector!(
    /// n6's `DataplaneSipregistrationCollector`: `dataplane.sipregistration`.
    DataplaneSipregistrationCollector, DataplaneSipregistrationCollectorConfig, "dataplane.sipregistration", "blacklist", "text/plain"
);
collector!(
    /// n6's `DataplaneSmtpdataCollector`: `dataplane.smtpdata`.
    DataplaneSmtpdataCollector, DataplaneSmtpdataCollectorConfig, "dataplane.smtpdata", "blacklist", "text/plain"
);
collector!(
    /// n6's `DataplaneSmtpgreetCollector`: `dataplane.smtpgreet`.
    DataplaneSmtpgreetCollector, DataplaneSmtpgreetCollectorConfig, "dataplane.smtpgreet", "blacklist", "text/plain"
);
collector!(
    /// n6's `DataplaneSshclientCollector`: `dataplane.sshclient`.
    DataplaneSshclientCollector, DataplaneSshclientCollectorConfig, "dataplane.sshclient", "blacklist", "text/plain"
);
collector!(
    /// n6's `DataplaneSshpwauthCollector`: `dataplane.sshpwauth`.
    DataplaneSshpwauthCollector, DataplaneSshpwauthCollectorConfig, "dataplane.sshpwauth", "blacklist", "text/plain"
);
collector!(
    /// n6's `DataplaneTelnetloginCollector`: `dataplane.telnetlogin`.
    DataplaneTelnetloginCollector, DataplaneTelnetloginCollectorConfig, "dataplane.telnetlogin", "blacklist", "text/plain"
);
collector!(
    /// n6's `DataplaneVncrfbCollector`: `dataplane.vncrfb`.
    DataplaneVncrfbCollector, DataplaneVncrfbCollectorConfig, "dataplane.vncrfb", "blacklist", "text/plain"
);
