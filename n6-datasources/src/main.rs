//! `n6collector`: every collector of the family in one binary.
//!
//! ```text
//! n6collector --list                     # console-script name and n6 class, one a line
//! n6collector NAME ARGS...               # run one (NAME with or without n6collector_)
//! n6collector install-links DIR          # DIR/n6collector_NAME -> this binary, for all
//! n6collector_NAME ARGS...               # through such a link: run that one
//! ```

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use n6_datasources::registry::{self, COLLECTORS, Entry};

const USAGE: &str =
    "usage: n6collector --list | n6collector install-links DIR | n6collector NAME [ARGS...]";

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let program = args
        .first()
        .and_then(|arg0| Path::new(arg0).file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    if program.starts_with("n6collector_") {
        return match registry::find(&program) {
            Some(entry) => run(entry, args.split_off(1)),
            None => {
                eprintln!(
                    "{program}: no such collector in this n6collector (see n6collector --list)"
                );
                ExitCode::from(64)
            }
        };
    }
    let rest = args.split_off(1.min(args.len()));
    let Some(first) = rest.first().map(|a| a.to_string_lossy().into_owned()) else {
        eprintln!("{USAGE}");
        return ExitCode::from(64);
    };
    match first.as_str() {
        "--list" | "list" => {
            let list: String = COLLECTORS
                .iter()
                .map(|entry| format!("{} {}\n", entry.script(), entry.class))
                .collect();
            print_list(&list)
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        "install-links" => match rest.get(1) {
            Some(dir) if rest.len() == 2 => install_links(Path::new(dir)),
            _ => {
                eprintln!("usage: n6collector install-links DIR");
                ExitCode::from(64)
            }
        },
        name => match registry::find(name) {
            Some(entry) => run(entry, rest.into_iter().skip(1).collect()),
            None => {
                eprintln!("n6collector: no collector named {name:?} (see n6collector --list)");
                ExitCode::from(64)
            }
        },
    }
}

/// Prints the list; a reader that stopped reading (`n6collector --list | head`) is fine.
fn print_list(list: &str) -> ExitCode {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(list.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("n6collector: cannot write the list to stdout: {e}");
            ExitCode::from(74)
        }
    }
}

fn run(entry: &Entry, args: Vec<OsString>) -> ExitCode {
    if let Some(form) = entry.python_form {
        n6_collectors::pickle::set_python_form(form);
    }
    let mut argv = vec![OsString::from(entry.script())];
    argv.extend(args);
    ExitCode::from((entry.run)(argv))
}

fn install_links(dir: &Path) -> ExitCode {
    let target = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("n6collector: cannot find this binary's path: {e}");
            return ExitCode::from(74);
        }
    };
    let mut failed = false;
    for entry in COLLECTORS {
        let link: PathBuf = dir.join(entry.script());
        match std::fs::symlink_metadata(&link) {
            Ok(meta) if meta.file_type().is_symlink() => {
                if let Err(e) = std::fs::remove_file(&link) {
                    eprintln!("n6collector: cannot replace {}: {e}", link.display());
                    failed = true;
                    continue;
                }
            }
            Ok(_) => {
                eprintln!(
                    "n6collector: {} exists and is not a link; left alone",
                    link.display()
                );
                failed = true;
                continue;
            }
            Err(_) => {}
        }
        match std::os::unix::fs::symlink(&target, &link) {
            Ok(()) => println!("{} -> {}", link.display(), target.display()),
            Err(e) => {
                eprintln!("n6collector: cannot create {}: {e}", link.display());
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::from(74)
    } else {
        ExitCode::SUCCESS
    }
}
