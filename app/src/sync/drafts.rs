//! Forms kept as they are typed: what a capture form holds before *Enregistrer*, on the phone's
//! disk beside the outbox, so a tab, a browser or a phone killed mid-form gives it back.
//!
//! A draft lives under `athar/v1/u/<user>/draft/<name>`, in the durable store (IndexedDB with
//! strict durability, see `storage::durable`), one key per form: `<name>` says which form and
//! which entry (`visit/<project>/new`, `visit/<project>/<visit>`, `value/<project>/new`…). Saving
//! the form removes its draft in the same transaction as the entry's mutations, so the phone never
//! holds both or neither. The outbox's readers never see these keys (they read `m/`, `refused/`,
//! `client/`).
//!
//! A draft is not an entry: it never leaves the phone. Its photos stay on the phone with it, and
//! are neither sent nor forgotten while it names them.

use crate::domain::evidence::Evidence;
use crate::domain::form::Answers;
use crate::storage::{KeyRead, KeyValue, StorageError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One form as it was last typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// Unix ms when it was last kept.
    pub at: i64,
    /// Which form: `visit`, `member`, `diagnostic`, `assessment`, `entry`, `value`, `milestone`,
    /// `project`.
    pub form: String,
    /// The project it is about (none for a project being registered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Uuid>,
    /// Where the form is, to open it again.
    pub href: String,
    /// What was typed, by field (a form drawn from a definition keeps its answers; the other
    /// forms keep each field's text under its own name).
    #[serde(default)]
    pub answers: Answers,
    /// The photos and documents it carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<Evidence>,
    /// The photos whose people question was not answered yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unasked: Vec<String>,
}

fn prefix(user: Uuid) -> String {
    format!("athar/v1/u/{user}/draft/")
}

/// The key of `user`'s draft `name`.
pub fn key(user: Uuid, name: &str) -> String {
    format!("{}{name}", prefix(user))
}

/// `user`'s draft `name`, if one is kept (an unreadable one is as none: the form starts afresh).
pub fn read(kv: &impl KeyRead, user: Uuid, name: &str) -> Option<Draft> {
    let raw = kv.get(&key(user, name)).ok()??;
    serde_json::from_str(&raw).ok()
}

/// Keeps `draft` as `user`'s draft `name`.
pub fn keep(kv: &impl KeyValue, user: Uuid, name: &str, draft: &Draft) -> Result<(), StorageError> {
    let k = key(user, name);
    let raw = serde_json::to_string(draft).map_err(|_| StorageError::Corrupt(k.clone()))?;
    kv.set(&k, &raw)
}

/// Every draft `user` has on this phone, with its name, the latest first.
pub fn list(kv: &impl KeyRead, user: Uuid) -> Vec<(String, Draft)> {
    let prefix = prefix(user);
    let mut all: Vec<(String, Draft)> = kv
        .keys()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|k| {
            let name = k.strip_prefix(&prefix)?.to_owned();
            let draft = read(kv, user, &name)?;
            Some((name, draft))
        })
        .collect();
    all.sort_by(|a, b| b.1.at.cmp(&a.1.at).then_with(|| a.0.cmp(&b.0)));
    all
}

/// The files `user`'s drafts name (kept on the phone, and not sent: no entry names them yet).
pub fn files(kv: &impl KeyRead, user: Uuid) -> Vec<String> {
    list(kv, user)
        .into_iter()
        .flat_map(|(_, d)| d.files.into_iter().map(|f| f.sha256))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::form::Answer;
    use crate::storage::MemoryStore;

    fn draft(at: i64, form: &str, sha: Option<&str>) -> Draft {
        let mut answers = Answers::new();
        answers.insert("observations".into(), Answer::Text("زيارة ‏Douz 12".into()));
        Draft {
            at,
            form: form.into(),
            project: Some(Uuid::from_u128(7)),
            href: "/projects/x/visits/new".into(),
            answers,
            files: sha
                .map(|s| Evidence {
                    sha256: s.into(),
                    bytes: 10,
                    media: crate::domain::evidence::Media::Jpeg,
                    caption: String::new(),
                    people_agreed: false,
                })
                .into_iter()
                .collect(),
            unasked: Vec::new(),
        }
    }

    #[test]
    fn a_draft_reads_back_as_it_was_typed_and_only_for_its_user() {
        let kv = MemoryStore::default();
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let kept = draft(5, "visit", Some("ab"));
        keep(&kv, a, "visit/7/new", &kept).expect("kept");
        assert_eq!(read(&kv, a, "visit/7/new"), Some(kept));
        assert_eq!(read(&kv, b, "visit/7/new"), None);
        assert!(list(&kv, b).is_empty());
        assert_eq!(files(&kv, a), vec!["ab".to_owned()]);
    }

    #[test]
    fn drafts_list_latest_first_and_are_not_outbox_entries() {
        let kv = MemoryStore::default();
        let a = Uuid::from_u128(1);
        keep(&kv, a, "visit/7/new", &draft(5, "visit", None)).expect("kept");
        keep(&kv, a, "member/7/new", &draft(9, "member", None)).expect("kept");
        let names: Vec<String> = list(&kv, a).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["member/7/new", "visit/7/new"]);
        assert!(!crate::sync::outbox::is_outbox_key(&key(a, "visit/7/new")));
        assert!(
            crate::sync::outbox::pending(&kv, a)
                .expect("read")
                .is_empty()
        );
        assert_eq!(crate::sync::outbox::summary(&kv, a).expect("read").0, 0);
        assert!(
            crate::sync::outbox::users_with_pending(&kv)
                .expect("read")
                .is_empty()
        );
    }

    #[test]
    fn an_unreadable_draft_is_as_none() {
        let kv = MemoryStore::default();
        let a = Uuid::from_u128(1);
        kv.set(&key(a, "visit/7/new"), "{not json").expect("set");
        assert_eq!(read(&kv, a, "visit/7/new"), None);
        assert!(list(&kv, a).is_empty());
    }
}
