//! Stories of sync (push and pull) on the real database layer, told on SQLite and, when
//! configured, on PostgreSQL, by what they are about; here, what they share: the demo programme's
//! people, and a push and a pull as the phone makes them.

mod dashboards;
mod entries;
mod kinds;
mod projects;
mod protocol;
mod registry;
mod values;
mod visits;

use crate::support;

use app::domain::{EntryStatus, NewActionItem, SessionUser, VisitFields, VisitMode};
use app::error::AppError;
use app::server::auth::project_scope;
use app::server::db::{Db, Engine};
use app::server::demo::{DEMO_LOGINS, DemoSet};
use app::server::sync::{PushInput, push};
use app::sync::mutations::{AddAction, MutationType, SaveVisit, SaveVisitArgs};
use app::sync::protocol::{
    Cookie, Heartbeat, Mutation, PullResponse, PushRequest, PushResponse, Record,
};
use serde::Serialize;
use serde_json::value::RawValue;
use uuid::Uuid;

const TODAY: &str = "2026-11-26";

pub(crate) struct Field {
    pub facilitator: SessionUser,
    pub supervisor: SessionUser,
    /// One of the facilitator's projects.
    pub own: Uuid,
    /// A project of another facilitator (outside the facilitator's scope).
    pub other: Uuid,
}

pub(crate) fn user(set: &DemoSet, email: &str) -> SessionUser {
    let u = set
        .users
        .iter()
        .find(|u| u.email == email)
        .expect("demo user");
    SessionUser {
        id: u.id,
        name: u.name.clone(),
        email: u.email.clone(),
        role: u.role,
        demo: false,
    }
}

pub(crate) fn field(set: &DemoSet) -> Field {
    let facilitator = user(set, DEMO_LOGINS[0].0);
    let supervisor = user(set, DEMO_LOGINS[1].0);
    let own = set
        .projects
        .iter()
        .find(|p| p.facilitator_id == facilitator.id)
        .expect("own project")
        .id;
    let other = set
        .projects
        .iter()
        .find(|p| p.facilitator_id != facilitator.id)
        .expect("another's project")
        .id;
    Field {
        facilitator,
        supervisor,
        own,
        other,
    }
}

pub(crate) fn mutation(client: Uuid, seq: u64, name: &str, args: &impl Serialize) -> Mutation {
    let json = serde_json::to_string(args).expect("json");
    Mutation {
        client_id: client,
        seq,
        name: name.into(),
        args: RawValue::from_string(json).expect("raw"),
        created_at: 1_700_000_000_000 + seq as i64,
    }
}

pub(crate) fn visit(
    id: Uuid,
    project: Uuid,
    base: Option<i64>,
    observations: &str,
) -> SaveVisitArgs {
    SaveVisitArgs {
        id,
        base_version: base,
        fields: VisitFields {
            project_id: project,
            visit_on: "2026-11-20".into(),
            mode: VisitMode::OnSite,
            present_member_ids: vec![],
            topics: vec![app::domain::Topic::Marketing],
            observations: observations.into(),
            difficulties: String::new(),
            next_visit_on: Some("2026-12-20".into()),
            status: EntryStatus::Submitted,
            snapshot: Default::default(),
            form: None,
            files: Vec::new(),
        },
    }
}

pub(crate) fn save(client: Uuid, seq: u64, args: &SaveVisitArgs) -> Mutation {
    mutation(client, seq, SaveVisit::NAME, args)
}

fn heartbeat(device: Uuid) -> Heartbeat {
    Heartbeat {
        device_id: device,
        device_label: "Chrome on Android".into(),
        app_version: "test".into(),
        browser: "chrome".into(),
        ..Default::default()
    }
}

pub(crate) async fn send(
    db: &Db,
    user: &SessionUser,
    client: Uuid,
    device: Uuid,
    mutations: Vec<Mutation>,
) -> Result<PushResponse, AppError> {
    let store = db.begin_push().await?;
    push(
        store,
        PushInput {
            user: user.clone(),
            scope: project_scope(user)?,
            today: TODAY.into(),
            request: PushRequest {
                client_id: client,
                mutations,
                heartbeat: heartbeat(device),
            },
        },
    )
    .await
}

pub(crate) async fn pull(
    db: &Db,
    user: &SessionUser,
    client: Uuid,
    cookie: Option<&Cookie>,
) -> PullResponse {
    db.pull(user, project_scope(user).expect("scope"), client, cookie)
        .await
        .expect("pull")
}

fn visits_in(response: &PullResponse) -> Vec<&app::domain::Visit> {
    response
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Visit(v) => Some(v),
            _ => None,
        })
        .collect()
}

/// The codes of the entries a push refused, in order.
fn refusals(response: &PushResponse) -> Vec<&str> {
    response.refused.iter().map(|x| x.code.as_str()).collect()
}
