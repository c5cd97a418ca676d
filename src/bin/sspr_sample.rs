//! Host tool: writes the bundled sample tenant, or prints what the model computes for files
//! (the end-to-end tests compare the screen with these numbers, never with literals).
//!
//!   sspr-sample write public/sample            the bundled sample (deterministic)
//!   sspr-sample write DIR --users N --events N  a tenant of any size (also --days N,
//!                                               --audit-rows N; --audit-csv adds auditLog.csv,
//!                                               the portal's CSV of the same audit rows)
//!   sspr-sample stats FILE…                     tiles (the MFA tiles too), chart rows (users by
//!                                               method too), insights and the attempts'
//!                                               funnel and outcomes as JSON
//!   sspr-sample csv registrations|activity|attempts QUERY FILE…
//!                                               the download the app makes for that list view
//!   sspr-sample whatif QUERY FILE…             the what-if screen's numbers for its query (FILE…
//!                                               may hold a member list and a methods policy)
//!   sspr-sample members EVERY FILE…            a Graph member page of every EVERY-th user
//!                                               (some by id, some by user name only), one
//!                                               unknown user and one nested group

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("write") => write(&args[1..]),
        Some("stats") => stats(&args[1..]),
        Some("csv") => csv(&args[1..]),
        Some("whatif") => whatif(&args[1..]),
        Some("members") => members(&args[1..]),
        _ => Err(
            "usage: sspr-sample write DIR [--users N --events N --days N --audit-rows N --audit-csv] | sspr-sample stats FILE… | sspr-sample csv registrations|activity|attempts QUERY FILE… | sspr-sample whatif QUERY FILE… | sspr-sample members EVERY FILE…"
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
    let mut audit_csv = false;
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        if flag == "--audit-csv" {
            audit_csv = true;
            continue;
        }
        let value = rest
            .next()
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or(format!("{flag} needs a number"))?;
        match flag.as_str() {
            "--users" => spec.users = value,
            "--events" => spec.events = value,
            "--days" => spec.days = value as u32,
            "--audit-rows" => spec.audit_rows = value,
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
        ("directoryAudits.json", &sample.directory_audits),
        ("auditLog.csv", &sample.audit_log_csv),
    ] {
        if bytes.is_empty() || (name == "auditLog.csv" && !audit_csv) {
            continue;
        }
        let path = std::path::Path::new(dir).join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}

/// Loads files the way the app does (uploaded, as of their newest time).
#[cfg(not(target_arch = "wasm32"))]
fn load(files: &[String]) -> Result<sspr_insights::model::Dataset, String> {
    Ok(load_with_inputs(files)?.0)
}

/// Loads files the way the app does, with the what-if inputs they hold beside the dataset.
#[cfg(not(target_arch = "wasm32"))]
fn load_with_inputs(
    files: &[String],
) -> Result<
    (
        sspr_insights::model::Dataset,
        sspr_insights::model::PolicyInputs,
    ),
    String,
> {
    use sspr_insights::model::{import_file, AsOf, Dataset, PolicyInputs, SourceKind};
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
    let inputs = PolicyInputs::take_from(&mut batches);
    Ok((
        Dataset::build(batches, AsOf::Newest, SourceKind::Uploaded),
        inputs,
    ))
}

#[cfg(not(target_arch = "wasm32"))]
fn csv(args: &[String]) -> Result<(), String> {
    use sspr_insights::model::audit::export::attempts_csv;
    use sspr_insights::model::audit::filter::filter_attempts;
    use sspr_insights::model::audit::AttemptFilter;
    use sspr_insights::model::export::{activity_csv, registrations_csv};
    use sspr_insights::model::{filter_events, filter_users_with, EventFilter, UserFilter};
    use std::io::Write;
    let [list, query, files @ ..] = args else {
        return Err("csv needs a list (registrations or activity), a query and files".to_string());
    };
    let (ds, inputs) = load_with_inputs(files)?;
    let bytes = match list.as_str() {
        "registrations" => registrations_csv(
            &ds,
            &filter_users_with(&ds, &inputs, &UserFilter::from_query(query)),
        ),
        "activity" => activity_csv(&ds, &filter_events(&ds, &EventFilter::from_query(query))),
        "attempts" => attempts_csv(
            &ds,
            &filter_attempts(&ds, &AttemptFilter::from_query(query)),
        ),
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
    let attempts = attempt_stats(&ds);
    let out = json!({
        "as_of": format_utc(ds.as_of()),
        "users": ds.user_count(),
        "events": ds.event_count(),
        "populations": populations,
        "periods": periods,
        "charts": charts,
        "insights": insight_texts,
        "audit_rows": ds.audit().row_count(),
        "attempts": attempts,
    });
    println!("{out}");
    Ok(())
}

/// The attempts screen's numbers (spec §4.3) per population and period: the funnel, the
/// outcomes and the trend, as the screen's tables show them.
#[cfg(not(target_arch = "wasm32"))]
fn attempt_stats(ds: &sspr_insights::model::Dataset) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    use sspr_insights::model::audit::{attempt_funnel, attempt_outcomes, attempt_trend};
    use sspr_insights::model::{format_utc, Period, Population, RoleKind, UserKind};
    let mut by_population = Map::new();
    for users in UserKind::ALL {
        for roles in RoleKind::ALL {
            let population = Population { users, roles };
            let mut by_period = Map::new();
            for period in Period::ALL {
                let funnel: Vec<Value> = attempt_funnel(ds, period, population)
                    .into_iter()
                    .map(|r| json!({"stage": r.stage.number(), "label": r.stage.label(), "attempts": r.attempts}))
                    .collect();
                let outcomes: Vec<Value> = attempt_outcomes(ds, period, population)
                    .into_iter()
                    .map(|(o, n)| json!({"id": o.id(), "label": o.label(), "count": n}))
                    .collect();
                let trend = attempt_trend(ds, period, population);
                let buckets: Vec<Value> = trend
                    .buckets
                    .iter()
                    .map(|b| {
                        json!({"start": format_utc(b.start), "succeeded": b.succeeded, "unlocked": b.unlocked,
                            "not_succeeded": b.not_succeeded, "admin_resets": b.admin_resets,
                            "password_changes": b.password_changes})
                    })
                    .collect();
                let entries: u32 = outcomes
                    .iter()
                    .filter_map(|o| o["count"].as_u64())
                    .map(|n| n as u32)
                    .sum();
                by_period.insert(
                    period.id().to_string(),
                    json!({"entries": entries, "funnel": funnel, "outcomes": outcomes, "trend": buckets}),
                );
            }
            by_population.insert(
                format!("{}/{}", users.id(), roles.id()),
                Value::Object(by_period),
            );
        }
    }
    json!({"entries": ds.audit().entry_count(), "by_population": by_population})
}

/// What the what-if screen shows for `QUERY` (its URL query: scenario and population).
#[cfg(not(target_arch = "wasm32"))]
fn whatif(args: &[String]) -> Result<(), String> {
    use serde_json::{json, Value};
    use sspr_insights::model::policy::{PolicyTiles, ScopeChoice};
    use sspr_insights::model::query::{parse_pairs, policy_query, population_of};
    use sspr_insights::model::{what_if, Scenario};
    let [query, files @ ..] = args else {
        return Err("whatif needs a query and files".to_string());
    };
    let (ds, inputs) = load_with_inputs(files)?;
    let scenario = Scenario::from_query(query);
    let population = population_of(&parse_pairs(query));
    let group = inputs.members.as_ref().map(|m| m.resolve(&ds));
    let policy = scenario.policy(group.as_ref(), inputs.methods_policy.as_ref());
    let r = what_if(&ds, &policy, population);
    let tiles = |t: &PolicyTiles| json!({"population": t.population, "registered": t.registered, "enabled": t.enabled, "capable": t.capable});
    let dependents: Vec<Value> = r
        .dependents
        .iter()
        .map(|(g, n)| json!({"id": g.id(), "label": g.label(), "users": n}))
        .collect();
    let group = group.filter(|_| scenario.scope == ScopeChoice::Group).map(|g| {
        json!({"users": g.users, "by_id": g.by_id, "by_user_name": g.by_user_name, "unmatched": g.unmatched.len(), "groups": g.groups, "others": g.others})
    });
    let out = json!({
        "query": policy_query(&scenario, population),
        "actual": tiles(&r.actual),
        "simulated": tiles(&r.simulated),
        "gain": r.gain.len(),
        "lose": r.lose.len(),
        "dependents": dependents,
        "group": group,
    });
    println!("{out}");
    Ok(())
}

/// A Graph `/transitiveMembers` page of every `EVERY`-th loaded user: the odd ones by their
/// user name only (in capitals, under an id the data does not have), then a user the data does
/// not have and a nested group.
#[cfg(not(target_arch = "wasm32"))]
fn members(args: &[String]) -> Result<(), String> {
    use serde_json::{json, Value};
    let [every, files @ ..] = args else {
        return Err("members needs EVERY and files".to_string());
    };
    let every: usize = every
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or("EVERY is a number of 1 or more")?;
    let ds = load(files)?;
    let mut value: Vec<Value> = ds
        .users()
        .step_by(every)
        .enumerate()
        .map(|(i, u)| {
            let (id, user_name) = if i % 2 == 1 {
                (format!("stale-{i}"), u.user_name().to_uppercase())
            } else {
                (u.id().to_string(), u.user_name().to_string())
            };
            json!({"@odata.type": "#microsoft.graph.user", "id": id, "displayName": u.name(), "userPrincipalName": user_name})
        })
        .collect();
    value.push(json!({"@odata.type": "#microsoft.graph.user", "id": "not-in-the-data", "displayName": "Former Employee", "userPrincipalName": "former.employee@example.com"}));
    value.push(json!({"@odata.type": "#microsoft.graph.group", "id": "nested-group", "displayName": "Nested group"}));
    let page = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
        "value": value,
    });
    println!("{page}");
    Ok(())
}
