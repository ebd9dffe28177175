//! `n6-state`: look at n6-collectors state files (and n6's pickles) without their
//! collector. See [`n6_collectors::tooling::generic`].

fn main() -> std::process::ExitCode {
    n6_collectors::tooling::generic::main()
}
