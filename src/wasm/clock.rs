//! The wall clock of the JavaScript runtime (`Date.now()`), for [`crate::clock`].

/// Seconds since the Unix epoch.
pub fn now_secs() -> f64 {
    js_sys::Date::now() / 1000.0
}
