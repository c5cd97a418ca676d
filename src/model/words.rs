//! Words the app's sentences and readers share: the one `plural` (for the model's warnings as
//! much as for the screens' notices) and the one yes/no parser (for imported values and for the
//! URL query alike). Pure string work, no formatting of numbers: the screens add their own
//! thousands separators, the model writes plain digits.

/// `one` when `n` is 1, `many` otherwise: the word, not the number, so that each caller writes
/// the number its own way.
///
/// ```
/// use sspr_insights::model::words::plural;
/// assert_eq!(plural(1, "record", "records"), "record");
/// assert_eq!(plural(0, "record", "records"), "records");
/// assert_eq!(format!("3 bad {} left out", plural(3, "record was", "records were")), "3 bad records were left out");
/// ```
pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Reads a yes/no value, whatever wrote it: `yes` / `no` (the URL's own spelling), `true` /
/// `false` (Graph's JSON), `y` / `n`, `1` / `0`, and the export's column words (`Registered` /
/// `Not registered`, `Enabled` / `Not enabled`, `Capable` / `Not capable`, also without the
/// space). Case and surrounding blanks do not matter; anything else is `None`.
///
/// ```
/// use sspr_insights::model::words::parse_yes_no;
/// assert_eq!(parse_yes_no("Yes"), Some(true));
/// assert_eq!(parse_yes_no(" not capable "), Some(false));
/// assert_eq!(parse_yes_no("perhaps"), None);
/// ```
pub fn parse_yes_no(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "y" | "1" | "registered" | "enabled" | "capable" => Some(true),
        "no" | "false" | "n" | "0" | "not registered" | "not enabled" | "not capable"
        | "notregistered" | "notenabled" | "notcapable" => Some(false),
        _ => None,
    }
}
