//! `--retry-times` / `--retry-delay`: repeat a whole operation after a retryable failure, as
//! skopeo does (exponential delay of 2^attempt seconds unless `--retry-delay` fixes it).
//! Retrying a copy is cheap: blobs that made it to the destination are skipped the next time.

use std::future::Future;
use std::time::Duration;

use clap::Args;

use super::options::parse_go_duration;
use crate::error::Result;

/// The retry flags.
#[derive(Debug, Clone, Args, Default)]
pub struct RetryOptions {
    /// Number of times to retry after a network or registry failure
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retry_times: u32,
    /// Fixed delay between retries (default: exponential, 2^attempt seconds)
    #[arg(long, value_name = "DURATION", value_parser = parse_go_duration)]
    pub retry_delay: Option<Duration>,
}

impl RetryOptions {
    /// Runs `operation` until it succeeds, fails for good, or the retries run out.
    pub async fn run<T, F, Fut>(&self, mut operation: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut attempt = 0;
        loop {
            match operation().await {
                Err(e) if e.is_retryable() && attempt < self.retry_times => {
                    attempt += 1;
                    let delay = self.retry_delay.unwrap_or_else(|| Duration::from_secs(1u64 << attempt.min(6)));
                    eprintln!("warning: {e}; retrying in {delay:?} (attempt {attempt} of {})", self.retry_times);
                    tokio::time::sleep(delay).await;
                }
                other => return other,
            }
        }
    }
}
