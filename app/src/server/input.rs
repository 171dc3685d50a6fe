//! What the server refuses in any input before it reaches a rule or the database: text holding
//! a NUL character, which SQLite would keep and PostgreSQL refuses, so that the same input gets
//! the same answer on both engines, naming the field.

/// The key of the first string in a JSON document that holds a NUL character (the innermost
/// key around it), if any; `None` for a document without one (or not JSON).
pub fn nul_field(json: &str) -> Option<String> {
    // JSON writes a NUL only as an escape: most documents are passed over without parsing.
    if !json.contains("\\u0000") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    find(&value, "request")
}

fn find(value: &serde_json::Value, key: &str) -> Option<String> {
    match value {
        serde_json::Value::String(s) => s.contains('\0').then(|| key.to_owned()),
        serde_json::Value::Array(items) => items.iter().find_map(|v| find(v, key)),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some("request".to_owned())
            } else {
                find(v, k)
            }
        }),
        _ => None,
    }
}

/// The name of the first field of a form body (`a=1&b=2`) whose name or value holds a NUL
/// character (`%00`), if any.
pub fn nul_form_field(form: &str) -> Option<String> {
    if !form.contains("%00") {
        return None;
    }
    form.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name.contains("%00") {
            Some("request".to_owned())
        } else if value.contains("%00") {
            Some(name.to_owned())
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_is_found_by_the_key_that_holds_it() {
        assert_eq!(
            nul_field(r#"{"id":"x","fields":{"observations":"a\u0000b"}}"#),
            Some("observations".into())
        );
        assert_eq!(
            nul_field(r#"{"topics":["ok","b\u0000"]}"#),
            Some("topics".into())
        );
        assert_eq!(
            nul_field(r#"{"observations":"a\\u0000 written out"}"#),
            None
        );
        assert_eq!(nul_field(r#"{"observations":"plain"}"#), None);
        assert_eq!(
            nul_form_field("name=Amal&email=a%00b%40x.tn"),
            Some("email".into())
        );
        assert_eq!(nul_form_field("name=Amal&email=a%40x.tn"), None);
    }
}
