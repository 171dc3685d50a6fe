//! Writing what a push changed, by kind.

use super::Conn;
use crate::server::db::{DbError, rows};

pub(super) async fn write(
    tx: &mut Conn,
    changes: crate::server::sync::store::Changes<'_>,
) -> Result<(), DbError> {
    use rows::{day, day_opt, join_ids, join_topics, review_at};
    let crate::server::sync::store::Changes {
        records,
        conflicts,
        revisions,
    } = changes;
    use crate::server::sync::store::StoredRecord;
    let now = rows::now();
    // Projects first: what else the batch writes may belong to one it registers. Otherwise
    // mutations change what the field may change of a project.
    for record in records {
        if let StoredRecord::Project(p) = record {
            let status = p.record.status.map(|s| s.as_str()).unwrap_or("preselected");
            if let (Some(placement), Some(origin)) = (p.placement, &p.record.origin) {
                // Registered from the field, in this batch: preselected, no grant yet. (A
                // batch replayed one mutation at a time writes it again with each change.)
                sqlx::query(
                    "insert into projects (id, code, title, kind, legal_form, value_chain_id,
                        incubator_id, facilitator_id, locality_id, call_wave, training_track,
                        status, grant_millimes, version, created_at, updated_at)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $14)
                     on conflict (id) do update set status = excluded.status, title = excluded.title,
                        legal_form = excluded.legal_form, training_track = excluded.training_track,
                        version = excluded.version, updated_at = excluded.updated_at",
                )
                .bind(p.record.id)
                .bind(p.record.code.clone())
                .bind(p.record.title.clone())
                .bind(origin.kind.as_str())
                .bind(p.record.legal_form.clone())
                .bind(origin.value_chain_id)
                .bind(placement.incubator_id)
                .bind(placement.facilitator_id)
                .bind(origin.locality_id)
                .bind(origin.call_wave)
                .bind(p.record.training_track.clone())
                .bind(status)
                .bind(p.record.version)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                continue;
            }
            sqlx::query(
                "update projects set status = $1, version = $2, updated_at = $3, title = $5,
                    legal_form = $6, training_track = $7 where id = $4",
            )
            .bind(status)
            .bind(p.record.version)
            .bind(now)
            .bind(p.record.id)
            .bind(p.record.title.clone())
            .bind(p.record.legal_form.clone())
            .bind(p.record.training_track.clone())
            .execute(&mut *tx)
            .await?;
        }
    }
    let visits: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            StoredRecord::Visit(v) => Some(v),
            _ => None,
        })
        .collect();
    for chunk in visits.chunks(200) {
        // Dates are checked before any query, so a bad one never half-builds a statement.
        let mut days = Vec::with_capacity(chunk.len());
        for v in chunk {
            days.push((
                day(&v.visit.fields.visit_on)?,
                day_opt(v.visit.fields.next_visit_on.as_deref())?,
                review_at(v.visit.review.as_ref())?,
            ));
        }
        let mut q = sqlx::QueryBuilder::new(
            "insert into visits (id, project_id, facilitator_id, visit_on, mode,
                present_member_ids, topics, observations, difficulties, next_visit_on,
                status, conflict, last_device_id, version, deleted, review_decision,
                review_comment, reviewed_by, reviewed_at, sales_millimes, purchases_millimes,
                cash_millimes, stock_millimes, debts_millimes, cash_book_up_to_date, shock,
                form_version, answers, created_at, updated_at) ",
        );
        q.push_values(
            chunk.iter().zip(days),
            |mut b, (v, (visit_on, next, reviewed_at))| {
                let f = &v.visit.fields;
                let review = v.visit.review.as_ref();
                b.push_bind(v.visit.id)
                    .push_bind(f.project_id)
                    .push_bind(v.visit.author_id)
                    .push_bind(visit_on)
                    .push_bind(f.mode.as_str())
                    .push_bind(join_ids(&f.present_member_ids))
                    .push_bind(join_topics(&f.topics))
                    .push_bind(f.observations.clone())
                    .push_bind(f.difficulties.clone())
                    .push_bind(next)
                    .push_bind(f.status.as_str())
                    .push_bind(v.visit.conflict)
                    .push_bind(v.last_device_id)
                    .push_bind(v.visit.version)
                    .push_bind(v.deleted)
                    .push_bind(review.map(|r| r.decision.as_str()))
                    .push_bind(review.map(|r| r.comment.clone()).unwrap_or_default())
                    .push_bind(review.and_then(|r| r.by))
                    .push_bind(reviewed_at)
                    .push_bind(f.snapshot.sales)
                    .push_bind(f.snapshot.purchases)
                    .push_bind(f.snapshot.cash)
                    .push_bind(f.snapshot.stock)
                    .push_bind(f.snapshot.debts)
                    .push_bind(f.snapshot.cash_book_up_to_date)
                    .push_bind(f.snapshot.shock.clone())
                    .push_bind(f.form.as_ref().map(|a| i64::from(a.version)))
                    .push_bind(
                        f.form
                            .as_ref()
                            .and_then(|a| serde_json::to_string(&a.answers).ok()),
                    )
                    .push_bind(now)
                    .push_bind(now);
            },
        );
        q.push(
            " on conflict (id) do update set visit_on = excluded.visit_on,
                mode = excluded.mode, present_member_ids = excluded.present_member_ids,
                topics = excluded.topics, observations = excluded.observations,
                difficulties = excluded.difficulties, next_visit_on = excluded.next_visit_on,
                status = excluded.status, conflict = excluded.conflict,
                last_device_id = excluded.last_device_id, version = excluded.version,
                deleted = excluded.deleted, review_decision = excluded.review_decision,
                review_comment = excluded.review_comment, reviewed_by = excluded.reviewed_by,
                reviewed_at = excluded.reviewed_at, sales_millimes = excluded.sales_millimes,
                purchases_millimes = excluded.purchases_millimes,
                cash_millimes = excluded.cash_millimes, stock_millimes = excluded.stock_millimes,
                debts_millimes = excluded.debts_millimes,
                cash_book_up_to_date = excluded.cash_book_up_to_date, shock = excluded.shock,
                form_version = excluded.form_version, answers = excluded.answers,
                updated_at = excluded.updated_at",
        );
        q.build().execute(&mut *tx).await?;
    }
    let actions: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            StoredRecord::Action(a) => Some(a),
            _ => None,
        })
        .collect();
    for chunk in actions.chunks(200) {
        let mut days = Vec::with_capacity(chunk.len());
        for a in chunk {
            days.push((
                day_opt(a.item.due_on.as_deref())?,
                day_opt(a.item.closed_on.as_deref())?,
            ));
        }
        let mut q = sqlx::QueryBuilder::new(
            "insert into action_items (id, project_id, visit_id, title, due_on, status,
                closed_on, author_id, last_device_id, version, deleted, created_at, updated_at) ",
        );
        q.push_values(chunk.iter().zip(days), |mut b, (a, (due, closed))| {
            let i = &a.item;
            b.push_bind(i.id)
                .push_bind(i.project_id)
                .push_bind(i.visit_id)
                .push_bind(i.title.clone())
                .push_bind(due)
                .push_bind(i.status.as_str())
                .push_bind(closed)
                .push_bind(i.author_id)
                .push_bind(a.last_device_id)
                .push_bind(i.version)
                .push_bind(a.deleted)
                .push_bind(now)
                .push_bind(now);
        });
        q.push(
            " on conflict (id) do update set title = excluded.title,
                due_on = excluded.due_on, status = excluded.status,
                closed_on = excluded.closed_on, last_device_id = excluded.last_device_id,
                version = excluded.version, deleted = excluded.deleted,
                updated_at = excluded.updated_at",
        );
        q.build().execute(&mut *tx).await?;
    }
    let members: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            StoredRecord::Member(m) => Some(m),
            _ => None,
        })
        .collect();
    for chunk in members.chunks(100) {
        let mut days = Vec::with_capacity(chunk.len());
        for m in chunk {
            let member = &m.record.member;
            days.push((
                day_opt(member.joined_on.as_deref())?,
                day_opt(member.left_on.as_deref())?,
                review_at(m.record.review.as_ref())?,
            ));
        }
        let mut q = sqlx::QueryBuilder::new(
            "insert into members (id, project_id, full_name, sex, birth_year, role, consent,
                wg_seeing, wg_hearing, wg_walking, wg_cognition, wg_self_care, wg_communication,
                joined_on, left_on, phone, form_version, answers, last_device_id, version,
                deleted, review_decision, review_comment, reviewed_by, reviewed_at,
                created_at, updated_at) ",
        );
        q.push_values(
            chunk.iter().zip(days),
            |mut b, (m, (joined, left, reviewed_at))| {
                let review = m.record.review.as_ref();
                let member = &m.record.member;
                let private = member.private.clone().unwrap_or_default();
                b.push_bind(member.id)
                    .push_bind(m.record.project_id)
                    .push_bind(member.full_name.clone())
                    .push_bind(member.sex.as_str())
                    .push_bind(member.birth_year)
                    .push_bind(member.role.clone())
                    .push_bind(private.consent);
                for answer in private.wg.as_array() {
                    b.push_bind(answer.map(|a| a.code() as i32));
                }
                b.push_bind(joined)
                    .push_bind(left)
                    .push_bind(private.phone)
                    .push_bind(m.form_version.map(i64::from))
                    .push_bind(m.answers.clone())
                    .push_bind(m.last_device_id)
                    .push_bind(m.record.version)
                    .push_bind(m.deleted)
                    .push_bind(review.map(|r| r.decision.as_str()))
                    .push_bind(review.map(|r| r.comment.clone()).unwrap_or_default())
                    .push_bind(review.and_then(|r| r.by))
                    .push_bind(reviewed_at)
                    .push_bind(now)
                    .push_bind(now);
            },
        );
        q.push(
            " on conflict (id) do update set full_name = excluded.full_name, sex = excluded.sex,
                birth_year = excluded.birth_year, role = excluded.role, consent = excluded.consent,
                wg_seeing = excluded.wg_seeing, wg_hearing = excluded.wg_hearing,
                wg_walking = excluded.wg_walking, wg_cognition = excluded.wg_cognition,
                wg_self_care = excluded.wg_self_care, wg_communication = excluded.wg_communication,
                joined_on = excluded.joined_on, left_on = excluded.left_on, phone = excluded.phone,
                form_version = excluded.form_version, answers = excluded.answers,
                last_device_id = excluded.last_device_id, version = excluded.version,
                deleted = excluded.deleted, review_decision = excluded.review_decision,
                review_comment = excluded.review_comment, reviewed_by = excluded.reviewed_by,
                reviewed_at = excluded.reviewed_at, updated_at = excluded.updated_at",
        );
        q.build().execute(&mut *tx).await?;
    }
    let milestones: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            StoredRecord::Milestone(m) => Some(m),
            _ => None,
        })
        .collect();
    for chunk in milestones.chunks(200) {
        let mut days = Vec::with_capacity(chunk.len());
        for m in chunk {
            days.push((
                day_opt(m.milestone.due_on.as_deref())?,
                day_opt(m.milestone.achieved_on.as_deref())?,
                review_at(m.milestone.review.as_ref())?,
            ));
        }
        let mut q = sqlx::QueryBuilder::new(
            "insert into milestones (id, project_id, kind, label, due_on, achieved_on,
                last_device_id, version, deleted, review_decision, review_comment, reviewed_by,
                reviewed_at, created_at, updated_at) ",
        );
        q.push_values(
            chunk.iter().zip(days),
            |mut b, (m, (due, achieved, reviewed_at))| {
                let ms = &m.milestone;
                let review = ms.review.as_ref();
                b.push_bind(ms.id)
                    .push_bind(ms.project_id)
                    .push_bind(ms.kind.clone())
                    .push_bind(ms.label.clone())
                    .push_bind(due)
                    .push_bind(achieved)
                    .push_bind(m.last_device_id)
                    .push_bind(ms.version)
                    .push_bind(m.deleted)
                    .push_bind(review.map(|r| r.decision.as_str()))
                    .push_bind(review.map(|r| r.comment.clone()).unwrap_or_default())
                    .push_bind(review.and_then(|r| r.by))
                    .push_bind(reviewed_at)
                    .push_bind(now)
                    .push_bind(now);
            },
        );
        q.push(
            " on conflict (id) do update set kind = excluded.kind, label = excluded.label,
                due_on = excluded.due_on, achieved_on = excluded.achieved_on,
                last_device_id = excluded.last_device_id, version = excluded.version,
                deleted = excluded.deleted, review_decision = excluded.review_decision,
                review_comment = excluded.review_comment, reviewed_by = excluded.reviewed_by,
                reviewed_at = excluded.reviewed_at, updated_at = excluded.updated_at",
        );
        q.build().execute(&mut *tx).await?;
    }
    let values: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            StoredRecord::Value(v) => Some(v),
            _ => None,
        })
        .collect();
    for chunk in values.chunks(200) {
        let mut reviewed = Vec::with_capacity(chunk.len());
        for v in chunk {
            reviewed.push(review_at(v.value.review.as_ref())?);
        }
        let mut q = sqlx::QueryBuilder::new(
            "insert into indicator_values (id, project_id, indicator, indicator_version, period,
                value, cells, source, evidence, status, author_id, last_device_id, version,
                deleted, review_decision, review_comment, reviewed_by, reviewed_at,
                form_version, answers, created_at, updated_at) ",
        );
        q.push_values(chunk.iter().zip(reviewed), |mut b, (v, reviewed_at)| {
            let value = &v.value;
            let review = value.review.as_ref();
            b.push_bind(value.id)
                .push_bind(value.project_id)
                .push_bind(value.indicator.clone())
                .push_bind(i64::from(value.indicator_version))
                .push_bind(value.period.clone())
                .push_bind(value.value)
                .push_bind(serde_json::to_string(&value.cells).unwrap_or_else(|_| "[]".into()))
                .push_bind(value.source.as_str())
                .push_bind(value.evidence.clone())
                .push_bind(value.status.as_str())
                .push_bind(value.author_id)
                .push_bind(v.last_device_id)
                .push_bind(value.version)
                .push_bind(v.deleted)
                .push_bind(review.map(|r| r.decision.as_str()))
                .push_bind(review.map(|r| r.comment.clone()).unwrap_or_default())
                .push_bind(review.and_then(|r| r.by))
                .push_bind(reviewed_at)
                .push_bind(value.form.as_ref().map(|a| i64::from(a.version)))
                .push_bind(
                    value
                        .form
                        .as_ref()
                        .and_then(|a| serde_json::to_string(&a.answers).ok()),
                )
                .push_bind(now)
                .push_bind(now);
        });
        q.push(
            " on conflict (id) do update set indicator_version = excluded.indicator_version,
                value = excluded.value, cells = excluded.cells, source = excluded.source,
                evidence = excluded.evidence, status = excluded.status,
                last_device_id = excluded.last_device_id, version = excluded.version,
                deleted = excluded.deleted, review_decision = excluded.review_decision,
                review_comment = excluded.review_comment, reviewed_by = excluded.reviewed_by,
                reviewed_at = excluded.reviewed_at, form_version = excluded.form_version,
                answers = excluded.answers, updated_at = excluded.updated_at",
        );
        q.build().execute(&mut *tx).await?;
    }
    let entries: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            StoredRecord::Entry(e) => Some(e),
            _ => None,
        })
        .collect();
    for chunk in entries.chunks(200) {
        let mut days = Vec::with_capacity(chunk.len());
        for e in chunk {
            let on = Some(e.entry.day()).filter(|d| !d.is_empty());
            days.push((day_opt(on)?, review_at(e.entry.review.as_ref())?));
        }
        let mut q = sqlx::QueryBuilder::new(
            "insert into form_entries (id, project_id, form_id, form_version, status, answers,
                done_on, author_id, last_device_id, version, deleted, review_decision,
                review_comment, reviewed_by, reviewed_at, created_at, updated_at) ",
        );
        q.push_values(chunk.iter().zip(days), |mut b, (e, (on, reviewed_at))| {
            let entry = &e.entry;
            let review = entry.review.as_ref();
            b.push_bind(entry.id)
                .push_bind(entry.project_id)
                .push_bind(entry.form_id.clone())
                .push_bind(i64::from(entry.form_version))
                .push_bind(entry.status.as_str())
                .push_bind(serde_json::to_string(&entry.answers).unwrap_or_default())
                .push_bind(on)
                .push_bind(entry.author_id)
                .push_bind(e.last_device_id)
                .push_bind(entry.version)
                .push_bind(e.deleted)
                .push_bind(review.map(|r| r.decision.as_str()))
                .push_bind(review.map(|r| r.comment.clone()).unwrap_or_default())
                .push_bind(review.and_then(|r| r.by))
                .push_bind(reviewed_at)
                .push_bind(now)
                .push_bind(now);
        });
        q.push(
            " on conflict (id) do update set form_version = excluded.form_version,
                status = excluded.status, answers = excluded.answers,
                done_on = excluded.done_on, last_device_id = excluded.last_device_id,
                version = excluded.version, deleted = excluded.deleted,
                review_decision = excluded.review_decision,
                review_comment = excluded.review_comment, reviewed_by = excluded.reviewed_by,
                reviewed_at = excluded.reviewed_at, updated_at = excluded.updated_at",
        );
        q.build().execute(&mut *tx).await?;
    }
    for chunk in conflicts.chunks(200) {
        let mut q = sqlx::QueryBuilder::new(
            "insert into sync_conflicts (id, record_kind, record_id, base_version, incoming,
                client_id, seq, user_id, created_at, updated_at) ",
        );
        q.push_values(chunk, |mut b, c| {
            b.push_bind(c.id)
                .push_bind(c.kind.as_str())
                .push_bind(c.record_id)
                .push_bind(c.base_version)
                .push_bind(c.incoming.clone())
                .push_bind(c.client_id)
                .push_bind(i64::try_from(c.seq).unwrap_or(i64::MAX))
                .push_bind(c.user_id)
                .push_bind(now)
                .push_bind(now);
        });
        q.push(" on conflict (id) do nothing");
        q.build().execute(&mut *tx).await?;
    }
    for chunk in revisions.chunks(200) {
        let mut q = sqlx::QueryBuilder::new(
            "insert into entry_revisions (record_kind, record_id, version, user_id, status,
                content, created_at, updated_at) ",
        );
        q.push_values(chunk, |mut b, r| {
            b.push_bind(r.kind.as_str())
                .push_bind(r.record_id)
                .push_bind(r.version)
                .push_bind(r.user_id)
                .push_bind(r.status.as_str())
                .push_bind(r.content.clone())
                .push_bind(now)
                .push_bind(now);
        });
        q.push(
            " on conflict (record_kind, record_id, version) do update set
                content = excluded.content, status = excluded.status,
                updated_at = excluded.updated_at",
        );
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}
