//! Median and 90th percentile by the nearest-rank method: the value at rank ⌈p·n⌉ of the sorted
//! values, always one that was measured.

use super::types::DurationStats;

/// The statistics of `secs` (in any order).
pub fn stats(mut secs: Vec<u32>) -> DurationStats {
    secs.sort_unstable();
    DurationStats {
        count: u32::try_from(secs.len()).unwrap_or(u32::MAX),
        median_secs: nearest_rank(&secs, 50),
        p90_secs: nearest_rank(&secs, 90),
    }
}

/// The `percent`th percentile of sorted values; none of none.
fn nearest_rank(sorted: &[u32], percent: usize) -> Option<u32> {
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_takes_a_measured_value() {
        assert_eq!(
            stats(Vec::new()),
            DurationStats {
                count: 0,
                median_secs: None,
                p90_secs: None
            }
        );
        assert_eq!(
            stats(vec![40]),
            DurationStats {
                count: 1,
                median_secs: Some(40),
                p90_secs: Some(40)
            }
        );
        // Ranks ⌈0.5·4⌉ = 2 and ⌈0.9·4⌉ = 4.
        assert_eq!(
            stats(vec![300, 60, 120, 30]),
            DurationStats {
                count: 4,
                median_secs: Some(60),
                p90_secs: Some(300)
            }
        );
        // Ranks ⌈0.5·10⌉ = 5 and ⌈0.9·10⌉ = 9.
        let ten: Vec<u32> = (1..=10).rev().map(|n| n * 10).collect();
        assert_eq!(
            stats(ten),
            DurationStats {
                count: 10,
                median_secs: Some(50),
                p90_secs: Some(90)
            }
        );
    }
}
