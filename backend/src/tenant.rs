//! The tenant the backend serves: the records of both lists as raw JSON, sliced out of one page
//! per list (the sample files, or a generated tenant). Records are passed through, never rebuilt.

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
    /// `eventDateTime` (events only), when it is a time.
    time: Option<Millis>,
}

impl Records {
    /// Slices the records out of a Graph response page (`{"value":[…]}`) or a bare JSON array;
    /// `timed` reads each record's `eventDateTime` for `$filter`.
    pub fn from_page(name: &str, text: String, timed: bool) -> Result<Records, String> {
        #[derive(Deserialize)]
        struct Page<'a> {
            #[serde(borrow)]
            value: Vec<&'a RawValue>,
        }
        #[derive(Deserialize)]
        struct Timed<'a> {
            #[serde(rename = "eventDateTime", borrow, default)]
            time: Option<Cow<'a, str>>,
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
                    let time = if timed {
                        serde_json::from_str::<Timed<'_>>(raw.get())
                            .ok()
                            .and_then(|t| t.time)
                            .and_then(|t| parse_time(&t))
                    } else {
                        None
                    };
                    Record {
                        start,
                        end: start + raw.get().len(),
                        time,
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

    /// The `eventDateTime` of record `i`.
    pub fn time(&self, i: usize) -> Option<Millis> {
        self.records[i].time
    }
}

/// Both lists.
pub struct Tenant {
    pub users: Records,
    pub events: Records,
    /// Where it came from, for the start-up line.
    pub description: String,
}

impl Tenant {
    /// The two sample files of a folder: `userRegistrationDetails.json`, `userEventsSummary.json`.
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
        Ok(Tenant {
            description: format!(
                "{} users and {} events from {}",
                users.len(),
                events.len(),
                dir.display()
            ),
            users,
            events,
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
        Ok(Tenant {
            description: format!(
                "a generated tenant of {} users and {} events (seed {}, as of {})",
                users.len(),
                events.len(),
                spec.seed,
                sspr_insights::model::format_utc(spec.as_of)
            ),
            users,
            events,
        })
    }
}

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
        let bare = Records::from_page("b", r#"[{"id":"1"}]"#.to_string(), false).unwrap();
        assert_eq!(bare.get(0), r#"{"id":"1"}"#);
        assert!(Records::from_page("x", "{\"value\":[".to_string(), false).is_err());
    }
}
