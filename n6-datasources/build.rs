//! Link flags of the family's binaries (`n6collector`, and the examples, among them
//! `single_collector`, its start-up baseline).
//!
//! On Linux with glibc: `-z pack-relative-relocs` (RELR). A position-independent
//! executable carries one relative relocation per pointer in its data (tables of
//! `&'static str`, vtables, panic locations), about 26 000 in `n6collector`; as RELA
//! entries they are 24 bytes each, 600 KiB the dynamic loader reads at every start, as
//! RELR a bitmap of a few KiB. The binary stays position-independent and is relocated
//! the same way; it needs glibc 2.36 or newer to run (the linker adds a dependency on
//! `GLIBC_ABI_DT_RELR`), and GNU ld 2.38 / lld 15 or newer to link.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        for targets in ["bins", "examples"] {
            println!("cargo:rustc-link-arg-{targets}=-Wl,-z,pack-relative-relocs");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
