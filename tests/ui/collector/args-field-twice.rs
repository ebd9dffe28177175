// Only one field can hold the collector's own arguments: flatten the argument structs
// into one (`#[command(flatten)] section: SectionArg` inside your `clap::Args` struct).

use n6_collectors::StatefulCollector;
use n6_collectors::cli::{NoArgs, SectionArg};

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[args]
    section: SectionArg,
    #[args]
    more: NoArgs,
}

fn main() {}
