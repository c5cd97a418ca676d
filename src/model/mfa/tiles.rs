//! The overview's MFA numbers (spec §3.7): the tiles **Users capable of MFA** and **Users capable
//! of passwordless** (count, share of the population, one line, and how many users the loaded
//! data says nothing about), and the chart **Users registered by authentication method**.
//! Registration state: the period never changes them. Pure counting over the dataset.

use super::MfaFlag;
use crate::model::dataset::Dataset;
use crate::model::method::{Method, MethodCode};
use crate::model::population::Population;
use crate::model::words::plural;

/// A tile over a yes/no field that a source may not carry.
#[derive(Clone, Debug, PartialEq)]
pub struct FlagTile {
    /// Users of the population for whom the field is true.
    pub count: usize,
    /// Users of the population whose record carries the field (true or false).
    pub known: usize,
    /// Users of the population whose record does not carry the field.
    pub unknown: usize,
    /// `count / population`, 0 for an empty population.
    pub share: f64,
    pub insight: String,
}

impl FlagTile {
    /// Whether the loaded data says anything about the field for this population (trivially so
    /// for an empty population); when it does not, the tile says "not in the loaded data"
    /// instead of showing 0.
    pub fn in_data(&self) -> bool {
        self.known > 0 || self.unknown == 0
    }
}

/// The two MFA tiles and the population they are about.
#[derive(Clone, Debug, PartialEq)]
pub struct MfaTiles {
    pub population: usize,
    pub mfa_capable: FlagTile,
    pub passwordless_capable: FlagTile,
}

/// Counts the MFA tiles for `population`.
///
/// ```
/// use sspr_insights::model::{import_file, AsOf, Dataset, Population, SourceKind};
/// use sspr_insights::model::mfa::tiles::mfa_tiles;
/// let page = br#"[{"id":"1","isSsprRegistered":true,"isSsprEnabled":true,"isMfaCapable":true},
///                 {"id":"2","isSsprRegistered":true,"isSsprEnabled":true}]"#;
/// let ds = Dataset::build(vec![import_file("u.json", page).batch], AsOf::Newest, SourceKind::Uploaded);
/// let t = mfa_tiles(&ds, Population::ALL);
/// assert_eq!((t.mfa_capable.count, t.mfa_capable.known, t.mfa_capable.unknown), (1, 1, 1));
/// assert!(!t.passwordless_capable.in_data());
/// ```
pub fn mfa_tiles(ds: &Dataset, population: Population) -> MfaTiles {
    let bits = &ds.users.mfa.bits;
    let mut size = 0;
    // [yes, known] per tile.
    let mut counts = [[0usize; 2]; 2];
    let flags = [MfaFlag::Capable, MfaFlag::Passwordless];
    for u in 0..ds.user_count() as u32 {
        if !population.has_user(ds, u) {
            continue;
        }
        size += 1;
        let b = bits[u as usize];
        for (count, flag) in counts.iter_mut().zip(flags) {
            if b & flag.known_bit() != 0 {
                count[1] += 1;
                count[0] += usize::from(b & flag.value_bit() != 0);
            }
        }
    }
    let tile = |[count, known]: [usize; 2], line: fn(usize, usize, usize) -> String| FlagTile {
        count,
        known,
        unknown: size - known,
        share: if size == 0 {
            0.0
        } else {
            count as f64 / size as f64
        },
        insight: line(count, known, size),
    };
    MfaTiles {
        population: size,
        mfa_capable: tile(counts[0], mfa_line),
        passwordless_capable: tile(counts[1], passwordless_line),
    }
}

fn people(n: usize) -> &'static str {
    plural(n, "user", "users")
}

fn mfa_line(count: usize, known: usize, size: usize) -> String {
    let not_capable = known - count;
    if size == 0 {
        "No users in this population".to_string()
    } else if known == 0 {
        "The loaded data does not say who can complete MFA".to_string()
    } else if not_capable > 0 {
        format!(
            "{not_capable} {} cannot complete MFA yet",
            people(not_capable)
        )
    } else {
        "Everyone the data covers can complete MFA".to_string()
    }
}

fn passwordless_line(count: usize, known: usize, size: usize) -> String {
    let not_capable = known - count;
    if size == 0 {
        "No users in this population".to_string()
    } else if known == 0 {
        "The loaded data does not say who can sign in without a password".to_string()
    } else if not_capable > 0 {
        format!(
            "{not_capable} {} cannot sign in without a password",
            people(not_capable)
        )
    } else {
        "Everyone the data covers can sign in without a password".to_string()
    }
}

/// One bar of "Users registered by authentication method".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserMethodRow {
    pub method: Method,
    /// Users of the population who registered the method.
    pub users: u32,
}

/// "Users registered by authentication method": one row per method that any user of the loaded
/// data registered, in table order (so rows stay put when the population changes), with the
/// users of `population` who have it.
///
/// ```
/// use sspr_insights::model::{import_file, AsOf, Dataset, Method, Population, SourceKind};
/// use sspr_insights::model::mfa::tiles::users_by_method;
/// let page = br#"[{"id":"1","isSsprRegistered":true,"isSsprEnabled":true,"methodsRegistered":["email","sms"]},
///                 {"id":"2","isSsprRegistered":true,"isSsprEnabled":true,"methodsRegistered":["mobileSMS"]}]"#;
/// let ds = Dataset::build(vec![import_file("u.json", page).batch], AsOf::Newest, SourceKind::Uploaded);
/// let rows = users_by_method(&ds, Population::ALL);
/// assert_eq!((rows[0].method.clone(), rows[0].users), (Method::Sms, 2));
/// assert_eq!((rows[1].method.clone(), rows[1].users), (Method::Email, 1));
/// ```
pub fn users_by_method(ds: &Dataset, population: Population) -> Vec<UserMethodRow> {
    let cols = &ds.users;
    let mut users = vec![0u32; ds.methods.len()];
    let mut registered = vec![false; ds.methods.len()];
    for u in 0..ds.user_count() {
        let codes = &cols.methods[cols.method_start[u] as usize..cols.method_start[u + 1] as usize];
        let counted = population.has_user(ds, u as u32);
        for &code in codes {
            if let Some(seen) = registered.get_mut(code as usize) {
                *seen = true;
                users[code as usize] += u32::from(counted);
            }
        }
    }
    registered
        .iter()
        .enumerate()
        .filter(|(_, &seen)| seen)
        .filter_map(|(code, _)| {
            Some(UserMethodRow {
                method: ds.methods.method(code as MethodCode)?,
                users: users[code],
            })
        })
        .collect()
}
