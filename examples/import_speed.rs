use sspr_insights::model::import::{Part, StreamImport};
use sspr_insights::model::sample::{generate, SampleSpec};
use sspr_insights::model::{import_file, AsOf, Dataset, SourceKind};
use std::time::Instant;

fn main() {
    let t = generate(&SampleSpec::benchmark());
    let files = [
        ("users.json", t.user_registration_details),
        ("events.json", t.user_events_summary),
    ];
    for (name, bytes) in &files {
        let mb = bytes.len() as f64 / 1e6;
        for _ in 0..3 {
            let s = Instant::now();
            let f = import_file(name, bytes);
            let a = s.elapsed();
            let s2 = Instant::now();
            let ds = Dataset::build(vec![f.batch], AsOf::Newest, SourceKind::Uploaded);
            let b = s2.elapsed();
            let s3 = Instant::now();
            let mut st = StreamImport::new(name, Part::whole(0));
            for c in bytes.chunks(8 << 20) {
                st.feed(c);
            }
            let f2 = st.finish();
            let c = s3.elapsed();
            println!("{name}: {mb:.1} MB import {:.0} ms ({:.0} MB/s) build {:.0} ms, streamed {:.0} ms; {} records {}", a.as_secs_f64()*1e3, mb / a.as_secs_f64(), b.as_secs_f64()*1e3, c.as_secs_f64()*1e3, f2.records, ds.event_count());
        }
    }
}
