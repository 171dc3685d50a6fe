//! The pages, by feature. Which page answers which address is in `ui::routes`.

pub mod account;
pub mod entries;
pub mod home;
pub mod impact;
pub mod indicators;
pub mod login;
pub mod members;
pub mod milestones;
pub mod project;
pub mod review;
pub mod team;
pub mod timeline;
pub mod today;
pub mod visits;
