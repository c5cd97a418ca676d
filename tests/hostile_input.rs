//! Hostile and odd input found by review (issue 10's table): each case names what it protects
//! and fails on the code before the fix.

use sspr_insights::model::method::{MAX_UNKNOWN_NAMES, OTHER_UNKNOWN_NAMES};
use sspr_insights::model::{import_file, AsOf, Dataset, Method, SourceKind};

fn build(name: &str, bytes: &[u8]) -> Dataset {
    Dataset::build(
        vec![import_file(name, bytes).batch],
        AsOf::Newest,
        SourceKind::Uploaded,
    )
}

/// Row 1: 70,000 distinct unknown names in one user's methods. Codes used to wrap (junk counted
/// as real methods) and each name was looked up by a linear scan (the tab hung).
#[test]
fn unknown_method_names_past_the_cap_are_counted_together_and_codes_never_wrap() {
    let names: Vec<String> = (0..70_000).map(|i| format!("\"junk{i}\"")).collect();
    let page = format!(
        r#"{{"value":[{{"id":"1","userPrincipalName":"a@contoso.com","userDisplayName":"A","isSsprRegistered":true,"isSsprEnabled":true,"isSsprCapable":true,"methodsRegistered":[{},"mobilePhone"]}},
        {{"id":"2","userPrincipalName":"b@contoso.com","userDisplayName":"B","isSsprRegistered":true,"isSsprEnabled":true,"isSsprCapable":true,"methodsRegistered":["junk5","JUNK69999","email"]}}]}}"#,
        names.join(",")
    );
    let ds = build("u.json", page.as_bytes());
    assert_eq!(ds.user_count(), 2);
    let unknown = &ds.warnings().unknown_methods;
    assert_eq!(unknown.len(), MAX_UNKNOWN_NAMES + 1);
    let folded = unknown
        .iter()
        .find(|(name, _)| name == OTHER_UNKNOWN_NAMES)
        .map(|&(_, n)| n);
    // Users who have a name past the cap: both (user 2 through "JUNK69999"), each counted once.
    assert_eq!(folded, Some(2));
    assert_eq!(
        unknown.iter().find(|(n, _)| n == "junk5").map(|p| p.1),
        Some(2)
    );
    let a: Vec<Method> = ds.user(0).methods().collect();
    assert!(a.contains(&Method::MobilePhone));
    assert_eq!(a.len(), MAX_UNKNOWN_NAMES + 2, "{} methods", a.len());
    let b: Vec<Method> = ds.user(1).methods().collect();
    assert_eq!(b.len(), 3);
    assert!(b.contains(&Method::Email));
    assert!(!b.contains(&Method::AppNotification));
    let messages = ds.warnings().messages();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("More than 256 distinct unknown method names")),
        "{messages:?}"
    );
    assert!(messages.len() <= MAX_UNKNOWN_NAMES + 10);
}

/// Row 5: a shared link listing 100,000 methods. De-duplication was quadratic (a multi-second
/// freeze); the list is now each method once, cut at what a dataset can tell apart.
#[test]
fn a_link_with_a_huge_methods_list_is_deduplicated_and_capped() {
    use sspr_insights::model::query::MAX_LISTED_METHODS;
    use sspr_insights::model::UserFilter;
    let many: Vec<String> = (0..100_000).map(|i| format!("x{i}")).collect();
    let filter = UserFilter::from_query(&format!("methods={}", many.join(",")));
    assert_eq!(filter.methods.len(), MAX_LISTED_METHODS);
    assert_eq!(filter.methods[0], Method::Other("x0".into()));
    let repeated = vec!["sms"; 100_000].join(",");
    let filter = UserFilter::from_query(&format!("methods={repeated},email,sms"));
    assert_eq!(filter.methods, vec![Method::Sms, Method::Email]);
}

/// Row 8: a display name that a spreadsheet in a `;`-separator locale would split at the `;`
/// and evaluate (`a;=cmd|'/C calc'!A0;`). It is now guarded and quoted.
#[test]
fn a_formula_after_a_separator_is_guarded_and_every_cell_is_quoted() {
    use sspr_insights::model::export::{guard, registrations_csv, unguard};
    for cell in [
        "a;=cmd|'/C calc'!A0;",
        "x,+1",
        "x;-1",
        "x;@SUM(A1)",
        "x,\t=1",
    ] {
        let guarded = guard(cell);
        assert!(guarded.starts_with('\''), "{cell:?}");
        assert_eq!(unguard(&guarded), cell);
    }
    for cell in ["Lee, Ann", "a; b", "Email, SMS"] {
        assert_eq!(guard(cell), cell);
    }
    let page = r#"{"value":[{"id":"1","userPrincipalName":"a@contoso.com","userDisplayName":"a;=cmd|'/C calc'!A0;","isSsprRegistered":true,"isSsprEnabled":true,"isSsprCapable":true,"methodsRegistered":["email"]}]}"#;
    let ds = build("u.json", page.as_bytes());
    let text = String::from_utf8(registrations_csv(&ds, &[0])).unwrap();
    assert!(text.contains(r#""'a;=cmd|'/C calc'!A0;""#), "{text}");
    let again = build("r.csv", text.as_bytes());
    assert_eq!(again.user(0).name(), "a;=cmd|'/C calc'!A0;");
}

/// Method names as they may come from a future or broken export: separators, quotes, line
/// breaks, backslashes and formula starts inside; never blank at the ends (names are trimmed).
fn odd_method_name() -> impl proptest::strategy::Strategy<Value = String> {
    proptest::string::string_regex("q[a-z ,;\"\n\\\\=+@'-]{0,10}q").unwrap()
}

proptest::proptest! {
    /// Row 9: an unknown method named `a,b` used to come back from a download as two methods.
    #[test]
    fn a_download_reimports_every_method_name_as_it_was(
        lists in proptest::collection::vec(proptest::collection::vec(odd_method_name(), 0..4), 1..6),
    ) {
        use sspr_insights::model::export::registrations_csv;
        use sspr_insights::model::{Batch, UserInput};
        let mut batch = Batch::new("odd names");
        for (i, names) in lists.iter().enumerate() {
            let upn = format!("user{i}@contoso.com");
            let id = format!("id-{i}");
            batch.push_user(
                &UserInput {
                    id: &id,
                    user_name: &upn,
                    name: "N",
                    user_type: None,
                    is_admin: Some(false),
                    registered: true,
                    enabled: true,
                    capable: None,
                    last_updated: None,
                },
                names,
            );
        }
        let ds = Dataset::build(vec![batch], AsOf::Newest, SourceKind::Uploaded);
        let rows: Vec<u32> = (0..ds.user_count() as u32).collect();
        let file = import_file("r.csv", &registrations_csv(&ds, &rows));
        proptest::prop_assert!(file.is_clean(), "{:?}", file.errors);
        let again = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
        for u in 0..ds.user_count() as u32 {
            let before: Vec<Method> = ds.user(u).methods().collect();
            let after: Vec<Method> = again.user(u).methods().collect();
            proptest::prop_assert_eq!(before, after);
        }
    }
}

const DAY: i64 = 86_400_000;
/// 2026-11-20T00:00:00Z.
const LOADED_AT: i64 = 1_795_132_800_000;

fn events_page(times: &[&str]) -> String {
    let events: Vec<String> = times
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                r#"{{"id":"ev-{i}","feature":"reset","userPrincipalName":"a@contoso.com","userDisplayName":"A","isSuccess":true,"authMethod":"email","eventDateTime":"{t}"}}"#
            )
        })
        .collect();
    format!(r#"{{"value":[{}]}}"#, events.join(","))
}

/// Row 10: one record stamped 9999-12-31 used to become the as-of time (every period empty,
/// no warning). Times more than a day after the load are now counted and leave as-of alone.
#[test]
fn times_far_after_the_load_are_warned_about_and_do_not_move_as_of() {
    let page = events_page(&[
        "2026-11-19T10:00:00Z",
        "2026-11-20T08:00:00Z",
        "9999-12-31T23:59:59Z",
    ]);
    let users = r#"{"value":[{"id":"1","userPrincipalName":"a@contoso.com","userDisplayName":"A","isSsprRegistered":true,"isSsprEnabled":true,"isSsprCapable":true,"methodsRegistered":["email"],"lastUpdatedDateTime":"9999-12-31T23:59:59Z"},
        {"id":"2","userPrincipalName":"b@contoso.com","userDisplayName":"B","isSsprRegistered":true,"isSsprEnabled":true,"isSsprCapable":true,"methodsRegistered":["email"],"lastUpdatedDateTime":"2026-11-18T00:00:00Z"}]}"#;
    let batches = vec![
        import_file("e.json", page.as_bytes()).batch,
        import_file("u.json", users.as_bytes()).batch,
    ];
    let ds = Dataset::build(batches, AsOf::Loaded(LOADED_AT), SourceKind::Uploaded);
    assert_eq!(ds.as_of(), LOADED_AT + 8 * 3_600_000);
    assert_eq!(ds.last_updated(), Some(LOADED_AT - 2 * DAY));
    assert_eq!(ds.warnings().times_after_load, 2);
    assert!(ds
        .warnings()
        .messages()
        .iter()
        .any(|m| m.starts_with("2 events or user updates are stamped more than a day after")));
    // Within a day of the load is a clock's skew, not an error: it still sets as-of.
    let page = events_page(&["2026-11-20T23:00:00Z"]);
    let ds = Dataset::build(
        vec![import_file("e.json", page.as_bytes()).batch],
        AsOf::Loaded(LOADED_AT),
        SourceKind::Uploaded,
    );
    assert_eq!(ds.as_of(), LOADED_AT + 23 * 3_600_000);
    assert_eq!(ds.warnings().times_after_load, 0);
}

/// Row 7: merging an upload into live data used to drop the earlier duplicate warnings, move
/// as-of from the fetch time to the newest event, and call everything "Uploaded files".
#[test]
fn a_merge_keeps_the_warnings_the_fetch_time_and_both_sources() {
    let fetched_at = LOADED_AT;
    let live_page = events_page(&[
        "2026-11-19T10:00:00Z",
        "2026-11-19T11:00:00Z",
        "2026-11-21T00:00:00Z",
    ]);
    // The same event twice (ids repeat), and one event after the fetch.
    let twice = live_page.replace("ev-1", "ev-0");
    let live = Dataset::build(
        vec![import_file("live.json", twice.as_bytes()).batch],
        AsOf::At(fetched_at),
        SourceKind::Live {
            host: "graph.microsoft.com".into(),
        },
    );
    assert_eq!(live.warnings().duplicate_events, 1);
    assert_eq!(live.warnings().events_after_as_of, 1);
    let upload = events_page(&["2026-11-19T12:00:00Z"]).replace("ev-0", "up-0");
    let merged = live.merge(
        vec![import_file("more.json", upload.as_bytes()).batch],
        AsOf::Loaded(fetched_at + DAY),
        SourceKind::Uploaded,
    );
    assert_eq!(merged.event_count(), 3);
    assert_eq!(merged.as_of(), fetched_at);
    assert_eq!(merged.warnings().duplicate_events, 1);
    assert_eq!(merged.warnings().events_after_as_of, 1);
    assert_eq!(
        merged.source().label(),
        "Live: graph.microsoft.com + Uploaded files"
    );
    // And through the wire form, as the page receives it.
    use sspr_insights::model::wire::{decode_dataset, encode_dataset, SliceIn};
    let back = decode_dataset(&mut SliceIn::new(&encode_dataset(&merged))).unwrap();
    assert_eq!(back.source(), merged.source());
    assert_eq!(back.warnings(), merged.warnings());
}

/// Row 2: a million bad elements in one array (8 MB). Each used to rescan the file from its
/// start for its line number (quadratic: tens of seconds a slice); positions are now counted
/// as the reader moves, and every element is still accounted for.
#[test]
fn a_million_bad_elements_are_counted_in_one_pass_with_their_positions() {
    use sspr_insights::model::import::MAX_LISTED_ERRORS;
    let n = 1_000_000;
    let mut page = String::from("[");
    for i in 0..n {
        if i > 0 {
            page.push_str(if i % 1000 == 0 { ",\n" } else { "," });
        }
        page.push_str(r#"{"a":x}"#);
    }
    page.push(']');
    let file = import_file("bad.json", page.as_bytes());
    assert_eq!(file.error_count, n, "{:?}", file.errors.first());
    assert_eq!(file.errors.len(), MAX_LISTED_ERRORS);
    let first = &file.errors[0];
    assert_eq!((first.line, first.record), (Some(1), Some(1)), "{first}");
    let last = file.errors.last().unwrap();
    assert_eq!(last.record, Some(MAX_LISTED_ERRORS));
    assert_eq!(last.line, Some(1 + (MAX_LISTED_ERRORS - 1) / 1000));
}

/// Row 4: a header of 200,000 columns over 5,000 rows. Each row's lookup of a column it does
/// not have used to scan the header (rows × columns); the columns are now found once.
#[test]
fn a_very_wide_header_costs_nothing_per_row() {
    let mut text = String::from("Date,Name,User name,Feature,Method,Status");
    for i in 0..200_000 {
        text.push_str(&format!(",c{i}"));
    }
    text.push_str(",Failure reason\r\n");
    for i in 0..5_000 {
        text.push_str(&format!(
            "2026-11-19T10:00:00Z,User {i},u{i}@contoso.com,Reset,Email,Success\r\n"
        ));
    }
    let file = import_file("wide.csv", text.as_bytes());
    assert_eq!(file.records, 5_000, "{:?}", file.errors.first());
    let ds = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
    assert_eq!(ds.event_count(), 5_000);
}
