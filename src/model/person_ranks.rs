//! Each person's rank by name and by user name: what a sort of a list by either column needs
//! (rows are then counted by rank, not compared). Ranking is a comparison sort of every person's
//! lower-case text, most of a sort by name at a large tenant's size, so a dataset holds its ranks
//! once worked out (`Dataset::person_ranks`), and [`RankPeople`] works them out in short steps
//! that the page runs in its idle turns after a load, before anyone clicks a column. Owns the
//! ranking only: no threads, no timers, no DOM.

use std::cmp::Ordering;

use super::dataset::Dataset;

/// Rank of each person by lower-case name (then user name), or by user name alone: equal texts
/// share a rank, ranks rise with the text. Worked out at the first call for a dataset (unless
/// [`RankPeople`] did it before) and kept with it.
pub(crate) fn person_ranks(ds: &Dataset, by_user_name: bool) -> &[u32] {
    ranks_cell(ds, by_user_name).get_or_init(|| RankPeople::new(by_user_name).finish(ds))
}

fn ranks_cell(ds: &Dataset, by_user_name: bool) -> &std::sync::OnceLock<Vec<u32>> {
    let ranks = &ds.person_ranks;
    if by_user_name {
        &ranks.by_user_name
    } else {
        &ranks.by_name
    }
}

/// Comparisons (or people, where there is nothing to compare) a step of [`RankPeople`] does:
/// a few milliseconds of the page's thread.
const STEP: usize = 40_000;

/// People sorted together before the merges (about [`STEP`] comparisons).
const RUN: usize = 4096;

/// Works out a dataset's person ranks in steps of bounded work, each ending with the thread free.
///
/// ```
/// use sspr_insights::model::{import_file, person_ranks::RankPeople, AsOf, Dataset, SourceKind};
/// let page = br#"{"value":[{"id":"1","userPrincipalName":"b@x","isSsprRegistered":true,"isSsprEnabled":true}]}"#;
/// let ds = Dataset::build(vec![import_file("u.json", page).batch], AsOf::Newest, SourceKind::Uploaded);
/// let mut ranking = RankPeople::new(false);
/// while !ranking.step(&ds) {}
/// ```
pub struct RankPeople {
    by_user_name: bool,
    /// Whether every name is plain (see [`plain`]), found at the first step.
    all_plain: bool,
    phase: Phase,
    /// Each person's key: two byte ranges of the dataset's search texts, compared in turn.
    keys: Vec<[u32; 4]>,
    /// People in key order so far (sorted runs, merged pairwise), and room to merge into.
    order: Vec<u32>,
    merged: Vec<u32>,
}

enum Phase {
    /// Keys of the people from this one on.
    Keys {
        next: usize,
    },
    /// Sorting the runs from this position on.
    Runs {
        next: usize,
    },
    /// Merging runs of `width` pairwise: the pair starting at `start`, its left and right
    /// cursors and where the next person goes.
    Merge {
        width: usize,
        start: usize,
        left: usize,
        right: usize,
        out: usize,
    },
    /// Numbering people in order from this position on, with the rank so far.
    Ranks {
        next: usize,
        rank: u32,
        ranks: Vec<u32>,
    },
    Done,
}

impl RankPeople {
    /// Ranks by name (then user name), or by user name alone.
    pub fn new(by_user_name: bool) -> RankPeople {
        RankPeople {
            by_user_name,
            all_plain: false,
            phase: Phase::Keys { next: 0 },
            keys: Vec::new(),
            order: Vec::new(),
            merged: Vec::new(),
        }
    }

    /// Does one step of the work for `ds` (always the same dataset); true once the ranks are
    /// worked out and kept with the dataset (or were there already).
    pub fn step(&mut self, ds: &Dataset) -> bool {
        let cell = ranks_cell(ds, self.by_user_name);
        if cell.get().is_some() {
            return true;
        }
        if let Some(ranks) = self.advance(ds) {
            // Should a sort have worked them out meanwhile, its ranks are the same.
            let _ = cell.set(ranks);
            return true;
        }
        false
    }

    /// All the steps at once: the ranks.
    fn finish(mut self, ds: &Dataset) -> Vec<u32> {
        loop {
            if let Some(ranks) = self.advance(ds) {
                return ranks;
            }
        }
    }

    /// One step; the ranks after the last.
    fn advance(&mut self, ds: &Dataset) -> Option<Vec<u32>> {
        let people = ds.search_text.len();
        match &mut self.phase {
            Phase::Keys { next } => {
                let end = (*next + STEP).min(people);
                let by_user_name = self.by_user_name;
                if *next == 0 {
                    self.keys = Vec::with_capacity(people);
                    self.all_plain = !by_user_name && (0..people as u32).all(|p| plain(ds, p));
                }
                let all_plain = self.all_plain;
                self.keys.extend(
                    (*next as u32..end as u32).map(|p| key(ds, p, by_user_name, all_plain)),
                );
                *next = end;
                if end == people {
                    self.order = (0..people as u32).collect();
                    self.phase = Phase::Runs { next: 0 };
                }
            }
            Phase::Runs { next } => {
                let end = (*next + RUN).min(people);
                let (keys, text) = (&self.keys, ds.search_text.parts().0.as_bytes());
                self.order[*next..end].sort_unstable_by(|&a, &b| compare(keys, text, a, b));
                *next = end;
                if end == people {
                    self.merged = vec![0; people];
                    self.phase = merge_from(RUN, people);
                }
            }
            Phase::Merge { .. } => self.merge_step(ds),
            Phase::Ranks { next, rank, ranks } => {
                let end = (*next + STEP).min(people);
                let (keys, text) = (&self.keys, ds.search_text.parts().0.as_bytes());
                for at in *next..end {
                    let p = self.order[at];
                    if at > 0 && compare(keys, text, self.order[at - 1], p) != Ordering::Equal {
                        *rank += 1;
                    }
                    ranks[p as usize] = *rank;
                }
                *next = end;
                if end == people {
                    let ranks = std::mem::take(ranks);
                    self.phase = Phase::Done;
                    self.keys = Vec::new();
                    self.order = Vec::new();
                    return Some(ranks);
                }
            }
            // The ranks were handed over; `step` finds them kept and does nothing more.
            Phase::Done => {}
        }
        None
    }

    /// Up to [`STEP`] people merged from `order` into `merged`, pair of runs after pair.
    fn merge_step(&mut self, ds: &Dataset) {
        let people = self.order.len();
        let (keys, text) = (&self.keys, ds.search_text.parts().0.as_bytes());
        let Phase::Merge {
            width,
            start,
            left,
            right,
            out,
        } = &mut self.phase
        else {
            return;
        };
        let mut budget = STEP;
        while budget > 0 && *start < people {
            let middle = (*start + *width).min(people);
            let end = (*start + 2 * *width).min(people);
            if *out == end {
                *start = end;
                *left = end;
                *right = (end + *width).min(people);
                continue;
            }
            let take_left = *right >= end
                || (*left < middle
                    && compare(keys, text, self.order[*left], self.order[*right])
                        != Ordering::Greater);
            if take_left {
                self.merged[*out] = self.order[*left];
                *left += 1;
            } else {
                self.merged[*out] = self.order[*right];
                *right += 1;
            }
            *out += 1;
            budget -= 1;
        }
        if *start >= people {
            let width = *width * 2;
            std::mem::swap(&mut self.order, &mut self.merged);
            self.phase = merge_from(width, people);
        }
    }
}

/// The merges of runs `width` long, or the numbering when one run holds everyone.
fn merge_from(width: usize, people: usize) -> Phase {
    if width >= people {
        return Phase::Ranks {
            next: 0,
            rank: 0,
            ranks: vec![0; people],
        };
    }
    Phase::Merge {
        width,
        start: 0,
        left: 0,
        right: width.min(people),
        out: 0,
    }
}

/// Whether a name has no byte up to a line break (the usual case): then "name\nuser name"
/// orders as the pair (name, user name) does.
fn plain(ds: &Dataset, p: u32) -> bool {
    !ds.names.get(p).bytes().any(|b| b <= b'\n')
}

/// A person's key, as byte ranges of the search texts: the whole text when every name is plain
/// (by name), else the lower-case name then the user name; or the user name alone.
fn key(ds: &Dataset, p: u32, by_user_name: bool, all_plain: bool) -> [u32; 4] {
    let whole = ds.search_text.parts().0.as_ptr() as usize;
    let text = ds.search_text.get(p);
    let range = |part: &str| {
        let at = (part.as_ptr() as usize).wrapping_sub(whole) as u32;
        if part.is_empty() {
            [0, 0]
        } else {
            [at, at + part.len() as u32]
        }
    };
    let ([a, b], [c, d]) = if by_user_name {
        let user_name = match text.split_once('\n') {
            Some((_, user_name)) if plain(ds, p) => user_name,
            _ => lower_names(ds, p).1,
        };
        (range(user_name), [0, 0])
    } else if all_plain {
        (range(text), [0, 0])
    } else {
        let (name, user_name) = lower_names(ds, p);
        (range(name), range(user_name))
    };
    [a, b, c, d]
}

fn compare(keys: &[[u32; 4]], text: &[u8], a: u32, b: u32) -> Ordering {
    let part = |k: &[u32; 4], i: usize| &text[k[i] as usize..k[i + 1] as usize];
    let (ka, kb) = (&keys[a as usize], &keys[b as usize]);
    part(ka, 0)
        .cmp(part(kb, 0))
        .then_with(|| part(ka, 2).cmp(part(kb, 2)))
}

/// A person's lower-case name and user name, read from the search text "name\nuser name"
/// (lower-casing keeps line breaks, so the separator is the one after the name's own).
pub(crate) fn lower_names(ds: &Dataset, p: u32) -> (&str, &str) {
    let text = ds.search_text.get(p);
    let breaks = memchr::memchr_iter(b'\n', ds.names.get(p).as_bytes()).count();
    match memchr::memchr_iter(b'\n', text.as_bytes()).nth(breaks) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::filters::dense_ranks;
    use crate::model::{import_file, AsOf, SourceKind};

    /// The ranks as one comparison sort of every key gives them.
    fn one_sort(ds: &Dataset, by_user_name: bool) -> Vec<u32> {
        let people = 0..ds.search_text.len() as u32;
        if by_user_name {
            let keys: Vec<&str> = people
                .map(|p| match ds.search_text.get(p).split_once('\n') {
                    Some((_, user_name)) if plain(ds, p) => user_name,
                    _ => lower_names(ds, p).1,
                })
                .collect();
            dense_ranks(&keys)
        } else if people.clone().all(|p| plain(ds, p)) {
            let keys: Vec<&str> = people.map(|p| ds.search_text.get(p)).collect();
            dense_ranks(&keys)
        } else {
            let keys: Vec<(&str, &str)> = people.map(|p| lower_names(ds, p)).collect();
            dense_ranks(&keys)
        }
    }

    /// `n` users whose names repeat, differ in case, and (with `odd_names`) hold tabs and line
    /// breaks; some have no user name, or the user name of another.
    fn tenant(n: usize, odd_names: bool) -> Dataset {
        let mut seed = 7u64;
        let mut next = move |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        let first = ["Ann", "ann", "Bo", "Émile", "Zoë", "", "Cy"];
        let mut records = Vec::new();
        for i in 0..n {
            let mut name = format!("{} {}", first[next(7) as usize], next(50));
            if odd_names && next(20) == 0 {
                name.push_str(["\\t", "\\n", "\\nx"][next(3) as usize]);
            }
            let user_name = match next(10) {
                0 => String::new(),
                1 => format!("U{}@X", next(100)),
                _ => format!("u{i}@x"),
            };
            records.push(format!(
                r#"{{"id":"{i}","userPrincipalName":"{user_name}","userDisplayName":"{name}","isSsprRegistered":true,"isSsprEnabled":true}}"#
            ));
        }
        let page = format!(r#"{{"value":[{}]}}"#, records.join(","));
        let batch = import_file("u.json", page.as_bytes()).batch;
        Dataset::build(vec![batch], AsOf::Newest, SourceKind::Uploaded)
    }

    #[test]
    fn ranks_in_steps_are_those_of_one_sort_and_are_kept() {
        for (n, odd_names) in [
            (0, false),
            (1, false),
            (3 * RUN + 17, false),
            (2 * RUN + 5, true),
        ] {
            let ds = tenant(n, odd_names);
            for by_user_name in [false, true] {
                let expected = one_sort(&ds, by_user_name);
                let mut ranking = RankPeople::new(by_user_name);
                let mut steps = 1;
                while !ranking.step(&ds) {
                    steps += 1;
                }
                assert!(n < 2 * RUN || steps > 4, "{n} people in {steps} steps");
                let kept = person_ranks(&ds, by_user_name);
                assert_eq!(kept, expected, "{n} people, by user name: {by_user_name}");
                // The sort finds the ranks the steps kept, and a finished ranking stays done.
                assert!(std::ptr::eq(kept, person_ranks(&ds, by_user_name)));
                assert!(ranking.step(&ds));
            }
        }
    }

    #[test]
    fn a_sort_before_the_steps_end_ranks_at_once() {
        let ds = tenant(2 * RUN, true);
        let mut ranking = RankPeople::new(false);
        assert!(!ranking.step(&ds));
        assert_eq!(person_ranks(&ds, false), one_sort(&ds, false));
        // The steps find the ranks there and stop.
        assert!(ranking.step(&ds));
        let few = tenant(3, false);
        assert_eq!(person_ranks(&few, false).len(), 3);
    }
}
