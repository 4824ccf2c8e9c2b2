//! The simulators' one pseudo-random generator, SplitMix64: small, fast
//! and deterministic, so that a seed always gives the same estate (and the
//! demo and benchmarks the same data). Not for anything secret.

/// A SplitMix64 sequence (Steele, Lea and Flood; Vigna's reference code).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The sequence that starts after `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next number of the sequence.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    /// One of `choices` (not empty), uniformly.
    pub fn pick<'a, T>(&mut self, choices: &'a [T]) -> &'a T {
        &choices[usize::try_from(self.below(choices.len() as u64)).unwrap_or(0)]
    }

    /// One of `choices` (not empty), picked with the given weights.
    pub fn weighted<'a, T>(&mut self, choices: &'a [(T, u64)]) -> &'a T {
        let sum: u64 = choices.iter().map(|(_, weight)| weight).sum();
        let mut pick = self.below(sum);
        for (choice, weight) in choices {
            if pick < *weight {
                return choice;
            }
            pick -= weight;
        }
        &choices[choices.len() - 1].0
    }

    /// A version-4-shaped UUID, `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`,
    /// from the next two numbers.
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first outputs of Vigna's reference `splitmix64.c` seeded with 0
    /// and with 1234567: the estates of a seed depend on these numbers.
    #[test]
    fn matches_the_reference_sequence() {
        let mut rng = Rng::new(0);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            [
                0xE220_A839_7B1D_CDAF,
                0x6E78_9E6A_A1B9_65F4,
                0x06C4_5D18_8009_454F
            ]
        );
        let mut rng = Rng::new(1_234_567);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn draws_stay_in_range_and_follow_the_sequence() {
        let mut rng = Rng::new(5);
        let mut copy = rng.clone();
        assert_eq!(rng.below(10), copy.next_u64() % 10);
        assert_eq!(rng.below(0), 0);
        copy.next_u64();
        let choices = ["a", "b", "c"];
        let expected = choices[(copy.next_u64() % 3) as usize];
        assert_eq!(*rng.pick(&choices), expected);
        for _ in 0..100 {
            assert_eq!(*rng.weighted(&[("never", 0), ("always", 3)]), "always");
        }
        let uuid = Rng::new(9).uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"), "{uuid}");
    }
}
