//! Audit rows column-wise, as a batch holds them (people and texts batch-local) and as the
//! dataset holds them (people and texts of the dataset, rows in time order). One row costs a
//! time, eight small indexes and a flag byte; every text (correlation ids, activities, reasons,
//! IP addresses, agents) is interned once.

use super::input::{AuditInput, AuditResult, AuditService};
use crate::model::batch::{event_id_hash, People};
use crate::model::strings::Interner;
use crate::model::time::Millis;

/// Flag bit: the row is of the `Authentication Methods` service (else password reset).
const SECURITY_INFO: u8 = 1;
/// The result, in bits 1–2 (see [`AuditResult::ALL`]).
const RESULT_SHIFT: u8 = 1;

/// Audit rows, column-wise. Text columns index a table of texts (0: none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AuditRows {
    pub time: Vec<Millis>,
    pub person: Vec<u32>,
    /// Lower-case (ids are compared case-insensitively).
    pub correlation: Vec<u32>,
    pub activity: Vec<u32>,
    pub reason: Vec<u32>,
    pub ip: Vec<u32>,
    pub agent: Vec<u32>,
    /// Service and result (see [`pack`]).
    pub flags: Vec<u8>,
    /// A hash of the row's id (0: none), for de-duplication.
    pub id: Vec<u64>,
}

/// A row's service and result as one flag byte.
pub(crate) fn pack(service: AuditService, result: AuditResult) -> u8 {
    let service = match service {
        AuditService::PasswordReset => 0,
        AuditService::SecurityInfo => SECURITY_INFO,
    };
    let result = AuditResult::ALL
        .iter()
        .position(|&r| r == result)
        .unwrap_or(3) as u8;
    service | result << RESULT_SHIFT
}

/// The service of a flag byte.
pub(crate) fn service_of(flags: u8) -> AuditService {
    if flags & SECURITY_INFO != 0 {
        AuditService::SecurityInfo
    } else {
        AuditService::PasswordReset
    }
}

/// The result of a flag byte.
pub(crate) fn result_of(flags: u8) -> AuditResult {
    AuditResult::ALL[((flags >> RESULT_SHIFT) & 3) as usize]
}

impl AuditRows {
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Whether every flag byte is one [`pack`] writes.
    pub fn flags_valid(&self) -> bool {
        self.flags.iter().all(|&f| f < 8)
    }

    /// Every column as long as the times.
    pub fn columns_agree(&self) -> bool {
        let n = self.time.len();
        [
            self.person.len(),
            self.correlation.len(),
            self.activity.len(),
            self.reason.len(),
            self.ip.len(),
            self.agent.len(),
            self.flags.len(),
            self.id.len(),
        ]
        .iter()
        .all(|&len| len == n)
    }

    /// Every text index below `texts`.
    pub fn texts_within(&self, texts: usize) -> bool {
        [
            &self.correlation,
            &self.activity,
            &self.reason,
            &self.ip,
            &self.agent,
        ]
        .iter()
        .all(|column| column.iter().all(|&t| (t as usize) < texts.max(1)))
    }

    pub fn reserve(&mut self, n: usize) {
        self.time.reserve(n);
        self.person.reserve(n);
        self.correlation.reserve(n);
        self.activity.reserve(n);
        self.reason.reserve(n);
        self.ip.reserve(n);
        self.agent.reserve(n);
        self.flags.reserve(n);
        self.id.reserve(n);
    }

    /// Appends one row, interning its texts in `texts` and finding its person in `people`.
    pub fn push(&mut self, row: &AuditInput<'_>, people: &mut People, texts: &mut Interner) {
        let correlation = row.correlation_id.trim();
        let correlation = if correlation.is_ascii() {
            let mut lower = [0u8; 64];
            match lower.get_mut(..correlation.len()) {
                Some(room) => {
                    room.copy_from_slice(correlation.as_bytes());
                    room.make_ascii_lowercase();
                    // ASCII stays ASCII: the bytes are text.
                    texts.intern(std::str::from_utf8(room).unwrap_or(""))
                }
                None => texts.intern(&correlation.to_ascii_lowercase()),
            }
        } else {
            texts.intern(&correlation.to_lowercase())
        };
        self.time.push(row.time);
        self.person
            .push(people.person(row.user.user_name.trim(), row.user.name.trim()));
        self.correlation.push(correlation);
        self.activity.push(texts.intern(row.activity.trim()));
        self.reason.push(texts.intern(row.reason.trim()));
        self.ip.push(texts.intern(row.ip.trim()));
        self.agent.push(texts.intern(row.agent.trim()));
        self.flags.push(pack(row.service, row.result));
        self.id.push(event_id_hash(row.id.trim()));
    }

    /// Appends row `i` of `other`, whose people and texts map through `people` and `texts`.
    pub fn push_mapped(&mut self, other: &AuditRows, i: usize, people: &[u32], texts: &[u32]) {
        let text = |t: u32| texts.get(t as usize).copied().unwrap_or(0);
        self.time.push(other.time[i]);
        self.person
            .push(people.get(other.person[i] as usize).copied().unwrap_or(0));
        self.correlation.push(text(other.correlation[i]));
        self.activity.push(text(other.activity[i]));
        self.reason.push(text(other.reason[i]));
        self.ip.push(text(other.ip[i]));
        self.agent.push(text(other.agent[i]));
        self.flags.push(other.flags[i]);
        self.id.push(other.id[i]);
    }

    /// Appends every row of `other` (see [`AuditRows::push_mapped`]).
    pub fn extend_mapped(&mut self, other: &AuditRows, people: &[u32], texts: &[u32]) {
        self.reserve(other.len());
        for i in 0..other.len() {
            self.push_mapped(other, i, people, texts);
        }
    }

    /// The rows in the order of `order` (indexes into these rows).
    pub fn gather(&self, order: &[u32]) -> AuditRows {
        fn pick<T: Copy>(column: &[T], order: &[u32]) -> Vec<T> {
            order.iter().map(|&i| column[i as usize]).collect()
        }
        AuditRows {
            time: pick(&self.time, order),
            person: pick(&self.person, order),
            correlation: pick(&self.correlation, order),
            activity: pick(&self.activity, order),
            reason: pick(&self.reason, order),
            ip: pick(&self.ip, order),
            agent: pick(&self.agent, order),
            flags: pick(&self.flags, order),
            id: pick(&self.id, order),
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.time.capacity() * 8
            + (self.person.capacity()
                + self.correlation.capacity()
                + self.activity.capacity()
                + self.reason.capacity()
                + self.ip.capacity()
                + self.agent.capacity())
                * 4
            + self.flags.capacity()
            + self.id.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_keep_service_and_result() {
        for service in [AuditService::PasswordReset, AuditService::SecurityInfo] {
            for result in AuditResult::ALL {
                let flags = pack(service, result);
                assert_eq!((service_of(flags), result_of(flags)), (service, result));
                assert!(flags < 8);
            }
        }
    }
}
