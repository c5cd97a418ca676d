//! A dataset checked together from its wire-form parts, and a dataset with more files merged into it
//! (the "Merge" choice: live data keeps its fetch time, the earlier warnings still hold).

use super::*;

impl Dataset {
    /// A dataset from its parts, when they agree: every index inside its table, every column as
    /// long as its rows, events in time order. `None` otherwise (a damaged message), so that no
    /// view can later index outside a column.
    pub(crate) fn from_parts(p: DatasetParts) -> Option<Dataset> {
        let people = p.names.len();
        let users = p.users.person.len();
        let codes = p.methods.len();
        let code_ok = |c: MethodCode| (c as usize) < codes || c == NO_METHOD;
        let u = &p.users;
        let e = &p.events;
        let agree = p.user_names.len() == people
            && p.search_text.len() == people
            && p.person_user.len() == people
            && p.person_class.len() == people
            && p.person_user
                .iter()
                .all(|&x| x == u32::MAX || (x as usize) < users)
            && u.person.iter().all(|&x| (x as usize) < people)
            && u.id.len() == users
            && u.flags.len() == users
            && u.method_mask.len() == users
            && u.method_mask
                .iter()
                .all(|&m| (m as usize) < 1 << CANONICAL_COUNT)
            && u.last_updated.len() == users
            && u.method_start.len() == users + 1
            && u.method_start.first() == Some(&0)
            && u.method_start.windows(2).all(|w| w[0] <= w[1])
            && u.method_start.last().map(|&x| x as usize) == Some(u.methods.len())
            && u.methods.iter().all(|&c| code_ok(c))
            && e.person.iter().all(|&x| (x as usize) < people)
            && e.reason
                .iter()
                .all(|&x| (x as usize) < p.reasons.len().max(1))
            && e.method.iter().all(|&c| code_ok(c))
            && e.time.windows(2).all(|w| w[0] <= w[1])
            && p.feature_methods.iter().flatten().all(|&c| code_ok(c))
            && p.audit.is_consistent(people)
            && u.mfa.agrees(users, &code_ok);
        agree.then_some(Dataset {
            source: p.source,
            as_of: p.as_of,
            last_updated: p.last_updated,
            names: p.names,
            user_names: p.user_names,
            search_text: p.search_text,
            person_user: p.person_user,
            person_class: p.person_class,
            users: p.users,
            events: p.events,
            reasons: p.reasons,
            methods: p.methods,
            feature_methods: p.feature_methods,
            warnings: p.warnings,
            sources: p.sources,
            audit: p.audit,
            person_ranks: Default::default(),
        })
    }

    /// This dataset and more batches as one new dataset (the "Merge" choice). `as_of` is for
    /// data that is not live: live data keeps the time of its fetch. The source names both, and
    /// every warning about the earlier data still holds.
    pub fn merge(&self, batches: Vec<Batch>, as_of: AsOf, added: SourceKind) -> Dataset {
        let mut all = Vec::with_capacity(batches.len() + 1);
        all.push(self.to_batch());
        all.extend(batches);
        let as_of = if self.source.is_live() {
            AsOf::At(self.as_of)
        } else {
            as_of
        };
        let source = self.source.clone().with(added);
        let mut merged = Dataset::build(all, as_of, source);
        // The first summary describes this dataset as a whole; list its own sources instead.
        merged.sources.remove(0);
        let mut sources = self.sources.clone();
        sources.append(&mut merged.sources);
        merged.sources = sources;
        // What was noted while loading the earlier files still holds.
        let w = &mut merged.warnings;
        w.malformed_times += self.warnings.malformed_times;
        // The earlier data holds one of each duplicate it left out; say so again.
        w.duplicate_users += self.warnings.duplicate_users;
        w.duplicate_events += self.warnings.duplicate_events;
        let mut skipped = self.warnings.skipped_records.clone();
        skipped.append(&mut w.skipped_records);
        w.skipped_records = skipped;
        let mut cut_off = self.warnings.cut_off_sources.clone();
        cut_off.append(&mut w.cut_off_sources);
        w.cut_off_sources = cut_off;
        w.audit_other_services += self.warnings.audit_other_services;
        w.duplicate_audit_rows += self.warnings.duplicate_audit_rows;
        merged
    }

    /// The whole dataset as one batch (used to merge new files into it).
    fn to_batch(&self) -> Batch {
        let mut batch = Batch::new("loaded data");
        batch.people = People::default();
        for p in 0..self.names.len() as u32 {
            batch
                .people
                .person(self.user_names.get(p), self.names.get(p));
        }
        batch.methods = self.methods.clone();
        batch.reasons = {
            let mut interner = crate::model::strings::Interner::default();
            for r in self.reasons.iter() {
                interner.intern(r);
            }
            interner
        };
        for u in 0..self.user_count() as u32 {
            let user = self.user(u);
            let first_method = batch.user_methods.len() as u32;
            batch.user_methods.extend_from_slice(user.method_codes());
            batch.users.push(crate::model::batch::BatchUser {
                id: batch.user_ids.push(user.id()),
                person: self.users.person[u as usize],
                user_type: user.user_type(),
                is_admin: user.is_admin(),
                registered: user.registered(),
                enabled: user.enabled(),
                capable: user.capable_exported().then(|| user.capable()),
                methods: (first_method, batch.user_methods.len() as u32),
                last_updated: user.last_updated(),
            });
        }
        // Events derived from the audit log are derived again from its rows.
        let e = &self.events;
        let keep: Vec<usize> = (0..e.len())
            .filter(|&i| e.flags[i] & EV_DERIVED == 0)
            .collect();
        batch.events = EventColumns {
            time: keep.iter().map(|&i| e.time[i]).collect(),
            person: keep.iter().map(|&i| e.person[i]).collect(),
            method: keep.iter().map(|&i| e.method[i]).collect(),
            flags: keep.iter().map(|&i| e.flags[i]).collect(),
            reason: keep.iter().map(|&i| e.reason[i]).collect(),
            id: keep.iter().map(|&i| e.id[i]).collect(),
        };
        batch.audit = self.audit.rows.clone();
        batch.audit_texts = crate::model::strings::Interner::from_table(self.audit.texts.clone())
            .unwrap_or_default();
        // The batch's method table is this dataset's: the MFA codes carry over as they are.
        let mfa = &self.users.mfa;
        batch.mfa_methods = mfa.system_methods.clone();
        batch.user_mfa = (0..self.user_count()).map(|u| mfa.get(u)).collect();
        batch
    }
}
