//! Latency percentiles without keeping every duration: a fixed log-linear histogram.
//!
//! Durations below 128 ms have one bucket each (exact). Above, each power of two is
//! split into 128 equal buckets, so a bucket is at most 1/128 of its lower bound wide
//! and the value reported (the bucket's middle, clamped to the smallest and largest
//! duration seen) is within 0.4% of the true one. The table is fixed: 128 + 128 × 33
//! counters cover durations up to 2^40 ms (35 years); longer ones land in the last.
//! Two histograms merge by adding counters, so per-provider figures come from the
//! per-model ones without a second pass.

const SUB_BITS: u32 = 7;
const SUB: u64 = 1 << SUB_BITS;
const MAX_EXP: u32 = 40;
const BUCKETS: usize = (SUB + SUB * (MAX_EXP - SUB_BITS) as u64) as usize;

#[derive(Clone)]
pub struct Histogram {
    counts: Box<[u64]>,
    count: u64,
    min: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            counts: vec![0; BUCKETS].into_boxed_slice(),
            count: 0,
            min: u64::MAX,
            max: 0,
        }
    }
}

fn index(value: u64) -> usize {
    if value < SUB {
        return value as usize;
    }
    let exp = (63 - value.leading_zeros()).min(MAX_EXP - 1);
    let value = value.min((1 << MAX_EXP) - 1);
    let sub = (value >> (exp - SUB_BITS)) & (SUB - 1);
    (SUB + (exp - SUB_BITS) as u64 * SUB + sub) as usize
}

/// The smallest value of bucket `i` and its width.
fn bounds(i: usize) -> (u64, u64) {
    let i = i as u64;
    if i < SUB {
        return (i, 1);
    }
    let exp = (i - SUB) / SUB + SUB_BITS as u64;
    let sub = (i - SUB) % SUB;
    let width = 1u64 << (exp - SUB_BITS as u64);
    ((1u64 << exp) + sub * width, width)
}

impl Histogram {
    pub fn record(&mut self, value: u64) {
        self.counts[index(value)] += 1;
        self.count += 1;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += b;
        }
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The nearest-rank `q` quantile (0 < q ≤ 1), or `None` when nothing was recorded.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        // The extremes are known exactly.
        if rank == self.count {
            return Some(self.max);
        }
        if rank == 1 {
            return Some(self.min);
        }
        let mut seen = 0;
        for (i, n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let (low, width) = bounds(i);
                let middle = low + (width - 1) / 2;
                return Some(middle.clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_round_trip_and_stay_within_the_stated_error() {
        for v in (0..5000).chain([65_535, 1 << 20, 123_456_789, (1 << 40) - 1]) {
            let (low, width) = bounds(index(v));
            assert!(low <= v && v < low + width, "{v}: [{low}, +{width})");
            assert!(
                width == 1 || (width as f64) <= low as f64 / 128.0 + 1.0,
                "{v}"
            );
        }
        assert_eq!(index(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn quantiles_by_nearest_rank() {
        let mut h = Histogram::default();
        for v in 1..=100 {
            h.record(v);
        }
        assert_eq!(h.quantile(0.5), Some(50));
        assert_eq!(h.quantile(0.95), Some(95));
        let mut big = Histogram::default();
        for v in [1000, 2000, 3000] {
            big.record(v);
        }
        let p50 = big.quantile(0.5).unwrap();
        assert!(p50.abs_diff(2000) <= 8, "{p50}");
        assert_eq!(big.quantile(1.0), Some(3000));
        assert_eq!(Histogram::default().quantile(0.5), None);
    }
}
