//! Athar's stories, told on the real parts: the database layer on SQLite and (when
//! `ATHAR_TEST_POSTGRES_URL` names a server, always in CI) PostgreSQL, the whole router in
//! process, and the release-shaped `athar` binary over TCP. One test binary, a module per area;
//! `support` is the setup they all share (and the benches too).
//!
//! | module | what it tells |
//! |---|---|
//! | `database` | migrations, the demo set, scope per role, sign-in and sessions, the scope rule |
//! | `sync` | push and pull on the database layer, by record kind (`sync/visits.rs`, …) |
//! | `properties` | exactly-once under bad delivery, on the model and on each engine |
//! | `http` | pages, server functions, sessions, and the role × scope matrix |
//! | `exports` | dashboards' exports and the BI endpoints |
//! | `indicators` | the starter catalogue, targets, totals against their cells |
//! | `faults` | the binary killed mid-push; two instances on one PostgreSQL |
//! | `cli` | the command line's errors and the HTTPS listener |

#![allow(clippy::expect_used, reason = "tests: a failed step is a failed test")]

mod support;

mod admin;
mod cli;
mod database;
mod demo;
mod evidence;
mod exports;
mod faults;
mod hardening;
mod http;
mod import;
mod indicators;
mod programme;
mod properties;
mod setup;
mod sync;
