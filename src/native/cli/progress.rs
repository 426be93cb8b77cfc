//! Copy progress on stderr (never stdout): a bar per blob on a terminal, skopeo's lines
//! otherwise ("Copying blob sha256:…", "Writing manifest to image destination"), nothing with `-q`.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::copy::{BlobOutcome, Progress, Silent};
use crate::image::BlobInfo;

/// The progress reporter for a command: silent, lines, or bars.
pub fn reporter(quiet: bool) -> Arc<dyn Progress> {
    if quiet {
        Arc::new(Silent)
    } else if std::io::stderr().is_terminal() {
        Arc::new(Bars::new())
    } else {
        Arc::new(Lines)
    }
}

fn is_config(blob: &BlobInfo) -> bool {
    blob.media_type.contains("config")
}

fn kind(blob: &BlobInfo) -> &'static str {
    if is_config(blob) {
        "config"
    } else {
        "blob"
    }
}

fn say(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// skopeo's plain lines, for logs and pipes.
pub struct Lines;

impl Progress for Lines {
    fn start(&self) {
        say("Getting image source signatures");
    }

    fn blob_finished(&self, blob: &BlobInfo, outcome: BlobOutcome) {
        match outcome {
            BlobOutcome::Copied => say(&format!("Copying {} {}", kind(blob), blob.digest)),
            BlobOutcome::Skipped => say(&format!("Copying {} {} skipped: already exists", kind(blob), blob.digest)),
            BlobOutcome::Mounted => {
                say(&format!("Copying {} {} skipped: mounted from another repository", kind(blob), blob.digest))
            }
        }
    }

    fn writing_manifest(&self) {
        say("Writing manifest to image destination");
    }

    fn signing(&self) {
        say("Signing manifest using simple signing");
    }

    fn storing_signatures(&self) {
        say("Storing signatures");
    }

    fn instance_started(&self, index: usize, count: usize) {
        say(&format!("Copying image {index}/{count}"));
    }
}

/// A progress bar per blob, with bytes and speed.
pub struct Bars {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    fn new() -> Self {
        Bars { multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()), bars: Mutex::new(HashMap::new()) }
    }

    fn style() -> ProgressStyle {
        ProgressStyle::with_template("{prefix:.bold} {bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
    }

    fn short(blob: &BlobInfo) -> String {
        format!("Copying {} {}", kind(blob), &blob.digest.hex()[..12])
    }
}

impl Progress for Bars {
    fn start(&self) {
        let _ = self.multi.println("Getting image source signatures");
    }

    fn blob_started(&self, blob: &BlobInfo) {
        let bar = self.multi.add(ProgressBar::new(blob.size.unwrap_or(0)));
        bar.set_style(Self::style());
        bar.set_prefix(Self::short(blob));
        self.bars.lock().unwrap_or_else(|p| p.into_inner()).insert(blob.digest.to_string(), bar);
    }

    fn blob_advanced(&self, blob: &BlobInfo, bytes: u64) {
        if let Some(bar) = self.bars.lock().unwrap_or_else(|p| p.into_inner()).get(&blob.digest.to_string()) {
            bar.inc(bytes);
        }
    }

    fn blob_finished(&self, blob: &BlobInfo, outcome: BlobOutcome) {
        if let Some(bar) = self.bars.lock().unwrap_or_else(|p| p.into_inner()).remove(&blob.digest.to_string()) {
            let message = match outcome {
                BlobOutcome::Copied => "done",
                BlobOutcome::Skipped => "skipped: already exists",
                BlobOutcome::Mounted => "skipped: mounted",
            };
            bar.finish_with_message(message);
        }
    }

    fn writing_manifest(&self) {
        let _ = self.multi.println("Writing manifest to image destination");
    }

    fn signing(&self) {
        let _ = self.multi.println("Signing manifest using simple signing");
    }

    fn storing_signatures(&self) {
        let _ = self.multi.println("Storing signatures");
    }

    fn instance_started(&self, index: usize, count: usize) {
        let _ = self.multi.println(format!("Copying image {index}/{count}"));
    }
}
