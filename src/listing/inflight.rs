//! The memory of the bodies handed to a normalizer thread: waiting in its
//! channel or being normalized. The channel bounds their number; this
//! bounds their size, so that a server sending pages near
//! `max_response_bytes` cannot have several of them parsed and queued at
//! once. A body larger than the whole budget still goes, alone.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Memory the bodies in flight may take together, as
/// [`json_footprint`](crate::provider::json_footprint) estimates it: far
/// above a few ordinary pages (about 1 MiB each for 200 connections), so
/// only huge pages ever wait for it.
pub const BYTES_IN_FLIGHT: usize = 64 << 20;

/// Bytes held by bodies in flight, and whether the thread has stopped.
#[derive(Debug, Default)]
pub struct InFlight {
    held: Mutex<Held>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Held {
    bytes: usize,
    closed: bool,
}

impl InFlight {
    fn lock(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until `size` more bytes fit the budget (or nothing is held),
    /// then holds them; `false` if the thread has stopped meanwhile.
    pub fn hold(&self, size: usize) -> bool {
        let mut held = self.lock();
        while !held.closed && held.bytes > 0 && held.bytes.saturating_add(size) > BYTES_IN_FLIGHT {
            held = self
                .changed
                .wait(held)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if held.closed {
            return false;
        }
        held.bytes = held.bytes.saturating_add(size);
        true
    }

    /// Gives back what a body held once it is normalized.
    pub fn release(&self, size: usize) {
        let mut held = self.lock();
        held.bytes = held.bytes.saturating_sub(size);
        self.changed.notify_all();
    }

    /// The thread has stopped: nobody waits for it any more.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_body_waits_while_the_budget_is_spent_and_goes_alone_when_larger() {
        let in_flight = Arc::new(InFlight::default());
        assert!(in_flight.hold(BYTES_IN_FLIGHT - 10));
        assert!(in_flight.hold(10));
        let waiting = {
            let in_flight = Arc::clone(&in_flight);
            std::thread::spawn(move || in_flight.hold(1))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiting.is_finished(), "held past the budget");
        in_flight.release(BYTES_IN_FLIGHT - 10);
        assert!(waiting.join().unwrap());
        in_flight.release(11);
        // Nothing held: a body over the whole budget goes.
        assert!(in_flight.hold(BYTES_IN_FLIGHT * 2));
    }

    #[test]
    fn a_stopped_thread_releases_whoever_waits() {
        let in_flight = Arc::new(InFlight::default());
        assert!(in_flight.hold(BYTES_IN_FLIGHT));
        let waiting = {
            let in_flight = Arc::clone(&in_flight);
            std::thread::spawn(move || in_flight.hold(1))
        };
        std::thread::sleep(Duration::from_millis(20));
        in_flight.close();
        assert!(!waiting.join().unwrap());
    }
}
