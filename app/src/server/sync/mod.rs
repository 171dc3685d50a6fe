//! The server's side of sync: the push engine, the server half of each mutation type, and the
//! storage interface both database engines (and the in-memory reference model) implement.

pub mod engine;
pub mod import;
pub mod memory;
pub mod mutations;
pub mod resolve;
pub mod review;
pub mod store;

pub use engine::{PushInput, push};
pub use store::SyncStore;
