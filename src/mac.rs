//! Keyed MACs for request signing and PSK fingerprints, built in one place:
//! HMAC accepts a key of any length, so making one cannot fail.

use hmac::Mac;
use hmac::digest::KeyInit;

/// An HMAC (`M`, e.g. `Hmac<Sha256>`) keyed with `key`, ready for `update`.
pub fn keyed<M: Mac + KeyInit>(key: &[u8]) -> M {
    match <M as KeyInit>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

/// The HMAC of `message` under `key`.
pub fn digest<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = keyed::<M>(key);
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}
