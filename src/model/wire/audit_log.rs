//! The audit log's rows and attempts (spec §4.3) in the wire form.

use super::*;

pub(super) fn put_audit_rows(out: &mut impl WireOut, r: &AuditRows) {
    put_slice(out, &r.time);
    put_slice(out, &r.person);
    put_slice(out, &r.correlation);
    put_slice(out, &r.activity);
    put_slice(out, &r.reason);
    put_slice(out, &r.ip);
    put_slice(out, &r.agent);
    put_slice(out, &r.flags);
    put_slice(out, &r.id);
}

pub(super) fn get_audit_rows(input: &mut impl WireIn) -> Result<AuditRows, WireError> {
    let r = AuditRows {
        time: get_vec(input)?,
        person: get_vec(input)?,
        correlation: get_vec(input)?,
        activity: get_vec(input)?,
        reason: get_vec(input)?,
        ip: get_vec(input)?,
        agent: get_vec(input)?,
        flags: get_vec(input)?,
        id: get_vec(input)?,
    };
    if !r.columns_agree() || !r.flags_valid() {
        return Err(WireError("the audit columns differ in length"));
    }
    Ok(r)
}

/// The audit log of a dataset: its rows, their kinds and texts, the entries and their steps.
pub(super) fn write_audit(out: &mut impl WireOut, a: &Audit) {
    put_audit_rows(out, &a.rows);
    put_slice(out, &a.kinds);
    put_table(out, &a.texts);
    let e = &a.entries;
    put_slice(out, &e.time);
    put_slice(out, &e.person);
    put_slice(out, &e.outcome);
    put_slice(out, &e.stage);
    put_slice(out, &e.tried);
    put_slice(out, &e.completed);
    put_slice(out, &e.decider);
    put_slice(out, &e.ip);
    put_slice(out, &e.step_end);
    put_slice(out, &a.steps);
}

pub(super) fn read_audit(input: &mut impl WireIn) -> Result<Audit, WireError> {
    Ok(Audit {
        rows: get_audit_rows(input)?,
        kinds: get_vec(input)?,
        texts: get_table(input)?,
        entries: Entries {
            time: get_vec(input)?,
            person: get_vec(input)?,
            outcome: get_vec(input)?,
            stage: get_vec(input)?,
            tried: get_vec(input)?,
            completed: get_vec(input)?,
            decider: get_vec(input)?,
            ip: get_vec(input)?,
            step_end: get_vec(input)?,
        },
        steps: get_vec(input)?,
    })
}
