//! Indicator values entered on the phone: checked against the catalogue and their form, locked
//! periods.

use super::*;

#[tokio::test]
async fn indicator_values_entered_on_the_phone_are_checked_against_the_catalogue_and_a_locked_period_refuses_them()
 {
    use app::domain::Sex;
    use app::domain::indicator::value::{
        CellValue, PeriodStatus, SaveValueArgs, ValueSource, value_id,
    };
    use app::domain::indicator::{Cell, starter_catalogue};
    use app::sync::mutations::SaveIndicatorValue;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let chain = set
            .projects
            .iter()
            .find(|p| p.id == f.own)
            .and_then(|p| set.value_chains.iter().find(|v| v.id == p.value_chain_id))
            .expect("the project's value chain")
            .code
            .clone();
        let elsewhere = starter_catalogue()
            .into_iter()
            .find(|d| !d.is_derived() && !d.applies_to(&chain))
            .expect("an indicator for other value chains");
        let value = |indicator: &str, period: &str, amount: i64| SaveValueArgs {
            files: Vec::new(),
            id: value_id(f.own, indicator, period),
            project_id: f.own,
            base_version: None,
            indicator: indicator.into(),
            indicator_version: 1,
            period: period.into(),
            value: amount,
            cells: Vec::new(),
            source: ValueSource::Record,
            evidence: "Registre des présences".into(),
            status: EntryStatus::Submitted,
            form: None,
        };
        let mut jobs = value("SOC-01", "2026-Q3", 5000);
        jobs.cells = [(Sex::Female, 3000), (Sex::Male, 2000)]
            .into_iter()
            .map(|(sex, value)| CellValue {
                cell: Cell {
                    sex: Some(sex),
                    ..Cell::default()
                },
                value,
            })
            .collect();
        let mut unknown_version = value("SOC-03", "2026-Q3", 4000);
        unknown_version.indicator_version = 9;
        t.db.set_period("2026-Q2", PeriodStatus::Locked, "", f.supervisor.id)
            .await
            .expect("lock");
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let name = SaveIndicatorValue::NAME;
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(client, 1, name, &jobs),
                mutation(client, 2, name, &value("SOC-04", "2026-Q3", 50_000)),
                mutation(client, 3, name, &value("SOC-03", "2027-Q1", 4000)),
                mutation(client, 4, name, &value("SOC-03", "2026-Q3", -4000)),
                mutation(client, 5, name, &unknown_version),
                mutation(
                    client,
                    6,
                    name,
                    &value(
                        &elsewhere.code,
                        &app::domain::indicator::value::period_of(
                            elsewhere.frequency,
                            "2026-09-01",
                        ),
                        1000,
                    ),
                ),
                mutation(client, 7, name, &value("SOC-03", "2026-Q2", 4000)),
                mutation(client, 8, name, &value("SOC-03", "2026-Q3", 4000)),
                // A month within the locked quarter is locked with it.
                mutation(client, 9, name, &value("ECO-01", "2026-05", 1_500_000)),
            ],
        )
        .await
        .expect("push");
        let refused: Vec<(u64, String, Option<String>)> = r
            .refused
            .iter()
            .map(|x| (x.seq, x.code.clone(), x.field.clone()))
            .collect();
        assert_eq!(
            refused,
            vec![
                (2, "invalid".into(), Some("indicator".into())),
                (3, "invalid".into(), Some("period".into())),
                (4, "invalid".into(), Some("value".into())),
                (5, "unknown_indicator_version".into(), None),
                (6, "not_applicable".into(), None),
                (7, "period_locked".into(), None),
                (9, "period_locked".into(), None),
            ],
            "{:?}",
            t.engine
        );

        // The supervisor's pull holds both values, with the breakdown (beside the values the
        // team loaded with the demo, which have no author).
        let tablet = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        let values: Vec<&app::domain::indicator::value::IndicatorValue> = tablet
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Value(v) if v.project_id == f.own && v.author_id.is_some() => Some(v),
                _ => None,
            })
            .collect();
        assert_eq!(values.len(), 2, "{:?}", t.engine);
        let seen = values
            .iter()
            .find(|v| v.indicator == "SOC-01")
            .expect("SOC-01");
        assert_eq!((seen.value, seen.cells.len()), (5000, 2));

        // Another phone entering the same value makes no second record; on the version it saw,
        // its correction applies.
        let other = Uuid::new_v4();
        let r = send(
            &t.db,
            &f.facilitator,
            other,
            other,
            vec![mutation(other, 1, name, &value("SOC-03", "2026-Q3", 6000))],
        )
        .await
        .expect("push");
        assert_eq!(refusals(&r), ["already_exists"]);
        let current = values
            .iter()
            .find(|v| v.indicator == "SOC-03")
            .expect("SOC-03")
            .version;
        let mut fix = value("SOC-03", "2026-Q3", 6000);
        fix.base_version = Some(current);
        let r = send(
            &t.db,
            &f.facilitator,
            other,
            other,
            vec![mutation(other, 2, name, &fix)],
        )
        .await
        .expect("push");
        assert!(r.refused.is_empty(), "{:?}", r.refused);

        // The team reopens the locked quarter, with a reason: the value lands.
        t.db.set_period(
            "2026-Q2",
            PeriodStatus::Open,
            "Valeurs de Douz en retard",
            f.supervisor.id,
        )
        .await
        .expect("reopen");
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![mutation(
                client,
                10,
                name,
                &value("SOC-03", "2026-Q2", 4000),
            )],
        )
        .await
        .expect("push");
        assert!(r.refused.is_empty(), "{:?}", r.refused);
        let periods = t.db.periods().await.expect("periods");
        assert_eq!(
            periods,
            vec![(
                "2026-Q2".to_owned(),
                PeriodStatus::Open,
                "Valeurs de Douz en retard".to_owned()
            )]
        );

        // The supervisor reviews values like every entry: the jobs figure waits, is validated,
        // and a late change to it is refused.
        use app::domain::ReviewDecision;
        use app::domain::registry::RegistryRecord;
        use app::server::sync::review::{Review, review};
        let scope = app::server::auth::review_scope(&f.supervisor).expect("scope");
        let queue = t.db.registry_review_queue(scope).await.expect("queue");
        let waiting = queue
            .iter()
            .find(|i| matches!(&i.record, RegistryRecord::Value(v) if v.indicator == "SOC-01" && v.project_id == f.own))
            .expect("the jobs value waits for review");
        assert!(!waiting.history.is_empty());
        review(
            t.db.begin_push().await.expect("tx"),
            scope,
            &f.supervisor,
            Review {
                kind: app::sync::protocol::RecordKind::Value,
                id: waiting.record.id(),
                seen_version: waiting.version,
                decision: ReviewDecision::Validate,
                comment: String::new(),
            },
        )
        .await
        .expect("validated");
        let phone = pull(&t.db, &f.facilitator, client, None).await;
        let validated = phone
            .records
            .iter()
            .find_map(|r| match r {
                Record::Value(v) if v.id == waiting.record.id() => Some(v.clone()),
                _ => None,
            })
            .expect("on the phone");
        assert_eq!(validated.status, EntryStatus::Validated);
        let mut late = jobs.clone();
        late.base_version = Some(validated.version);
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![mutation(client, 11, name, &late)],
        )
        .await
        .expect("push");
        assert_eq!(refusals(&r), ["already_validated"]);
    }
}

#[tokio::test]
async fn an_indicator_value_entered_through_its_form_keeps_its_answers_and_is_checked_against_that_version()
 {
    use app::domain::FormAnswers;
    use app::domain::form::{Answer, Answers};
    use app::domain::indicator::value::{INDICATOR_FORM, SaveValueArgs, read_entry, value_id};
    use app::sync::mutations::SaveIndicatorValue;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        // The team added a question to the entry form.
        let mut added = app::server::forms::builtin()
            .expect("the shipped forms")
            .latest(INDICATOR_FORM)
            .expect("the entry form")
            .clone();
        added.version += 1;
        let mut question = added.fields[0].clone();
        question.name = "counted_by".into();
        question.kind = app::domain::form::FieldKind::Text;
        question.required = false;
        added.fields.push(question);
        t.db.insert_form(&added, None).await.expect("published");
        let latest = added.version;
        let entered = |period: &str, given: serde_json::Value, version| {
            let answers: Answers = serde_json::from_value(given).expect("answers");
            let (value, source, evidence) = read_entry(&answers).expect("read");
            SaveValueArgs {
                files: Vec::new(),
                id: value_id(f.own, "SOC-03", period),
                project_id: f.own,
                base_version: None,
                indicator: "SOC-03".into(),
                indicator_version: 1,
                period: period.into(),
                value,
                cells: Vec::new(),
                source,
                evidence,
                status: EntryStatus::Submitted,
                form: Some(FormAnswers { version, answers }),
            }
        };
        let good = entered(
            "2026-Q3",
            serde_json::json!({"value": 12, "source": "survey", "evidence": "Liste d'émargement",
                "counted_by": "Animatrice"}),
            latest,
        );
        let unknown = entered(
            "2026-Q2",
            serde_json::json!({"value": 10, "source": "record"}),
            latest + 5,
        );
        let mut disagreeing = entered(
            "2026-Q1",
            serde_json::json!({"value": 9, "source": "record"}),
            latest,
        );
        disagreeing.value = 90_000;
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let name = SaveIndicatorValue::NAME;
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![
                mutation(client, 1, name, &good),
                mutation(client, 2, name, &unknown),
                mutation(client, 3, name, &disagreeing),
            ],
        )
        .await
        .expect("push");
        assert_eq!(
            r.refused
                .iter()
                .map(|x| (x.seq, x.code.as_str(), x.field.as_deref()))
                .collect::<Vec<_>>(),
            [
                (2, "unknown_form_version", None),
                (3, "invalid", Some("answers")),
            ],
            "{:?}",
            t.engine
        );
        let tablet = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        let seen = tablet
            .records
            .iter()
            .find_map(|r| match r {
                Record::Value(v) if v.id == good.id => Some(v),
                _ => None,
            })
            .expect("the supervisor's pull holds it");
        assert_eq!(seen.value, 12_000);
        let kept = &seen.form.as_ref().expect("answers kept").answers;
        assert_eq!(
            kept.get("counted_by"),
            Some(&Answer::Text("Animatrice".into()))
        );
    }
}
