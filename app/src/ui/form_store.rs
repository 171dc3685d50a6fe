//! The form definitions a phone uses: every version the server sent at the last sync (kept in
//! device storage), and the versions this build ships, so capture works offline from the very
//! first start. A new entry takes the latest version the phone holds; an entry already made
//! opens with the version it was made with, even after a newer one arrived.

use crate::domain::entry::{DIAGNOSTIC_FORM, SSE_FORM};
use crate::domain::form::FormDefinition;
use crate::domain::indicator::value::INDICATOR_FORM;
use crate::domain::{MEMBER_FORM, VISIT_FORM};
use std::sync::Arc;

/// The version of form `id` this build ships, if it ships one.
pub fn shipped(id: &str) -> Option<FormDefinition> {
    let text = match id {
        MEMBER_FORM => include_str!("../../forms/member.json"),
        DIAGNOSTIC_FORM => include_str!("../../forms/diagnostic.json"),
        SSE_FORM => include_str!("../../forms/sse_assessment.json"),
        VISIT_FORM => include_str!("../../forms/coaching_visit.json"),
        INDICATOR_FORM => include_str!("../../forms/indicator_entry.json"),
        _ => return None,
    };
    serde_json::from_str::<FormDefinition>(text)
        .ok()
        .filter(|f| f.id == id)
}

/// Form `id` at `version` (the latest when `None`), among the versions the server sent and
/// the one shipped.
pub fn choose(
    stored: &[FormDefinition],
    shipped: Option<FormDefinition>,
    id: &str,
    version: Option<u32>,
) -> Option<FormDefinition> {
    let candidates = stored.iter().filter(|f| f.id == id).cloned().chain(shipped);
    match version {
        Some(v) => candidates.into_iter().find(|f| f.version == v),
        None => candidates.max_by_key(|f| f.version),
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The stored forms, parsed once per fetch (keyed by the fetch's fingerprint).
    static STORED: std::cell::RefCell<Option<(String, std::rc::Rc<Vec<FormDefinition>>)>> =
        const { std::cell::RefCell::new(None) };
}

/// The versions the server sent at the last sync that fetched forms (none before the first).
fn stored() -> std::rc::Rc<Vec<FormDefinition>> {
    #[cfg(feature = "hydrate")]
    {
        use crate::storage::{BrowserStore, Key, KeyRead};
        let seen = BrowserStore
            .get(&Key::FormsSeen.path())
            .ok()
            .flatten()
            .unwrap_or_default();
        if let Some(forms) = STORED.with_borrow(|c| {
            c.as_ref()
                .filter(|(s, _)| *s == seen)
                .map(|(_, f)| f.clone())
        }) {
            return forms;
        }
        let forms: Vec<FormDefinition> = BrowserStore
            .get(&Key::Forms.path())
            .ok()
            .flatten()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        let forms = std::rc::Rc::new(forms);
        STORED.set(Some((seen, forms.clone())));
        forms
    }
    #[cfg(not(feature = "hydrate"))]
    std::rc::Rc::new(Vec::new())
}

/// Form `id` at `version` (the latest the phone holds when `None`).
pub fn device_form(id: &str, version: Option<u32>) -> Option<Arc<FormDefinition>> {
    choose(&stored(), shipped(id), id, version).map(Arc::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(id: &str, v: u32) -> FormDefinition {
        let mut f = shipped(id).expect("shipped");
        f.version = v;
        f
    }

    #[test]
    fn every_form_a_phone_captures_with_ships_in_the_build() {
        for id in [
            MEMBER_FORM,
            DIAGNOSTIC_FORM,
            SSE_FORM,
            VISIT_FORM,
            INDICATOR_FORM,
        ] {
            let form = shipped(id).expect("ships");
            assert!(form.check().is_ok(), "{id}");
        }
    }

    #[test]
    fn a_new_entry_takes_the_latest_version_and_an_old_one_keeps_its_own() {
        let stored = [
            version(DIAGNOSTIC_FORM, 1),
            version(DIAGNOSTIC_FORM, 2),
            version(SSE_FORM, 3),
        ];
        let latest = choose(&stored, shipped(DIAGNOSTIC_FORM), DIAGNOSTIC_FORM, None);
        assert_eq!(latest.map(|f| f.version), Some(2));
        let old = choose(&stored, shipped(DIAGNOSTIC_FORM), DIAGNOSTIC_FORM, Some(1));
        assert_eq!(old.map(|f| f.version), Some(1));
        // Nothing fetched yet: the shipped version.
        assert_eq!(
            choose(&[], shipped(SSE_FORM), SSE_FORM, None).map(|f| f.version),
            Some(1)
        );
        // A version neither sent nor shipped: none (the entry is kept, and says so).
        assert_eq!(
            choose(&stored, shipped(DIAGNOSTIC_FORM), DIAGNOSTIC_FORM, Some(7)),
            None
        );
    }
}
