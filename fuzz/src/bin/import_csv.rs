//! The CSV importer (the app's and the portal's downloads; spec §4.1) under AFL++: `make fuzz`.

fn main() {
    afl::fuzz!(|data: &[u8]| sspr_fuzz::check(sspr_fuzz::Importer::Csv, data));
}
