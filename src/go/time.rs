//! Timestamps as Go prints them: skopeo's JSON carries `time.Time` values re-encoded with
//! RFC 3339 nanosecond precision (trailing zeros trimmed, `Z` for UTC), `--format` templates
//! print them with `time.Time.String()`, and log lines carry `time.RFC3339` seconds.

/// A parsed RFC 3339 timestamp, kept in its own offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    date: String,
    time: String,
    nanos: String,
    offset_minutes: i32,
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    pub fn parse(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b.get(r.clone()).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
        if b.len() < 20 || !digits(0..4) || b[4] != b'-' || !digits(5..7) || b[7] != b'-' || !digits(8..10) {
            return None;
        }
        if !matches!(b[10], b'T' | b't')
            || !digits(11..13)
            || b[13] != b':'
            || !digits(14..16)
            || b[16] != b':'
            || !digits(17..19)
        {
            return None;
        }
        let mut i = 19;
        let mut nanos = String::new();
        if b[i] == b'.' {
            let start = i + 1;
            i = start;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start || i - start > 9 {
                return None;
            }
            nanos = s[start..i].trim_end_matches('0').to_string();
        }
        let offset_minutes = match &s[i..] {
            "Z" | "z" => 0,
            zone if zone.len() == 6 && matches!(zone.as_bytes()[0], b'+' | b'-') && zone.as_bytes()[3] == b':' => {
                let hours: i32 = zone[1..3].parse().ok()?;
                let minutes: i32 = zone[4..6].parse().ok()?;
                let sign = if zone.starts_with('-') { -1 } else { 1 };
                sign * (hours * 60 + minutes)
            }
            _ => return None,
        };
        Some(Timestamp { date: s[..10].to_string(), time: s[11..19].to_string(), nanos, offset_minutes })
    }

    /// Go's `time.RFC3339Nano` form, as `encoding/json` writes a `time.Time`.
    pub fn to_rfc3339_nano(&self) -> String {
        let frac = if self.nanos.is_empty() { String::new() } else { format!(".{}", self.nanos) };
        let zone = if self.offset_minutes == 0 { "Z".to_string() } else { self.offset_colon() };
        format!("{}T{}{frac}{zone}", self.date, self.time)
    }

    /// Go's `time.Time.String()` form: `2006-01-02 15:04:05.999999999 -0700 MST`.
    pub fn to_go_string(&self) -> String {
        let frac = if self.nanos.is_empty() { String::new() } else { format!(".{}", self.nanos) };
        let numeric = self.offset_colon().replace(':', "");
        let name = if self.offset_minutes == 0 { "UTC".to_string() } else { numeric.clone() };
        let numeric = if self.offset_minutes == 0 { "+0000".to_string() } else { numeric };
        format!("{} {}{frac} {numeric} {name}", self.date, self.time)
    }

    fn offset_colon(&self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let m = self.offset_minutes.abs();
        format!("{sign}{:02}:{:02}", m / 60, m % 60)
    }
}

/// Re-encodes a timestamp string the way Go's JSON round trip does; unparseable input is kept.
pub fn normalize(s: &str) -> String {
    Timestamp::parse(s).map(|t| t.to_rfc3339_nano()).unwrap_or_else(|| s.to_string())
}

/// Unix seconds as Go's `time.Unix(secs, 0).UTC().Format(time.RFC3339)`: `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_formats() {
        assert_eq!(normalize("2016-06-20T19:33:43.220526898Z"), "2016-06-20T19:33:43.220526898Z");
        assert_eq!(normalize("2023-01-02T03:04:05.120000000Z"), "2023-01-02T03:04:05.12Z");
        assert_eq!(normalize("2023-01-02T03:04:05.000Z"), "2023-01-02T03:04:05Z");
        assert_eq!(normalize("2023-01-02T03:04:05+00:00"), "2023-01-02T03:04:05Z");
        assert_eq!(normalize("2023-01-02T03:04:05.5-07:30"), "2023-01-02T03:04:05.5-07:30");
        assert_eq!(normalize("yesterday"), "yesterday");
        let t = Timestamp::parse("2016-06-20T19:33:43.220526898Z").unwrap();
        assert_eq!(t.to_go_string(), "2016-06-20 19:33:43.220526898 +0000 UTC");
        let t = Timestamp::parse("2016-06-20T19:33:43+02:00").unwrap();
        assert_eq!(t.to_go_string(), "2016-06-20 19:33:43 +0200 +0200");
        assert!(Timestamp::parse("2016-06-20T19:33:43.Z").is_none());
        assert!(Timestamp::parse("2016-06-20T19:33:43é").is_none());
    }

    #[test]
    fn unix_seconds_as_rfc3339() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_709_287_203), "2024-03-01T10:00:03Z");
        // The leap day, the turn of a century that is not a leap year, and before 1970.
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(rfc3339_utc(4_107_542_400), "2100-03-01T00:00:00Z");
        assert_eq!(rfc3339_utc(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339_utc(253_402_300_799), "9999-12-31T23:59:59Z");
    }
}
