//! What pages share: the frame of every page, panels, tags, role gates, form views, saving.

pub mod attachments;
pub mod draft;
pub mod form_view;
pub mod gate;
pub mod import;
pub mod layout;
pub mod panels;
pub mod post_form;
pub mod save;
pub mod tags;
pub mod visit_fields;
