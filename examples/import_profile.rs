use sspr_insights::model::import_file;
use sspr_insights::model::sample::{generate, SampleSpec};
fn main() {
    let t = generate(&SampleSpec {
        users: 50_000,
        events: 300_000,
        ..SampleSpec::benchmark()
    });
    let s = std::time::Instant::now();
    for _ in 0..8 {
        let f = import_file("e.json", &t.user_events_summary);
        std::hint::black_box(f.records);
    }
    eprintln!("{:?}", s.elapsed() / 8);
}
