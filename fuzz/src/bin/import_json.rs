//! The JSON importer (Graph pages, arrays, NDJSON; spec §4.1) under AFL++: `make fuzz`.

fn main() {
    afl::fuzz!(|data: &[u8]| sspr_fuzz::check(sspr_fuzz::Importer::Json, data));
}
