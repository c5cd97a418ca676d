//! The three tiles (spec §3.2): users registered, enabled and capable in a population, with the
//! share of the population and one insight line each. Registration state ignores the period.

use super::dataset::{Dataset, U_CAPABLE, U_ENABLED, U_REGISTERED};
use super::population::Population;
use super::words::plural;

/// One tile.
#[derive(Clone, Debug, PartialEq)]
pub struct Tile {
    pub count: usize,
    /// `count / population`, 0 for an empty population.
    pub share: f64,
    pub insight: String,
}

/// The three tiles and the population they are about.
#[derive(Clone, Debug, PartialEq)]
pub struct Tiles {
    pub population: usize,
    pub registered: Tile,
    pub enabled: Tile,
    pub capable: Tile,
    pub enabled_not_registered: usize,
    pub registered_not_enabled: usize,
}

/// Counts the tiles for `population`.
///
/// ```
/// use sspr_insights::model::{import_file, tiles, AsOf, Dataset, Population, SourceKind};
/// let file = import_file("u.json", br#"[{"id":"1","userPrincipalName":"a@x","isSsprRegistered":true,"isSsprEnabled":false}]"#);
/// let ds = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
/// let t = tiles(&ds, Population::ALL);
/// assert_eq!((t.population, t.registered.count, t.capable.count), (1, 1, 0));
/// ```
pub fn tiles(ds: &Dataset, population: Population) -> Tiles {
    let (mut size, mut registered, mut enabled, mut capable) = (0, 0, 0, 0);
    let (mut enabled_only, mut registered_only) = (0, 0);
    for u in 0..ds.user_count() as u32 {
        if !population.has_user(ds, u) {
            continue;
        }
        let f = ds.users.flags[u as usize];
        size += 1;
        let r = f & U_REGISTERED != 0;
        let e = f & U_ENABLED != 0;
        registered += usize::from(r);
        enabled += usize::from(e);
        capable += usize::from(f & U_CAPABLE != 0);
        enabled_only += usize::from(e && !r);
        registered_only += usize::from(r && !e);
    }
    let share = |n: usize| {
        if size == 0 {
            0.0
        } else {
            n as f64 / size as f64
        }
    };
    let people = |n: usize| plural(n, "user", "users");
    let registered_insight = if enabled_only > 0 {
        format!(
            "{enabled_only} enabled {} not registered yet",
            people(enabled_only)
        )
    } else {
        "Every enabled user has registered".to_string()
    };
    let enabled_insight = if registered_only > 0 {
        format!(
            "{registered_only} registered {} not enabled by policy",
            people(registered_only)
        )
    } else {
        "No registered user is left out of the policy".to_string()
    };
    let not_capable = size - capable;
    let capable_insight = if not_capable > 0 {
        format!(
            "{not_capable} {} cannot reset their own password",
            people(not_capable)
        )
    } else if size > 0 {
        "Everyone can reset their own password".to_string()
    } else {
        "No users in this population".to_string()
    };
    Tiles {
        population: size,
        registered: Tile {
            count: registered,
            share: share(registered),
            insight: registered_insight,
        },
        enabled: Tile {
            count: enabled,
            share: share(enabled),
            insight: enabled_insight,
        },
        capable: Tile {
            count: capable,
            share: share(capable),
            insight: capable_insight,
        },
        enabled_not_registered: enabled_only,
        registered_not_enabled: registered_only,
    }
}
