//! Images independent of where they live: sources, configs and the inspect summary.

pub mod config;
pub mod inspect;
pub mod name;
pub mod source;
pub mod time;

pub use inspect::{InspectOutput, ResolvedImage};
pub use source::{ImageSource, RegistrySource};
