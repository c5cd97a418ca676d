//! The tenant the backend serves: the records of each list (the two reports and the audit log)
//! as raw JSON, sliced out of one page per list (the sample files, or a generated tenant). Records are passed through, never rebuilt.

use std::borrow::Cow;
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use sspr_insights::model::sample::{generate, SampleSpec};
use sspr_insights::model::time::{parse_time, Millis};

/// One list's records: the page text they came from and where each record lies in it.
pub struct Records {
    text: String,
    records: Vec<Record>,
}

struct Record {
    start: usize,
    end: usize,
    /// `eventDateTime` (events) or `activityDateTime` (audit rows), when it is a time.
    time: Option<Millis>,
    /// `loggedByService` (audit rows), for `$filter`.
    service: Option<Box<str>>,
}

impl Records {
    /// Slices the records out of a Graph response page (`{"value":[…]}`) or a bare JSON array;
    /// `timed` reads each record's `eventDateTime` or `activityDateTime`, and its
    /// `loggedByService`, for `$filter`.
    pub fn from_page(name: &str, text: String, timed: bool) -> Result<Records, String> {
        #[derive(Deserialize)]
        struct Page<'a> {
            #[serde(borrow)]
            value: Vec<&'a RawValue>,
        }
        #[derive(Deserialize)]
        struct Timed<'a> {
            #[serde(rename = "eventDateTime", alias = "activityDateTime", borrow, default)]
            time: Option<Cow<'a, str>>,
            #[serde(rename = "loggedByService", borrow, default)]
            service: Option<Cow<'a, str>>,
        }
        let base = text.as_ptr() as usize;
        let records = {
            let items: Vec<&RawValue> = match text.trim_start().as_bytes().first() {
                Some(b'[') => serde_json::from_str(&text),
                _ => serde_json::from_str::<Page<'_>>(&text).map(|page| page.value),
            }
            .map_err(|e| format!("{name}: not a Graph response page ({e})"))?;
            items
                .into_iter()
                .map(|raw| {
                    let start = raw.get().as_ptr() as usize - base;
                    let meta = if timed {
                        serde_json::from_str::<Timed<'_>>(raw.get()).ok()
                    } else {
                        None
                    };
                    let (time, service) = meta.map_or((None, None), |m| (m.time, m.service));
                    Record {
                        start,
                        end: start + raw.get().len(),
                        time: time.and_then(|t| parse_time(&t)),
                        service: service.map(|s| s.into()),
                    }
                })
                .collect()
        };
        Ok(Records { text, records })
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The raw JSON of record `i`.
    pub fn get(&self, i: usize) -> &str {
        let r = &self.records[i];
        &self.text[r.start..r.end]
    }

    /// The `eventDateTime` (or `activityDateTime`) of record `i`.
    pub fn time(&self, i: usize) -> Option<Millis> {
        self.records[i].time
    }

    /// The `loggedByService` of record `i`.
    pub fn service(&self, i: usize) -> Option<&str> {
        self.records[i].service.as_deref()
    }
}

/// Every list.
pub struct Tenant {
    pub users: Records,
    pub events: Records,
    /// The audit log (`directoryAudit` records); empty when the tenant has none.
    pub audits: Records,
    /// Where it came from, for the start-up line.
    pub description: String,
}

impl Tenant {
    /// The sample files of a folder: `userRegistrationDetails.json`, `userEventsSummary.json`
    /// and, when it is there, `directoryAudits.json`.
    pub fn from_dir(dir: &Path) -> Result<Tenant, String> {
        let read = |name: &str| -> Result<String, String> {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
        };
        let users = Records::from_page(
            "userRegistrationDetails.json",
            read("userRegistrationDetails.json")?,
            false,
        )?;
        let events = Records::from_page(
            "userEventsSummary.json",
            read("userEventsSummary.json")?,
            true,
        )?;
        let audits = match dir.join(AUDITS_FILE).exists() {
            true => Records::from_page(AUDITS_FILE, read(AUDITS_FILE)?, true)?,
            false => Records::from_page(AUDITS_FILE, "[]".to_string(), true)?,
        };
        Ok(Tenant {
            description: format!(
                "{} users, {} events and {} audit rows from {}",
                users.len(),
                events.len(),
                audits.len(),
                dir.display()
            ),
            users,
            events,
            audits,
        })
    }

    /// A tenant made by the model's sample generator (the same spec gives the same records).
    pub fn generated(spec: &SampleSpec) -> Result<Tenant, String> {
        let sample = generate(spec);
        let text =
            |bytes: Vec<u8>| String::from_utf8(bytes).map_err(|e| format!("generated tenant: {e}"));
        let users = Records::from_page(
            "generated users",
            text(sample.user_registration_details)?,
            false,
        )?;
        let events =
            Records::from_page("generated events", text(sample.user_events_summary)?, true)?;
        let audits = match sample.directory_audits.is_empty() {
            true => "[]".to_string(),
            false => text(sample.directory_audits)?,
        };
        let audits = Records::from_page("generated audit log", audits, true)?;
        Ok(Tenant {
            description: format!(
                "a generated tenant of {} users, {} events and {} audit rows (seed {}, as of {})",
                users.len(),
                events.len(),
                audits.len(),
                spec.seed,
                sspr_insights::model::format_utc(spec.as_of)
            ),
            users,
            events,
            audits,
        })
    }
}

/// The audit log's file in a data folder.
const AUDITS_FILE: &str = "directoryAudits.json";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_sliced_verbatim_with_their_times() {
        let page = r#"{"@odata.context":"c","value":[
            {"id":"1","eventDateTime":"2026-11-01T00:00:00Z","x":[1,{"y":"]"}]},
            {"id":"2","eventDateTime":"not a time"},
            {"id":"3"}
        ]}"#;
        let records = Records::from_page("p", page.to_string(), true).unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(
            records.get(0),
            r#"{"id":"1","eventDateTime":"2026-11-01T00:00:00Z","x":[1,{"y":"]"}]}"#
        );
        assert_eq!(records.time(0), parse_time("2026-11-01T00:00:00Z"));
        assert_eq!(records.time(1), None);
        assert_eq!(records.get(2), r#"{"id":"3"}"#);
        let audits = r#"[{"activityDateTime":"2026-11-02T00:00:00Z","loggedByService":"SSPR"}]"#;
        let audits = Records::from_page("a", audits.to_string(), true).unwrap();
        assert_eq!(audits.time(0), parse_time("2026-11-02T00:00:00Z"));
        assert_eq!(audits.service(0), Some("SSPR"));
        let bare = Records::from_page("b", r#"[{"id":"1"}]"#.to_string(), false).unwrap();
        assert_eq!(bare.get(0), r#"{"id":"1"}"#);
        assert!(Records::from_page("x", "{\"value\":[".to_string(), false).is_err());
    }
}
