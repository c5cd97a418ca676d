//! Host tool: writes the bundled sample tenant, or prints what the model computes for files
//! (the end-to-end tests compare the screen with these numbers, never with literals).
//!
//!   sspr-sample write public/sample            the bundled sample (deterministic)
//!   sspr-sample write DIR --users N --events N  a tenant of any size
//!   sspr-sample stats FILE…                     tiles (the MFA tiles too), chart rows (users by
//!                                               method too) and insights as JSON
//!   sspr-sample csv registrations|activity QUERY FILE…
//!                                               the download the app makes for that list view

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("write") => write(&args[1..]),
        Some("stats") => stats(&args[1..]),
        Some("csv") => csv(&args[1..]),
        _ => Err(
            "usage: sspr-sample write DIR [--users N --events N] | sspr-sample stats FILE… | sspr-sample csv registrations|activity QUERY FILE…"
                .to_string(),
        ),
    };
    if let Err(message) = result {
        eprintln!("sspr-sample: {message}");
        std::process::exit(2);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn write(args: &[String]) -> Result<(), String> {
    use sspr_insights::model::sample::{generate, SampleSpec};
    let dir = args.first().ok_or("write needs a folder")?;
    let mut spec = SampleSpec::bundled();
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or(format!("{flag} needs a number"))?;
        match flag.as_str() {
            "--users" => spec.users = value,
            "--events" => spec.events = value,
            "--days" => spec.days = value as u32,
            other => return Err(format!("unknown option {other}")),
        }
    }
    let sample = generate(&spec);
    std::fs::create_dir_all(dir).map_err(|e| format!("{dir}: {e}"))?;
    for (name, bytes) in [
        (
            "userRegistrationDetails.json",
            &sample.user_registration_details,
        ),
        ("userEventsSummary.json", &sample.user_events_summary),
    ] {
        let path = std::path::Path::new(dir).join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}

/// Loads files the way the app does (uploaded, as of their newest time).
#[cfg(not(target_arch = "wasm32"))]
fn load(files: &[String]) -> Result<sspr_insights::model::Dataset, String> {
    use sspr_insights::model::{import_file, AsOf, Dataset, SourceKind};
    let mut batches = Vec::new();
    for path in files {
        let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        let name = std::path::Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.clone());
        let file = import_file(&name, &bytes);
        if let Some(error) = file.errors.first() {
            return Err(error.to_string());
        }
        batches.push(file.batch);
    }
    Ok(Dataset::build(batches, AsOf::Newest, SourceKind::Uploaded))
}

#[cfg(not(target_arch = "wasm32"))]
fn csv(args: &[String]) -> Result<(), String> {
    use sspr_insights::model::export::{activity_csv, registrations_csv};
    use sspr_insights::model::{filter_events, filter_users, EventFilter, UserFilter};
    use std::io::Write;
    let [list, query, files @ ..] = args else {
        return Err("csv needs a list (registrations or activity), a query and files".to_string());
    };
    let ds = load(files)?;
    let bytes = match list.as_str() {
        "registrations" => {
            registrations_csv(&ds, &filter_users(&ds, &UserFilter::from_query(query)))
        }
        "activity" => activity_csv(&ds, &filter_events(&ds, &EventFilter::from_query(query))),
        other => return Err(format!("unknown list {other}")),
    };
    std::io::stdout()
        .write_all(&bytes)
        .map_err(|e| format!("stdout: {e}"))
}

#[cfg(not(target_arch = "wasm32"))]
fn stats(files: &[String]) -> Result<(), String> {
    use serde_json::{json, Map, Value};
    use sspr_insights::model::mfa::tiles::{mfa_tiles, users_by_method};
    use sspr_insights::model::{
        format_utc, insights, method_counts, tiles, Feature, Period, Population, RoleKind, UserKind,
    };
    let ds = load(files)?;
    let chart = |period: Period, population: Population| -> Value {
        let counts = method_counts(&ds, period, population);
        let rows = |feature: Feature| -> Value {
            counts
                .rows(feature)
                .into_iter()
                .map(|r| json!({"method": r.method.label(), "id": r.method.id(), "success": r.success, "failure": r.failure}))
                .collect()
        };
        json!({"registration": rows(Feature::Registration), "reset": rows(Feature::Reset)})
    };
    let mut populations = Map::new();
    let mut charts = Map::new();
    let mut insight_texts = Map::new();
    for users in UserKind::ALL {
        for roles in RoleKind::ALL {
            let population = Population { users, roles };
            let key = format!("{}/{}", users.id(), roles.id());
            let t = tiles(&ds, population);
            let m = mfa_tiles(&ds, population);
            let by_method: Vec<Value> = users_by_method(&ds, population)
                .into_iter()
                .map(|r| json!({"method": r.method.label(), "id": r.method.id(), "users": r.users}))
                .collect();
            populations.insert(
                key.clone(),
                json!({
                    "population": t.population, "registered": t.registered.count, "enabled": t.enabled.count, "capable": t.capable.count,
                    "mfa_capable": m.mfa_capable.count, "mfa_known": m.mfa_capable.known,
                    "passwordless_capable": m.passwordless_capable.count, "passwordless_known": m.passwordless_capable.known,
                    "by_method": by_method,
                }),
            );
            let mut by_period = Map::new();
            let mut texts = Map::new();
            for period in Period::ALL {
                by_period.insert(period.id().to_string(), chart(period, population));
                let list: Vec<Value> = insights(&ds, period, population)
                    .into_iter()
                    .map(|i| json!({"text": i.text, "href": i.href, "count": i.count}))
                    .collect();
                texts.insert(period.id().to_string(), Value::Array(list));
            }
            charts.insert(key.clone(), Value::Object(by_period));
            insight_texts.insert(key, Value::Object(texts));
        }
    }
    let periods = charts.get("all/all").cloned().unwrap_or(Value::Null);
    let out = json!({
        "as_of": format_utc(ds.as_of()),
        "users": ds.user_count(),
        "events": ds.event_count(),
        "populations": populations,
        "periods": periods,
        "charts": charts,
        "insights": insight_texts,
    });
    println!("{out}");
    Ok(())
}
