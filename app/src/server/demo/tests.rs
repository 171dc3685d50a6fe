use super::*;

fn set(seed: u64) -> DemoSet {
    let today = day(2026, 11, 26).expect("valid day");
    generate(seed, today, PasswordHash("x".into()))
}

#[test]
fn the_same_seed_and_day_give_the_same_data() {
    let (a, b) = (set(7), set(7));
    let ids = |s: &DemoSet| {
        s.members
            .iter()
            .map(|m| (m.id, m.full_name.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(a.visits.len(), b.visits.len());
    assert_ne!(ids(&a), ids(&set(8)), "another seed gives other people");
}

#[test]
fn the_programme_has_its_real_shape() {
    let s = set(DEFAULT_SEED);
    assert_eq!(s.projects.len(), 49);
    assert_eq!(
        s.projects
            .iter()
            .filter(|p| p.kind == ProjectKind::Individual)
            .count(),
        29
    );
    assert_eq!(s.value_chains.len(), 8);
    assert_eq!(
        s.organisations
            .iter()
            .filter(|o| o.kind == "incubator")
            .count(),
        3
    );
    assert_eq!(
        s.users
            .iter()
            .filter(|u| u.role == Role::Facilitator)
            .count(),
        9
    );
    assert_eq!(
        s.users
            .iter()
            .filter(|u| u.role == Role::Supervisor)
            .count(),
        2
    );
    assert!(
        (180..=230).contains(&s.members.len()),
        "{} members",
        s.members.len()
    );
    let women = s.members.iter().filter(|m| m.sex == Sex::Female).count() * 100 / s.members.len();
    assert!((45..=65).contains(&women), "{women}% women");
    let disabled =
        s.members.iter().filter(|m| m.wg.with_disability()).count() * 100 / s.members.len();
    assert!((6..=20).contains(&disabled), "{disabled}% with disability");
    assert!(s.visits.len() > 600, "{} visits", s.visits.len());
}

#[test]
fn some_active_projects_are_overdue_and_some_are_not() {
    let s = set(DEFAULT_SEED);
    let mut overdue = 0;
    let mut on_time = 0;
    for p in s.projects.iter().filter(|p| p.status.is_active()) {
        let next = s
            .visits
            .iter()
            .filter(|v| v.project_id == p.id)
            .map(|v| v.next_visit_on)
            .max();
        match next {
            Some(d) if d < s.today => overdue += 1,
            Some(_) => on_time += 1,
            None => {}
        }
    }
    assert!(
        overdue >= 3 && on_time >= 10,
        "overdue {overdue}, on time {on_time}"
    );
}

#[test]
fn date_sales_peak_in_the_packing_season() {
    let s = set(DEFAULT_SEED);
    let dat = s
        .value_chains
        .iter()
        .find(|v| v.code == "DAT")
        .map(|v| v.id);
    let ids: Vec<Uuid> = s
        .projects
        .iter()
        .filter(|p| Some(p.value_chain_id) == dat)
        .map(|p| p.id)
        .collect();
    let mean = |months: &[u8]| {
        let v: Vec<i64> = s
            .visits
            .iter()
            .filter(|v| ids.contains(&v.project_id) && months.contains(&(v.visit_on.month() as u8)))
            .filter_map(|v| v.sales_millimes)
            .collect();
        v.iter().sum::<i64>() / v.len().max(1) as i64
    };
    assert!(mean(&[10, 11, 12, 1]) > 3 * mean(&[6, 7, 8]));
}
