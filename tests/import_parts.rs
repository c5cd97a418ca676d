//! Reading a file from chunks as they arrive, and reading it in parts side by side (what the
//! browser's workers do), gives exactly the result of reading it front to back in one go:
//! the same records, errors (numbers and positions), kind and dataset.

mod common;

use common::dataset_dump;
use proptest::prelude::*;
use sspr_insights::model::import::part::{plan, probe_offsets, PROBE_SIZE};
use sspr_insights::model::import::{combine, FileImport, ImportPart, Part, StreamImport};
use sspr_insights::model::import_file;
use sspr_insights::model::wire::{self, SliceIn};

/// Where the parts are put together: in the thread that read them, by another worker that
/// receives them all in the wire form, or (as in the browser) by the worker that finished
/// reading last, which keeps its part (the file's last or its first) and receives the others in
/// the wire form.
#[derive(Clone, Copy, Debug)]
enum Combined {
    Here,
    AfterTheWire,
    LastKept,
    FirstKept,
}

/// A part as the combining worker has it: kept, or read back from the wire form (the first
/// part with room for `after`, the parts appended to it, as the worker reads it).
fn delivered(
    mut part: ImportPart,
    route: Combined,
    first: bool,
    last: bool,
    after: &[ImportPart],
) -> ImportPart {
    match route {
        Combined::Here => part,
        Combined::LastKept if last => part,
        Combined::FirstKept if first => part,
        Combined::AfterTheWire | Combined::LastKept | Combined::FirstKept => {
            let message = wire::encode_part(&mut part);
            let room = wire::PartRoom::for_parts(after);
            wire::decode_part_with_room(&mut SliceIn::new(&message), &room).unwrap()
        }
    }
}

/// Reads `bytes` from chunks of `chunk` bytes.
fn streamed(name: &str, bytes: &[u8], chunk: usize) -> FileImport {
    let mut stream = StreamImport::new(name, Part::whole(0));
    for piece in bytes.chunks(chunk.max(1)) {
        stream.feed(piece);
    }
    stream.finish()
}

/// Reads `bytes` in the parts that `plan` makes of probes at `offsets`, each part from chunks
/// of `chunk` bytes, and puts them together as the browser does.
fn in_parts(
    name: &str,
    bytes: &[u8],
    offsets: &[usize],
    chunk: usize,
    route: Combined,
) -> FileImport {
    let head = &bytes[..bytes.len().min(PROBE_SIZE)];
    let probes: Vec<(usize, &[u8])> = offsets
        .iter()
        .map(|&o| {
            let o = o.min(bytes.len());
            (o, &bytes[o..(o + PROBE_SIZE).min(bytes.len())])
        })
        .collect();
    let parts = plan(head, &probes);
    let mut streams: Vec<(StreamImport, usize)> = parts
        .iter()
        .map(|&p| {
            let from = if p.start.is_file() {
                0
            } else {
                p.start.offset()
            };
            (StreamImport::new(name, p), from)
        })
        .collect();
    for (stream, fed) in streams.iter_mut() {
        feed_until_stopped(stream, bytes, fed, chunk);
    }
    let (mut first, mut first_fed) = streams.remove(0);
    let rest: Vec<_> = streams.into_iter().map(|(s, _)| s.finish_part()).collect();
    if first.fits(&rest) {
        let last = rest.len();
        let rest: Vec<ImportPart> = rest
            .into_iter()
            .enumerate()
            .map(|(i, p)| delivered(p, route, false, i + 1 == last, &[]))
            .collect();
        let mut delivered = vec![delivered(
            first.finish_part(),
            route,
            true,
            last == 0,
            &rest,
        )];
        delivered.extend(rest);
        combine(delivered)
    } else {
        first.read_on();
        feed_until_stopped(&mut first, bytes, &mut first_fed, chunk);
        first.finish()
    }
}

fn feed_until_stopped(stream: &mut StreamImport, bytes: &[u8], fed: &mut usize, chunk: usize) {
    while *fed < bytes.len() && !stream.is_stopped() {
        let end = (*fed + chunk.max(1)).min(bytes.len());
        stream.feed(&bytes[*fed..end]);
        *fed = end;
    }
}

fn assert_same(a: &FileImport, b: &FileImport, what: &str) {
    assert_eq!(
        (a.kind, a.records, a.bad_records, a.error_count, a.fatal),
        (b.kind, b.records, b.bad_records, b.error_count, b.fatal),
        "{what}"
    );
    assert_eq!(a.errors, b.errors, "{what}");
    assert_eq!(dataset_dump(&a.batch), dataset_dump(&b.batch), "{what}");
}

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    for dir in ["tests/fixtures", "public/sample"] {
        let dir = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            all.push((name, std::fs::read(&path).unwrap()));
        }
    }
    all
}

#[test]
fn every_fixture_reads_the_same_from_chunks_of_any_size() {
    for (name, bytes) in fixtures() {
        let whole = import_file(&name, &bytes);
        for chunk in [1, 7, 1000, 1 << 16] {
            assert_same(
                &streamed(&name, &bytes, chunk),
                &whole,
                &format!("{name} / {chunk}"),
            );
        }
    }
}

#[test]
fn every_fixture_reads_the_same_in_parts() {
    for (name, bytes) in fixtures() {
        let whole = import_file(&name, &bytes);
        for parts in [2, 3, 5] {
            let offsets: Vec<usize> = (1..parts).map(|k| k * bytes.len() / parts).collect();
            for (chunk, route) in [
                (13, Combined::Here),
                (4096, Combined::AfterTheWire),
                (777, Combined::LastKept),
                (501, Combined::FirstKept),
            ] {
                let what = format!("{name} in {parts} parts, chunks of {chunk}, {route:?}");
                let read = in_parts(&name, &bytes, &offsets, chunk, route);
                assert_same(&read, &whole, &what);
            }
        }
    }
}

#[test]
fn a_big_page_is_planned_in_parts_that_start_at_records() {
    let path = format!(
        "{}/public/sample/userEventsSummary.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let sample = std::fs::read(path).unwrap();
    // The sample page, repeated until it is big enough to split.
    let records = &sample[sample.iter().position(|&b| b == b'[').unwrap() + 1..];
    let records = &records[..records.iter().rposition(|&b| b == b']').unwrap()];
    let mut page = br#"{"@odata.context":"x","value":["#.to_vec();
    while page.len() < 3 * (8 << 20) {
        page.extend_from_slice(records);
        page.push(b',');
    }
    page.extend_from_slice(records);
    page.extend_from_slice(b"]}");
    let offsets = probe_offsets(page.len(), 3);
    assert_eq!(offsets.len(), 2);
    let probes: Vec<(usize, &[u8])> = offsets
        .iter()
        .map(|&o| (o, &page[o..o + PROBE_SIZE]))
        .collect();
    let parts = plan(&page[..PROBE_SIZE], &probes);
    assert_eq!(parts.len(), 3);
    for part in &parts[1..] {
        let at = part.start.offset();
        assert_eq!(page[at], b'{');
        let before = page[..at]
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .unwrap();
        assert_eq!(page[before], b',');
    }
    let whole = import_file("page.json", &page);
    assert!(whole.is_clean());
    assert_same(
        &in_parts(
            "page.json",
            &page,
            &offsets,
            1 << 20,
            Combined::AfterTheWire,
        ),
        &whole,
        "big page",
    );
}

/// Pages, arrays and NDJSON with good, bad and broken records, and strings that look like
/// record boundaries (so that parts start in the middle of something).
fn json_file() -> impl Strategy<Value = Vec<u8>> {
    let record = prop_oneof![
        Just(r#"{"id":"e1","feature":"reset","isSuccess":true,"authMethod":"sms","eventDateTime":"2026-11-20T10:00:00Z","userPrincipalName":"a@x"}"#.to_string()),
        Just(r#"{"id":"e2","feature":"registration","isSuccess":false,"authMethod":"email","failureReason":"x},{\"y","eventDateTime":"2026-11-21T10:00:00.5Z"}"#.to_string()),
        Just(r#"{"id":"u1","userPrincipalName":"b@x","isSsprRegistered":true,"isSsprEnabled":"yes","methodsRegistered":["mobilePhone","qr\u00e9"]}"#.to_string()),
        Just(r#"{"id":"u2","isRegistered":true,"isEnabled":false,"authMethods":[]}"#.to_string()),
        Just(r#"{"feature":"reset","isSuccess":"maybe","eventDateTime":"2026-11-20T10:00:00Z"}"#.to_string()),
        Just(r#"{"id":7}"#.to_string()),
        Just(r#"{"id":"z", "x": [1, {"a": null}], "eventDateTime":"bad"}"#.to_string()),
        Just(r#"{"value":[{"id":"n","isSsprRegistered":false,"isSsprEnabled":true}]}"#.to_string()),
        Just(r#"{"broken": }"#.to_string()),
        Just("42".to_string()),
        Just(r#"{"userDisplayName":"line\nbreak"}"#.to_string()),
    ];
    let records = prop::collection::vec(record, 0..30);
    (records, 0..4u8, any::<bool>(), any::<bool>()).prop_map(|(mut records, shape, pretty, big)| {
        if big {
            // Past the first 8 KB that decide how a file is read, so that records are read
            // from chunks as they arrive.
            records.insert(0, format!(r#"{{"id":"p","isSsprRegistered":true,"isSsprEnabled":true,"pad":"{}"}}"#, "x".repeat(9000)));
        }
        let sep = if pretty { ",\n  " } else { "," };
        let text = match shape {
            0 => format!(
                "{{\"@odata.context\":\"userEventsSummary\",\"value\":[{}],\"@odata.nextLink\":\"n\"}}",
                records.join(sep)
            ),
            1 => format!("[{}]", records.join(sep)),
            2 => records.join("\n"),
            _ => {
                let mut t = format!("{{\"value\":[{}]", records.join(sep));
                t.truncate(t.len() * 2 / 3);
                t
            }
        };
        text.into_bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn reading_from_chunks_equals_reading_in_one_go(bytes in json_file(), chunk in 1usize..64) {
        let whole = import_file("f.json", &bytes);
        assert_same(&streamed("f.json", &bytes, chunk), &whole, "chunks");
    }

    #[test]
    fn reading_in_parts_split_anywhere_equals_reading_in_one_go(
        bytes in json_file(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 1..4),
        chunk in 1usize..200,
        route in 0..4u8,
    ) {
        let route = [
            Combined::Here,
            Combined::AfterTheWire,
            Combined::LastKept,
            Combined::FirstKept,
        ][route as usize];
        let mut offsets: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len().max(1))).collect();
        offsets.sort_unstable();
        let whole = import_file("f.json", &bytes);
        assert_same(&in_parts("f.json", &bytes, &offsets, chunk, route), &whole, "parts");
    }
}
