//! The wire form between the page and its workers: a dataset or a part's result comes back
//! exactly as it went (byte for byte), and a damaged message is an error, never a panic.

mod common;

use common::{dataset_dump, fixture};
use proptest::prelude::*;
use sspr_insights::model::import::{combine, Part, StreamImport};
use sspr_insights::model::wire::{self, SliceIn};
use sspr_insights::model::{import_file, AsOf, Dataset, PolicyInputs, SourceKind};
use std::future::Future;

fn sample_dataset() -> Dataset {
    let batches = ["userRegistrationDetails.json", "userEventsSummary.json"]
        .iter()
        .map(|name| {
            let path = format!("{}/public/sample/{name}", env!("CARGO_MANIFEST_DIR"));
            import_file(name, &std::fs::read(path).unwrap()).batch
        })
        .collect();
    Dataset::build(batches, AsOf::Newest, SourceKind::Sample)
}

/// A future that is pending once, then ready: what a page's "give the browser a turn" looks
/// like to the reader.
struct OneTurn(bool);

impl std::future::Future for OneTurn {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            std::task::Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

#[test]
fn a_dataset_read_in_steps_gives_the_browser_a_turn_after_each_and_is_the_same() {
    let ds = sample_dataset();
    let bytes = wire::encode_dataset(&ds);
    let mut input = SliceIn::new(&bytes);
    let steps = std::cell::RefCell::new(Vec::new());
    let mut reading = std::pin::pin!(wire::decode_dataset_in_steps(&mut input, |step| {
        steps.borrow_mut().push(step);
        OneTurn(false)
    }));
    let mut turns = 0;
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let back = loop {
        match reading.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(result) => break result.unwrap(),
            std::task::Poll::Pending => turns += 1,
        }
    };
    assert_eq!(turns, wire::DECODE_STEPS.len());
    assert_eq!(*steps.borrow(), wire::DECODE_STEPS);
    assert_eq!(wire::encode_dataset(&back), bytes);
    // A damaged message is still an error, found in whichever step reads the damage.
    let short = &bytes[..bytes.len() * 2 / 3];
    let mut input = SliceIn::new(short);
    let mut reading = std::pin::pin!(wire::decode_dataset_in_steps(&mut input, |_| OneTurn(
        false
    )));
    let outcome = loop {
        if let std::task::Poll::Ready(result) = reading.as_mut().poll(&mut cx) {
            break result;
        }
    };
    assert!(outcome.is_err());
}

#[test]
fn a_dataset_comes_back_byte_for_byte() {
    let ds = sample_dataset();
    let bytes = wire::encode_dataset(&ds);
    let back = wire::decode_dataset(&mut SliceIn::new(&bytes)).unwrap();
    assert_eq!(wire::encode_dataset(&back), bytes);
    assert_eq!(back.user_count(), ds.user_count());
    assert_eq!(back.event_count(), ds.event_count());
    assert_eq!(back.warnings(), ds.warnings());
    assert_eq!(back.source(), ds.source());
    let live = Dataset::build(
        vec![import_file("e.json", &fixture("graph_user_events_summary.json")).batch],
        AsOf::At(1_700_000_000_000),
        SourceKind::Live {
            host: "graph.microsoft.com".into(),
        },
    );
    let bytes = wire::encode_dataset(&live);
    let back = wire::decode_dataset(&mut SliceIn::new(&bytes)).unwrap();
    assert_eq!(back.source(), live.source());
    assert_eq!(back.as_of(), live.as_of());
}

#[test]
fn a_part_sent_by_a_worker_combines_as_if_it_was_read_here() {
    let bytes = fixture("events_bare_array.json");
    let whole = import_file("e.json", &bytes);
    let mut stream = StreamImport::new("e.json", Part::whole(0));
    stream.feed(&bytes);
    let mut part = stream.finish_part();
    let message = wire::encode_part(&mut part);
    let back = wire::decode_part(&mut SliceIn::new(&message)).unwrap();
    let file = combine(vec![back]);
    assert_eq!(file.records, whole.records);
    assert_eq!(file.errors, whole.errors);
    assert_eq!(dataset_dump(&file.batch), dataset_dump(&whole.batch));
}

#[test]
fn a_file_summary_keeps_the_outcome_without_the_records() {
    let file = import_file(
        "cut.json",
        br#"{"value":[{"id":"1","isSsprRegistered":true,"isSsprEnabled":true},"#,
    );
    let back =
        wire::decode_file_summary(&mut SliceIn::new(&wire::encode_file_summary(&file))).unwrap();
    assert_eq!(
        (
            back.kind,
            back.records,
            back.bad_records,
            back.error_count,
            back.fatal
        ),
        (
            file.kind,
            file.records,
            file.bad_records,
            file.error_count,
            file.fatal
        )
    );
    assert_eq!(back.errors, file.errors);
    assert_eq!(back.batch.user_count(), 0);
}

#[test]
fn a_message_of_another_version_is_refused() {
    let mut bytes = wire::encode_dataset(&sample_dataset());
    bytes[7] ^= 0xff;
    let error = wire::decode_dataset(&mut SliceIn::new(&bytes)).unwrap_err();
    assert!(error.to_string().contains("another version"), "{error}");
}

/// A member list (JSON and CSV rows of every kind) and a methods policy, as a load holds them.
fn sample_inputs() -> PolicyInputs {
    let mut batches: Vec<_> = [
        "graph_group_transitive_members.json",
        "graph_authentication_methods_policy.json",
    ]
    .iter()
    .map(|name| import_file(name, &fixture(name)).batch)
    .collect();
    batches.push(
        import_file(
            "m.csv",
            b"Object ID,User principal name,Member type\n1,a@x,Group\n",
        )
        .batch,
    );
    PolicyInputs::take_from(&mut batches)
}

#[test]
fn what_if_inputs_come_back_byte_for_byte() {
    let inputs = sample_inputs();
    assert_eq!(inputs.members.as_ref().map(|m| m.len()), Some(7));
    let bytes = wire::encode_inputs(&inputs);
    let back = wire::decode_inputs(&mut SliceIn::new(&bytes)).unwrap();
    assert_eq!(back, inputs);
    assert_eq!(wire::encode_inputs(&back), bytes);
    let none = PolicyInputs::default();
    let back = wire::decode_inputs(&mut SliceIn::new(&wire::encode_inputs(&none))).unwrap();
    assert_eq!(back, none);
}

#[test]
fn a_part_carries_the_what_if_inputs_it_read() {
    for name in [
        "graph_group_transitive_members.json",
        "graph_authentication_methods_policy.json",
    ] {
        let bytes = fixture(name);
        let whole = import_file(name, &bytes);
        let mut stream = StreamImport::new(name, Part::whole(0));
        stream.feed(&bytes);
        let message = wire::encode_part(&mut stream.finish_part());
        let file = combine(vec![wire::decode_part(&mut SliceIn::new(&message)).unwrap()]);
        assert_eq!(file.kind, whole.kind, "{name}");
        assert_eq!(file.batch.inputs(), whole.batch.inputs(), "{name}");
        assert!(!file.batch.inputs().is_empty(), "{name}");
    }
}

#[test]
fn a_damaged_length_is_refused_before_anything_is_allocated_for_it() {
    use sspr_insights::model::policy::MethodsPolicy;
    let inputs = PolicyInputs {
        methods_policy: Some(MethodsPolicy {
            source: "policy.json".to_string(),
            ..MethodsPolicy::default()
        }),
        ..PolicyInputs::default()
    };
    let mut bytes = wire::encode_inputs(&inputs);
    // The source's length, 11, becomes four billion: 4 GB that the message does not hold.
    let length = 11u64.to_le_bytes();
    let at = (8..bytes.len() - 8)
        .step_by(8)
        .find(|&i| bytes[i..i + 8] == length)
        .expect("the source's length is in the message");
    bytes[at..at + 8].copy_from_slice(&u64::from(u32::MAX).to_le_bytes());
    let error = wire::decode_inputs(&mut SliceIn::new(&bytes)).unwrap_err();
    assert!(
        error.to_string().contains("longer than the message"),
        "{error}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_damaged_inputs_message_is_an_error_or_inputs_that_can_be_used(
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        static GOOD: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let good = GOOD.get_or_init(|| wire::encode_inputs(&sample_inputs()));
        let mut bytes = good[..cut.index(good.len())].to_vec();
        for (at, bits) in &flips {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] ^= bits;
            }
        }
        if let Ok(inputs) = wire::decode_inputs(&mut SliceIn::new(&bytes)) {
            static DATASET: std::sync::OnceLock<Dataset> = std::sync::OnceLock::new();
            let ds = DATASET.get_or_init(sample_dataset);
            if let Some(members) = &inputs.members {
                let matched = members.resolve(ds);
                prop_assert_eq!(matched.in_group.len(), ds.user_count());
            }
            if let Some(policy) = &inputs.methods_policy {
                let _ = (policy.not_counted(), policy.sspr_groups(), policy.partly_targeted());
            }
        }
    }

    #[test]
    fn a_damaged_dataset_message_is_an_error_or_a_consistent_dataset(
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let good = wire::encode_dataset(&sample_dataset());
        let mut bytes = good[..cut.index(good.len())].to_vec();
        for (at, bits) in &flips {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] ^= bits;
            }
        }
        if let Ok(ds) = wire::decode_dataset(&mut SliceIn::new(&bytes)) {
            // Whatever came through can be used without panicking.
            for u in ds.users() {
                let _ = (u.name(), u.user_name(), u.methods().count());
            }
            for e in ds.events() {
                let _ = (e.name(), e.method(), e.failure_reason(), ds.event_user(e.index()));
            }
            let _ = sspr_insights::model::tiles(&ds, Default::default());
        }
    }

    #[test]
    fn a_damaged_part_message_is_an_error_or_combines_without_panicking(
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let mut stream = StreamImport::new("e.json", Part::whole(0));
        stream.feed(&fixture("graph_user_events_summary.json"));
        let mut part = stream.finish_part();
        let good = wire::encode_part(&mut part);
        // Read back with room, as the building worker reads the first part: damage still only
        // ever gives an error or a part.
        let room = wire::PartRoom::for_parts([&part]);
        let mut bytes = good[..cut.index(good.len())].to_vec();
        for (at, bits) in &flips {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] ^= bits;
            }
        }
        if let Ok(part) = wire::decode_part_with_room(&mut SliceIn::new(&bytes), &room) {
            let file = combine(vec![part]);
            let ds = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
            for e in ds.events() {
                let _ = (e.name(), e.method(), e.failure_reason());
            }
        }
    }
}
