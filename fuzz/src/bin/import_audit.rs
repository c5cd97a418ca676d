//! The audit-log importers (Graph `directoryAudit` JSON, the portal's CSV, Log Analytics
//! exports; spec §4.3) and the attempts built from them, under AFL++: `make fuzz`.

fn main() {
    afl::fuzz!(|data: &[u8]| sspr_fuzz::check(sspr_fuzz::Importer::Audit, data));
}
