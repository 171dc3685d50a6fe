use super::*;

#[test]
fn a_project_edit_needs_a_title_and_known_forms() {
    let edit = |title: &str, form: &str, track: &str| EditProject {
        project_id: Uuid::nil(),
        base_version: 1,
        title: title.into(),
        legal_form: form.into(),
        training_track: track.into(),
    };
    assert!(
        edit("Miel de Douz", "gda", "collective_sse")
            .validate()
            .is_ok()
    );
    assert_eq!(
        edit("  ", "gda", "none").validate().map_err(|e| e.field),
        Err("title")
    );
    assert_eq!(
        edit(&"x".repeat(121), "gda", "none")
            .validate()
            .map_err(|e| e.code),
        Err("too_long")
    );
    assert_eq!(
        edit("Miel", "sarl", "none").validate().map_err(|e| e.field),
        Err("legal_form")
    );
    assert_eq!(
        edit("Miel", "gda", "mba").validate().map_err(|e| e.field),
        Err("training_track")
    );
}

fn registration(code: &str, wave: i32) -> NewProject {
    NewProject {
        id: Uuid::from_u128(7),
        code: code.into(),
        title: "Tissage de Jemna".into(),
        origin: ProjectOrigin {
            kind: ProjectKind::Collective,
            value_chain_id: Uuid::from_u128(1),
            locality_id: Uuid::from_u128(2),
            call_wave: wave,
        },
        legal_form: "gda".into(),
        training_track: "collective_sse".into(),
    }
}

#[test]
fn a_registered_project_needs_a_code_of_letters_digits_and_dashes() {
    assert!(registration(" jn-art-12 ", 3).validate().is_ok());
    assert_eq!(registration(" jn-art-12 ", 3).record().code, "JN-ART-12");
    let code_error = |code: &str| {
        registration(code, 1)
            .validate()
            .map_err(|e| (e.field, e.code))
    };
    assert_eq!(code_error(""), Err(("code", "required")));
    assert_eq!(code_error("JN"), Err(("code", "code_format")));
    assert_eq!(code_error("JN ART 12"), Err(("code", "code_format")));
    assert_eq!(code_error("-JN-ART"), Err(("code", "code_format")));
    assert_eq!(code_error("JN-ÂRT-1"), Err(("code", "code_format")));
    assert_eq!(code_error(&"A".repeat(21)), Err(("code", "code_format")));
    assert_eq!(
        registration("JN-ART-12", 0).validate().map_err(|e| e.field),
        Err("call_wave")
    );
    let mut untitled = registration("JN-ART-12", 1);
    untitled.title = " ".into();
    assert_eq!(untitled.validate().map_err(|e| e.field), Err("title"));
}

#[test]
fn a_project_registered_on_the_phone_has_a_page_named_from_the_choice_lists() {
    let new = registration("jn-art-12", 3);
    let choices = RegistryChoices {
        value_chains: vec![(
            Uuid::from_u128(1),
            "ART".into(),
            Names {
                fr: "Artisanat".into(),
                ar: "الحرف".into(),
                en: "Crafts".into(),
            },
        )],
        localities: vec![(Uuid::from_u128(2), "Jemna".into(), "Kébili Sud".into())],
        incubator: Some((Uuid::from_u128(3), "Pépinière de Kébili".into())),
        codes: Vec::new(),
    };
    let page = ProjectDetail::from_record(&new.record(), &choices, "Amira").unwrap();
    assert_eq!(page.card.code, "JN-ART-12");
    assert_eq!(page.card.value_chain.fr, "Artisanat");
    assert_eq!(page.card.locality, "Jemna");
    assert_eq!(page.card.incubator, "Pépinière de Kébili");
    assert_eq!(page.card.status, ProjectStatus::Preselected);
    assert_eq!(page.call_wave, 3);
    let mut old = new.record();
    old.origin = None;
    assert!(ProjectDetail::from_record(&old, &choices, "Amira").is_none());
}

#[test]
fn a_project_moves_forward_in_its_lifecycle_and_withdrawn_or_closed_is_final() {
    let change = |from, to| ChangeProjectStatus {
        project_id: Uuid::nil(),
        from,
        to,
    };
    use ProjectStatus::*;
    assert!(change(Contracted, Operating).validate().is_ok());
    assert!(
        change(Suspended, Operating).validate().is_ok(),
        "a suspension ends"
    );
    assert!(
        change(Operating, Preselected).validate().is_err(),
        "never back to preselection"
    );
    assert!(
        change(Operating, Operating).validate().is_err(),
        "not a change"
    );
    for status in ProjectStatus::ALL {
        assert!(!status.next().contains(&status));
        assert!(status.next().iter().all(|n| *n != Preselected));
    }
    assert!(Closed.next().is_empty() && Withdrawn.next().is_empty());
    // Every status is reachable from preselection.
    let mut reached = vec![Preselected];
    while let Some(s) = reached
        .iter()
        .flat_map(|s| s.next())
        .find(|n| !reached.contains(n))
    {
        reached.push(*s);
    }
    assert_eq!(reached.len(), ProjectStatus::ALL.len());
}

fn card(status: ProjectStatus, due: Option<&str>) -> ProjectCard {
    ProjectCard {
        id: Uuid::nil(),
        code: "JN-DAT-01".into(),
        title: "t".into(),
        kind: ProjectKind::Individual,
        status,
        value_chain: Names {
            fr: "Dattes".into(),
            ar: "تمور".into(),
            en: "Dates".into(),
        },
        incubator: "i".into(),
        facilitator: "f".into(),
        locality: "l".into(),
        last_visit_on: None,
        next_visit_due: due.map(str::to_owned),
        member_count: 1,
        flags: Vec::new(),
        acknowledged: Vec::new(),
    }
}

#[test]
fn a_visit_is_overdue_only_for_an_active_project_past_its_due_day() {
    let today = "2026-11-26";
    assert!(card(ProjectStatus::Operating, Some("2026-11-25")).visit_overdue(today));
    assert!(!card(ProjectStatus::Operating, Some("2026-11-26")).visit_overdue(today));
    assert!(!card(ProjectStatus::Withdrawn, Some("2026-01-01")).visit_overdue(today));
    assert!(!card(ProjectStatus::Operating, None).visit_overdue(today));
}
