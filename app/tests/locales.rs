//! Every UI string exists in French, Arabic and English, and the Arabic is Arabic.

use std::collections::BTreeMap;

fn load(lang: &str) -> BTreeMap<String, String> {
    let path = format!("{}/locales/{lang}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Strings that may stay in Latin script in Arabic: codes, names, units.
const LATIN_ALLOWED: &[&str] = &[];

fn has_arabic(s: &str) -> bool {
    s.chars().any(|c| matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'))
}

#[test]
fn every_key_has_a_translation_in_every_language() {
    let fr = load("fr");
    assert!(fr.len() > 50, "the French file is the reference");
    for lang in ["ar", "en"] {
        let other = load(lang);
        let missing: Vec<_> = fr.keys().filter(|k| !other.contains_key(*k)).collect();
        let extra: Vec<_> = other.keys().filter(|k| !fr.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{lang} lacks {missing:?}");
        assert!(extra.is_empty(), "{lang} has keys French lacks: {extra:?}");
        let empty: Vec<_> = other
            .iter()
            .filter(|(_, v)| v.trim().is_empty())
            .map(|(k, _)| k)
            .collect();
        assert!(empty.is_empty(), "{lang} has empty strings: {empty:?}");
    }
}

#[test]
fn arabic_strings_are_written_in_arabic() {
    let not_arabic: Vec<_> = load("ar")
        .into_iter()
        .filter(|(k, v)| !has_arabic(v) && !LATIN_ALLOWED.contains(&k.as_str()))
        .collect();
    assert!(
        not_arabic.is_empty(),
        "Arabic strings without Arabic script: {not_arabic:?}"
    );
}

#[test]
fn interpolations_match_across_languages() {
    let vars = |s: &str| {
        let mut v: Vec<String> = s
            .split("{{")
            .skip(1)
            .filter_map(|p| p.split("}}").next())
            .map(|p| p.trim().to_owned())
            .collect();
        v.sort();
        v
    };
    let fr = load("fr");
    for lang in ["ar", "en"] {
        for (k, v) in load(lang) {
            assert_eq!(vars(&v), vars(&fr[&k]), "{lang}.{k}");
        }
    }
}
