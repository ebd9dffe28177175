// `#[args]` takes no arguments: the field's type, a `clap::Args` struct, declares every
// argument. Write `#[args] args: MyArgs`.

use n6_collectors::StatefulCollector;
use n6_collectors::cli::SectionArg;

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[args(positional)]
    args: SectionArg,
}

fn main() {}
