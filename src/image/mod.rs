//! Images independent of where they live: sources, configs and the inspect summary.

pub mod config;
pub mod destination;
pub mod inspect;
pub mod name;
pub mod registry_destination;
pub mod source;

pub use destination::{BlobInfo, ImageDestination, MountOrigin};
pub use inspect::{InspectOutput, ResolvedImage};
pub use registry_destination::RegistryDestination;
pub use source::{ImageSource, RegistrySource};
