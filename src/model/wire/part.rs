//! What a worker read of a file (its batch, MFA details, errors and where its part ended) in the
//! wire form, read back with room for the parts `Batch::append` adds to it (`PartRoom`), and a
//! file's summary without its records.

use super::*;

/// A batch in its wire form (the people, methods and reasons with it).
pub(super) fn write_batch(out: &mut impl WireOut, b: &mut Batch) {
    b.resolve_people();
    put_str(out, &b.source);
    put_table(out, &b.people.names);
    put_table(out, &b.people.user_names);
    put_len(out, b.users.len());
    let mut users: Vec<u32> = Vec::with_capacity(b.users.len() * 5);
    let mut times: Vec<i64> = Vec::with_capacity(b.users.len());
    for u in &b.users {
        let flags = (u.user_type == UserType::Guest) as u32
            | (u.is_admin as u32) << 1
            | (u.registered as u32) << 2
            | (u.enabled as u32) << 3
            | (u.capable.is_some() as u32) << 4
            | ((u.capable == Some(true)) as u32) << 5
            | (u.last_updated.is_some() as u32) << 6;
        users.extend_from_slice(&[u.id, u.person, flags, u.methods.0, u.methods.1]);
        times.push(u.last_updated.unwrap_or(0));
    }
    put_slice(out, &users);
    put_slice(out, &times);
    put_table(out, &b.user_ids);
    put_slice(out, &b.user_methods);
    put_events(out, &b.events);
    put_table(out, b.reasons.table());
    put_methods(out, &b.methods);
    put_len(out, b.malformed_times);
    put_len(out, b.skipped_records);
    put_bool(out, b.cut_off);
    put_audit_rows(out, &b.audit);
    put_table(out, b.audit_texts.table());
    put_len(out, b.audit_other_services);
    write_inputs(out, &b.inputs);
    put_batch_mfa(out, b);
}

/// What the parts after a part read back will add to it when they are appended
/// (`Batch::append`): the part's columns are read with that much room, so that appending them
/// copies no column a second time (in the browser, each copy lands in memory touched for the
/// first time, which costs more than the copy itself).
#[derive(Clone, Copy, Debug, Default)]
pub struct PartRoom {
    names: TableRoom,
    user_names: TableRoom,
    users: usize,
    user_ids: TableRoom,
    user_methods: usize,
    events: usize,
    /// Whether a part that follows has MFA details (appending them pads this part's first).
    mfa: bool,
    mfa_methods: usize,
}

impl PartRoom {
    /// Room for what `parts` hold (the parts that follow, already in memory).
    pub fn for_parts<'a>(parts: impl IntoIterator<Item = &'a ImportPart>) -> PartRoom {
        parts.into_iter().fold(PartRoom::default(), |room, part| {
            let b = &part.batch;
            let at_most = b.people_at_most();
            PartRoom {
                names: room.names.add(TableRoom {
                    strings: at_most.people,
                    bytes: at_most.name_bytes,
                }),
                user_names: room.user_names.add(TableRoom {
                    strings: at_most.people,
                    bytes: at_most.user_name_bytes,
                }),
                users: room.users + b.users.len(),
                user_ids: room.user_ids.add(TableRoom::of(&b.user_ids)),
                user_methods: room.user_methods + b.user_methods.len(),
                events: room.events + b.events.len(),
                mfa: room.mfa || !b.user_mfa.is_empty(),
                mfa_methods: room.mfa_methods + b.mfa_methods.len(),
            }
        })
    }
}

pub(super) fn read_batch(input: &mut impl WireIn, room: &PartRoom) -> Result<Batch, WireError> {
    let source = get_string(input)?;
    let names = get_table_with_room(input, room.names)?;
    let user_names = get_table_with_room(input, room.user_names)?;
    if names.len() != user_names.len() {
        return Err(WireError("the people's names do not agree"));
    }
    // Distinct people, each once (as they were written): the index is built only if this batch
    // is the one others are appended to.
    let people = People::from_tables(names, user_names);
    let n = get_len(input)?;
    let packed: Vec<u32> = get_vec(input)?;
    let times: Vec<i64> = get_vec(input)?;
    if packed.len() != n * 5 || times.len() != n {
        return Err(WireError("the users do not agree"));
    }
    let user_ids = get_table_with_room(input, room.user_ids)?;
    let user_methods: Vec<u16> = get_vec_with_room(input, room.user_methods)?;
    let mut users = Vec::with_capacity(n + room.users);
    for (fields, &time) in packed.chunks_exact(5).zip(&times) {
        let [id, person, flags, start, end] =
            [fields[0], fields[1], fields[2], fields[3], fields[4]];
        if id as usize >= user_ids.len()
            || person as usize >= people.len()
            || start > end
            || end as usize > user_methods.len()
        {
            return Err(WireError("a user points outside its tables"));
        }
        let bit = |b: u32| flags & (1 << b) != 0;
        users.push(BatchUser {
            id,
            person,
            user_type: if bit(0) {
                UserType::Guest
            } else {
                UserType::Member
            },
            is_admin: bit(1),
            registered: bit(2),
            enabled: bit(3),
            capable: bit(4).then_some(bit(5)),
            methods: (start, end),
            last_updated: bit(6).then_some(time),
        });
    }
    let events = get_events_with_room(input, room.events)?;
    let reasons = Interner::from_table(get_table(input)?)
        .ok_or(WireError("the reasons table is inconsistent"))?;
    let methods = get_methods(input)?;
    if events.person.iter().any(|&p| p as usize >= people.len())
        || events.reason.iter().any(|&r| r as usize >= reasons.len())
    {
        return Err(WireError("an event points outside its tables"));
    }
    let mut batch = Batch::new(&source);
    batch.people = people;
    batch.users = users;
    batch.user_ids = user_ids;
    batch.user_methods = user_methods;
    batch.events = events;
    batch.reasons = reasons;
    batch.methods = methods;
    batch.malformed_times = get_len(input)?;
    batch.skipped_records = get_len(input)?;
    batch.cut_off = get_bool(input)?;
    batch.audit = get_audit_rows(input)?;
    batch.audit_texts = Interner::from_table(get_table(input)?)
        .ok_or(WireError("the audit texts are inconsistent"))?;
    batch.audit_other_services = get_len(input)?;
    if batch
        .audit
        .person
        .iter()
        .any(|&p| p as usize >= batch.people.len())
        || !batch.audit.texts_within(batch.audit_texts.len())
    {
        return Err(WireError("an audit row points outside its tables"));
    }
    batch.inputs = read_inputs(input)?;
    get_batch_mfa(input, &mut batch, room)?;
    Ok(batch)
}

// ---- MFA details (spec §3.7) ----

pub(super) fn put_mfa_columns(out: &mut impl WireOut, m: &MfaColumns) {
    put_slice(out, &m.bits);
    put_slice(out, &m.default_method);
    put_slice(out, &m.preferred_method);
    put_slice(out, &m.system_start);
    put_slice(out, &m.system_methods);
}

pub(super) fn get_mfa_columns(input: &mut impl WireIn) -> Result<MfaColumns, WireError> {
    Ok(MfaColumns {
        bits: get_vec(input)?,
        default_method: get_vec(input)?,
        preferred_method: get_vec(input)?,
        system_start: get_vec(input)?,
        system_methods: get_vec(input)?,
    })
}

/// A batch's MFA details: per user (as far as it has any) the bits, the two method codes and
/// the run of system-preferred methods, then the pool of those methods.
pub(super) fn put_batch_mfa(out: &mut impl WireOut, b: &Batch) {
    let mut packed: Vec<u32> = Vec::with_capacity(b.user_mfa.len() * 4);
    for m in &b.user_mfa {
        packed.extend_from_slice(&[
            m.bits as u32,
            (m.default_method as u32) | (m.preferred_method as u32) << 16,
            m.system.0,
            m.system.1,
        ]);
    }
    put_slice(out, &packed);
    put_slice(out, &b.mfa_methods);
}

pub(super) fn get_batch_mfa(
    input: &mut impl WireIn,
    batch: &mut Batch,
    room: &PartRoom,
) -> Result<(), WireError> {
    let packed: Vec<u32> = get_vec(input)?;
    let pool: Vec<u16> = get_vec_with_room(input, room.mfa_methods)?;
    if !packed.len().is_multiple_of(4) || packed.len() / 4 > batch.users.len() {
        return Err(WireError("the MFA details do not agree with the users"));
    }
    let codes = batch.methods.len();
    let code_ok = |c: u16| (c as usize) < codes || c == NO_METHOD;
    // Appending details pads this part's to every user first (`Batch::append_mfa`).
    let mut user_mfa = Vec::with_capacity(if room.mfa {
        batch.users.len() + room.users
    } else {
        packed.len() / 4
    });
    for fields in packed.chunks_exact(4) {
        let details = MfaUser {
            bits: fields[0] as u16,
            default_method: fields[1] as u16,
            preferred_method: (fields[1] >> 16) as u16,
            system: (fields[2], fields[3]),
        };
        if fields[0] >> 16 != 0
            || !code_ok(details.default_method)
            || !code_ok(details.preferred_method)
            || details.system.0 > details.system.1
            || details.system.1 as usize > pool.len()
        {
            return Err(WireError("an MFA detail points outside its tables"));
        }
        user_mfa.push(details);
    }
    if !pool.iter().all(|&c| code_ok(c)) {
        return Err(WireError("an MFA method is outside the method table"));
    }
    batch.user_mfa = user_mfa;
    batch.mfa_methods = pool;
    Ok(())
}

pub(super) fn put_start(out: &mut impl WireOut, start: PartStart) {
    let (tag, at) = match start {
        PartStart::File { content } => (0, content),
        PartStart::PageRecord { at } => (1, at),
        PartStart::ArrayItem { at } => (2, at),
        PartStart::NdjsonLine { at } => (3, at),
    };
    put_u64(out, tag);
    put_len(out, at);
}

pub(super) fn get_start(input: &mut impl WireIn) -> Result<PartStart, WireError> {
    let tag = get_u64(input)?;
    let at = get_u64(input)? as usize;
    Ok(match tag {
        0 => PartStart::File { content: at },
        1 => PartStart::PageRecord { at },
        2 => PartStart::ArrayItem { at },
        3 => PartStart::NdjsonLine { at },
        _ => return Err(WireError("a part's start is unknown")),
    })
}

pub(super) const KINDS: [FileKind; 15] = [
    FileKind::UserRegistrationDetails,
    FileKind::CredentialUserRegistrationDetails,
    FileKind::UserEventsSummary,
    FileKind::UserCredentialUsageDetails,
    FileKind::MixedJson,
    FileKind::RegistrationCsv,
    FileKind::ActivityCsv,
    FileKind::Unknown,
    FileKind::DirectoryAudits,
    FileKind::AuditLogCsv,
    FileKind::LogAnalyticsAuditJson,
    FileKind::LogAnalyticsAuditCsv,
    FileKind::GroupMembers,
    FileKind::GroupMembersCsv,
    FileKind::AuthenticationMethodsPolicy,
];

pub(super) fn put_kind(out: &mut impl WireOut, kind: Option<FileKind>) {
    let code = kind.and_then(|k| KINDS.iter().position(|&x| x == k));
    put_opt_usize(out, code);
}

pub(super) fn get_kind(input: &mut impl WireIn) -> Result<Option<FileKind>, WireError> {
    get_opt_usize(input)?
        .map(|i| {
            KINDS
                .get(i)
                .copied()
                .ok_or(WireError("a file kind is unknown"))
        })
        .transpose()
}

pub(super) fn put_errors(out: &mut impl WireOut, errors: &[ImportError]) {
    put_len(out, errors.len());
    for e in errors {
        put_str(out, &e.file);
        put_opt_usize(out, e.line);
        put_opt_usize(out, e.column);
        put_opt_usize(out, e.record);
        put_str(out, &e.message);
    }
}

pub(super) fn get_errors(input: &mut impl WireIn) -> Result<Vec<ImportError>, WireError> {
    let n = get_len(input)?;
    let mut errors = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        errors.push(ImportError {
            file: get_string(input)?,
            line: get_opt_usize(input)?,
            column: get_opt_usize(input)?,
            record: get_opt_usize(input)?,
            message: get_string(input)?,
        });
    }
    Ok(errors)
}

/// What one worker read of one part of a file, in its wire form.
pub fn encode_part(part: &mut ImportPart) -> Vec<u8> {
    let mut out = Vec::with_capacity(part.batch.event_count() * 32 + 4096);
    write_part(&mut out, part);
    out
}

/// Writes what one worker read of one part of a file to any [`WireOut`] (see [`encode_part`]).
pub fn write_part(out: &mut impl WireOut, part: &mut ImportPart) {
    magic(out);
    put_str(out, &part.name);
    put_start(out, part.part.start);
    put_bool(out, part.part.stop.is_some());
    put_start(
        out,
        part.part.stop.unwrap_or(PartStart::File { content: 0 }),
    );
    put_kind(out, part.kind);
    let c = part.counts;
    for v in [
        c.users_current,
        c.users_legacy,
        c.events,
        c.legacy_events_hint as usize,
    ] {
        put_len(out, v);
    }
    for v in [part.records, part.good, part.bad, part.error_count] {
        put_len(out, v);
    }
    put_len(out, c.members);
    put_len(out, c.policies);
    put_errors(out, &part.errors);
    put_bool(out, part.fatal);
    put_bool(out, part.fatal_note.is_some());
    let (index, note) = part.fatal_note.clone().unwrap_or((None, String::new()));
    put_opt_usize(out, index);
    put_str(out, &note);
    let (line, column) = part.end.stopped_at.unwrap_or((0, 0));
    put_bool(out, part.end.stopped_at.is_some());
    put_len(out, line);
    put_len(out, column);
    put_bool(out, part.end.missed_stop);
    put_bool(out, part.end.needs_context);
    put_len(out, c.audit_graph);
    put_len(out, c.audit_log_analytics);
    write_batch(out, &mut part.batch);
}

/// Reads what [`encode_part`] wrote.
pub fn decode_part(input: &mut impl WireIn) -> Result<ImportPart, WireError> {
    decode_part_with_room(input, &PartRoom::default())
}

/// Reads what [`encode_part`] wrote, with room in its columns for `room` (the parts that will
/// be appended to it).
pub fn decode_part_with_room(
    input: &mut impl WireIn,
    room: &PartRoom,
) -> Result<ImportPart, WireError> {
    check_magic(input)?;
    let name = get_string(input)?;
    let start = get_start(input)?;
    let has_stop = get_bool(input)?;
    let stop = get_start(input)?;
    let kind = get_kind(input)?;
    let mut v = [0usize; 8];
    for x in v.iter_mut() {
        *x = get_len(input)?;
    }
    let (members, policies) = (get_len(input)?, get_len(input)?);
    let errors = get_errors(input)?;
    let fatal = get_bool(input)?;
    let has_note = get_bool(input)?;
    let index = get_opt_usize(input)?;
    let note = get_string(input)?;
    let stopped = get_bool(input)?;
    let (line, column) = (get_len(input)?, get_len(input)?);
    let end = PartEnd {
        stopped_at: stopped.then_some((line, column)),
        missed_stop: get_bool(input)?,
        needs_context: get_bool(input)?,
    };
    let (audit_graph, audit_log_analytics) = (get_len(input)?, get_len(input)?);
    Ok(ImportPart {
        name,
        part: Part {
            start,
            stop: has_stop.then_some(stop),
        },
        kind,
        counts: KindCounts {
            users_current: v[0],
            users_legacy: v[1],
            events: v[2],
            legacy_events_hint: v[3] != 0,
            audit_graph,
            audit_log_analytics,
            members,
            policies,
        },
        records: v[4],
        good: v[5],
        bad: v[6],
        error_count: v[7],
        errors,
        fatal,
        fatal_note: has_note.then_some((index, note)),
        end,
        batch: read_batch(input, room)?,
    })
}

/// A file's outcome without its records (what the page shows about a file it asked a worker to
/// read), in its wire form.
pub fn encode_file_summary(file: &FileImport) -> Vec<u8> {
    let mut out = Vec::new();
    magic(&mut out);
    put_str(&mut out, &file.name);
    put_kind(&mut out, Some(file.kind));
    for v in [file.records, file.bad_records, file.error_count] {
        put_len(&mut out, v);
    }
    put_errors(&mut out, &file.errors);
    put_bool(&mut out, file.fatal);
    out
}

/// Reads what [`encode_file_summary`] wrote: the file's outcome with an empty batch.
pub fn decode_file_summary(input: &mut impl WireIn) -> Result<FileImport, WireError> {
    check_magic(input)?;
    let name = get_string(input)?;
    let kind = get_kind(input)?.unwrap_or(FileKind::Unknown);
    let (records, bad_records, error_count) = (get_len(input)?, get_len(input)?, get_len(input)?);
    let errors = get_errors(input)?;
    let fatal = get_bool(input)?;
    Ok(FileImport {
        batch: Batch::new(&name),
        name,
        kind,
        records,
        bad_records,
        errors,
        error_count,
        fatal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::import::part::{plan, PROBE_SIZE};
    use crate::model::import::{combine, import_file, StreamImport};

    /// A page of `n` Graph users (with MFA fields) and `n` events.
    fn page(n: usize) -> Vec<u8> {
        let records: Vec<String> = (0..n)
            .flat_map(|i| {
                [
                    format!(
                        r#"{{"id":"id-{i}","userPrincipalName":"u{i}@x","userDisplayName":"U {i}","isSsprRegistered":true,"isSsprEnabled":true,"isSsprCapable":true,"isMfaRegistered":true,"isMfaCapable":true,"methodsRegistered":["mobilePhone","email"],"systemPreferredAuthenticationMethods":["sms"]}}"#
                    ),
                    format!(
                        r#"{{"id":"e{i}","feature":"reset","userPrincipalName":"u{i}@x","isSuccess":true,"authMethod":"sms","eventDateTime":"2026-11-20T10:00:00Z"}}"#
                    ),
                ]
            })
            .collect();
        format!(r#"{{"value":[{}]}}"#, records.join(",")).into_bytes()
    }

    /// `page` read in two parts, split near its middle.
    fn two_parts(page: &[u8]) -> (ImportPart, ImportPart) {
        let middle = page.len() / 2;
        let probe = (middle, &page[middle..(middle + PROBE_SIZE).min(page.len())]);
        let parts = plan(&page[..PROBE_SIZE.min(page.len())], &[probe]);
        assert_eq!(parts.len(), 2);
        let read = |part: Part| {
            let mut stream = StreamImport::new("mixed.json", part);
            stream.feed(&page[part.start.fed_from()..]);
            stream.finish_part()
        };
        (read(parts[0]), read(parts[1]))
    }

    #[test]
    fn a_part_read_back_with_room_takes_the_next_part_without_growing() {
        let page = page(2_000);
        let (mut first, last) = two_parts(&page);
        let message = encode_part(&mut first);
        let room = PartRoom::for_parts([&last]);
        let back = decode_part_with_room(&mut SliceIn::new(&message), &room).unwrap();
        let b = &back.batch;
        let (next_users, next_events) = (last.batch.users.len(), last.batch.events.len());
        assert!(b.users.capacity() >= b.users.len() + next_users);
        assert!(b.user_mfa.capacity() >= b.users.len() + next_users);
        assert!(b.events.time.capacity() >= b.events.len() + next_events);
        assert!(b.events.id.capacity() >= b.events.len() + next_events);
        let tables = |b: &Batch| {
            [
                b.people.names.heap_bytes(),
                b.people.user_names.heap_bytes(),
                b.user_ids.heap_bytes(),
            ]
        };
        let before = tables(b);
        let combined = combine(vec![back, last]).batch;
        // Appended into the room: the tables took no more memory.
        assert_eq!(tables(&combined), before);
        // And the same as reading the page front to back.
        let mut whole = import_file("mixed.json", &page).batch;
        whole.resolve_people();
        assert_eq!(combined.people.names, whole.people.names);
        assert_eq!(combined.people.user_names, whole.people.user_names);
        assert_eq!(combined.user_ids, whole.user_ids);
        assert_eq!(combined.user_methods, whole.user_methods);
        assert_eq!(combined.events.time, whole.events.time);
        assert_eq!(combined.events.person, whole.events.person);
        assert_eq!(combined.users.len(), whole.users.len());
    }
}
