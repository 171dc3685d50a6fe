//! The demo set: fictional but realistic data for the Kébili programme (`domain-research.md`,
//! part C), generated deterministically from a seed and a day. The same seed and day always give
//! the same rows, and dates are relative to the day, so "next visit due" and overdue states look
//! real whenever the demo is loaded. No real person's name is used.

use super::db::PasswordHash;
pub use super::db::demo_set::*;
use crate::domain::Names;
use crate::domain::{ProjectKind, ProjectStatus, Role, Sex, WgAnswer, WgAnswers};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, Month};
use uuid::Uuid;

mod chains;
use chains::{CHAINS, FAMILIES, MEN, PLACES, WOMEN};

/// The seed `athar demo-data` and first start use unless told otherwise.
pub const DEFAULT_SEED: u64 = 202_030;

/// The password of every demo account (listed in the README).
pub const DEMO_PASSWORD: &str = "athar-demo-2026";

/// One demo login per role, as the README lists them.
pub const DEMO_LOGINS: [(&str, Role); 4] = [
    ("amal.facilitatrice@demo.athar.tn", Role::Facilitator),
    ("rim.superviseure@demo.athar.tn", Role::Supervisor),
    ("equipe@demo.athar.tn", Role::Team),
    ("comite@demo.athar.tn", Role::Viewer),
];

/// Builds the whole demo set for `today` from `seed`.
pub fn generate(seed: u64, today: Date, password_hash: PasswordHash) -> DemoSet {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // What goes wrong, and where: drawn apart, so the rest of the programme stays the same.
    let mut fate = ChaCha8Rng::seed_from_u64(seed ^ 0x7269_736b);
    let id = |rng: &mut ChaCha8Rng| uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid();

    let localities: Vec<DemoLocality> = PLACES
        .iter()
        .map(|(delegation, name)| DemoLocality {
            id: id(&mut rng),
            governorate: "Kébili".into(),
            delegation: (*delegation).into(),
            name: (*name).into(),
        })
        .collect();
    let place = |name: &str| {
        localities
            .iter()
            .find(|l| l.name == name)
            .map(|l| l.id)
            .unwrap_or(localities[0].id)
    };

    let value_chains: Vec<DemoValueChain> = CHAINS
        .iter()
        .map(|c| DemoValueChain {
            id: id(&mut rng),
            code: c.code.into(),
            names: Names {
                fr: c.fr.into(),
                ar: c.ar.into(),
                en: c.en.into(),
            },
        })
        .collect();

    let mut organisations = vec![DemoOrganisation {
        id: id(&mut rng),
        kind: "lead_ngo",
        name: "ONG chef de file – programme Joud (fictif)".into(),
        locality_id: Some(place("Kébili")),
    }];
    let incubators: Vec<(Uuid, &str)> = [
        ("Incubateur de proximité Oasis Vertes", "Kébili"),
        ("Pépinière solidaire Nefzaoua", "Stiftimia"),
        ("Incubateur Bab Sahara", "Douz"),
    ]
    .into_iter()
    .map(|(name, at)| {
        let org = DemoOrganisation {
            id: id(&mut rng),
            kind: "incubator",
            name: format!("{name} (fictif)"),
            locality_id: Some(place(at)),
        };
        let out = (org.id, at);
        organisations.push(org);
        out
    })
    .collect();
    for (kind, name) in [
        ("public_structure", "Bureau régional de l'emploi (fictif)"),
        (
            "public_structure",
            "Commissariat régional au développement agricole (fictif)",
        ),
        ("public_structure", "Office régional du tourisme (fictif)"),
        ("technical_support", "Centre technique des dattes (fictif)"),
        ("technical_support", "Institution de microfinance (fictive)"),
        ("funder", "Bailleur du programme (fictif)"),
    ] {
        organisations.push(DemoOrganisation {
            id: id(&mut rng),
            kind,
            name: name.into(),
            locality_id: None,
        });
    }

    let mut users = Vec::new();
    let person = |rng: &mut ChaCha8Rng, sex: Sex| -> String {
        let first = match sex {
            Sex::Female => WOMEN.choose(rng).copied().unwrap_or("Amal"),
            Sex::Male => MEN.choose(rng).copied().unwrap_or("Ali"),
        };
        format!(
            "{first} {}",
            FAMILIES.choose(rng).copied().unwrap_or("Ben Salah")
        )
    };
    // Three facilitators per incubator, mixed sex; the first is the README's demo login.
    let mut facilitators: Vec<Vec<Uuid>> = vec![Vec::new(); incubators.len()];
    for i in 0..9 {
        let sex = if i % 2 == 0 { Sex::Female } else { Sex::Male };
        let (name, email) = if i == 0 {
            ("Amal Ben Salah".to_owned(), DEMO_LOGINS[0].0.to_owned())
        } else {
            let name = person(&mut rng, sex);
            (name, format!("animateur{}@demo.athar.tn", i + 1))
        };
        let user = DemoUser {
            id: id(&mut rng),
            email,
            name,
            role: Role::Facilitator,
            organisation_id: Some(incubators[i % 3].0),
        };
        facilitators[i % 3].push(user.id);
        users.push(user);
    }
    let lead = organisations[0].id;
    let sup_a = DemoUser {
        id: id(&mut rng),
        email: DEMO_LOGINS[1].0.into(),
        name: "Rim Haddad".into(),
        role: Role::Supervisor,
        organisation_id: Some(lead),
    };
    let sup_b = DemoUser {
        id: id(&mut rng),
        email: "slim.superviseur@demo.athar.tn".into(),
        name: "Slim Toumi".into(),
        role: Role::Supervisor,
        organisation_id: Some(lead),
    };
    // One supervisor covers the two oasis incubators, the other the Douz one.
    let supervisor_incubators = vec![
        (sup_a.id, incubators[0].0),
        (sup_a.id, incubators[1].0),
        (sup_b.id, incubators[2].0),
    ];
    users.push(sup_a);
    users.push(sup_b);
    users.push(DemoUser {
        id: id(&mut rng),
        email: DEMO_LOGINS[2].0.into(),
        name: "Sabrine Khelifi".into(),
        role: Role::Team,
        organisation_id: Some(lead),
    });
    users.push(DemoUser {
        id: id(&mut rng),
        email: DEMO_LOGINS[3].0.into(),
        name: "Comité de suivi".into(),
        role: Role::Viewer,
        organisation_id: None,
    });

    // 49 projects, 29 individual and 20 collective, spread over the chains per the research mix.
    let mut kinds: Vec<ProjectKind> = std::iter::repeat_n(ProjectKind::Individual, 29)
        .chain(std::iter::repeat_n(ProjectKind::Collective, 20))
        .collect();
    kinds.shuffle(&mut rng);
    let mut projects = Vec::new();
    let mut members = Vec::new();
    let mut visits = Vec::new();
    let mut tranches = Vec::new();
    let mut targets = Vec::new();
    let mut n = 0;
    for (ci, chain) in CHAINS.iter().enumerate() {
        for k in 0..chain.projects {
            let kind = kinds[n];
            n += 1;
            let places: &[&str] = match chain.code {
                "TOU" => &["Douz", "El Faouar", "Golâa"],
                "GEO" => &["Rjim Maatoug", "Kébili"],
                _ => &[
                    "Kébili",
                    "Ras El Ain",
                    "Mansoura",
                    "Telmine",
                    "Jemna",
                    "Stiftimia",
                    "Kébili",
                ],
            };
            let at = places.choose(&mut rng).copied().unwrap_or("Kébili");
            let incubator = match at {
                "Douz" | "El Faouar" | "Golâa" | "Rjim Maatoug" => 2,
                "Stiftimia" | "Jemna" => 1,
                _ => 0,
            };
            let facilitator = *facilitators[incubator]
                .choose(&mut rng)
                .unwrap_or(&users[0].id);
            let wave = if rng.gen_bool(0.55) { 1 } else { 2 };
            let extension = rng.gen_bool(0.1);
            let contract =
                today - Duration::days(rng.gen_range(700..1000) - if wave == 2 { 200 } else { 0 });
            let status = match rng.gen_range(0..100) {
                0..=5 => ProjectStatus::Withdrawn,
                6..=9 => ProjectStatus::Suspended,
                10..=12 => ProjectStatus::Closed,
                _ => ProjectStatus::Operating,
            };
            let activity = chain
                .activities
                .choose(&mut rng)
                .copied()
                .unwrap_or("Activité");
            let grant_dinars = match kind {
                ProjectKind::Individual => rng.gen_range(15..=24) * 1000,
                ProjectKind::Collective => rng.gen_range(22..=30) * 1000,
            };
            let (legal_form, track) = match kind {
                ProjectKind::Individual => (
                    *["sole_trader", "informal"]
                        .choose(&mut rng)
                        .unwrap_or(&"informal"),
                    if extension { "germe" } else { "cefe_sse" },
                ),
                ProjectKind::Collective => (
                    *["gda", "association", "informal_group", "gda", "smsa"]
                        .choose(&mut rng)
                        .unwrap_or(&"gda"),
                    if extension { "germe" } else { "collective_sse" },
                ),
            };
            // What goes wrong, as a real programme would show it: a few projects late with a
            // tranche's receipts, buying more than they sell, or not visited for weeks; one or
            // two of these at once, never all.
            let trouble = fate.gen_range(0..100);
            let late = matches!(trouble, 0..=5 | 16..=18);
            let struggling = matches!(trouble, 6..=9);
            let lagging = matches!(trouble, 10..=18);
            let project = DemoProject {
                id: id(&mut rng),
                code: format!("JN-{}-{:02}", chain.code, k + 1),
                title: match kind {
                    ProjectKind::Individual => format!("{activity} – {at}"),
                    ProjectKind::Collective => format!("{activity} – groupement de {at}"),
                },
                kind,
                legal_form,
                value_chain_id: value_chains[ci].id,
                incubator_id: incubators[incubator].0,
                facilitator_id: facilitator,
                locality_id: place(at),
                call_wave: if extension { 3 } else { wave },
                training_track: track,
                status,
                grant_millimes: grant_dinars * 1000,
                contract_signed_on: contract,
            };

            // Members: a promoter and 0–2 workers, or a group of 3–12.
            let size = match kind {
                ProjectKind::Individual => 1 + rng.gen_range(0..=2),
                ProjectKind::Collective => rng.gen_range(3..=12),
            };
            for m in 0..size {
                let sex = if rng.gen_bool(0.55) {
                    Sex::Female
                } else {
                    Sex::Male
                };
                let young = rng.gen_bool(0.6);
                let age: i32 = if young {
                    rng.gen_range(18..=35)
                } else {
                    rng.gen_range(36..=62)
                };
                let role = match (kind, m) {
                    (ProjectKind::Individual, 0) => "promoter",
                    (ProjectKind::Individual, _) => {
                        if rng.gen_bool(0.5) {
                            "employee"
                        } else {
                            "seasonal_worker"
                        }
                    }
                    (ProjectKind::Collective, 0) => "president",
                    (ProjectKind::Collective, 1) => "treasurer",
                    (ProjectKind::Collective, _) => "member",
                };
                let left_on = (m > 0 && rng.gen_bool(0.05))
                    .then(|| today - Duration::days(rng.gen_range(20..400)));
                members.push(DemoMember {
                    id: id(&mut rng),
                    project_id: project.id,
                    full_name: person(&mut rng, sex),
                    sex,
                    // A few registries lack the birth year: missing data is real.
                    birth_year: (!rng.gen_bool(0.03)).then_some(today.year() - age),
                    role,
                    wg: wg_answers(&mut rng),
                    joined_on: contract,
                    left_on,
                });
            }

            // Tranches 50/30/20: the first paid at contract, later ones as the project goes.
            // A tranche is justified within the quarter after it is paid, in full; the one paid
            // in the last quarter is partly justified so far.
            let mut latest_paid = None;
            for (seq, share) in [(1, 50), (2, 30), (3, 20)] {
                let planned = project.grant_millimes * share / 100;
                let paid_on = contract + Duration::days(i64::from(seq - 1) * 240);
                let paid = paid_on < today && !(seq == 3 && rng.gen_bool(0.4));
                let seen = rng.gen_range(40..=100);
                let recent = today - paid_on < Duration::days(90);
                if paid {
                    latest_paid = Some(tranches.len());
                }
                tranches.push(DemoTranche {
                    id: id(&mut rng),
                    project_id: project.id,
                    seq,
                    planned_millimes: planned,
                    disbursed_millimes: paid.then_some(planned),
                    disbursed_on: paid.then_some(paid_on),
                    justified_millimes: paid.then(|| {
                        if recent {
                            planned * seen / 100
                        } else {
                            planned
                        }
                    }),
                });
            }
            if let Some(t) = latest_paid.filter(|_| late && status.is_active()) {
                let tranche = &mut tranches[t];
                tranche.justified_millimes = Some(tranche.planned_millimes * 55 / 100);
            }

            // Targets three years after the contract: jobs, people coached, monthly turnover.
            let people = members
                .iter()
                .filter(|m| m.project_id == project.id)
                .count() as i64;
            let (jobs, turnover) = match kind {
                ProjectKind::Individual => (2, 1_500),
                ProjectKind::Collective => (4, 3_000),
            };
            for (indicator, target) in [
                ("SOC-01", jobs * 1000),
                ("SOC-03", people * 1000),
                ("ECO-01", turnover * 1000),
            ] {
                targets.push(DemoTarget {
                    id: id(&mut rng),
                    project_id: project.id,
                    indicator,
                    baseline: 0,
                    baseline_on: contract,
                    target,
                    target_on: contract + Duration::days(3 * 365),
                });
            }

            // Monthly visits over the last two years, with gaps; a visit sets the next one a
            // month later, so the last visit's date decides whether the project is overdue.
            let first = std::cmp::max(contract, today - Duration::days(730));
            let stop = match status {
                ProjectStatus::Withdrawn | ProjectStatus::Closed => {
                    today - Duration::days(rng.gen_range(90..300))
                }
                _ if lagging => today - Duration::days(rng.gen_range(50..90)),
                _ => today - Duration::days(rng.gen_range(0..8)),
            };
            let mut day = first + Duration::days(rng.gen_range(3..20));
            let mut previous_sales = None::<i64>;
            while day <= stop {
                let next = day + Duration::days(rng.gen_range(26..35));
                if !rng.gen_bool(0.08) {
                    let month = day.month() as u8;
                    let s = &chain.season;
                    let base = if s.peak_months.contains(&month) {
                        s.high
                    } else {
                        s.low.max(s.high / 8)
                    };
                    let noise = rng.gen_range(70..=130);
                    let sales = (base * noise / 100) * 1000;
                    let purchases = sales * rng.gen_range(30..=70) / 100;
                    visits.push(DemoVisit {
                        id: id(&mut rng),
                        project_id: project.id,
                        facilitator_id: facilitator,
                        visit_on: day,
                        mode: if rng.gen_bool(0.85) {
                            "on_site"
                        } else {
                            "phone"
                        },
                        sales_millimes: (!rng.gen_bool(0.05)).then_some(sales),
                        purchases_millimes: Some(purchases),
                        cash_millimes: Some(rng.gen_range(50..2_000) * 1000),
                        cash_book_up_to_date: Some(rng.gen_bool(0.7)),
                        observations: observation(&mut rng, previous_sales, sales),
                        next_visit_on: next,
                        status: if day < today - Duration::days(14) {
                            "validated"
                        } else {
                            "submitted"
                        },
                    });
                    previous_sales = Some(sales);
                }
                day = next;
            }
            if struggling {
                let theirs = visits
                    .iter_mut()
                    .rev()
                    .filter(|v| v.project_id == project.id);
                for v in theirs.take(3) {
                    let sales = v.sales_millimes.unwrap_or(200_000);
                    v.sales_millimes = Some(sales);
                    v.purchases_millimes = Some(sales * 5 / 4);
                }
            }
            projects.push(project);
        }
    }

    let values = demo_values(seed, today, &projects, &visits, &value_chains);
    DemoSet {
        today,
        password_hash,
        localities,
        value_chains,
        organisations,
        users,
        supervisor_incubators,
        projects,
        members,
        visits,
        tranches,
        targets,
        values,
    }
}

/// Two years of validated values for the indicators the visits and the registry do not give:
/// net result (from the visits' sales and purchases) and whether the project operates, each
/// quarter; palm by-products recovered each quarter and waste recycled each month, where the
/// value chain has them; general assemblies of collectives each year. Only periods already over.
/// (A generator of its own, so the rest of the demo stays as it was for a seed.)
fn demo_values(
    seed: u64,
    today: Date,
    projects: &[DemoProject],
    visits: &[DemoVisit],
    chains: &[DemoValueChain],
) -> Vec<DemoValue> {
    use crate::domain::indicator::Frequency;
    use crate::domain::indicator::derived::period_end;
    use crate::domain::indicator::value::{period_of, value_id};
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(0x1d1c_a702));
    let today_s = today.to_string();
    let from = (today - Duration::days(730)).to_string();
    // Every period of `frequency` from two years ago to the last one over.
    let periods = |frequency: Frequency| {
        let mut out: Vec<String> = Vec::new();
        let mut day = from.clone();
        while let Some(end) = period_end(frequency, &period_of(frequency, &day)) {
            if end > today_s {
                break;
            }
            out.push(period_of(frequency, &day));
            day = end;
        }
        out
    };
    let mut out = Vec::new();
    for p in projects {
        let chain = chains
            .iter()
            .find(|c| c.id == p.value_chain_id)
            .map_or("", |c| c.code.as_str());
        let started = p.contract_signed_on.to_string();
        let mut push = |indicator: &'static str, period: &str, value: i64| {
            out.push(DemoValue {
                id: value_id(p.id, indicator, period),
                project_id: p.id,
                indicator,
                period: period.to_owned(),
                value,
            });
        };
        for quarter in periods(Frequency::Quarterly) {
            let end = period_end(Frequency::Quarterly, &quarter).unwrap_or_default();
            if end <= started {
                continue;
            }
            let mine: Vec<&DemoVisit> = visits
                .iter()
                .filter(|v| v.project_id == p.id)
                .filter(|v| period_of(Frequency::Quarterly, &v.visit_on.to_string()) == quarter)
                .collect();
            let net: Option<i64> = mine
                .iter()
                .filter_map(|v| Some(v.sales_millimes? - v.purchases_millimes.unwrap_or(0)))
                .reduce(|a, b| a + b);
            if let Some(net) = net {
                push("ECO-03", &quarter, net);
            }
            push("ECO-05", &quarter, if mine.is_empty() { 0 } else { 1000 });
            if ["PAL", "ART", "REC", "ELE"].contains(&chain) {
                push("ENV-04", &quarter, rng.gen_range(300..4_000) * 1000);
            }
        }
        if chain == "REC" {
            for month in periods(Frequency::Monthly) {
                if period_end(Frequency::Monthly, &month).unwrap_or_default() > started {
                    push("ENV-10", &month, rng.gen_range(100..900) * 1000);
                }
            }
        }
        if p.kind == ProjectKind::Collective {
            for year in periods(Frequency::Annual) {
                if period_end(Frequency::Annual, &year).unwrap_or_default() > started {
                    push("GOV-01", &year, rng.gen_range(1..=2) * 1000);
                }
            }
        }
    }
    out
}

/// Washington Group answers: mostly "no difficulty", some "some difficulty", and about one person
/// in eight at the cut-off, most often in walking or seeing.
fn wg_answers(rng: &mut ChaCha8Rng) -> WgAnswers {
    let mut a = [WgAnswer::NoDifficulty; 6];
    for answer in a.iter_mut() {
        if rng.gen_bool(0.08) {
            *answer = WgAnswer::SomeDifficulty;
        }
    }
    if rng.gen_bool(0.125) {
        let domain = *[2, 2, 2, 0, 0, 1, 3, 5].choose(rng).unwrap_or(&2);
        a[domain] = if rng.gen_bool(0.75) {
            WgAnswer::ALotOfDifficulty
        } else {
            WgAnswer::CannotDoAtAll
        };
    }
    WgAnswers {
        seeing: Some(a[0]),
        hearing: Some(a[1]),
        walking: Some(a[2]),
        cognition: Some(a[3]),
        self_care: Some(a[4]),
        communication: Some(a[5]),
    }
}

fn observation(rng: &mut ChaCha8Rng, previous: Option<i64>, sales: i64) -> String {
    let trend = match previous {
        Some(p) if sales > p * 12 / 10 => "Ventes en hausse depuis la dernière visite.",
        Some(p) if sales < p * 8 / 10 => "Ventes en baisse : saison creuse, stock à écouler.",
        _ => "Activité stable.",
    };
    let extra = [
        "Cahier de caisse revu ensemble.",
        "Point sur les prix de vente et les marges.",
        "Recherche de nouveaux clients au souk hebdomadaire.",
        "Discussion sur l'emballage et l'étiquetage.",
        "Préparation de la prochaine tranche.",
    ];
    format!("{trend} {}", extra.choose(rng).copied().unwrap_or_default())
}

/// A fixed day for tests.
pub fn day(year: i32, month: u8, d: u8) -> Option<Date> {
    Date::from_calendar_date(year, Month::try_from(month).ok()?, d).ok()
}

#[cfg(test)]
mod tests;
