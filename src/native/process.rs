//! Running a helper program (`gpg`, `docker-credential-*`): arguments, bytes on its standard
//! input, and everything it printed, without the deadlock of writing a large input while it
//! waits to write a large output.

use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::error::{Error, Result};

/// Runs `program` with `args`, feeding it `input`, and returns its exit status and output;
/// `what` names the program in errors ("running credential helper docker-credential-pass").
pub fn run_with_input(program: &OsStr, args: &[&OsStr], input: &[u8], what: &str) -> Result<Output> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(what.to_string(), e))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    // A program that exits without reading all of its input is not an error of ours.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().map_err(|e| Error::io(what.to_string(), e))?;
    let _ = writer.join();
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_goes_in_and_output_comes_back() {
        let big = vec![b'x'; 1 << 20];
        let output = run_with_input(OsStr::new("cat"), &[], &big, "running cat").unwrap();
        assert!(output.status.success());
        assert_eq!(output.stdout.len(), big.len(), "a large input and output do not deadlock");
    }

    #[test]
    fn a_missing_program_is_an_error_naming_it() {
        let err = run_with_input(OsStr::new("skopos-no-such-program"), &[], b"", "running skopos-no-such-program")
            .unwrap_err();
        assert!(err.to_string().starts_with("running skopos-no-such-program: "), "{err}");
    }
}
