use super::*;
use crate::domain::Role;

fn user(n: u128) -> SessionUser {
    SessionUser {
        id: Uuid::from_u128(n),
        name: "A".into(),
        email: "a@x".into(),
        role: Role::Facilitator,
        demo: false,
    }
}

#[test]
fn values_round_trip_under_versioned_keys() {
    let store = DeviceStore::new(MemoryStore::default());
    let key = Key::Projects {
        user: Uuid::from_u128(1),
    };
    assert!(key.path().starts_with("athar/v1/u/"));
    store.put(&key, &vec!["a", "b"]).expect("stored");
    assert_eq!(
        store.get::<Vec<String>>(&key).expect("read"),
        Some(vec!["a".into(), "b".into()])
    );
}

#[test]
fn signing_out_removes_only_that_users_data() {
    let store = DeviceStore::new(MemoryStore::default());
    let (a, b) = (user(1), user(2));
    store.put(&Key::Identity, &a).expect("stored");
    store
        .put(&Key::Projects { user: a.id }, &1)
        .expect("stored");
    store
        .put(
            &Key::Project {
                user: a.id,
                project: Uuid::from_u128(9),
            },
            &1,
        )
        .expect("stored");
    store
        .put(&Key::Projects { user: b.id }, &2)
        .expect("stored");
    assert_eq!(store.forget_user(a.id).expect("removed"), 3);
    assert_eq!(store.identity(), None);
    assert_eq!(
        store
            .get::<i32>(&Key::Projects { user: a.id })
            .expect("read"),
        None
    );
    assert_eq!(
        store
            .get::<i32>(&Key::Projects { user: b.id })
            .expect("read"),
        Some(2)
    );
}

#[test]
fn signing_out_keeps_the_users_unsent_entries_and_nothing_else() {
    let store = DeviceStore::new(MemoryStore::default());
    let a = user(1);
    let prefix = user_prefix(a.id);
    for rest in [
        "m/c/000000000001",
        "refused/c/000000000002",
        "client/0",
        "r/visit/x",
        "cookie",
    ] {
        store
            .kv
            .set(&format!("{prefix}{rest}"), "{}")
            .expect("stored");
    }
    store.forget_user(a.id).expect("removed");
    let mut left = store.kv.keys().expect("keys");
    left.sort();
    assert_eq!(
        left,
        [
            format!("{prefix}m/c/000000000001"),
            format!("{prefix}refused/c/000000000002")
        ]
    );
}

#[test]
fn a_full_phone_is_a_typed_error_and_keeps_what_was_stored() {
    let store = DeviceStore::new(MemoryStore {
        quota: Some(120),
        ..Default::default()
    });
    let key = Key::Projects {
        user: Uuid::from_u128(1),
    };
    store.put(&key, &"small").expect("fits");
    let big = "x".repeat(500);
    assert_eq!(
        store.put(&Key::Identity, &big),
        Err(StorageError::QuotaExceeded)
    );
    assert_eq!(
        store.get::<String>(&key).expect("read"),
        Some("small".into())
    );
}

#[test]
fn a_staged_change_reads_through_and_is_given_whole() {
    let base = MemoryStore::default();
    base.set("a", "1").expect("stored");
    base.set("b", "2").expect("stored");
    let staged = Staged::new(&base);
    staged.set("c", "3").expect("staged");
    staged.remove("a").expect("staged");
    staged.set("b", "20").expect("staged");
    assert_eq!(staged.get("a").expect("read"), None);
    assert_eq!(staged.get("b").expect("read").as_deref(), Some("20"));
    let mut keys = staged.keys().expect("keys");
    keys.sort();
    assert_eq!(keys, ["b", "c"]);
    // Nothing reached the base until the change is applied.
    assert_eq!(base.get("a").expect("read").as_deref(), Some("1"));
    let writes = staged.into_writes();
    assert_eq!(
        writes,
        [
            ("a".to_owned(), None),
            ("b".to_owned(), Some("20".to_owned())),
            ("c".to_owned(), Some("3".to_owned()))
        ]
    );
    base.apply(&writes);
    assert_eq!(base.keys().expect("keys"), ["b", "c"]);
}

#[test]
fn a_damaged_value_is_reported_not_panicked_on() {
    let kv = MemoryStore::default();
    kv.set(&Key::Identity.path(), "{not json").expect("stored");
    let store = DeviceStore::new(kv);
    assert!(matches!(
        store.get::<SessionUser>(&Key::Identity),
        Err(StorageError::Corrupt(_))
    ));
}

#[test]
fn migration_drops_the_unversioned_cache_and_runs_once() {
    let kv = MemoryStore::default();
    kv.set("athar/projects", "[]").expect("stored");
    kv.set("other-app", "keep").expect("stored");
    let store = DeviceStore::new(kv);
    store.migrate().expect("migrated");
    assert_eq!(store.kv.get("athar/projects").expect("read"), None);
    assert_eq!(
        store.kv.get("other-app").expect("read").as_deref(),
        Some("keep")
    );
    assert_eq!(
        store.kv.get(LAYOUT_KEY).expect("read"),
        Some(LAYOUT_VERSION.to_string())
    );
    store.migrate().expect("second run is a no-op");
}

#[test]
fn bytes_are_counted_as_the_browser_counts_them() {
    let store = DeviceStore::new(MemoryStore::default());
    store.put(&Key::Identity, &"é").expect("stored");
    let path_len = Key::Identity.path().len();
    assert_eq!(store.bytes_used().expect("counted"), 2 * (path_len + 3));
}
