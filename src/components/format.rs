//! How numbers read on screen: counts with thousands separators, shares as percentages.
//! Times are not formatted here: the model's `format_utc` is the one time formatter.

/// `1234567` → `"1,234,567"`.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A share in 0..=1 as a percentage with one decimal: `0.6421` → `"64.2%"`. Whole numbers
/// drop the decimal (`"100%"`, `"0%"`).
pub fn percent(share: f64) -> String {
    let value = (share.clamp(0.0, 1.0) * 1000.0).round() / 10.0;
    if value.fract() == 0.0 {
        format!("{value:.0}%")
    } else {
        format!("{value:.1}%")
    }
}
