//! Go's `time.Duration` text: `time.ParseDuration` (the grammar of skopeo's `--retry-delay` and
//! `--command-timeout`) and `Duration.String` (`1m30s`, `500ms`, `1.5µs`).
//!
//! Go's durations are signed 64-bit nanoseconds; [`std::time::Duration`] is unsigned, so a
//! negative duration (other than zero) is refused here, and so is one beyond Go's ~292 years.

use std::time::Duration;

/// Nanoseconds per unit, as Go's `unitMap` has them (`µs` with U+00B5 or U+03BC).
fn unit_nanos(unit: &str) -> Option<u64> {
    Some(match unit {
        "ns" => 1,
        "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// The largest magnitude Go can represent, in nanoseconds (`1<<63`, for a negative value).
const MAX_MAGNITUDE: u64 = 1 << 63;

/// Go's `time.ParseDuration`: a possibly signed sequence of decimal numbers, each with an
/// optional fraction and a unit (`300ms`, `1.5h`, `2h45m`; units `ns`, `us`/`µs`, `ms`, `s`,
/// `m`, `h`); `0` alone needs no unit. Errors carry Go's messages (`time: missing unit in
/// duration "10"`), plus one for negative durations, which [`Duration`] cannot hold.
pub fn parse(input: &str) -> Result<Duration, String> {
    let quoted = format!("{input:?}");
    let invalid = || format!("time: invalid duration {quoted}");
    let mut s = input;
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !s.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        // The integer part; overflow is an error.
        let int_len = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let mut value: u64 = 0;
        for digit in s[..int_len].bytes() {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(digit - b'0')))
                .filter(|v| *v <= MAX_MAGNITUDE)
                .ok_or_else(invalid)?;
        }
        s = &s[int_len..];
        // The fraction: digits past what fits are read and dropped, as Go's leadingFraction.
        let (mut fraction, mut scale, mut frac_len) = (0u64, 1f64, 0usize);
        if let Some(rest) = s.strip_prefix('.') {
            s = rest;
            frac_len = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            let mut overflowed = false;
            for digit in s[..frac_len].bytes() {
                if overflowed {
                    continue;
                }
                match fraction.checked_mul(10).and_then(|v| v.checked_add(u64::from(digit - b'0'))) {
                    Some(v) if v <= MAX_MAGNITUDE => {
                        fraction = v;
                        scale *= 10.0;
                    }
                    _ => overflowed = true,
                }
            }
            s = &s[frac_len..];
        }
        if int_len == 0 && frac_len == 0 {
            return Err(invalid()); // no digits, e.g. ".s"
        }
        let unit_len = s.find(|c: char| c == '.' || c.is_ascii_digit()).unwrap_or(s.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {quoted}"));
        }
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        let nanos = unit_nanos(unit).ok_or_else(|| format!("time: unknown unit {unit:?} in duration {quoted}"))?;
        if value > MAX_MAGNITUDE / nanos {
            return Err(invalid());
        }
        value *= nanos;
        if fraction > 0 {
            // As Go: float64 keeps fractions of an hour accurate to the nanosecond.
            value += (fraction as f64 * (nanos as f64 / scale)) as u64;
            if value > MAX_MAGNITUDE {
                return Err(invalid());
            }
        }
        total = total.checked_add(value).filter(|t| *t <= MAX_MAGNITUDE).ok_or_else(invalid)?;
    }
    if negative && total > 0 {
        return Err(format!("time: negative duration {quoted}"));
    }
    if total > MAX_MAGNITUDE - 1 {
        return Err(invalid());
    }
    Ok(Duration::from_nanos(total))
}

/// Go's `Duration.String`: `0s`; under a second in the largest unit that keeps an integer part
/// (`1.5µs`, `500ms`); otherwise hours, minutes and seconds (`1h0m0.5s`, `1m30s`), trailing
/// zeros of the fraction dropped.
pub fn format(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000_000_000 {
        let (digits, unit) = match nanos {
            n if n < 1_000 => (0, "ns"),
            n if n < 1_000_000 => (3, "\u{b5}s"),
            _ => (6, "ms"),
        };
        return format!("{}{unit}", with_fraction(nanos, digits));
    }
    let seconds = with_fraction(nanos % 60_000_000_000, 9);
    let minutes = nanos / 60_000_000_000;
    match (minutes / 60, minutes % 60) {
        (0, 0) => format!("{seconds}s"),
        (0, m) => format!("{m}m{seconds}s"),
        (h, m) => format!("{h}h{m}m{seconds}s"),
    }
}

/// `value / 10^digits` in decimal, the fraction's trailing zeros (and a bare point) dropped.
fn with_fraction(value: u128, digits: u32) -> String {
    let scale = 10u128.pow(digits);
    let (int, frac) = (value / scale, value % scale);
    if frac == 0 {
        return int.to_string();
    }
    let frac = format!("{frac:0width$}", width = digits as usize);
    format!("{int}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    /// Go's `parseDurationTests` that fit an unsigned duration.
    #[test]
    fn parse_matches_go() {
        let table: &[(&str, u64)] = &[
            ("0", 0),
            ("5s", 5_000 * MS),
            ("30s", 30_000 * MS),
            ("1478s", 1_478_000 * MS),
            ("-0", 0),
            ("+5s", 5_000 * MS),
            ("5.0s", 5_000 * MS),
            ("5.6s", 5_600 * MS),
            ("5.s", 5_000 * MS),
            (".5s", 500 * MS),
            ("1.0s", 1_000 * MS),
            ("1.00s", 1_000 * MS),
            ("1.004s", 1_004 * MS),
            ("1.0040s", 1_004 * MS),
            ("100.00100s", 100_001 * MS),
            ("10ns", 10),
            ("11us", 11_000),
            ("12\u{b5}s", 12_000),
            ("12\u{3bc}s", 12_000),
            ("13ms", 13 * MS),
            ("14s", 14_000 * MS),
            ("15m", 15 * 60_000 * MS),
            ("16h", 16 * 3_600_000 * MS),
            ("3h30m", 210 * 60_000 * MS),
            ("10.5s4m", (4 * 60_000 + 10_500) * MS),
            ("1h2m3s4ms5us6ns", 3_723_004_005_006),
            ("39h9m14.425s", 140_954_425 * MS),
            ("52763797000ns", 52_763_797_000),
            ("0.3333333333333333333h", 20 * 60_000 * MS),
            ("9007199254740993ns", (1 << 53) + 1),
            ("9223372036854775807ns", (1 << 63) - 1),
            ("9223372036854775.807us", (1 << 63) - 1),
            ("9223372036s854ms775us807ns", (1 << 63) - 1),
            ("0.100000000000000000000h", 6 * 60_000 * MS),
            ("0.830103483285477580700h", 49 * 60_000 * MS + 48_372_539_827),
        ];
        for (input, nanos) in table {
            assert_eq!(parse(input), Ok(Duration::from_nanos(*nanos)), "ParseDuration({input:?})");
        }
        assert_eq!(parse("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
    }

    /// Go's `parseDurationErrorTests`, with Go's messages, and what only Go can hold.
    #[test]
    fn parse_refuses_as_go() {
        for input in
            ["", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "\u{85}\u{85}", "\u{ffff}", "9223372036854775810ns"]
        {
            assert!(parse(input).is_err(), "ParseDuration({input:?}) should fail");
        }
        assert_eq!(parse("").unwrap_err(), "time: invalid duration \"\"");
        assert_eq!(parse("10").unwrap_err(), "time: missing unit in duration \"10\"");
        assert_eq!(parse("1d").unwrap_err(), "time: unknown unit \"d\" in duration \"1d\"");
        assert_eq!(parse("1.2.3s").unwrap_err(), "time: missing unit in duration \"1.2.3s\"");
        assert_eq!(parse("9223372036854775808ns").unwrap_err(), "time: invalid duration \"9223372036854775808ns\"");
        assert_eq!(parse("3000000h").unwrap_err(), "time: invalid duration \"3000000h\"");
        assert_eq!(parse("-1.5h").unwrap_err(), "time: negative duration \"-1.5h\"");
        assert_eq!(parse(" 1s").unwrap_err(), "time: invalid duration \" 1s\"");
    }

    /// Go's `durationTests` for `Duration.String`.
    #[test]
    fn format_matches_go() {
        let table: &[(u64, &str)] = &[
            (0, "0s"),
            (1, "1ns"),
            (1_100, "1.1\u{b5}s"),
            (2_200 * 1_000, "2.2ms"),
            (3_300 * MS, "3.3s"),
            ((4 * 60 + 5) * 1_000 * MS, "4m5s"),
            ((4 * 60 * 1_000 + 5_001) * MS, "4m5.001s"),
            (((5 * 60 + 6) * 60 * 1_000 + 7_001) * MS, "5h6m7.001s"),
            (8 * 60_000 * MS + 1_001, "8m0.000001001s"),
            ((1 << 63) - 1, "2562047h47m16.854775807s"),
            (90_000 * MS, "1m30s"),
            (500 * MS, "500ms"),
            (3_600_000 * MS, "1h0m0s"),
            (3_600_500 * MS, "1h0m0.5s"),
            (64_000 * MS, "1m4s"),
        ];
        for (nanos, want) in table {
            assert_eq!(format(Duration::from_nanos(*nanos)), *want, "Duration({nanos}).String()");
        }
    }

    #[test]
    fn format_and_parse_round_trip() {
        for text in ["1h2m3.004005006s", "1.5\u{b5}s", "999ms", "59m59.999999999s", "12ns"] {
            let duration = parse(text).unwrap();
            assert_eq!(format(duration), text);
            assert_eq!(parse(&format(duration)), Ok(duration));
        }
    }
}
