//! Fuzzes `Reference::parse`: it must never panic, and whatever it accepts must parse again,
//! from its displayed form, to an equal reference.
//!
//! Run with `cargo +nightly fuzz run reference` from the crate root.

#![no_main]

use libfuzzer_sys::fuzz_target;
use skopos::Reference;

fuzz_target!(|input: &str| {
    let Ok(reference) = Reference::parse(input) else { return };
    let shown = reference.to_string();
    let again = Reference::parse(&shown).unwrap_or_else(|e| panic!("{input:?} parsed but {shown:?} did not: {e}"));
    assert_eq!(again, reference, "{input:?} → {shown:?}");
    assert_eq!(again.to_string(), shown);
});
