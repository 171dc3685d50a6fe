//! Complementary suppression: a figure hidden because too few people are behind it must not be
//! recoverable from the figures shown beside it, in the same table or in any other. Every figure
//! of a family is a sum of the same unknowns (each project's count in one category): a breakdown's
//! cells and its total, a project, its incubator, its value chain, the programme, each funder's
//! share. A hidden figure is given away when its sum is a combination of shown ones (the
//! programme less the other incubators, a total less the other cells, the whole programme less
//! one funder's); then the smallest shown figure sharing a term with it is hidden too, until no
//! hidden figure follows from the shown ones.

/// A figure of one family: its value, whether it is hidden, whether it must stay shown (an
/// indicator's total), and the unknowns it sums.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub value: f64,
    pub hidden: bool,
    pub fixed: bool,
    pub terms: Vec<usize>,
}

/// `figures[whole] = Σ figures[parts]`: a sum the reader sees at once (a breakdown and its total,
/// a scope and the scopes it is made of).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    pub whole: usize,
    pub parts: Vec<usize>,
}

/// Hides more figures until no hidden one follows from the shown ones (by linear combination,
/// and knowing that counts are never negative, so a shown zero makes each of its terms zero).
///
/// First the sums seen at once: one with a single hidden term hides its smallest shown part
/// (else its whole), until none has. Then whatever combination is left (the whole programme
/// less one funder's share, say): of the shown figures near the one given away (sharing a term
/// with it, or with a figure that does), the smallest whose hiding alone protects it is hidden,
/// else the smallest, and the search goes on. Returns how many were hidden.
pub fn protect(figures: &mut [Figure], relations: &[Relation]) -> usize {
    let mut added = 0;
    loop {
        let mut changed = false;
        for r in relations {
            let hidden = std::iter::once(r.whole)
                .chain(r.parts.iter().copied())
                .filter(|&i| figures[i].hidden)
                .count();
            if hidden != 1 {
                continue;
            }
            let pick = r
                .parts
                .iter()
                .copied()
                .filter(|&i| !figures[i].hidden && !figures[i].fixed)
                .min_by(|&a, &b| figures[a].value.total_cmp(&figures[b].value))
                .or((!figures[r.whole].hidden && !figures[r.whole].fixed).then_some(r.whole));
            if let Some(i) = pick {
                figures[i].hidden = true;
                added += 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    while let Some(given) = first_given_away(figures) {
        let near = neighbours(figures, given);
        let Some(&smallest) = near.first() else {
            // Nothing near it may be hidden (totals only): cannot happen when a hidden cell has
            // another cell beside it, as every breakdown lists each category.
            return added;
        };
        let pick = near
            .iter()
            .copied()
            .find(|&i| {
                figures[i].hidden = true;
                let protected = !given_away(figures, given);
                figures[i].hidden = false;
                protected
            })
            .unwrap_or(smallest);
        figures[pick].hidden = true;
        added += 1;
    }
    added
}

/// The shown figures that may be hidden within two steps of `given` (sharing a term with it, or
/// with a figure that shares one), smallest first, then those of fewer terms.
fn neighbours(figures: &[Figure], given: usize) -> Vec<usize> {
    let shares = |a: &Figure, b: &Figure| a.terms.iter().any(|t| b.terms.contains(t));
    let first: Vec<usize> = (0..figures.len())
        .filter(|&i| i != given && shares(&figures[i], &figures[given]))
        .collect();
    let mut near: Vec<usize> = (0..figures.len())
        .filter(|&i| !figures[i].hidden && !figures[i].fixed)
        .filter(|&i| first.contains(&i) || first.iter().any(|&j| shares(&figures[i], &figures[j])))
        .collect();
    near.sort_by(|&a, &b| {
        let (fa, fb) = (&figures[a], &figures[b]);
        fa.value
            .total_cmp(&fb.value)
            .then(fa.terms.len().cmp(&fb.terms.len()))
            .then(a.cmp(&b))
    });
    near
}

/// The reader's unknowns and what the shown figures tell of them.
fn shown_basis(figures: &[Figure]) -> (Vec<usize>, Basis) {
    // Terms known one by one: a shown figure of one term, or any term of a shown zero.
    let mut known = std::collections::HashSet::new();
    for f in figures.iter().filter(|f| !f.hidden) {
        if f.terms.len() == 1 || f.value == 0.0 {
            known.extend(f.terms.iter().copied());
        }
    }
    let mut unknown: Vec<usize> = figures
        .iter()
        .flat_map(|f| f.terms.iter().copied())
        .filter(|t| !known.contains(t))
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    let mut basis = Basis::default();
    for f in figures.iter().filter(|f| !f.hidden) {
        basis.add(vector(&unknown, f));
    }
    (unknown, basis)
}

fn vector(unknown: &[usize], f: &Figure) -> Vec<f64> {
    let mut v = vec![0.0f64; unknown.len()];
    for t in &f.terms {
        if let Ok(i) = unknown.binary_search(t) {
            v[i] += 1.0;
        }
    }
    v
}

/// The first hidden figure whose sum the shown figures give.
fn first_given_away(figures: &[Figure]) -> Option<usize> {
    let (unknown, basis) = shown_basis(figures);
    figures
        .iter()
        .position(|f| f.hidden && basis.spans(vector(&unknown, f)))
}

fn given_away(figures: &[Figure], i: usize) -> bool {
    let (unknown, basis) = shown_basis(figures);
    basis.spans(vector(&unknown, &figures[i]))
}

/// Rows in reduced echelon form, each with its pivot column.
#[derive(Default)]
struct Basis(Vec<(usize, Vec<f64>)>);

const EPSILON: f64 = 1e-9;

impl Basis {
    fn reduce(&self, mut v: Vec<f64>) -> Vec<f64> {
        for (pivot, row) in &self.0 {
            let f = v[*pivot];
            if f.abs() > EPSILON {
                v.iter_mut().zip(row).for_each(|(x, y)| *x -= f * y);
            }
        }
        v
    }

    fn add(&mut self, v: Vec<f64>) {
        let v = self.reduce(v);
        let Some(pivot) = v.iter().position(|x| x.abs() > EPSILON) else {
            return;
        };
        let p = v[pivot];
        let v: Vec<f64> = v.iter().map(|x| x / p).collect();
        for (_, row) in &mut self.0 {
            let f = row[pivot];
            if f.abs() > EPSILON {
                row.iter_mut().zip(&v).for_each(|(x, y)| *x -= f * y);
            }
        }
        self.0.push((pivot, v));
    }

    /// Whether `v` is a combination of the rows (an empty vector always is: its figure is a sum
    /// of known terms).
    fn spans(&self, v: Vec<f64>) -> bool {
        self.reduce(v).iter().all(|x| x.abs() < EPSILON)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(value: f64, hidden: bool, terms: &[usize]) -> Figure {
        Figure {
            value,
            hidden,
            fixed: false,
            terms: terms.to_vec(),
        }
    }

    #[test]
    fn one_hidden_cell_beside_its_total_takes_the_next_smallest_with_it() {
        // One project: total 30 = women 3 (hidden) + men 27; terms 0 women, 1 men.
        let mut f = vec![
            Figure {
                fixed: true,
                ..figure(30.0, false, &[0, 1])
            },
            figure(3.0, true, &[0]),
            figure(27.0, false, &[1]),
        ];
        assert_eq!(protect(&mut f, &[]), 1);
        assert!(f[2].hidden && !f[0].hidden);
    }

    #[test]
    fn the_programme_less_the_other_incubators_gives_nothing_away() {
        // Projects 0, 1 in incubator A (30 and 10 people with a disability); 2 in B (3, hidden).
        let mut f = vec![
            figure(43.0, false, &[0, 1, 2]),
            figure(40.0, false, &[0, 1]),
            figure(3.0, true, &[2]),
            figure(30.0, false, &[0]),
            figure(10.0, false, &[1]),
        ];
        protect(&mut f, &[]);
        assert!(f[2].hidden);
        assert_eq!(first_given_away(&f), None, "{f:?}");
        // The programme or incubator A had to go (every project of A is shown).
        assert!(f[0].hidden || f[1].hidden, "{f:?}");
    }

    #[test]
    fn a_zero_shown_gives_its_terms_away() {
        // A hidden 2 and a shown 0 summing to a shown 2: the zero must be hidden too.
        let mut f = vec![
            Figure {
                fixed: true,
                ..figure(2.0, false, &[0, 1])
            },
            figure(2.0, true, &[0]),
            figure(0.0, false, &[1]),
        ];
        protect(&mut f, &[]);
        assert!(f[2].hidden);
    }

    #[test]
    fn two_hidden_terms_need_nothing_more() {
        let mut f = vec![
            Figure {
                fixed: true,
                ..figure(10.0, false, &[0, 1])
            },
            figure(4.0, true, &[0]),
            figure(6.0, true, &[1]),
        ];
        assert_eq!(protect(&mut f, &[]), 0);
    }
}
