//! Sync: how entries made on a phone reach the server exactly once, and how the server's view of
//! the user's scope comes back (`ARCHITECTURE.md`, "The sync protocol").
//!
//! - [`protocol`]: the versioned wire types of the two calls, `push` and `pull`.
//! - [`mutations`]: the registry of mutation types: names, arguments, validation and how each one
//!   changes the device's local view. The server's side of each lives in `server::sync`.
//! - [`outbox`]: the device's queue of mutations with gap-free sequence numbers, one storage key per
//!   mutation, and the local view (last pulled snapshot plus pending mutations replayed on top).

pub mod day;
pub mod drafts;
pub mod mutations;
pub mod outbox;
pub mod protocol;
