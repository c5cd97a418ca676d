//! The what-if inputs as files (spec §4.2): Graph's member pages, the portal's members download
//! and Graph's authentication methods policy are recognised, read into the batch's inputs (not
//! its users), read the same in parts as in one go, and never replace registration data.

mod common;

use common::*;
use sspr_insights::model::import::{combine, Part, StreamImport};
use sspr_insights::model::policy::{MemberKind, PolicyInputs};
use sspr_insights::model::{import_file, AsOf, Dataset, FileKind, Method, SourceKind};

#[test]
fn a_graph_member_page_is_a_member_list_not_registration_details() {
    let file = import_fixture("graph_group_transitive_members.json");
    assert!(file.is_clean(), "{:?}", file.errors);
    assert_eq!(file.kind, FileKind::GroupMembers);
    assert_eq!(file.kind.to_string(), "group members (JSON)");
    assert_eq!(file.records, 6);
    assert_eq!((file.batch.user_count(), file.batch.event_count()), (0, 0));
    let members = file.batch.inputs().members.clone().expect("a member list");
    assert_eq!(members.sources(), ["graph_group_transitive_members.json"]);
    let kinds: Vec<MemberKind> = (0..members.len() as u32)
        .map(|i| members.row(i).kind)
        .collect();
    use MemberKind::*;
    assert_eq!(kinds, [User, User, Group, User, Other, User]);
    let adele = members.row(0);
    assert_eq!(
        (adele.id, adele.user_name, adele.name),
        (
            "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
            "AdeleV@contoso.com",
            "Adele Vance"
        )
    );
}

#[test]
fn members_without_a_type_are_recognised_by_their_display_name() {
    // `/members/microsoft.graph.user` (the cast) writes no @odata.type per record.
    let page = br#"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,userPrincipalName)","value":[{"id":"1","displayName":"Ann","userPrincipalName":"ann@x"},{"displayName":"Nobody"}]}"#;
    let file = import_file("cast.json", page);
    assert_eq!(file.kind, FileKind::GroupMembers);
    assert_eq!((file.records, file.bad_records), (1, 1));
    assert!(
        file.errors[0].message.contains("neither"),
        "{}",
        file.errors[0]
    );
    // A record of the reports without its flags is still a bad record, not a member.
    let report = import_file(
        "r.json",
        br#"{"value":[{"id":"1","userPrincipalName":"a@x","userDisplayName":"A"}]}"#,
    );
    assert_eq!((report.records, report.bad_records), (0, 1));
}

#[test]
fn the_portals_members_download_is_a_member_list_with_its_bad_rows_reported() {
    let file = import_fixture("portal_group_members.csv");
    assert_eq!(file.kind, FileKind::GroupMembersCsv);
    assert_eq!((file.records, file.bad_records), (4, 1));
    assert!(
        file.errors[0].to_string().contains("line 6"),
        "{}",
        file.errors[0]
    );
    let members = file.into_batch_without_bad_records().inputs().clone();
    let list = members.members.expect("a member list");
    assert_eq!(list.len(), 4);
    assert_eq!(list.row(1).user_name, "alexw@CONTOSO.com");
    assert_eq!(list.row(2).kind, MemberKind::Group);
    assert_eq!(list.row(3).name, "Siciliani, Diego");
    // Graph's property names as headers read the same.
    let graph_names = import_file(
        "m.csv",
        b"id,userPrincipalName,displayName,objectType\n1,a@x,A,User\n",
    );
    assert!(graph_names.is_clean(), "{:?}", graph_names.errors);
    assert_eq!(graph_names.kind, FileKind::GroupMembersCsv);
}

#[test]
fn the_authentication_methods_policy_is_read_with_its_configurations() {
    let file = import_fixture("graph_authentication_methods_policy.json");
    assert!(file.is_clean(), "{:?}", file.errors);
    assert_eq!(file.kind, FileKind::AuthenticationMethodsPolicy);
    assert_eq!(file.records, 1);
    let policy = file
        .batch
        .inputs()
        .methods_policy
        .clone()
        .expect("a policy");
    assert_eq!(policy.source, "graph_authentication_methods_policy.json");
    assert_eq!(policy.migration_state, "migrationComplete");
    let ids: Vec<&str> = policy
        .configurations
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "Fido2",
            "MicrosoftAuthenticator",
            "Sms",
            "TemporaryAccessPass",
            "Email",
            "Voice",
            "SoftwareOath",
            "X509Certificate"
        ]
    );
    let authenticator = policy.configuration("microsoftauthenticator").unwrap();
    assert!(authenticator.enabled);
    assert_eq!(authenticator.software_oath_enabled, Some(false));
    assert_eq!(
        (authenticator.all_users, authenticator.excluded),
        (Some(true), 1)
    );
    let voice = policy.configuration("Voice").unwrap();
    assert_eq!(voice.office_phone_allowed, Some(false));
    assert_eq!(
        policy
            .configuration("TemporaryAccessPass")
            .unwrap()
            .all_users,
        Some(false)
    );
    // SMS and software OATH are off, office phones too, and Authenticator's codes.
    assert_eq!(
        policy.not_counted(),
        vec![
            Method::AppCode,
            Method::Sms,
            Method::OfficePhone,
            Method::Certificate
        ]
    );
    assert_eq!(
        policy.partly_targeted(),
        ["Microsoft Authenticator", "Temporary Access Pass"]
    );
}

#[test]
fn a_policy_of_the_wrong_shape_says_what_is_wrong() {
    let file = import_file(
        "p.json",
        br#"{"id":"authenticationMethodsPolicy","authenticationMethodConfigurations":"all"}"#,
    );
    assert_eq!((file.records, file.bad_records), (0, 1));
    assert!(
        file.errors[0]
            .message
            .contains("authenticationMethodConfigurations is text"),
        "{}",
        file.errors[0]
    );
    let empty = import_file(
        "p.json",
        br#"{"id":"authenticationMethodsPolicy","authenticationMethodConfigurations":[]}"#,
    );
    assert!(empty.is_clean());
    assert!(empty
        .batch
        .inputs()
        .methods_policy
        .as_ref()
        .unwrap()
        .configurations
        .is_empty());
}

#[test]
fn a_big_member_page_read_in_parts_equals_one_go() {
    let rows: Vec<String> = (0..3000)
        .map(|i| {
            format!(
                r##"{{"@odata.type":"#microsoft.graph.user","id":"id-{i}","displayName":"User {i}","userPrincipalName":"u{i}@x"}}"##
            )
        })
        .collect();
    let page = format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#directoryObjects","value":[{}]}}"#,
        rows.join(",\n")
    );
    let bytes = page.as_bytes();
    let whole = import_file("m.json", bytes);
    let probes: Vec<(usize, &[u8])> = [bytes.len() / 3, 2 * bytes.len() / 3]
        .iter()
        .map(|&at| (at, &bytes[at..(at + 4096).min(bytes.len())]))
        .collect();
    let parts = sspr_insights::model::import::part::plan(bytes, &probes);
    assert_eq!(parts.len(), 3);
    let read: Vec<_> = parts
        .iter()
        .map(|&part| {
            let mut stream = StreamImport::new("m.json", part);
            let from = if part.start.is_file() {
                0
            } else {
                part.start.offset()
            };
            for chunk in bytes[from..].chunks(1000) {
                stream.feed(chunk);
                if stream.is_stopped() {
                    break;
                }
            }
            stream.finish_part()
        })
        .collect();
    assert!(sspr_insights::model::import::part::fits_together(&read));
    let combined = combine(read);
    assert_eq!(combined.kind, FileKind::GroupMembers);
    assert_eq!(combined.records, whole.records);
    assert_eq!(combined.batch.inputs(), whole.batch.inputs());
    assert_eq!(whole.batch.inputs().members.as_ref().unwrap().len(), 3000);
    let _ = Part::whole(0);
}

#[test]
fn inputs_are_taken_out_of_the_batches_and_the_dataset_holds_only_registration_data() {
    let members = import_fixture("graph_group_transitive_members.json").batch;
    let policy = import_fixture("graph_authentication_methods_policy.json").batch;
    let users = import_fixture("graph_user_registration_details_v1.json").batch;
    let user_count = users.user_count();
    let mut batches = vec![users, members, policy];
    let inputs = PolicyInputs::take_from(&mut batches);
    assert_eq!(inputs.members.as_ref().map(|m| m.len()), Some(6));
    assert!(inputs.methods_policy.is_some());
    assert!(batches.iter().all(|b| b.inputs().is_empty()));
    let ds = Dataset::build(batches, AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(ds.user_count(), user_count);
    // A newer member list replaces the one held; the policy held stays.
    let mut held = inputs.clone();
    let mut newer = PolicyInputs::take_from(&mut [
        import_fixture("portal_group_members.csv").into_batch_without_bad_records()
    ]);
    assert!(newer.methods_policy.is_none());
    held.replace_with(std::mem::take(&mut newer));
    assert_eq!(held.members.as_ref().map(|m| m.len()), Some(4));
    assert_eq!(held.methods_policy, inputs.methods_policy);
}
