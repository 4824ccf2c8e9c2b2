//! Keyed fingerprints of pre-shared keys.
//!
//! A PSK is never stored; its fingerprint is `HMAC-SHA256(key, psk)` cut to
//! 16 hex characters, so a rotation shows up as a change while the database
//! alone does not let anyone test guesses of a PSK. The key comes from the
//! config (`fingerprint_key`) or from a random key file created beside the
//! database (mode 0600) on first use.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use hmac::Hmac;
use secrecy::{ExposeSecret, SecretSlice};
use sha2::Sha256;

pub type HmacSha256 = Hmac<Sha256>;

/// Hex characters kept of the HMAC.
const FINGERPRINT_HEX_CHARS: usize = 16;

/// Computes PSK fingerprints with one secret key.
#[derive(Clone)]
pub struct PskFingerprinter {
    key: SecretSlice<u8>,
}

impl std::fmt::Debug for PskFingerprinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PskFingerprinter { key: *** }")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FingerprintKeyError {
    #[error("cannot read the fingerprint key file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create the fingerprint key file {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the fingerprint key file {path} is empty or not hex; restore it from a backup (fingerprints depend on it)"
    )]
    Malformed { path: PathBuf },
    #[error("no randomness available to create a fingerprint key: {0}")]
    Random(String),
}

impl PskFingerprinter {
    /// A fingerprinter with this key (e.g. from `fingerprint_key` in the config).
    pub fn new(key: &[u8]) -> PskFingerprinter {
        PskFingerprinter {
            key: SecretSlice::from(key.to_vec()),
        }
    }

    /// The key file used for a database when the config names no key:
    /// `<database>.fingerprint-key` beside it.
    pub fn key_file_for(database: &Path) -> PathBuf {
        let mut name = database
            .file_name()
            .map(|name| name.to_os_string())
            .unwrap_or_default();
        name.push(".fingerprint-key");
        database.with_file_name(name)
    }

    /// Loads the key file, creating it (32 random bytes, hex, mode 0600) if
    /// absent. A file another process creates between the read and the
    /// create is read instead, once: a path that is neither readable nor
    /// creatable (a dangling symbolic link) is an error naming it.
    pub fn from_key_file(path: &Path) -> Result<PskFingerprinter, FingerprintKeyError> {
        match PskFingerprinter::read_or_create(path)? {
            Some(fingerprinter) => Ok(fingerprinter),
            None => match PskFingerprinter::read_or_create(path)? {
                Some(fingerprinter) => Ok(fingerprinter),
                None => Err(FingerprintKeyError::Create {
                    path: path.to_path_buf(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "it exists but cannot be read (a dangling symbolic link?); remove it \
                         or point it at the key file",
                    ),
                }),
            },
        }
    }

    /// The key file read, or created; `None` when it could be neither
    /// (another process created it meanwhile, or it is a dangling link).
    fn read_or_create(path: &Path) -> Result<Option<PskFingerprinter>, FingerprintKeyError> {
        match fs::read_to_string(path) {
            Ok(text) => {
                crate::keys::warn_if_exposed(path);
                let key = hex::decode(text.trim())
                    .ok()
                    .filter(|key| !key.is_empty())
                    .ok_or_else(|| FingerprintKeyError::Malformed {
                        path: path.to_path_buf(),
                    })?;
                Ok(Some(PskFingerprinter::new(&key)))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key)
                    .map_err(|error| FingerprintKeyError::Random(error.to_string()))?;
                let create = |path: &Path| -> std::io::Result<()> {
                    let mut file = fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .open(path)?;
                    file.write_all(hex::encode(key).as_bytes())?;
                    file.write_all(b"\n")?;
                    file.sync_all()
                };
                match create(path) {
                    Ok(()) => Ok(Some(PskFingerprinter::new(&key))),
                    // Another process created it first (use theirs), or a
                    // dangling link stands there.
                    Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
                    Err(source) => Err(FingerprintKeyError::Create {
                        path: path.to_path_buf(),
                        source,
                    }),
                }
            }
            Err(source) => Err(FingerprintKeyError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    fn hmac_hex(&self, message: &[u8]) -> String {
        let mut digest = hex::encode(crate::mac::digest::<HmacSha256>(
            self.key.expose_secret(),
            message,
        ));
        digest.truncate(FINGERPRINT_HEX_CHARS);
        digest
    }

    /// The fingerprint of a pre-shared key: 16 lowercase hex characters.
    pub fn fingerprint(&self, psk: &str) -> String {
        self.hmac_hex(psk.as_bytes())
    }

    /// An HMAC-SHA256 under a key derived from this one for `purpose`
    /// (`HMAC(key, purpose)`), so that nothing it computes can be taken for
    /// a fingerprint.
    pub fn mac_for(&self, purpose: &[u8]) -> HmacSha256 {
        let derived = crate::mac::digest::<HmacSha256>(self.key.expose_secret(), purpose);
        crate::mac::keyed::<HmacSha256>(&derived)
    }

    /// Identifies the key without revealing it, so a database can tell when
    /// it is opened with a different key (every fingerprint would change).
    pub fn key_id(&self) -> String {
        self.hmac_hex(b"vpnsnap fingerprint key id")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn fingerprint_is_keyed_hmac_sha256_cut_to_16_hex() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog") (RFC 4231 style vector).
        let fingerprinter = PskFingerprinter::new(b"key");
        assert_eq!(
            fingerprinter.fingerprint("The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424"
        );
        assert_ne!(
            PskFingerprinter::new(b"other").fingerprint("secret"),
            fingerprinter.fingerprint("secret")
        );
    }

    #[test]
    fn key_file_is_created_once_with_owner_only_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = PskFingerprinter::key_file_for(&dir.path().join("x.db"));
        assert_eq!(path, dir.path().join("x.db.fingerprint-key"));
        let first = PskFingerprinter::from_key_file(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let second = PskFingerprinter::from_key_file(&path).unwrap();
        assert_eq!(first.fingerprint("psk"), second.fingerprint("psk"));
    }

    #[test]
    fn a_dangling_link_in_place_of_the_key_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vpnsnap.db.fingerprint-key");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &path).unwrap();
        let error = PskFingerprinter::from_key_file(&path).unwrap_err();
        let text = error.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("dangling symbolic link"), "{text}");
    }
}
