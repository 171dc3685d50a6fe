//! What the dashboards are computed from follows the sync: after every push, edit, review and
//! removal, the source read from the changes since the last read is the source a fresh read of
//! the whole database gives.

use super::*;
use app::server::db::source::Source;

/// The long lists of a source, as the dashboards read them.
type Lists = (
    Vec<app::domain::indicator::value::IndicatorValue>,
    Vec<app::domain::indicator::derived::MemberFact>,
    Vec<app::domain::indicator::derived::VisitFact>,
);

fn lists(source: &Source) -> Lists {
    (
        source.values.all().to_vec(),
        source.members.all().to_vec(),
        source.visits.all().to_vec(),
    )
}

/// The source as `t.db` reads it now (from what changed since its last read), checked against
/// a fresh read of the whole database by a new connection.
async fn followed(t: &support::TestDb, step: &str) -> Source {
    let source = t.db.dashboard_source().await.expect("source");
    let fresh = app::server::db::connect(&t.url)
        .await
        .expect("a new connection")
        .dashboard_source()
        .await
        .expect("a fresh source");
    assert!(
        lists(&source) == lists(&fresh),
        "{:?}, after {step}: the source read from the changes differs from a fresh read",
        t.engine
    );
    source
}

/// The visits of a project on a day, as the source counts them: `(visits, sales)`.
fn day_of(source: &Source, project: Uuid, day: &str) -> (i64, Option<i64>) {
    source
        .visits
        .of(project)
        .iter()
        .find(|v| v.visit_on == day)
        .map_or((0, None), |v| (v.visits, v.sales))
}

#[tokio::test]
async fn the_dashboards_source_follows_every_push_review_and_removal_as_a_fresh_read_would() {
    use app::domain::indicator::value::{SaveValueArgs, ValueSource, value_id};
    use app::domain::{MemberLeaves, ReviewDecision, SaveMemberArgs};
    use app::server::sync::review::{Review, review};
    use app::sync::mutations::{LeaveProject, SaveIndicatorValue, SaveMember};
    use app::sync::protocol::RecordKind;
    for t in support::every_engine().await {
        let set = support::with_demo(&t).await;
        let f = field(&set);
        let (client, device) = (Uuid::new_v4(), Uuid::new_v4());
        let before = followed(&t, "the demo's load").await;
        let (visits_before, _) = day_of(&before, f.own, "2026-11-20");

        // Three visits, two of them reporting sales.
        let ids = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
        let mut seq = 0;
        let mut next = || {
            seq += 1;
            seq
        };
        let sold = |id, amount| {
            let mut v = visit(id, f.own, None, "ventes notées");
            v.fields.snapshot.sales = amount;
            v
        };
        let pushed = vec![
            save(client, next(), &sold(ids[0], Some(400_000))),
            save(client, next(), &sold(ids[1], Some(100_000))),
            save(client, next(), &sold(ids[2], None)),
        ];
        send(&t.db, &f.facilitator, client, device, pushed)
            .await
            .expect("push");
        let now = followed(&t, "three visits").await;
        let (count, _) = day_of(&now, f.own, "2026-11-20");
        assert_eq!(count, visits_before + 3, "{:?}", t.engine);

        // One is moved to another day, its sales corrected.
        let version = |source: &PullResponse, id: Uuid| {
            visits_in(source)
                .into_iter()
                .find(|v| v.id == id)
                .expect("pulled")
                .version
        };
        let seen = pull(&t.db, &f.facilitator, client, None).await;
        let mut moved = visit(ids[0], f.own, Some(version(&seen, ids[0])), "corrigée");
        moved.fields.visit_on = "2026-10-05".into();
        moved.fields.snapshot.sales = Some(250_000);
        send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![save(client, next(), &moved)],
        )
        .await
        .expect("edit");
        let now = followed(&t, "a visit moved to another day").await;
        assert_eq!(day_of(&now, f.own, "2026-11-20").0, visits_before + 2);
        assert_eq!(
            day_of(&now, f.own, "2026-10-05").1.map(|s| s >= 250_000),
            Some(true)
        );

        // One is removed, as a removal writes it: a new global version on the row.
        support::execute(
            &t,
            "update sync_version set value = value + 1 where id = 1 and $1 is not null",
            ids[1],
        )
        .await;
        support::execute(
            &t,
            "update visits set deleted = true,
                    version = (select value from sync_version where id = 1)
              where id = $1",
            ids[1],
        )
        .await;
        let now = followed(&t, "a visit removed").await;
        assert_eq!(day_of(&now, f.own, "2026-11-20").0, visits_before + 1);

        // A value sent, then validated by the supervisor.
        let period = "2026-Q3";
        let value = SaveValueArgs {
            files: Vec::new(),
            id: value_id(f.own, "SOC-03", period),
            project_id: f.own,
            base_version: None,
            indicator: "SOC-03".into(),
            indicator_version: 1,
            period: period.into(),
            value: 7000,
            cells: Vec::new(),
            source: ValueSource::Record,
            evidence: "Registre".into(),
            status: EntryStatus::Submitted,
            form: None,
        };
        let r = send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![mutation(client, next(), SaveIndicatorValue::NAME, &value)],
        )
        .await
        .expect("push");
        assert!(r.refused.is_empty(), "{:?}: {:?}", t.engine, r.refused);
        let status_of = |source: &Source| {
            source
                .values
                .of(f.own)
                .iter()
                .find(|v| v.id == value.id)
                .map(|v| v.status)
        };
        let now = followed(&t, "a value sent").await;
        assert_eq!(status_of(&now), Some(EntryStatus::Submitted));
        let seen = pull(&t.db, &f.supervisor, Uuid::new_v4(), None).await;
        let sent = seen
            .records
            .iter()
            .find_map(|r| match r {
                Record::Value(v) if v.id == value.id => Some(v.version),
                _ => None,
            })
            .expect("the supervisor sees it");
        review(
            t.db.begin_push().await.expect("tx"),
            app::server::auth::review_scope(&f.supervisor).expect("scope"),
            &f.supervisor,
            Review {
                kind: RecordKind::Value,
                id: value.id,
                seen_version: sent,
                decision: ReviewDecision::Validate,
                comment: String::new(),
            },
        )
        .await
        .expect("validated");
        let now = followed(&t, "a value validated").await;
        assert_eq!(status_of(&now), Some(EntryStatus::Validated));

        // A member registered, then leaving.
        let member = Uuid::new_v4();
        let members_of = |source: &Source| source.members.of(f.own).len();
        let members_before = members_of(&now);
        let args = SaveMemberArgs {
            id: member,
            project_id: f.own,
            base_version: None,
            form_version: 1,
            answers: super::registry::member_answers("Mabrouka Jlassi", true, "1"),
        };
        send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![mutation(client, next(), SaveMember::NAME, &args)],
        )
        .await
        .expect("member");
        let now = followed(&t, "a member registered").await;
        assert_eq!(members_of(&now), members_before + 1);
        let leaves = MemberLeaves {
            id: member,
            project_id: f.own,
            left_on: "2026-11-20".into(),
        };
        send(
            &t.db,
            &f.facilitator,
            client,
            device,
            vec![mutation(client, next(), LeaveProject::NAME, &leaves)],
        )
        .await
        .expect("leaves");
        let now = followed(&t, "a member leaving").await;
        assert_eq!(
            now.members
                .of(f.own)
                .iter()
                .filter(|m| m.left_on.as_deref() == Some("2026-11-20"))
                .count(),
            1,
            "{:?}",
            t.engine
        );
    }
}
