//! The collection runtime through the binary: `vpnsnap collect` and
//! `vpnsnap run` against simulated OpenStack clouds: exit codes, failed
//! sources that delete nothing, the per-source deadline, retries, the
//! cross-process lock, signals, the scheduler, the metrics file and the JSON
//! summary, and no secret in any output. This file holds the shared helpers:
//! configs, running the binary in the background, and secret checks.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use vpnsnap::sim::openstack::{DEMO_PASSWORD, OpenStackSim, OpenStackSimConfig};

use crate::support::Output;

mod collect;
mod lock;
mod operators;
mod schedule;
mod times;

/// The variable the sources' passwords are read from.
const PASSWORD_ENV: &str = "VPNSNAP_TEST_RT_PASSWORD";
/// A second one, so that one source's password can be wrong.
const OTHER_PASSWORD_ENV: &str = "VPNSNAP_TEST_RT_OTHER_PASSWORD";
/// What a process is given for [`OTHER_PASSWORD_ENV`] to fail its login.
const WRONG_PASSWORD: &str = "not-the-Passw0rd";
/// The longest a test waits for something that should take a second or two;
/// reaching it fails the test instead of hanging it.
const GUARD: Duration = Duration::from_secs(30);

fn sim() -> OpenStackSim {
    OpenStackSim::start(OpenStackSimConfig::default()).unwrap()
}

/// A `[[source]]` logging in to `sim` with the password in `password_env`.
fn source(name: &str, sim: &OpenStackSim, password_env: &str) -> String {
    format!(
        "[[source]]\nname = \"{name}\"\nkind = \"openstack\"\nregion = \"RegionOne\"\n\
         auth_url = \"{}\"\nusername = \"demo\"\npassword = {{ env = \"{password_env}\" }}\n\
         project_name = \"demo\"\n",
        sim.auth_url()
    )
}

/// Writes `vpnsnap.toml` in `dir`: the top-level keys `top`, then `sources`.
fn write_config(dir: &Path, top: &str, sources: &[String]) {
    std::fs::write(
        dir.join("vpnsnap.toml"),
        format!("{top}\n{}", sources.join("\n")),
    )
    .unwrap();
}

/// A simulator, and a temporary folder whose `vpnsnap.toml` has no
/// top-level keys and one source per `(name, password_env)`, logging in to it.
fn configured(sources: &[(&str, &str)]) -> (OpenStackSim, tempfile::TempDir) {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let sources: Vec<String> = sources
        .iter()
        .map(|(name, password_env)| source(name, &sim, password_env))
        .collect();
    write_config(dir.path(), "", &sources);
    (sim, dir)
}

/// The environment every run gets: the right password, and `other` for
/// [`OTHER_PASSWORD_ENV`].
fn env(other: &str) -> [(&'static str, String); 2] {
    [
        (PASSWORD_ENV, DEMO_PASSWORD.to_string()),
        (OTHER_PASSWORD_ENV, other.to_string()),
    ]
}

/// Runs the binary in `dir` to the end, with both passwords right.
fn vpnsnap(dir: &Path, args: &[&str]) -> Output {
    vpnsnap_other(dir, args, DEMO_PASSWORD)
}

/// Runs the binary in `dir` to the end; `other` is given for
/// [`OTHER_PASSWORD_ENV`].
fn vpnsnap_other(dir: &Path, args: &[&str], other: &str) -> Output {
    let env = env(other);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let output = crate::support::vpnsnap_with_env(dir, args, &env);
    assert_no_secrets(&output);
    output
}

/// A `vpnsnap` process running in the background; its stdout and stderr
/// are read as they come.
struct Running {
    child: Child,
    stdout: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
    stderr: Arc<Mutex<String>>,
}

impl Running {
    fn start(dir: &Path, args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vpnsnap"))
            .args(args)
            .current_dir(dir)
            .env_remove("VPNSNAP_CONFIG")
            .env_remove("RUST_LOG")
            .envs(env(DEMO_PASSWORD))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let readers = vec![
            read_into(child.stdout.take().unwrap(), Arc::clone(&stdout)),
            read_into(child.stderr.take().unwrap(), Arc::clone(&stderr)),
        ];
        Running {
            child,
            stdout,
            readers,
            stderr,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What it has printed on stdout so far.
    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    fn has_exited(&mut self) -> bool {
        self.child.try_wait().unwrap().is_some()
    }

    /// Sends SIGTERM, as systemd or `kill` would.
    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -TERM {} failed", self.pid());
    }

    /// Waits for the process to exit (killing it and failing the test if
    /// it outlives [`GUARD`]) and returns its output, checked for secrets.
    fn finish(mut self) -> Output {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > GUARD {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "vpnsnap (pid {}) still running after {GUARD:?}; stderr:\n{}",
                    self.pid(),
                    self.stderr.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        let output = Output {
            code: status.code().unwrap_or(-1),
            stdout: self.stdout.lock().unwrap().clone(),
            stderr: self.stderr.lock().unwrap().clone(),
        };
        assert_no_secrets(&output);
        output
    }
}

fn read_into(mut from: impl Read + Send + 'static, into: Arc<Mutex<String>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(read) = from.read(&mut buffer) {
            if read == 0 {
                break;
            }
            into.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buffer[..read]));
        }
    })
}

/// Polls `condition` until it holds; fails the test after [`GUARD`].
fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < GUARD, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Neither the passwords, nor a Keystone token (the simulator's start with
/// `gAAAAA`), nor a PSK (the sample's are `psk-of-<name>`) was printed.
fn assert_no_secrets(output: &Output) {
    for secret in [DEMO_PASSWORD, WRONG_PASSWORD, "gAAAAA", "psk-of-"] {
        for (stream, text) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            assert!(
                !text.contains(secret),
                "{stream} holds the secret {secret:?}:\n{text}"
            );
        }
    }
}

/// The message of a failed run, for assertions.
fn describe(output: &Output) -> String {
    format!(
        "exit {}\nstdout:\n{}\nstderr:\n{}",
        output.code, output.stdout, output.stderr
    )
}
