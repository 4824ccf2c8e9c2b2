//! What the two Tencent Cloud simulators share: the estate of
//! provider-shaped connection objects, serving one offset/limit page of it
//! under a lock (no copy of the whole estate per request), scripted estate
//! changes between pages, the server's clock with a settable skew, and the
//! ids and times of generated estates.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::Value;

use crate::sim::Faults;
use crate::sim::rng::Rng;

/// The connections a simulator serves, in the shape of its API, in the
/// order it pages them.
#[derive(Debug, Clone, Default)]
pub struct Estate {
    pub connections: Vec<Value>,
}

/// The id keys of both APIs' connection objects.
const ID_KEYS: [&str; 2] = ["VpnConnectionId", "unVpnConnId"];

/// A connection object's id (`VpnConnectionId` or `unVpnConnId`).
pub fn connection_id(object: &Value) -> Option<&str> {
    ID_KEYS
        .iter()
        .find_map(|key| object.get(key).and_then(Value::as_str))
}

impl Estate {
    pub fn new(connections: Vec<Value>) -> Estate {
        Estate { connections }
    }

    /// Removes the connection with this id.
    pub fn remove(&mut self, id: &str) -> Option<Value> {
        let index = self
            .connections
            .iter()
            .position(|object| connection_id(object) == Some(id))?;
        Some(self.connections.remove(index))
    }

    /// `count` connections made by `connection(index, vpcs)`, for indexes
    /// `0..count` spread over `vpcs` VPCs: one per 25 connections, at least
    /// 1 and at most 400.
    pub(crate) fn generate(count: usize, connection: impl Fn(u64, u64) -> Value) -> Estate {
        let vpcs = (count / 25).clamp(1, 400) as u64;
        Estate::new(
            (0..count as u64)
                .map(|index| connection(index, vpcs))
                .collect(),
        )
    }

    /// The ids, in order.
    pub fn ids(&self) -> Vec<String> {
        self.connections
            .iter()
            .filter_map(|object| connection_id(object).map(str::to_string))
            .collect()
    }
}

/// Called after each page served with the number of pages served so far
/// (1-based) and the estate, to change it between pages.
pub type PageHook = Box<dyn FnMut(u64, &mut Estate) + Send>;

/// The state behind a simulator.
pub(crate) struct Core {
    estate: Mutex<Estate>,
    hook: Mutex<Option<PageHook>>,
    pages_served: AtomicU64,
    clock_skew: AtomicI64,
    requests_answered: AtomicU64,
    pub(crate) faults: Arc<Faults>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Core {
    pub(crate) fn new(estate: Estate) -> Core {
        Core {
            estate: Mutex::new(estate),
            hook: Mutex::new(None),
            pages_served: AtomicU64::new(0),
            clock_skew: AtomicI64::new(0),
            requests_answered: AtomicU64::new(0),
            faults: Arc::new(Faults::default()),
        }
    }

    pub(crate) fn with_estate<R>(&self, f: impl FnOnce(&mut Estate) -> R) -> R {
        f(&mut lock(&self.estate))
    }

    pub(crate) fn set_page_hook(&self, hook: Option<PageHook>) {
        *lock(&self.hook) = hook;
    }

    pub(crate) fn set_clock_skew(&self, seconds: i64) {
        self.clock_skew.store(seconds, Ordering::Relaxed);
    }

    /// The server's clock: this machine's, plus the skew.
    pub(crate) fn now(&self) -> i64 {
        chrono::Utc::now().timestamp() + self.clock_skew.load(Ordering::Relaxed)
    }

    /// A fresh request id, `xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx`.
    pub(crate) fn request_id(&self) -> String {
        let n = self.requests_answered.fetch_add(1, Ordering::Relaxed) + 1;
        let mixed = Rng::new(n).next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            mixed >> 32,
            (mixed >> 16) & 0xffff,
            mixed & 0xfff,
            (mixed >> 20) & 0xfff,
            n
        )
    }

    pub(crate) fn pages_served(&self) -> u64 {
        self.pages_served.load(Ordering::SeqCst)
    }

    /// The matching connections' total and the `limit` of them from
    /// `offset`; then the page hook runs, under the same lock, so that a
    /// scripted change lands between this page and the next.
    pub(crate) fn page(
        &self,
        matches: impl Fn(&Value) -> bool,
        offset: usize,
        limit: usize,
    ) -> (usize, Vec<Value>) {
        let mut estate = lock(&self.estate);
        let mut total = 0;
        let mut items = Vec::new();
        for object in &estate.connections {
            if matches(object) {
                if total >= offset && items.len() < limit {
                    items.push(object.clone());
                }
                total += 1;
            }
        }
        let served = self.pages_served.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(hook) = lock(&self.hook).as_mut() {
            hook(served, &mut estate);
        }
        (total, items)
    }
}

/// The methods both simulators' handles offer over their [`Core`] (found
/// at `self.sim.core`): faults, the estate, the page hook, the clock skew
/// and the count of pages served. Expanded inside each handle's `impl`, so
/// that they stay inherent methods of `TencentSim` and `TencentLegacySim`.
macro_rules! core_handle_methods {
    () => {
        /// Faults planned for the Nth request, and the request count.
        pub fn faults(&self) -> &$crate::sim::Faults {
            &self.sim.core.faults
        }

        /// Reads or changes the estate.
        pub fn with_estate<R>(
            &self,
            f: impl FnOnce(&mut $crate::sim::tencent::shared::Estate) -> R,
        ) -> R {
            self.sim.core.with_estate(f)
        }

        /// Runs `hook` after every page served (see
        /// [`PageHook`](crate::sim::tencent::shared::PageHook)), to change the
        /// estate while a client is listing it; `None` removes it.
        pub fn on_page_served(&self, hook: Option<$crate::sim::tencent::shared::PageHook>) {
            self.sim.core.set_page_hook(hook);
        }

        /// Sets the server's clock `seconds` ahead of this machine's
        /// (negative: behind).
        pub fn set_clock_skew(&self, seconds: i64) {
            self.sim.core.set_clock_skew(seconds);
        }

        /// Pages answered so far.
        pub fn pages_served(&self) -> u64 {
            self.sim.core.pages_served()
        }
    };
}
pub(crate) use core_handle_methods;

/// A `YYYY-MM-DD hh:mm:ss` time drawn from `rng`, in one of the `years`
/// years from `first_year` (two digits, 20xx).
pub(crate) fn created_time(rng: &mut Rng, first_year: u64, years: u64) -> String {
    format!(
        "20{:02}-{:02}-{:02} {:02}:{:02}:{:02}",
        first_year + rng.below(years),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

/// 8 base-36 digits of `n` (mod 36^8).
pub fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = [b'0'; 8];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    out.iter().map(|&digit| char::from(digit)).collect()
}

/// The `index`-th of distinct 8-character ids for `seed`: multiplying by a
/// number prime to 36 permutes 0..36^8, so no two indexes collide.
pub fn unique_id(prefix: &str, seed: u64, index: u64) -> String {
    const SPACE: u64 = 36u64.pow(8);
    let start = Rng::new(seed).next_u64() % SPACE;
    let n = (index.wrapping_mul(0x2F0F_1F97) % SPACE + start) % SPACE;
    format!("{prefix}-{}", base36(n))
}

/// Sends the request `build` makes with the crate's HTTP client, on a
/// runtime of its own, and returns the JSON answer (for the simulators'
/// tests, which drive them by hand-made requests).
#[cfg(test)]
pub(crate) fn answer(build: impl FnOnce(&crate::http::Client) -> reqwest::RequestBuilder) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = crate::http::build_client(&crate::http::HttpOptions::default()).unwrap();
    let request = build(&client);
    let reply = runtime.block_on(client.send(request, "sim")).unwrap();
    serde_json::from_slice(&reply.body).unwrap()
}

/// Normalizes every object of `estate` as `kind` (the objects named
/// `{array}[index]`, in `region`), asserting that none gives a warning (for
/// the generators' tests).
#[cfg(test)]
pub(crate) fn normalize_estate(
    estate: &Estate,
    kind: crate::provider::ProviderKind,
    array: &str,
    region: &str,
) -> Vec<crate::provider::Normalized> {
    let context = crate::provider::NormalizeContext {
        source: "sim",
        region: Some(region),
        account: None,
    };
    let fingerprinter = crate::fingerprint::PskFingerprinter::new(b"k");
    estate
        .connections
        .iter()
        .enumerate()
        .map(|(index, object)| {
            let normalized = crate::provider::normalize(
                kind,
                &format!("{array}[{index}]"),
                object.clone(),
                &crate::provider::Related::default(),
                &context,
                &fingerprinter,
            )
            .unwrap();
            assert!(normalized.warnings.is_empty(), "{:?}", normalized.warnings);
            normalized
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_ids_do_not_collide() {
        let ids: std::collections::HashSet<String> = (0..30_000)
            .map(|index| unique_id("vpnx", 7, index))
            .collect();
        assert_eq!(ids.len(), 30_000);
        assert_eq!(unique_id("vpnx", 7, 12), unique_id("vpnx", 7, 12));
        assert_eq!(unique_id("vpnx", 7, 0).len(), "vpnx-".len() + 8);
    }

    #[test]
    fn pages_count_only_matching_objects_and_run_the_hook() {
        let estate = Estate::new(
            (0..5)
                .map(
                    |n| serde_json::json!({"VpnConnectionId": format!("c{n}"), "even": n % 2 == 0}),
                )
                .collect(),
        );
        let core = Core::new(estate);
        core.set_page_hook(Some(Box::new(|served, estate: &mut Estate| {
            if served == 1 {
                estate.remove("c0");
            }
        })));
        let even = |object: &Value| object["even"] == true;
        let (total, items) = core.page(even, 1, 1);
        assert_eq!((total, connection_id(&items[0])), (3, Some("c2")));
        let (total, items) = core.page(even, 0, 5);
        assert_eq!(total, 2);
        assert_eq!(items.len(), 2);
        assert_eq!(core.pages_served(), 2);
    }
}
