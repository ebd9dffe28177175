// The `#[args]` field's type must be a `clap::Args` struct implementing
// `n6_collectors::cli::CollectorArgs` (`impl CollectorArgs for MyArgs {}` is enough
// when the main config section keeps the struct's name).

use n6_collectors::StatefulCollector;

#[derive(Debug, Clone)]
pub struct MyArgs {
    verbose_source: bool,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: (),
    #[args]
    args: MyArgs,
}

fn main() {}
