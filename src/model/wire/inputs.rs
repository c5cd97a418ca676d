//! The what-if inputs (a group's members, the authentication methods policy) in the wire form.

use super::*;

/// What-if inputs (a group's members, the authentication methods policy) in their wire form:
/// what a worker found beside the registration data of a load.
pub fn encode_inputs(inputs: &PolicyInputs) -> Vec<u8> {
    let mut out = Vec::new();
    magic(&mut out);
    write_inputs(&mut out, inputs);
    out
}

/// Reads what [`encode_inputs`] wrote.
pub fn decode_inputs(input: &mut impl WireIn) -> Result<PolicyInputs, WireError> {
    check_magic(input)?;
    read_inputs(input)
}

pub(super) fn write_inputs(out: &mut impl WireOut, inputs: &PolicyInputs) {
    put_bool(out, inputs.members.is_some());
    if let Some(m) = &inputs.members {
        put_strs(out, &m.sources);
        put_table(out, &m.ids);
        put_table(out, &m.user_names);
        put_table(out, &m.names);
        put_slice(out, &m.kinds);
    }
    put_bool(out, inputs.methods_policy.is_some());
    if let Some(p) = &inputs.methods_policy {
        put_str(out, &p.source);
        put_str(out, &p.migration_state);
        put_len(out, p.configurations.len());
        for c in &p.configurations {
            put_str(out, &c.id);
            let bit = |on: bool, at: u32| (on as u64) << at;
            let opt =
                |v: Option<bool>, at: u32| bit(v.is_some(), at) | bit(v == Some(true), at + 1);
            put_u64(
                out,
                bit(c.enabled, 0)
                    | opt(c.office_phone_allowed, 1)
                    | opt(c.software_oath_enabled, 3)
                    | opt(c.all_users, 5),
            );
            put_len(out, c.excluded);
        }
    }
}

pub(super) fn read_inputs(input: &mut impl WireIn) -> Result<PolicyInputs, WireError> {
    let members = if get_bool(input)? {
        let list = MemberList {
            sources: get_strings(input)?,
            ids: get_table(input)?,
            user_names: get_table(input)?,
            names: get_table(input)?,
            kinds: get_vec(input)?,
        };
        let n = list.kinds.len();
        if [list.ids.len(), list.user_names.len(), list.names.len()]
            .iter()
            .any(|&len| len != n)
            || list
                .kinds
                .iter()
                .any(|&k| MemberKind::from_code(k).is_none())
        {
            return Err(WireError("the member list does not agree"));
        }
        Some(list)
    } else {
        None
    };
    let methods_policy = if get_bool(input)? {
        let source = get_string(input)?;
        let migration_state = get_string(input)?;
        let n = get_len(input)?;
        let mut configurations = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            let id = get_string(input)?;
            let flags = get_u64(input)?;
            let bit = |at: u32| flags & (1 << at) != 0;
            let opt = |at: u32| bit(at).then_some(bit(at + 1));
            configurations.push(MethodConfiguration {
                id,
                enabled: bit(0),
                office_phone_allowed: opt(1),
                software_oath_enabled: opt(3),
                all_users: opt(5),
                excluded: get_len(input)?,
            });
        }
        Some(MethodsPolicy {
            source,
            migration_state,
            configurations,
        })
    } else {
        None
    };
    Ok(PolicyInputs {
        members,
        methods_policy,
    })
}
