//! Native benchmark of the model at the benchmark tenant's size (200,000 users, 1,000,000 events):
//! import + build, filter changes, search keystrokes, sorts, period switches, insights and memory.
//!
//! Run with `cargo bench --bench model`. Generating the tenant is setup and is not timed. Every
//! figure is the median (and the minimum) of several repetitions; the budgets are those of the
//! shared-model issue (native): 1M events imported ≤ 1.0 s, a filter change ≤ 10 ms, a search
//! keystroke ≤ 30 ms, ≤ 120 bytes an event, ≤ 300 bytes a user.

use std::hint::black_box;
use std::time::{Duration, Instant};

use sspr_insights::model::sample::{generate, SampleSpec};
use sspr_insights::model::{
    event_order, filter_events, filter_events_in, filter_users_in, import_file, insights,
    method_counts, trend, user_order, AsOf, Dataset, EventColumn, EventFilter, Feature, Method,
    Period, Population, RoleKind, Sort, SourceKind, Status, UserColumn, UserFilter, UserKind,
};

/// Median and minimum of the repetitions.
#[derive(Clone, Copy)]
struct Stats {
    median: Duration,
    min: Duration,
    reps: usize,
}

fn measure<T>(reps: usize, mut f: impl FnMut() -> T) -> Stats {
    stats_of(
        (0..reps)
            .map(|_| {
                let start = Instant::now();
                black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

/// The median and minimum of some repetitions' times.
fn stats_of(mut times: Vec<Duration>) -> Stats {
    times.sort();
    Stats {
        median: times[times.len() / 2],
        min: times[0],
        reps: times.len(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One row of the result table.
struct Row {
    what: String,
    stats: Stats,
    extra: String,
    /// Budget in milliseconds (none for rows without one).
    budget_ms: Option<f64>,
}

#[derive(Default)]
struct Table {
    rows: Vec<Row>,
}

impl Table {
    fn add(
        &mut self,
        what: impl Into<String>,
        stats: Stats,
        extra: String,
        budget_ms: Option<f64>,
    ) {
        let row = Row {
            what: what.into(),
            stats,
            extra,
            budget_ms,
        };
        eprintln!(
            "  {:<58} median {:>9.3} ms   min {:>9.3} ms  {}",
            row.what,
            ms(row.stats.median),
            ms(row.stats.min),
            row.extra
        );
        self.rows.push(row);
    }

    fn print(&self) {
        println!();
        println!(
            "| {:<58} | {:>12} | {:>12} | {:>4} | {:<30} | {:<16} |",
            "what", "median ms", "min ms", "reps", "throughput / result", "budget"
        );
        println!(
            "|{:-<60}|{:->14}|{:->14}|{:->6}|{:-<32}|{:-<18}|",
            "", "", "", "", "", ""
        );
        for r in &self.rows {
            let budget = match r.budget_ms {
                Some(b) if ms(r.stats.median) <= b => format!("≤ {b} ms: ok"),
                Some(b) => format!("≤ {b} ms: MISSED"),
                None => "—".to_string(),
            };
            println!(
                "| {:<58} | {:>12.3} | {:>12.3} | {:>4} | {:<30} | {:<16} |",
                r.what,
                ms(r.stats.median),
                ms(r.stats.min),
                r.stats.reps,
                r.extra,
                budget
            );
        }
    }
}

/// `VmHWM` (peak) and `VmRSS` (now) of this process, in bytes.
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Returns freed heap memory to the system where the allocator keeps it (glibc), so that the
/// resident size reflects what is still allocated.
fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's malloc_trim only gives free memory back; it has no preconditions.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Resets `VmHWM` to the current RSS (Linux ≥ 4.0); false when not possible.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// The events page as NDJSON: one record a line (the generator writes one record a line).
fn page_to_ndjson(page: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(page.len());
    for line in page.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b",").unwrap_or(line);
        if line.first() != Some(&b'{') || line.starts_with(b"{\"@odata.context\"") {
            continue;
        }
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

fn build(file: &str, bytes: &[u8]) -> Dataset {
    let import = import_file(file, bytes);
    assert!(import.is_clean(), "{file}: {:?}", import.errors.first());
    Dataset::build(vec![import.batch], AsOf::Newest, SourceKind::Sample)
}

/// Times import and build separately and together.
/// The ingest workers' way with a 1M-event page (two workers): the file planned into two parts,
/// each read by `StreamImport` in 4 MB feeds; the first part goes through the wire form (written
/// by its worker, read by the building one), the last is kept; then `part::combine`,
/// `Dataset::build` and the dataset written for the page. One thread does it all here, so the
/// reading is the sum of both parts (in the browser they overlap).
fn bench_workers_way(table: &mut Table, bytes: &[u8]) {
    use sspr_insights::model::import::part::{combine, plan, probe_offsets, PROBE_SIZE};
    use sspr_insights::model::import::{ImportPart, StreamImport};
    use sspr_insights::model::wire::{
        decode_part_with_room, encode_dataset, encode_part, PartRoom, SliceIn,
    };
    let size = bytes.len();
    let probes: Vec<(usize, &[u8])> = probe_offsets(size, 2)
        .into_iter()
        .map(|o| (o, &bytes[o..(o + PROBE_SIZE).min(size)]))
        .collect();
    let parts = plan(&bytes[..PROBE_SIZE.min(size)], &probes);
    assert_eq!(parts.len(), 2, "the benchmark page splits in two");
    let read_part = |i: usize| -> ImportPart {
        let part = parts[i];
        let from = if part.start.is_file() {
            0
        } else {
            part.start.offset()
        };
        let mut stream = StreamImport::new("events.json", part);
        let mut at = from;
        while at < size && !stream.is_stopped() {
            let end = (at + (4 << 20)).min(size);
            stream.feed(&bytes[at..end]);
            at = end;
        }
        stream.finish_part()
    };
    let (mut reading, mut building, mut total) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        let start = Instant::now();
        let first = encode_part(&mut read_part(0));
        let last = read_part(1);
        let read = start.elapsed();
        let room = PartRoom::for_parts([&last]);
        let first =
            decode_part_with_room(&mut SliceIn::new(&first), &room).expect("the part comes back");
        let file = combine(vec![first, last]);
        assert!(file.is_clean());
        let ds = Dataset::build(vec![file.batch], AsOf::Newest, SourceKind::Uploaded);
        black_box(encode_dataset(&ds));
        let all = start.elapsed();
        reading.push(read);
        building.push(all - read);
        total.push(all);
    }
    table.add(
        "1M events, the workers' way (2 parts, 4 MB feeds, wire form): read + combine + build + encode".to_string(),
        stats_of(total),
        String::new(),
        Some(1000.0),
    );
    table.add(
        "1M events, the workers' way:   of which reading both parts (one after the other here)"
            .to_string(),
        stats_of(reading),
        String::new(),
        None,
    );
    table.add(
        "1M events, the workers' way:   of which the building worker (part in, combine, build, dataset out)".to_string(),
        stats_of(building),
        String::new(),
        None,
    );
}

fn bench_import(
    table: &mut Table,
    label: &str,
    file: &str,
    bytes: &[u8],
    records: usize,
    reps: usize,
    budget_ms: Option<f64>,
) {
    let mut import_t = Vec::new();
    let mut build_t = Vec::new();
    let mut total_t = Vec::new();
    for _ in 0..reps {
        let start = Instant::now();
        let import = import_file(file, bytes);
        let imported = start.elapsed();
        assert!(import.is_clean(), "{file}: {:?}", import.errors.first());
        let ds = Dataset::build(vec![import.batch], AsOf::Newest, SourceKind::Sample);
        let total = start.elapsed();
        assert!(ds.event_count() + ds.user_count() >= records);
        black_box(&ds);
        drop(ds);
        import_t.push(imported);
        build_t.push(total - imported);
        total_t.push(total);
    }
    let total = stats_of(total_t);
    let secs = total.median.as_secs_f64();
    table.add(
        format!("{label}: import_file + Dataset::build"),
        total,
        format!(
            "{:.0} MB/s, {:.2} M rec/s",
            bytes.len() as f64 / 1e6 / secs,
            records as f64 / 1e6 / secs
        ),
        budget_ms,
    );
    let import = stats_of(import_t);
    table.add(
        format!("{label}:   of which import_file"),
        import,
        format!(
            "{:.0} MB/s",
            bytes.len() as f64 / 1e6 / import.median.as_secs_f64()
        ),
        None,
    );
    table.add(
        format!("{label}:   of which Dataset::build"),
        stats_of(build_t),
        String::new(),
        None,
    );
}

/// The audit log (spec §4.3, §7): 250,000 rows imported and rebuilt into attempts (≤ 0.5 s),
/// as the portal's JSON download and as its CSV, and the attempts screen's views over them.
fn bench_audit(table: &mut Table) {
    let spec = SampleSpec::audit_benchmark();
    eprintln!(
        "Audit log ({} rows of {} people; generating is setup)…",
        spec.audit_rows, spec.users
    );
    let sample = generate(&spec);
    let (json, csv) = (sample.directory_audits, sample.audit_log_csv);
    eprintln!(
        "  directoryAudits page {:.1} MB, portal CSV {:.1} MB",
        mb(json.len() as u64),
        mb(csv.len() as u64)
    );
    for (label, file, bytes, budget) in [
        (
            "250k audit rows, Graph JSON page",
            "audit.json",
            &json,
            Some(500.0),
        ),
        ("250k audit rows, portal CSV", "audit.csv", &csv, None),
    ] {
        let mut import_t = Vec::new();
        let mut total_t = Vec::new();
        let mut entries = 0;
        for _ in 0..7 {
            let start = Instant::now();
            let import = import_file(file, bytes);
            let imported = start.elapsed();
            assert!(import.is_clean(), "{file}: {:?}", import.errors.first());
            assert_eq!(import.records, spec.audit_rows);
            let ds = Dataset::build(vec![import.batch], AsOf::Newest, SourceKind::Sample);
            total_t.push(start.elapsed());
            import_t.push(imported);
            entries = ds.audit().entry_count();
            black_box(&ds);
        }
        import_t.sort();
        total_t.sort();
        let total = Stats {
            median: total_t[3],
            min: total_t[0],
            reps: 7,
        };
        let secs = total.median.as_secs_f64();
        table.add(
            format!("{label}: import_file + Dataset::build (attempts)"),
            total,
            format!(
                "{:.0} MB/s, {:.2} M rows/s, {entries} entries",
                bytes.len() as f64 / 1e6 / secs,
                spec.audit_rows as f64 / 1e6 / secs
            ),
            budget,
        );
        table.add(
            format!("{label}:   of which import_file"),
            Stats {
                median: import_t[3],
                min: import_t[0],
                reps: 7,
            },
            String::new(),
            None,
        );
    }
    let ds = build("audit.json", &json);
    let per_row = ds.audit().heap_bytes() as f64 / ds.audit().row_count() as f64;
    eprintln!(
        "  audit memory: {per_row:.1} B a row (the rows, their texts, the entries and steps; heap_bytes)"
    );
    use sspr_insights::model::audit::filter::{attempt_order, filter_attempts_in};
    use sspr_insights::model::audit::{
        attempt_funnel, attempt_outcomes, attempt_trend, AttemptFilter,
    };
    let stats = measure(21, || {
        (
            attempt_funnel(&ds, Period::Month, Population::ALL),
            attempt_outcomes(&ds, Period::Month, Population::ALL),
            attempt_trend(&ds, Period::Month, Population::ALL),
        )
    });
    table.add(
        "250k audit rows: period switch to 30 d (funnel, outcomes, trend)",
        stats,
        String::new(),
        Some(10.0),
    );
    let order = attempt_order(&ds, Sort::default());
    for (what, query) in [
        ("attempts list, 30 d", "period=30d"),
        (
            "attempts list, 30 d, outcome = blocked",
            "period=30d&outcome=blocked",
        ),
        ("attempts list, 30 d, search \"meg\"", "period=30d&q=meg"),
    ] {
        let filter = AttemptFilter::from_query(query);
        let mut rows = 0;
        let stats = measure(21, || {
            rows = filter_attempts_in(&ds, &filter, &order).len();
        });
        table.add(
            format!("250k audit rows: {what}"),
            stats,
            format!("{rows} rows"),
            Some(if query.contains("q=") { 30.0 } else { 10.0 }),
        );
    }
    let stats = measure(7, || insights(&ds, Period::Month, Population::ALL));
    table.add(
        "250k audit rows: insights, 30 d",
        stats,
        String::new(),
        None,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported (everything runs).
    // `SSPR_BENCH_ONLY=audit` runs the audit log's rows alone (quick, for work on them).
    if std::env::var("SSPR_BENCH_ONLY").as_deref() == Ok("audit") {
        let mut table = Table::default();
        bench_audit(&mut table);
        table.print();
        return;
    }
    let spec = SampleSpec::benchmark();
    eprintln!(
        "Generating the benchmark tenant ({} users, {} events; setup, not timed)…",
        spec.users, spec.events
    );
    let t = Instant::now();
    let sample = generate(&spec);
    let users_json = sample.user_registration_details;
    let events_json = sample.user_events_summary;
    let events_ndjson = page_to_ndjson(&events_json);
    eprintln!(
        "  users page {:.1} MB, events page {:.1} MB, events NDJSON {:.1} MB, in {:.1} s",
        mb(users_json.len() as u64),
        mb(events_json.len() as u64),
        mb(events_ndjson.len() as u64),
        t.elapsed().as_secs_f64()
    );

    // Profiling hook: `SSPR_BENCH_PROFILE=events|ndjson|users` runs only that import + build, a
    // few times, so that `perf record` sees nothing else.
    if let Ok(which) = std::env::var("SSPR_BENCH_PROFILE") {
        let (file, bytes) = match which.as_str() {
            "ndjson" => ("events.ndjson", &events_ndjson),
            "users" => ("users.json", &users_json),
            _ => ("events.json", &events_json),
        };
        for _ in 0..5 {
            let start = Instant::now();
            let ds = build(file, bytes);
            eprintln!("  {file}: {:.1} ms", ms(start.elapsed()));
            black_box(ds);
        }
        return;
    }

    let mut table = Table::default();

    // ---- Memory: resident bytes, from the model's own count and from the kernel's.
    eprintln!("Memory…");
    trim();
    let (_, rss_before) = rss();
    let peak_reset = reset_peak();
    let events_ds = build("events.json", &events_json);
    let (peak_events, _) = rss();
    trim();
    let (_, rss_events) = rss();
    let event_heap = events_ds.event_heap_bytes();
    let events_only_heap = events_ds.heap_bytes();
    let n_events = events_ds.event_count();
    assert_eq!(n_events, spec.events);
    drop(events_ds);
    trim();
    let (_, rss_between) = rss();
    reset_peak();
    let users_ds = build("users.json", &users_json);
    let (peak_users, _) = rss();
    trim();
    let (_, rss_users) = rss();
    let users_heap = users_ds.heap_bytes();
    let n_users = users_ds.user_count();
    assert_eq!(n_users, spec.users);
    drop(users_ds);

    // The whole tenant, for the list, chart and insight benchmarks.
    let ds = {
        let a = import_file("users.json", &users_json);
        let b = import_file("events.json", &events_json);
        Dataset::build(vec![a.batch, b.batch], AsOf::Newest, SourceKind::Sample)
    };
    let tenant_heap = ds.heap_bytes();
    let memory = format!(
        "events: {:.1} B/event in the event columns, {:.1} B/event for the events-only dataset \
         (heap_bytes, with its 200k people); users: {:.1} B/user for the users-only dataset \
         (heap_bytes); whole tenant {:.1} MB (heap_bytes). RSS cross-check (after malloc_trim): \
         events-only dataset +{:.1} MB resident after build ({:.1} B/event; peak during \
         import+build {:.1} MB above the start, the file itself not counted{}), users-only \
         dataset +{:.1} MB resident ({:.1} B/user; peak {:.1} MB above the start).",
        event_heap as f64 / n_events as f64,
        events_only_heap as f64 / n_events as f64,
        users_heap as f64 / n_users as f64,
        mb(tenant_heap as u64),
        mb(rss_events.saturating_sub(rss_before)),
        rss_events.saturating_sub(rss_before) as f64 / n_events as f64,
        mb(peak_events.saturating_sub(rss_before)),
        if peak_reset {
            ""
        } else {
            ", VmHWM not resettable: peak since start"
        },
        mb(rss_users.saturating_sub(rss_between)),
        rss_users.saturating_sub(rss_between) as f64 / n_users as f64,
        mb(peak_users.saturating_sub(rss_between)),
    );
    eprintln!("  {memory}");

    // ---- Import + build.
    eprintln!("Import + build…");
    bench_import(
        &mut table,
        "1M events, Graph JSON page",
        "events.json",
        &events_json,
        spec.events,
        7,
        Some(1000.0),
    );
    bench_import(
        &mut table,
        "1M events, NDJSON",
        "events.ndjson",
        &events_ndjson,
        spec.events,
        7,
        Some(1000.0),
    );
    bench_workers_way(&mut table, &events_json);
    bench_import(
        &mut table,
        "200k users, Graph JSON page",
        "users.json",
        &users_json,
        spec.users,
        7,
        Some(300.0),
    );
    bench_audit(&mut table);

    // ---- Activity list at 1M events: filter changes on a precomputed order.
    eprintln!("Activity list ({} events)…", ds.event_count());
    let reps = 21;
    let by_date = event_order(&ds, Sort::default());
    let month = EventFilter {
        period: Period::Month,
        ..EventFilter::default()
    };
    let event_filters: Vec<(&str, EventFilter)> = vec![
        ("period 30 d (no other filter)", month.clone()),
        (
            "period 7 d",
            EventFilter {
                period: Period::Week,
                ..month.clone()
            },
        ),
        (
            "30 d, status = failure",
            EventFilter {
                status: Some(Status::Failure),
                ..month.clone()
            },
        ),
        (
            "30 d, feature = reset",
            EventFilter {
                feature: Some(Feature::Reset),
                ..month.clone()
            },
        ),
        (
            "30 d, method = SMS",
            EventFilter {
                method: Some(Method::Sms),
                ..month.clone()
            },
        ),
        (
            "30 d, population = guests",
            EventFilter {
                population: Population {
                    users: UserKind::Guests,
                    roles: RoleKind::All,
                },
                ..month.clone()
            },
        ),
        (
            "30 d, population = members · admins",
            EventFilter {
                population: Population {
                    users: UserKind::Members,
                    roles: RoleKind::Admins,
                },
                ..month.clone()
            },
        ),
        (
            "30 d, reset + failure + reason",
            EventFilter {
                feature: Some(Feature::Reset),
                status: Some(Status::Failure),
                reason: Some("User abandoned after entering their user ID".to_string()),
                ..month.clone()
            },
        ),
        (
            "30 d, ≥ 3 failed resets",
            EventFilter {
                repeat: Some(3),
                ..month.clone()
            },
        ),
        (
            "30 d, SMS-only resets",
            EventFilter {
                sms_only: true,
                ..month.clone()
            },
        ),
    ];
    for (label, filter) in &event_filters {
        let rows = filter_events_in(&ds, filter, &by_date).len();
        let stats = measure(reps, || filter_events_in(&ds, filter, &by_date));
        table.add(
            format!("activity filter: {label}"),
            stats,
            format!("{rows} rows"),
            Some(10.0),
        );
    }
    let by_name_events = event_order(
        &ds,
        Sort {
            column: EventColumn::Name,
            descending: false,
        },
    );
    let filter = EventFilter {
        status: Some(Status::Failure),
        ..month.clone()
    };
    let rows = filter_events_in(&ds, &filter, &by_name_events).len();
    table.add(
        "activity filter: status = failure, sorted by name",
        measure(reps, || filter_events_in(&ds, &filter, &by_name_events)),
        format!("{rows} rows"),
        Some(10.0),
    );
    let rows = filter_events(&ds, &month).len();
    table.add(
        "activity filter_events (date order, no precomputed order)",
        measure(reps, || filter_events(&ds, &month)),
        format!("{rows} rows"),
        Some(10.0),
    );

    // ---- Search keystrokes.
    for query in ["m", "me", "meg", "mega", "megan.k", "zzz"] {
        let filter = EventFilter {
            search: query.to_string(),
            ..month.clone()
        };
        let rows = filter_events_in(&ds, &filter, &by_date).len();
        table.add(
            format!("activity search keystroke \"{query}\""),
            measure(reps, || filter_events_in(&ds, &filter, &by_date)),
            format!("{rows} rows"),
            Some(30.0),
        );
    }
    let filter = EventFilter {
        search: "meg".to_string(),
        period: Period::Week,
        ..EventFilter::default()
    };
    let rows = filter_events(&ds, &filter).len();
    table.add(
        "activity search \"meg\", 7 d, filter_events",
        measure(reps, || filter_events(&ds, &filter)),
        format!("{rows} rows"),
        Some(30.0),
    );

    // ---- Registration list at 200k users.
    eprintln!("Registration list ({} users)…", ds.user_count());
    let by_name_users = user_order(&ds, Sort::default());
    let user_filters: Vec<(&str, UserFilter)> = vec![
        ("no filter", UserFilter::default()),
        (
            "registered = no",
            UserFilter {
                registered: Some(false),
                ..UserFilter::default()
            },
        ),
        (
            "capable = yes, enabled = yes",
            UserFilter {
                capable: Some(true),
                enabled: Some(true),
                ..UserFilter::default()
            },
        ),
        (
            "methods = SMS or email",
            UserFilter {
                methods: vec![Method::MobilePhone, Method::Email],
                ..UserFilter::default()
            },
        ),
        (
            "population = guests",
            UserFilter {
                population: Population {
                    users: UserKind::Guests,
                    roles: RoleKind::All,
                },
                ..UserFilter::default()
            },
        ),
        (
            "admins failing the admin rule",
            UserFilter {
                admin_rule: Some(false),
                ..UserFilter::default()
            },
        ),
        (
            "search \"meg\"",
            UserFilter {
                search: "meg".to_string(),
                ..UserFilter::default()
            },
        ),
        (
            "search \"mega\"",
            UserFilter {
                search: "mega".to_string(),
                ..UserFilter::default()
            },
        ),
    ];
    for (label, filter) in &user_filters {
        let rows = filter_users_in(&ds, filter, &by_name_users).len();
        let budget = if filter.search.is_empty() { 10.0 } else { 30.0 };
        table.add(
            format!("registration filter: {label}"),
            measure(reps, || filter_users_in(&ds, filter, &by_name_users)),
            format!("{rows} rows"),
            Some(budget),
        );
    }

    // ---- Sorts (a full permutation, computed once per column and reused by filters).
    eprintln!("Sorts…");
    let sort_reps = 7;
    for column in [
        EventColumn::Name,
        EventColumn::Method,
        EventColumn::FailureReason,
    ] {
        table.add(
            format!("event_order by {column:?} (1M events)"),
            measure(sort_reps, || {
                event_order(
                    &ds,
                    Sort {
                        column,
                        descending: false,
                    },
                )
            }),
            String::new(),
            None,
        );
    }
    for column in [
        UserColumn::Name,
        UserColumn::Methods,
        UserColumn::LastUpdated,
    ] {
        table.add(
            format!("user_order by {column:?} (200k users)"),
            measure(sort_reps, || {
                user_order(
                    &ds,
                    Sort {
                        column,
                        descending: false,
                    },
                )
            }),
            String::new(),
            None,
        );
    }

    // ---- Period switch: the charts of another period.
    eprintln!("Period switch and insights…");
    for period in Period::ALL {
        for population in [
            Population::ALL,
            Population {
                users: UserKind::Members,
                roles: RoleKind::NonAdmins,
            },
        ] {
            table.add(
                format!(
                    "period switch to {} ({}): method_counts + trend",
                    period.id(),
                    population.label()
                ),
                measure(reps, || {
                    (
                        method_counts(&ds, period, population),
                        trend(&ds, period, population),
                    )
                }),
                String::new(),
                Some(10.0),
            );
        }
    }
    for period in [Period::Week, Period::Month] {
        let n = insights(&ds, period, Population::ALL).len();
        table.add(
            format!("insights ({})", period.id()),
            measure(7, || insights(&ds, period, Population::ALL)),
            format!("{n} insights"),
            None,
        );
    }

    table.print();
    println!();
    println!("Memory: {memory}");
    let per_event = events_only_heap as f64 / n_events as f64;
    let per_user = users_heap as f64 / n_users as f64;
    let tenant_budget = 120 * n_events + 300 * n_users;
    let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
    println!(
        "Memory budgets: {:.1} B/event for the events-only dataset (≤ 120: {}), {:.1} B/user \
         (≤ 300: {}), whole tenant {:.1} MB (≤ {:.0} MB: {})",
        per_event,
        verdict(per_event <= 120.0),
        per_user,
        verdict(per_user <= 300.0),
        mb(tenant_heap as u64),
        mb(tenant_budget as u64),
        verdict(tenant_heap <= tenant_budget),
    );
    let missed = table
        .rows
        .iter()
        .filter(|r| r.budget_ms.is_some_and(|b| ms(r.stats.median) > b))
        .count();
    println!("Time budgets missed: {missed}");
}
