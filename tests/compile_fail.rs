//! The compile-time checks of `#[derive(StatefulCollector)]`, as documentation: every
//! file under `tests/ui/` starts with a comment saying what was wrong and what to write
//! instead; the `.stderr` beside it is the exact message. `tests/ui/pass/` must compile
//! and run. Regenerate messages with `TRYBUILD=overwrite cargo test --test compile_fail`
//! and review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/collector/*.rs");
    t.compile_fail("tests/ui/config-spec/*.rs");
    t.compile_fail("tests/ui/state/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
