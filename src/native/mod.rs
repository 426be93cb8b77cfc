//! The native face: the reqwest transport, on-disk layouts, stored credentials and the CLI.

pub mod auth_file;
pub mod bounded_read;
pub mod cli;
pub mod codec;
pub mod gpg;
pub mod layout;
pub mod lookaside;
pub mod process;
pub mod registries_d;
pub mod sync_config;
pub mod transport;
