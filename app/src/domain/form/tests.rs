use super::*;
use serde_json::json;

const TODAY: &str = "2026-11-26";

fn names(fr: &str) -> serde_json::Value {
    json!({ "fr": fr, "ar": format!("{fr} (ar)"), "en": format!("{fr} (en)") })
}

/// A form with every field type, written as the team writes a definition file.
fn form() -> FormDefinition {
    serde_json::from_value(json!({
        "id": "essai",
        "version": 1,
        "title": names("Essai"),
        "fields": [
            { "name": "visit_on", "label": names("Date"), "type": "date", "required": true,
              "constraints": [{ "rule": { "max": "today" }, "message": names("Pas dans le futur") }] },
            { "name": "mode", "label": names("Mode"), "type": "single_choice", "required": true,
              "choices": [{ "value": "on_site", "label": names("Sur place") },
                          { "value": "phone", "label": names("Téléphone") }] },
            { "name": "place", "label": names("Lieu"), "type": "text", "required": true,
              "relevant": "${mode} = 'on_site'" },
            { "name": "phone", "label": names("Téléphone"), "type": "text",
              "constraints": [{ "rule": { "pattern": "[0-9]{8}" }, "message": names("8 chiffres") }] },
            { "name": "notes", "label": names("Notes"), "type": "long_text",
              "constraints": [{ "rule": { "max": 20 }, "message": names("20 caractères au plus") }] },
            { "name": "customers", "label": names("Clients"), "type": "integer",
              "constraints": [{ "rule": { "min": 0 }, "message": names("Pas négatif") },
                              { "rule": { "max": 500 }, "message": names("500 au plus") }] },
            { "name": "area", "label": names("Surface"), "type": "decimal" },
            { "name": "sales", "label": names("Ventes"), "type": "money",
              "constraints": [{ "rule": { "max": 100000 }, "message": names("Trop élevé") }] },
            { "name": "topics", "label": names("Sujets"), "type": "multiple_choice",
              "choices": [{ "value": "marketing", "label": names("Marketing") },
                          { "value": "bookkeeping", "label": names("Comptabilité") }],
              "constraints": [{ "rule": { "max": 1 }, "message": names("Un seul") }] },
            { "name": "cash_book", "label": names("Cahier de caisse"), "type": "yes_no" },
            { "name": "why_not", "label": names("Pourquoi ?"), "type": "text", "required": true,
              "relevant": "${cash_book} = false" },
            { "name": "confidence", "label": names("Confiance"), "type": "scale" },
            { "name": "present", "label": names("Présents"), "type": "member_picker", "multiple": true },
            { "name": "products", "label": names("Produits"), "type": "repeat",
              "fields": [
                { "name": "product", "label": names("Produit"), "type": "text", "required": true },
                { "name": "sold_out", "label": names("Épuisé"), "type": "yes_no" },
                { "name": "restock_on", "label": names("Réassort"), "type": "date", "required": true,
                  "relevant": "${sold_out} = true and ${mode} = 'on_site'" }
              ] }
        ]
    }))
    .expect("the definition reads")
}

fn answers(value: serde_json::Value) -> Answers {
    serde_json::from_value(value).expect("answers read")
}

fn problems(form: &FormDefinition, value: serde_json::Value) -> Vec<(String, AnswerProblem)> {
    form.validate(&answers(value), TODAY)
        .into_iter()
        .map(|e| {
            let path = e
                .path
                .iter()
                .map(|(n, i)| match i {
                    Some(i) => format!("{n}[{i}]"),
                    None => n.clone(),
                })
                .collect::<Vec<_>>()
                .join(".");
            (path, e.problem)
        })
        .collect()
}

fn complete() -> serde_json::Value {
    json!({
        "visit_on": "2026-11-20", "mode": "on_site", "place": "Douz", "phone": "75123456",
        "notes": "Bien tenu", "customers": 12, "area": 1.5, "sales": 1234500,
        "topics": ["marketing"], "cash_book": true, "confidence": 4,
        "present": ["2b4f6f0e-6f1c-4a53-9a39-6f3c7e0b9b11"],
        "products": [{ "product": "Deglet nour", "sold_out": true, "restock_on": "2026-12-01" }]
    })
}

#[test]
fn the_built_form_is_a_valid_definition_and_complete_answers_pass() {
    assert_eq!(form().check(), Ok(()));
    assert_eq!(problems(&form(), complete()), []);
}

#[test]
fn every_field_type_refuses_what_it_cannot_hold() {
    let mut a = complete();
    a["visit_on"] = json!("2026-02-30");
    a["mode"] = json!("by_pigeon");
    a["customers"] = json!(2.5);
    a["area"] = json!("large");
    a["sales"] = json!(1234.5);
    a["topics"] = json!(["astrology"]);
    a["cash_book"] = json!("yes");
    a["confidence"] = json!(7);
    a["present"] = json!(["not-a-member-id"]);
    a["products"] = json!("many");
    assert_eq!(
        problems(&form(), a),
        [
            ("visit_on".into(), AnswerProblem::NotADate),
            ("mode".into(), AnswerProblem::UnknownChoice),
            ("customers".into(), AnswerProblem::WrongType),
            ("area".into(), AnswerProblem::WrongType),
            ("sales".into(), AnswerProblem::WrongType),
            ("topics".into(), AnswerProblem::UnknownChoice),
            ("cash_book".into(), AnswerProblem::WrongType),
            ("confidence".into(), AnswerProblem::WrongType),
            ("present".into(), AnswerProblem::WrongType),
            ("products".into(), AnswerProblem::WrongType),
        ]
    );
}

#[test]
fn required_fields_must_be_answered_unless_they_are_not_shown() {
    assert_eq!(
        problems(&form(), json!({ "place": "   " })),
        [
            ("visit_on".into(), AnswerProblem::Required),
            ("mode".into(), AnswerProblem::Required),
        ],
        "`place` shows only on site: with no mode it is not asked"
    );
    assert_eq!(
        problems(
            &form(),
            json!({ "visit_on": "2026-11-20", "mode": "on_site", "place": " " })
        ),
        [("place".into(), AnswerProblem::Required)]
    );
    assert_eq!(
        problems(
            &form(),
            json!({ "visit_on": "2026-11-20", "mode": "phone", "cash_book": false })
        ),
        [("why_not".into(), AnswerProblem::Required)]
    );
}

#[test]
fn constraints_point_at_their_own_message() {
    let mut a = complete();
    a["visit_on"] = json!("2026-11-27");
    a["phone"] = json!("7512345");
    a["notes"] = json!("Une note bien trop longue pour ce champ");
    a["customers"] = json!(-1);
    a["sales"] = json!(100_000_001);
    a["topics"] = json!(["marketing", "bookkeeping"]);
    let c = |index| AnswerProblem::Constraint { index };
    assert_eq!(
        problems(&form(), a),
        [
            ("visit_on".into(), c(0)),
            ("phone".into(), c(0)),
            ("notes".into(), c(0)),
            ("customers".into(), c(0)),
            ("sales".into(), c(0)),
            ("topics".into(), c(0)),
        ]
    );
    let mut a = complete();
    a["customers"] = json!(501);
    a["sales"] = json!(100_000_000);
    a["visit_on"] = json!(TODAY);
    assert_eq!(
        problems(&form(), a),
        [("customers".into(), c(1))],
        "limits are inclusive"
    );
    let f = form();
    let message = &f.fields[5].constraints[1].message;
    assert_eq!(
        (message.fr.as_str(), message.en.as_str()),
        ("500 au plus", "500 au plus (en)")
    );
}

#[test]
fn a_pattern_must_match_the_whole_answer() {
    let mut a = complete();
    a["phone"] = json!("tel 75123456");
    assert_eq!(
        problems(&form(), a),
        [("phone".into(), AnswerProblem::Constraint { index: 0 })]
    );
}

#[test]
fn repeat_items_are_checked_each_with_its_own_conditions() {
    let mut a = complete();
    a["products"] = json!([
        { "product": "Deglet nour", "sold_out": false },
        { "product": "", "sold_out": true },
        { "product": "Pâte de dattes", "sold_out": true, "restock_on": "2026-12-40" },
        { "product": "Sirop", "colour": "brun" }
    ]);
    assert_eq!(
        problems(&form(), a),
        [
            ("products[1].product".into(), AnswerProblem::Required),
            ("products[1].restock_on".into(), AnswerProblem::Required),
            ("products[2].restock_on".into(), AnswerProblem::NotADate),
            ("products[3].colour".into(), AnswerProblem::UnknownField),
        ]
    );
    // The item's condition also reads the form's own answers.
    let mut a = complete();
    a["mode"] = json!("phone");
    a.as_object_mut().map(|o| o.remove("place"));
    a["products"] = json!([{ "product": "Deglet nour", "sold_out": true }]);
    assert_eq!(problems(&form(), a), []);
}

#[test]
fn answers_hidden_by_a_later_choice_are_dropped_before_submitting() {
    let mut a = answers(complete());
    a.insert("why_not".into(), Answer::Text("oubli".into()));
    a.insert("mode".into(), Answer::Text("phone".into()));
    if let Some(Answer::Items(items)) = a.get_mut("products") {
        items[0].insert("sold_out".into(), Answer::Bool(true));
    }
    form().prune(&mut a, TODAY);
    assert!(!a.contains_key("place"), "on the phone: no place");
    assert!(
        !a.contains_key("why_not"),
        "the cash book is kept: no reason asked"
    );
    let Some(Answer::Items(items)) = a.get("products") else {
        panic!("products stay");
    };
    assert!(
        !items[0].contains_key("restock_on"),
        "not on site: no restock date"
    );
    assert!(items[0].contains_key("product"));
    assert_eq!(form().validate(&a, TODAY), []);
}

fn located(form: serde_json::Value) -> Vec<(String, DefinitionProblem)> {
    let form: FormDefinition = serde_json::from_value(form).expect("reads");
    form.check()
        .expect_err("refused")
        .into_iter()
        .map(|e| (e.field.join("."), e.problem))
        .collect()
}

fn with_fields(fields: serde_json::Value) -> serde_json::Value {
    json!({ "id": "essai", "version": 2, "title": names("Essai"), "fields": fields })
}

#[test]
fn a_relevance_cycle_is_refused_and_named() {
    let errors = located(with_fields(json!([
        { "name": "a", "label": names("A"), "type": "yes_no", "relevant": "${b} = true" },
        { "name": "b", "label": names("B"), "type": "yes_no", "relevant": "${a} = true" },
        { "name": "c", "label": names("C"), "type": "yes_no", "relevant": "${c}" }
    ])));
    assert_eq!(
        errors,
        [
            (
                "a".into(),
                DefinitionProblem::LaterField { name: "b".into() }
            ),
            (
                "c".into(),
                DefinitionProblem::LaterField { name: "c".into() }
            ),
            (
                "a".into(),
                DefinitionProblem::RelevanceCycle {
                    path: vec!["a".into(), "b".into()]
                }
            ),
            (
                "c".into(),
                DefinitionProblem::RelevanceCycle {
                    path: vec!["c".into()]
                }
            ),
        ]
    );
}

#[test]
fn unknown_fields_bad_patterns_and_bad_syntax_are_refused_where_they_are() {
    let errors = located(with_fields(json!([
        { "name": "mode", "label": names("Mode"), "type": "text" },
        { "name": "place", "label": names("Lieu"), "type": "text", "relevant": "${mood} = 'x'" },
        { "name": "phone", "label": names("Tél."), "type": "text",
          "constraints": [{ "rule": { "pattern": "[0-9" }, "message": names("8 chiffres") }] },
        { "name": "note", "label": names("Note"), "type": "text", "relevant": "${mode} = " },
        { "name": "rows", "label": names("Lignes"), "type": "repeat",
          "fields": [{ "name": "row", "label": names("Ligne"), "type": "text" }] },
        { "name": "after", "label": names("Après"), "type": "text", "relevant": "${row} = 'x'" }
    ])));
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert_eq!(
        errors[0],
        (
            "place".into(),
            DefinitionProblem::UnknownField {
                name: "mood".into()
            }
        )
    );
    assert_eq!(errors[1].0, "phone");
    assert!(matches!(errors[1].1, DefinitionProblem::BadPattern { .. }));
    assert_eq!(errors[2].0, "note");
    assert!(
        matches!(&errors[2].1, DefinitionProblem::RelevanceSyntax { detail } if detail.contains("ends too soon"))
    );
    assert_eq!(
        errors[3],
        (
            "after".into(),
            DefinitionProblem::InsideRepeat { name: "row".into() }
        )
    );
}

#[test]
fn names_labels_choices_and_limits_are_checked() {
    let errors = located(json!({
        "id": "Essai!", "version": 0, "title": { "fr": "Essai", "ar": "", "en": "Trial" },
        "fields": [
            { "name": "Mode", "label": names("Mode"), "type": "single_choice", "choices": [] },
            { "name": "size", "label": names("Taille"), "type": "integer",
              "constraints": [{ "rule": { "min": 10 }, "message": names("min") },
                              { "rule": { "max": 5 }, "message": names("max") },
                              { "rule": { "pattern": "[0-9]+" }, "message": names("chiffres") }] },
            { "name": "size", "label": { "fr": "Taille", "ar": "الحجم", "en": " " }, "type": "date",
              "constraints": [{ "rule": { "min": 3 }, "message": names("x") }] },
            { "name": "kind", "label": names("Type"), "type": "multiple_choice",
              "choices": [{ "value": "a", "label": names("A") }, { "value": "a", "label": names("A bis") }] }
        ]
    }));
    assert_eq!(
        errors,
        [
            ("".into(), DefinitionProblem::BadFormId),
            ("".into(), DefinitionProblem::BadVersion),
            (
                "".into(),
                DefinitionProblem::MissingLabel {
                    language: "ar".into()
                }
            ),
            ("Mode".into(), DefinitionProblem::BadName),
            ("Mode".into(), DefinitionProblem::NoChoices),
            ("size".into(), DefinitionProblem::RuleNotForType),
            ("size".into(), DefinitionProblem::MinAboveMax),
            ("size".into(), DefinitionProblem::DuplicateName),
            (
                "size".into(),
                DefinitionProblem::MissingLabel {
                    language: "en".into()
                }
            ),
            ("size".into(), DefinitionProblem::BadLimit),
            (
                "kind".into(),
                DefinitionProblem::DuplicateChoice { value: "a".into() }
            ),
        ]
    );
}

#[test]
fn a_draft_made_on_version_1_still_checks_against_version_1_after_version_2() {
    let mut set = FormSet::default();
    set.publish(form()).expect("version 1");
    let mut v2 = form();
    v2.version = 2;
    v2.fields.push(
        serde_json::from_value(json!({
            "name": "shock", "label": names("Choc"), "type": "yes_no", "required": true
        }))
        .expect("field"),
    );
    set.publish(v2).expect("version 2");
    let draft = answers(complete());
    assert_eq!(set.latest("essai").map(|f| f.version), Some(2));
    assert_eq!(
        set.version("essai", 1).map(|f| f.validate(&draft, TODAY)),
        Some(vec![])
    );
    assert_eq!(
        set.version("essai", 2)
            .map(|f| f.validate(&draft, TODAY).len()),
        Some(1),
        "the new question is asked of new entries"
    );

    // A broken version 3 is refused and version 2 stays the one in use; so is a re-used number.
    let mut v3 = form();
    v3.version = 3;
    v3.fields[2].relevant = Some("${nowhere} = 1".into());
    assert!(matches!(set.publish(v3), Err(PublishError::Invalid { errors }) if errors.len() == 1));
    assert_eq!(
        set.publish(form()),
        Err(PublishError::NotNewer { latest: 2 })
    );
    assert_eq!(set.latest("essai").map(|f| f.version), Some(2));
}

#[test]
fn a_definition_survives_a_round_trip_through_json() {
    let f = form();
    let text = serde_json::to_string(&f).expect("json");
    let back: FormDefinition = serde_json::from_str(&text).expect("reads back");
    assert_eq!(back, f);
}
