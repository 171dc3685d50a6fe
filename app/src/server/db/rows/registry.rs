//! Rows of the registry: users, project cards and pages, members, targets.

use crate::domain::Names;
use crate::domain::{
    Member, ProjectCard, ProjectKind, ProjectStatus, Role, SessionUser, Sex, WgAnswer, WgAnswers,
};
use time::Date;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct UserRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
    pub is_demo: bool,
}

impl UserRow {
    pub fn into_user(self) -> Option<SessionUser> {
        Some(SessionUser {
            id: self.id,
            name: self.name,
            email: self.email,
            role: Role::parse(&self.role)?,
            demo: self.is_demo,
        })
    }
}

/// A project card's columns, its members counted on the day bound as `$3` (the rule of
/// `domain::member::is_member_on`); ends with `and `, for the caller to append
/// [`SCOPE_PREDICATE`].
pub(in crate::server::db) const CARD_SELECT: &str = "
select p.id, p.code, p.title, p.kind, p.status,
       vc.name_fr as vc_fr, vc.name_ar as vc_ar, vc.name_en as vc_en,
       inc.name as incubator, coalesce(f.name, '') as facilitator, l.name as locality,
       lv.visit_on as last_visit_on, lv.next_visit_on as next_visit_due,
       (select count(*) from members m
         where m.project_id = p.id and m.deleted = false
           and (m.joined_on is null or m.joined_on <= $3)
           and (m.left_on is null or m.left_on > $3)) as member_count
  from projects p
  join value_chains vc on vc.id = p.value_chain_id
  join organisations inc on inc.id = p.incubator_id
  join localities l on l.id = p.locality_id
  left join users f on f.id = p.facilitator_id
  left join visits lv on lv.id = (select v.id from visits v
                                   where v.project_id = p.id and v.deleted = false
                                   order by v.visit_on desc limit 1)
 where p.deleted = false
   and ";

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct CardRow {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub vc_fr: String,
    pub vc_ar: String,
    pub vc_en: String,
    pub incubator: String,
    pub facilitator: String,
    pub locality: String,
    pub last_visit_on: Option<Date>,
    pub next_visit_due: Option<Date>,
    pub member_count: i64,
}

impl CardRow {
    pub fn into_card(self) -> ProjectCard {
        ProjectCard {
            id: self.id,
            code: self.code,
            title: self.title,
            kind: ProjectKind::parse(&self.kind).unwrap_or(ProjectKind::Individual),
            status: ProjectStatus::parse(&self.status).unwrap_or(ProjectStatus::Operating),
            value_chain: Names {
                fr: self.vc_fr,
                ar: self.vc_ar,
                en: self.vc_en,
            },
            incubator: self.incubator,
            facilitator: self.facilitator,
            locality: self.locality,
            last_visit_on: self.last_visit_on.map(|d| d.to_string()),
            next_visit_due: self.next_visit_due.map(|d| d.to_string()),
            member_count: self.member_count,
            flags: Vec::new(),
            acknowledged: Vec::new(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct ProjectExtraRow {
    pub legal_form: String,
    pub call_wave: i32,
    pub training_track: String,
    pub grant_millimes: i64,
    pub contract_signed_on: Option<Date>,
    pub funder: String,
    pub disbursed_millimes: i64,
    pub visit_count: i64,
    pub value_chain_code: String,
}

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct MemberRow {
    pub id: Uuid,
    pub full_name: String,
    pub sex: String,
    pub birth_year: Option<i32>,
    pub role: String,
    pub wg_seeing: Option<i32>,
    pub wg_hearing: Option<i32>,
    pub wg_walking: Option<i32>,
    pub wg_cognition: Option<i32>,
    pub wg_self_care: Option<i32>,
    pub wg_communication: Option<i32>,
    pub joined_on: Option<Date>,
    pub left_on: Option<Date>,
    pub consent: bool,
    pub phone: String,
}

/// The columns of [`TargetRow`].
pub(in crate::server::db) const TARGET_COLUMNS: &str =
    "id, indicator, scope, scope_id, baseline_value, baseline_on,
    target_value, target_on, milestones, cell";

#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct TargetRow {
    pub id: Uuid,
    pub indicator: String,
    pub scope: String,
    pub scope_id: Option<Uuid>,
    pub baseline_value: Option<i64>,
    pub baseline_on: Option<Date>,
    pub target_value: i64,
    pub target_on: Date,
    /// JSON `[[day, value], …]`.
    pub milestones: String,
    pub cell: String,
}

impl TargetRow {
    pub fn into_scoped(self) -> crate::domain::indicator::dashboard::ScopedTarget {
        crate::domain::indicator::dashboard::ScopedTarget {
            scope: self.scope,
            scope_id: self.scope_id,
            target: crate::domain::indicator::progress::Target {
                id: self.id,
                indicator: self.indicator,
                baseline: self.baseline_value,
                baseline_on: self.baseline_on.map(|d| d.to_string()),
                target: self.target_value,
                target_on: self.target_on.to_string(),
                // Written from checked milestones only.
                milestones: serde_json::from_str(&self.milestones).unwrap_or_default(),
                cell: self.cell,
            },
        }
    }
}

/// A member as dashboards count them: only the derived flag leaves this row.
#[derive(sqlx::FromRow)]
pub(in crate::server::db) struct MemberFactRow {
    pub project_id: Uuid,
    #[sqlx(flatten)]
    pub member: MemberRow,
}

impl MemberFactRow {
    pub fn fact(self) -> crate::domain::indicator::derived::MemberFact {
        let m = self.member;
        crate::domain::indicator::derived::MemberFact {
            project: self.project_id,
            sex: m.sex(),
            with_disability: m.wg().with_disability(),
            birth_year: m.birth_year,
            role: m.role,
            joined_on: m.joined_on.map(|d| d.to_string()),
            left_on: m.left_on.map(|d| d.to_string()),
        }
    }
}

impl MemberRow {
    pub fn wg(&self) -> WgAnswers {
        let a = |v: Option<i32>| v.and_then(|c| WgAnswer::from_code(i64::from(c)));
        WgAnswers {
            seeing: a(self.wg_seeing),
            hearing: a(self.wg_hearing),
            walking: a(self.wg_walking),
            cognition: a(self.wg_cognition),
            self_care: a(self.wg_self_care),
            communication: a(self.wg_communication),
        }
    }

    pub fn sex(&self) -> Sex {
        Sex::parse(&self.sex).unwrap_or(Sex::Female)
    }

    /// The member; with its private answers only when `private` (see [`Member`]).
    pub fn into_member(self, private: bool) -> Member {
        let wg = self.wg();
        Member {
            id: self.id,
            with_disability: wg.with_disability(),
            private: private.then(|| crate::domain::MemberPrivate {
                consent: self.consent,
                phone: self.phone.clone(),
                wg,
            }),
            sex: self.sex(),
            full_name: self.full_name,
            birth_year: self.birth_year,
            role: self.role,
            joined_on: self.joined_on.map(|d| d.to_string()),
            left_on: self.left_on.map(|d| d.to_string()),
        }
    }
}

/// The columns of [`MemberRow`], on `members`.
pub(in crate::server::db) const MEMBER_FIELDS: &str = "id, full_name, sex, birth_year, role, \
    wg_seeing, wg_hearing, wg_walking, wg_cognition, wg_self_care, wg_communication, joined_on, \
    left_on, consent, phone";
