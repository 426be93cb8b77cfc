//! The native integration tests, one binary (one link) for all of them: each module holds skopos
//! to skopeo's behaviour against real registries; `common` is the shared harness. See tests/README.md.

mod common;

mod archives;
mod bad_input;
mod copy_faults;
mod copy_layers;
mod copy_transports;
mod credentials;
mod global_flags;
mod local_transports;
mod login_delete;
mod registry_anonymous;
mod registry_basic_auth;
mod registry_tls;
mod registry_token_auth;
mod sigstore_keys;
mod sync;
mod trust;
