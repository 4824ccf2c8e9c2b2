//! TLS end to end (issue 16, item 3), through `vpnsnap collect` and the
//! shared HTTP client: the Huawei simulator behind a TLS front on
//! 127.0.0.1 whose certificate (for the IP address 127.0.0.1) a CA made by
//! the test signed (rcgen; nothing is checked in). With `ca_file` naming
//! that CA the source is collected; with the built-in roots alone it fails
//! naming the certificate problem; `tls_roots = "system"` trusts the
//! operating system's store, which `SSL_CERT_FILE` stands in for here. A
//! refused certificate is class `tls`, not retried, and its error names
//! the keys that fix it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use vpnsnap::sim::huaweicloud::{
    DEMO_ACCESS_KEY, DEMO_PROJECT_ID, DEMO_SECRET_KEY, HuaweiSim, HuaweiSimConfig, generate_estate,
};

use crate::support::*;

/// A test CA and a server certificate it signed for 127.0.0.1.
struct Pki {
    ca_pem: String,
    certificate: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

fn pki() -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name
        .push(DnType::CommonName, "vpnsnap TLS test CA");
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let mut server = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    server
        .distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    let key = KeyPair::generate().unwrap();
    let certificate = server.signed_by(&key, &ca).unwrap();
    Pki {
        ca_pem: ca.pem(),
        certificate: certificate.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    }
}

/// Accepts TLS on 127.0.0.1 with `pki`'s certificate and passes the
/// plain bytes to and from `backend`, on a thread of its own for the rest
/// of the test binary's life; returns the address it listens on and the
/// count of connections it accepted. With `garble_first`, the first
/// connection gets a record of garbage right after its handshake (as a
/// record damaged on the wire would arrive), and is closed.
fn tls_front(backend: SocketAddr, pki: &Pki, garble_first: bool) -> (SocketAddr, Arc<AtomicUsize>) {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![pki.certificate.clone()],
            PrivateKeyDer::Pkcs8(pki.key.clone_key()),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    std::thread::spawn(move || {
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that refuses the certificate ends here.
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    if garble_first && first {
                        use tokio::io::AsyncWriteExt;
                        // An application-data record the client cannot decrypt.
                        let mut record = vec![0x17, 0x03, 0x03, 0x00, 0x40];
                        record.extend([0x41; 0x40]);
                        let _ = tls.get_mut().0.write_all(&record).await;
                        return;
                    }
                    if let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                    }
                });
            }
        });
    });
    (address, accepted)
}

/// A Huawei simulator of 4 connections behind a TLS front, and `pki`'s CA
/// written to `dir/ca.pem`: the simulator (kept alive) and the
/// `https://127.0.0.1:PORT` endpoint, and the count of connections
/// the front accepted.
fn serve(dir: &Path, pki: &Pki) -> (HuaweiSim, String, Arc<AtomicUsize>) {
    serve_garbling(dir, pki, false)
}

/// [`serve`], the front garbling its first connection if `garble_first`.
fn serve_garbling(
    dir: &Path,
    pki: &Pki,
    garble_first: bool,
) -> (HuaweiSim, String, Arc<AtomicUsize>) {
    let sim = HuaweiSim::start(HuaweiSimConfig {
        estate: generate_estate(4, 42),
        ..HuaweiSimConfig::default()
    })
    .unwrap();
    let backend: SocketAddr = sim.url().trim_start_matches("http://").parse().unwrap();
    let (front, accepted) = tls_front(backend, pki, garble_first);
    std::fs::write(dir.join("ca.pem"), &pki.ca_pem).unwrap();
    (sim, format!("https://{front}"), accepted)
}

/// `vpnsnap collect` of one source at `endpoint` with the TLS keys `tls`;
/// `ssl_cert_file` set in its environment if given. The source's outcome,
/// error class and error.
fn collect(dir: &Path, endpoint: &str, tls: &str, ssl_cert_file: Option<&Path>) -> [Value; 3] {
    // Retries allowed: a refused certificate must not use them.
    let config = format!(
        "max_retries = 2\n[[source]]\nname = \"hw-tls\"\nkind = \"huaweicloud\"\nregion = \"ap-southeast-1\"\n\
         endpoint = \"{endpoint}\"\nproject_id = \"{DEMO_PROJECT_ID}\"\n\
         access_key = \"{DEMO_ACCESS_KEY}\"\nsecret_key = {{ env = \"HW_SK\" }}\n{tls}"
    );
    std::fs::write(dir.join("vpnsnap.toml"), config).unwrap();
    let mut env = vec![("HW_SK", DEMO_SECRET_KEY.to_string())];
    if let Some(file) = ssl_cert_file {
        env.push(("SSL_CERT_FILE", file.display().to_string()));
    }
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let output = vpnsnap_with_env(dir, &["collect", "--format", "json"], &env);
    let summary: Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|_| panic!("{}\n{}", output.stdout, output.stderr));
    let source = &summary["sources"][0];
    [
        source["outcome"].clone(),
        source["error_class"].clone(),
        source["error"].clone(),
    ]
}

fn ok() -> [Value; 3] {
    [Value::from("ok"), Value::Null, Value::Null]
}

/// The failure of a source whose server's certificate no trusted root
/// signed.
fn unknown_issuer(endpoint: &str) -> [Value; 3] {
    [
        Value::from("failed"),
        Value::from("tls"),
        Value::from(format!(
            "TLS handshake refused: {endpoint}/v5/{DEMO_PROJECT_ID}/vpn-gateways: invalid peer \
             certificate: UnknownIssuer (a server certificate of a private CA needs the \
             source's ca_file, or tls_roots = \"system\" where the operating system trusts \
             that CA)"
        )),
    ]
}

#[test]
fn ca_file_is_trusted_and_the_built_in_roots_alone_refuse_a_private_ca() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let (_sim, endpoint, accepted) = serve(dir.path(), &pki);
    let ca_file = dir.path().join("ca.pem");
    let with_ca = format!("ca_file = \"{}\"\n", ca_file.display());
    assert_eq!(collect(dir.path(), &endpoint, &with_ca, None), ok());
    // The same server without ca_file: verification is on, the source
    // fails naming the certificate problem (and deletes nothing), after
    // one connection: trying again could not change the certificate.
    let before = accepted.load(Ordering::SeqCst);
    assert_eq!(
        collect(dir.path(), &endpoint, "", None),
        unknown_issuer(&endpoint)
    );
    assert_eq!(accepted.load(Ordering::SeqCst) - before, 1);
    let store = vpnsnap::store::Store::open(&dir.path().join("vpnsnap.db")).unwrap();
    assert_eq!(
        rows(&store, "SELECT count(*) FROM current_connections"),
        [["4"]]
    );
}

#[test]
fn tls_roots_system_trusts_the_operating_systems_store_beside_the_built_in_roots() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let (_sim, endpoint, _) = serve(dir.path(), &pki);
    // SSL_CERT_FILE replaces the platform's store for rustls-native-certs:
    // here the store holds the test CA alone.
    let store = dir.path().join("ca.pem");
    let system = "tls_roots = \"system\"\n";
    assert_eq!(collect(dir.path(), &endpoint, system, Some(&store)), ok());
    // The built-in roots never read the operating system's store.
    assert_eq!(
        collect(
            dir.path(),
            &endpoint,
            "tls_roots = \"builtin\"\n",
            Some(&store)
        ),
        unknown_issuer(&endpoint)
    );
    // A store without the test CA (another CA, tests/fixtures/tls) trusts
    // nothing more.
    let other = fixture("tls/ca.pem");
    assert_eq!(
        collect(dir.path(), &endpoint, system, Some(&other)),
        unknown_issuer(&endpoint)
    );
}

/// A TLS error on an established connection (a record that does not
/// decrypt) is a lost connection, retried like one; only a refused
/// handshake is final.
#[test]
fn a_tls_error_after_the_handshake_is_retried() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let (_sim, endpoint, accepted) = serve_garbling(dir.path(), &pki, true);
    let with_ca = format!("ca_file = \"{}\"\n", dir.path().join("ca.pem").display());
    assert_eq!(collect(dir.path(), &endpoint, &with_ca, None), ok());
    assert!(accepted.load(Ordering::SeqCst) >= 2);
}
