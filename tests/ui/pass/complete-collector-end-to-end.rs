// A complete stateful collector (the struct, its state and its logic: about 30 lines),
// run end to end through the real lifecycle three times: the first run publishes every
// item and saves the state, the second publishes nothing, the third only the new item.

use n6_collectors::StatefulCollector;
use n6_collectors::prelude::*;

#[derive(StatefulCollector)]
#[collector(source = "example-org.items", raw_type = "stream")]
#[config_spec(r#"
    items :: list_of_str
    max_per_run = 100 :: int
"#)]
pub struct ItemsCollector {
    config: ItemsCollectorConfig,
    #[state]
    state: Progress,
}

#[derive(Default, Serialize, Deserialize)]
pub struct Progress {
    published: usize,
}

impl Collect for ItemsCollector {
    fn collect(&mut self, out: &mut Output<'_, Progress>) -> Result<()> {
        let limit = usize::try_from(self.config.max_per_run).or_bad_data("max_per_run")?;
        for item in self.config.items.iter().skip(self.state.published).take(limit) {
            out.publish(item.as_bytes())?;
            self.state.published += 1;
        }
        Ok(())
    }
}

fn run(dir: &std::path::Path, items: &str) -> (u8, usize) {
    std::fs::write(dir.join("50_items.conf"), format!("[ItemsCollector]\nitems = {items}\n")).unwrap();
    let out = dir.join("out.jsonl");
    let args = [
        "items".as_ref(),
        "--config-dir".as_ref(),
        dir.as_os_str(),
        "--state-dir".as_ref(),
        dir.as_os_str(),
        "--output".as_ref(),
        out.as_os_str(),
    ];
    let code = n6_collectors::run_from::<ItemsCollector, _, _>(args.map(std::ffi::OsStr::to_os_string));
    let lines = std::fs::read_to_string(&out).map(|s| s.lines().count()).unwrap_or(0);
    (code, lines)
}

fn main() {
    let dir = std::env::temp_dir().join(format!("n6-derive-pass-{}", std::process::id()));
    std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700).create(&dir).unwrap();

    assert_eq!(run(&dir, "a, b, c"), (0, 3));
    assert!(dir.join(ItemsCollector::META.state_file_name()).is_file());
    assert_eq!(run(&dir, "a, b, c"), (0, 3));
    assert_eq!(run(&dir, "a, b, c, d"), (0, 4));

    std::fs::remove_dir_all(&dir).unwrap();
}
