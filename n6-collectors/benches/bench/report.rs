//! The result table: one line per measurement, with its baseline, ratio and target.

use std::fmt::Write as _;

/// One measured comparison.
#[derive(Debug, Clone)]
pub struct Line {
    /// Which benchmark (`1 run overhead`, ...).
    pub bench: String,
    /// What was measured.
    pub measure: String,
    /// Our median, with its unit.
    pub ours: String,
    /// The baseline's name and median, with its unit.
    pub baseline: String,
    /// Ours relative to the baseline, e.g. `48.2× faster` or `0.93 of`.
    pub ratio: String,
    /// The target for this ratio.
    pub target: String,
    /// `Some(true)` met, `Some(false)` missed, `None` informational.
    pub met: Option<bool>,
}

/// All lines and the notes printed under the table.
#[derive(Debug, Default)]
pub struct Report {
    /// The table.
    pub lines: Vec<Line>,
    /// Facts printed below it (sizes, counts, skipped parts).
    pub notes: Vec<String>,
}

impl Report {
    /// Adds a line and echoes it to stderr at once (a full run takes minutes).
    pub fn push(&mut self, line: Line) {
        eprintln!(
            "  {} | {} | ours {} | {} | {} | target {} | {}",
            line.bench,
            line.measure,
            line.ours,
            line.baseline,
            line.ratio,
            line.target,
            verdict(line.met)
        );
        self.lines.push(line);
    }

    /// Adds a note and echoes it to stderr.
    pub fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        eprintln!("  note: {note}");
        self.notes.push(note);
    }

    /// The table as GitHub-flavoured Markdown, followed by the notes as a list.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "| benchmark | measure | ours | baseline (same run) | ratio | target | met |\n",
        );
        out.push_str("|---|---|---:|---:|---:|---|---|\n");
        for l in &self.lines {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                l.bench,
                l.measure,
                l.ours,
                l.baseline,
                l.ratio,
                l.target,
                verdict(l.met)
            );
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        out
    }

    /// True when no line missed its target.
    pub fn all_met(&self) -> bool {
        self.lines.iter().all(|l| l.met != Some(false))
    }
}

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "yes",
        Some(false) => "**NO**",
        None => "–",
    }
}

/// Seconds as a short human string: `812 µs`, `4.21 ms`, `1.234 s`.
pub fn secs(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.3} s")
    }
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
}
