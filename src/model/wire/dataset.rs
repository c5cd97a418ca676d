//! A whole dataset in the wire form: what the building worker sends the page.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use super::*;

/// A dataset in its wire form.
pub fn encode_dataset(ds: &Dataset) -> Vec<u8> {
    let mut out = Vec::with_capacity(ds.heap_bytes() + 4096);
    write_dataset(&mut out, ds);
    out
}

/// Writes a dataset to any [`WireOut`].
pub fn write_dataset(out: &mut impl WireOut, ds: &Dataset) {
    magic(out);
    put_source(out, ds.source());
    put_i64(out, ds.as_of());
    put_opt_i64(out, ds.last_updated());
    put_table(out, &ds.names);
    put_table(out, &ds.user_names);
    put_table(out, &ds.search_text);
    put_slice(out, &ds.person_user);
    put_slice(out, &ds.person_class);
    let u = &ds.users;
    put_slice(out, &u.person);
    put_table(out, &u.id);
    put_slice(out, &u.flags);
    put_slice(out, &u.method_start);
    put_slice(out, &u.methods);
    put_slice(out, &u.method_mask);
    put_slice(out, &u.last_updated);
    put_mfa_columns(out, &u.mfa);
    put_events(out, &ds.events);
    put_table(out, &ds.reasons);
    put_methods(out, &ds.methods);
    put_slice(out, &ds.feature_methods[0]);
    put_slice(out, &ds.feature_methods[1]);
    write_warnings(out, ds.warnings());
    put_len(out, ds.sources().len());
    for s in ds.sources() {
        put_str(out, &s.name);
        put_len(out, s.users);
        put_len(out, s.events);
    }
    write_audit(out, &ds.audit);
}

/// Reads a dataset written by [`write_dataset`], checking that its parts agree (a bad message is
/// an error, never a dataset that panics later).
pub fn decode_dataset(input: &mut impl WireIn) -> Result<Dataset, WireError> {
    // With nothing to wait for between its steps, the stepped reader ends in its first poll.
    let reading = std::pin::pin!(decode_dataset_in_steps(input, |_| std::future::ready(())));
    match reading.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(WireError("it could not be read in one go")),
    }
}

/// The sections of a dataset's wire form after which [`decode_dataset_in_steps`] waits, in
/// order; each is at most a few columns (at a million events, a column is at most 8 MB), so
/// that a page reading a big dataset never holds its thread for long. After the last, the
/// columns are checked against each other.
pub const DECODE_STEPS: [&str; 8] = [
    "people",
    "users",
    "MFA details",
    "event times",
    "event people",
    "event methods, flags and reasons",
    "event ids",
    "the rest",
];

/// Reads a dataset like [`decode_dataset`], awaiting `between(step)` after each of
/// [`DECODE_STEPS`] (the page gives the browser a turn there); the dataset is the same.
pub async fn decode_dataset_in_steps<Wait: Future<Output = ()>>(
    input: &mut impl WireIn,
    mut between: impl FnMut(&'static str) -> Wait,
) -> Result<Dataset, WireError> {
    let [people, users_step, mfa, times, event_people, event_codes, ids, rest] = DECODE_STEPS;
    check_magic(input)?;
    let source = get_source(input, true)?;
    let as_of = get_i64(input)?;
    let last_updated = get_opt_i64(input)?;
    let names = get_table(input)?;
    let user_names = get_table(input)?;
    let search_text = get_table(input)?;
    let person_user = get_vec(input)?;
    let person_class = get_vec(input)?;
    between(people).await;
    let person = get_vec(input)?;
    let id = get_table(input)?;
    let flags = get_vec(input)?;
    let method_start = get_vec(input)?;
    let methods = get_vec(input)?;
    let method_mask = get_vec(input)?;
    let last_updated_column = get_vec(input)?;
    between(users_step).await;
    let users = UserColumns {
        person,
        id,
        flags,
        method_start,
        methods,
        method_mask,
        last_updated: last_updated_column,
        mfa: get_mfa_columns(input)?,
    };
    between(mfa).await;
    let time = get_vec(input)?;
    between(times).await;
    let event_person = get_vec(input)?;
    between(event_people).await;
    let method = get_vec(input)?;
    let event_flags = get_vec(input)?;
    let reason = get_vec(input)?;
    between(event_codes).await;
    let events = EventColumns {
        time,
        person: event_person,
        method,
        flags: event_flags,
        reason,
        id: get_vec(input)?,
    };
    check_event_lengths(&events)?;
    between(ids).await;
    let reasons = get_table(input)?;
    let methods = get_methods(input)?;
    let feature_methods = [get_vec(input)?, get_vec(input)?];
    let warnings = read_warnings(input)?;
    let n = get_len(input)?;
    let mut sources = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        sources.push(SourceSummary {
            name: get_string(input)?,
            users: get_len(input)?,
            events: get_len(input)?,
        });
    }
    let audit = read_audit(input)?;
    between(rest).await;
    Dataset::from_parts(crate::model::dataset::DatasetParts {
        source,
        as_of,
        last_updated,
        names,
        user_names,
        search_text,
        person_user,
        person_class,
        users,
        events,
        reasons,
        methods,
        feature_methods,
        warnings,
        sources,
        audit,
    })
    .ok_or(WireError("its columns do not agree"))
}

pub(super) fn put_source(out: &mut impl WireOut, source: &SourceKind) {
    match source {
        SourceKind::Sample => put_u64(out, 0),
        SourceKind::Uploaded => put_u64(out, 1),
        SourceKind::Live { host } => {
            put_u64(out, 2);
            put_str(out, host);
        }
        SourceKind::Merged(kinds) => {
            put_u64(out, 3);
            put_len(out, kinds.len());
            for kind in kinds {
                put_source(out, kind);
            }
        }
    }
}

/// A source kind (`merged`: whether a merged one may come here; its parts are never merged).
pub(super) fn get_source(input: &mut impl WireIn, merged: bool) -> Result<SourceKind, WireError> {
    Ok(match get_u64(input)? {
        0 => SourceKind::Sample,
        1 => SourceKind::Uploaded,
        2 => SourceKind::Live {
            host: get_string(input)?,
        },
        3 if merged => {
            let n = get_len(input)?;
            let mut kinds = Vec::with_capacity(n.min(8));
            for _ in 0..n {
                kinds.push(get_source(input, false)?);
            }
            SourceKind::Merged(kinds)
        }
        _ => return Err(WireError("the source is unknown")),
    })
}

pub(super) fn write_warnings(out: &mut impl WireOut, w: &Warnings) {
    put_len(out, w.unknown_methods.len());
    for (name, count) in &w.unknown_methods {
        put_str(out, name);
        put_len(out, *count);
    }
    for count in [
        w.users_without_user_name,
        w.events_without_user_name,
        w.duplicate_users,
        w.duplicate_events,
        w.events_after_as_of,
        w.times_after_load,
        w.malformed_times,
        w.contradictory_flags,
    ] {
        put_len(out, count);
    }
    put_len(out, w.skipped_records.len());
    for (source, count) in &w.skipped_records {
        put_str(out, source);
        put_len(out, *count);
    }
    put_strs(out, &w.cut_off_sources);
    put_len(out, w.audit_other_services);
    put_len(out, w.duplicate_audit_rows);
}

pub(super) fn read_warnings(input: &mut impl WireIn) -> Result<Warnings, WireError> {
    let n = get_len(input)?;
    let mut unknown_methods = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        unknown_methods.push((get_string(input)?, get_len(input)?));
    }
    let mut counts = [0usize; 8];
    for c in counts.iter_mut() {
        *c = get_len(input)?;
    }
    let n = get_len(input)?;
    let mut skipped_records = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        skipped_records.push((get_string(input)?, get_len(input)?));
    }
    let [users_without_user_name, events_without_user_name, duplicate_users, duplicate_events, events_after_as_of, times_after_load, malformed_times, contradictory_flags] =
        counts;
    Ok(Warnings {
        unknown_methods,
        users_without_user_name,
        events_without_user_name,
        duplicate_users,
        duplicate_events,
        events_after_as_of,
        times_after_load,
        malformed_times,
        contradictory_flags,
        skipped_records,
        cut_off_sources: get_strings(input)?,
        audit_other_services: get_len(input)?,
        duplicate_audit_rows: get_len(input)?,
    })
}
