//! The server's side of sync: the push engine, the server half of each mutation type, and the
//! in-memory reference model of the storage port (`server::db::store`) both engines implement.

pub mod engine;
pub mod import;
pub mod memory;
pub mod mutations;
pub mod resolve;
pub mod review;

pub use engine::{PushInput, push};
