//! Orders by whole-number keys: the stable order of times (the dataset's events, the audit
//! log's rows), the positions of any list by a key with ties in the order they came, the lists'
//! sorts by a column (`filters::sort_stable`) and the insights' rankings. Every order by key goes
//! through the one sort here: each `sort_by_key` of its own would be another copy of the
//! standard library's stable sort in the wasm (about 5 KB each in the ingest worker; six of them
//! were 32 KB). Knows nothing of what the keys mean.

use crate::model::time::Millis;

/// The positions of `keys`, in the order of the keys; equal keys keep the order they came in
/// (what a stable sort by the key gives).
///
/// ```
/// use sspr_insights::model::order::order_by_key;
/// assert_eq!(order_by_key([3u64, 1, 3, 0].into_iter()), vec![3, 1, 0, 2]);
/// ```
pub fn order_by_key(keys: impl Iterator<Item = u64>) -> Vec<u32> {
    let mut keyed: Vec<(u64, u64)> = keys.enumerate().map(|(i, k)| (k, i as u64)).collect();
    sort_keyed(&mut keyed);
    keyed.into_iter().map(|(_, i)| i as u32).collect()
}

/// Puts (key, tie-breaker) pairs in order: the one sort behind every order here. Unstable is
/// enough, and smaller than the stable sort: each pair's tie-breaker holds its position, so no
/// two pairs are equal.
#[inline(never)]
pub fn sort_keyed(keyed: &mut [(u64, u64)]) {
    keyed.sort_unstable();
}

/// (id, count) pairs, the largest count first and equal counts by id (the ids are distinct):
/// what the insights rank (failure reasons, addresses).
///
/// ```
/// use sspr_insights::model::order::most_first;
/// assert_eq!(most_first([(7, 2), (3, 5), (1, 2)].into_iter()), vec![(3, 5), (1, 2), (7, 2)]);
/// ```
pub fn most_first(pairs: impl Iterator<Item = (u64, usize)>) -> Vec<(u64, usize)> {
    let mut keyed: Vec<(u64, u64)> = pairs.map(|(id, n)| (u64::MAX - n as u64, id)).collect();
    sort_keyed(&mut keyed);
    keyed
        .into_iter()
        .map(|(key, id)| (id, (u64::MAX - key) as usize))
        .collect()
}

/// A key for an `i64` that sorts as the numbers do (times before 1970 too).
pub fn signed_key(value: i64) -> u64 {
    (value as u64) ^ (1 << 63)
}

/// A key for an `f64` that sorts as `f64::total_cmp` does.
pub fn float_key(value: f64) -> u64 {
    let bits = value.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// `items` put in `order` (the positions of [`order_by_key`]: each once).
pub fn gather<T>(items: Vec<T>, order: &[u32]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .iter()
        .filter_map(|&i| slots.get_mut(i as usize).and_then(Option::take))
        .collect()
}

/// The stable order of `times`: each time packed with its index into one integer when the span
/// of times allows (it does for any real data) and the integers put in order by their time bits
/// alone (see [`sort_by_bits`]), else [`order_by_key`].
pub fn time_order(times: &[Millis]) -> Vec<u32> {
    let n = times.len();
    let (Some(&min), Some(&max)) = (times.iter().min(), times.iter().max()) else {
        return Vec::new();
    };
    let index_bits = usize::BITS - n.leading_zeros();
    let span = (max as i128 - min as i128) as u128;
    if index_bits < 64 && span < 1u128 << (64 - index_bits) {
        let mut keys: Vec<u64> = times
            .iter()
            .enumerate()
            .map(|(i, &t)| (((t as i128 - min as i128) as u64) << index_bits) | i as u64)
            .collect();
        let time_bits = u128::BITS - span.leading_zeros();
        sort_by_bits(&mut keys, index_bits, time_bits);
        let index_mask = (1u64 << index_bits) - 1;
        return keys.into_iter().map(|k| (k & index_mask) as u32).collect();
    }
    order_by_key(times.iter().map(|&t| signed_key(t)))
}

/// Bits a pass of [`sort_by_bits`] sorts by.
const DIGIT_BITS: u32 = 8;
const DIGITS: usize = 1 << DIGIT_BITS;

/// Puts `keys` in order by their `width` bits from bit `low` up, stably: keys equal in those bits
/// keep the order they had. A least-significant-digit radix sort, eight bits a pass, and a pass
/// whose digit is the same in every key is skipped. The keys of [`time_order`] come in index
/// order with the index in their low bits, so only the time's bits need sorting: four passes
/// for a span of 49 days (a million events natively: 180 M instructions as a comparison sort of
/// the whole integers, about 30 M this way).
fn sort_by_bits(keys: &mut Vec<u64>, low: u32, width: u32) {
    let passes = width.div_ceil(DIGIT_BITS) as usize;
    let digit =
        |key: u64, pass: usize| ((key >> (low + pass as u32 * DIGIT_BITS)) as usize) & (DIGITS - 1);
    let mut counts = vec![[0usize; DIGITS]; passes];
    for &key in keys.iter() {
        for (pass, count) in counts.iter_mut().enumerate() {
            count[digit(key, pass)] += 1;
        }
    }
    let mut sorted = vec![0u64; keys.len()];
    for (pass, count) in counts.iter().enumerate() {
        if count.contains(&keys.len()) {
            continue;
        }
        let mut next = [0usize; DIGITS];
        let mut at = 0;
        for (next, &c) in next.iter_mut().zip(count) {
            *next = at;
            at += c;
        }
        for &key in keys.iter() {
            let d = digit(key, pass);
            sorted[next[d]] = key;
            next[d] += 1;
        }
        std::mem::swap(keys, &mut sorted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The time order against a plain stable sort: times that tie, negative times, spans from
    /// none to wider than the packed keys allow (the indirect sort's path), lengths around a
    /// pass's bucket count.
    #[test]
    fn time_order_is_the_stable_order_of_the_times() {
        let mut rng = crate::model::sample::Rng::new(9);
        let spans: [u64; 7] = [0, 3, 255, 256, 1 << 20, 30 * 86_400_000, u64::MAX];
        for (case, &span) in spans.iter().cycle().take(40).enumerate() {
            let n = [0, 1, 2, 255, 257, 5_000][case % 6];
            let base = -(rng.below(1 << 30) as i64);
            let times: Vec<Millis> = (0..n)
                .map(|_| match span {
                    0 => base,
                    u64::MAX => rng.next_u64() as i64,
                    span => base + (rng.next_u64() % (span + 1)) as i64,
                })
                .collect();
            let mut expected: Vec<u32> = (0..n as u32).collect();
            expected.sort_by_key(|&i| times[i as usize]);
            assert_eq!(time_order(&times), expected, "span {span}, {n} times");
        }
    }

    /// Against a plain stable sort by key: ties, the extremes of `i64` and `f64`, negative zero
    /// and NaN in `total_cmp`'s places.
    #[test]
    fn orders_by_key_are_the_stable_sorts_by_key() {
        let mut rng = crate::model::sample::Rng::new(3);
        for n in [0usize, 1, 2, 17, 1_000] {
            let keys: Vec<i64> = (0..n)
                .map(|i| match i % 5 {
                    0 => i64::MIN,
                    1 => i64::MAX,
                    _ => (rng.next_u64() % 7) as i64 - 3,
                })
                .collect();
            let mut expected: Vec<u32> = (0..n as u32).collect();
            expected.sort_by_key(|&i| keys[i as usize]);
            assert_eq!(order_by_key(keys.iter().map(|&k| signed_key(k))), expected);
            let words: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            let sorted: Vec<String> = expected
                .iter()
                .map(|&i| words[i as usize].clone())
                .collect();
            assert_eq!(gather(words, &expected), sorted);
        }
        let floats = [
            f64::NAN,
            1.5,
            -0.0,
            0.0,
            f64::NEG_INFINITY,
            -f64::NAN,
            -2.0,
            f64::INFINITY,
            1.5,
        ];
        let mut expected: Vec<u32> = (0..floats.len() as u32).collect();
        expected.sort_by(|&a, &b| floats[a as usize].total_cmp(&floats[b as usize]));
        assert_eq!(order_by_key(floats.iter().map(|&f| float_key(f))), expected);
    }

    #[test]
    fn most_first_is_the_sort_by_count_then_id() {
        let mut rng = crate::model::sample::Rng::new(5);
        let mut pairs: Vec<(u64, usize)> = (0..300u64)
            .map(|id| (id * 7919 % 1009, (rng.next_u64() % 6) as usize))
            .collect();
        pairs.push((5_000, usize::MAX >> 1));
        let mut expected = pairs.clone();
        expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        assert_eq!(most_first(pairs.into_iter()), expected);
    }
}
