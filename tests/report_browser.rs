//! Issue 20's browser check: the demo's report loaded in headless
//! Chromium (or Chrome) for a screenshot, with JavaScript on and off, and
//! the PNG checked: written, 1280 x 2000 as asked, and far from blank.
//!
//! Skipped, with a message saying so, when no `chromium`,
//! `chromium-browser` or `google-chrome` is on the PATH (`.ci/run`
//! installs Debian's `chromium`).
//!
//! JavaScript off: Chromium 156's `--blink-settings=scriptEnabled=false`
//! makes headless `--screenshot` (and `--dump-dom`) write nothing and exit
//! 0, and `--disable-javascript` is not a switch (scripts still run). So
//! the page without scripts is the report with a Content-Security-Policy
//! of `script-src 'none'` put first in its head: the page's inline script
//! is refused, as with scripts turned off.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::vpnsnap;

const BROWSERS: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 2000;
/// A screenshot takes about 2 s here; one that takes this long hangs.
const DEADLINE: Duration = Duration::from_secs(30);
/// A blank page's screenshot of this size is 11,641 bytes here (one
/// colour compresses to almost nothing: measured with Chromium 156 on an
/// empty page); the demo's report measures ~290 KB with scripts and
/// without. 100 KB is 8.6 times the blank one and a third of the report,
/// and a blank page is not worth a third browser start (2.5 s here).
const NOT_BLANK: u64 = 100_000;

fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    BROWSERS.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Starts a headless screenshot of `page` into `png`, in a process group
/// of its own (killed whole if it hangs) and a profile of its own.
fn screenshot(browser: &Path, dir: &Path, page: &Path, png: &Path) -> Child {
    let name = png.file_stem().unwrap().to_string_lossy().into_owned();
    let mut command = Command::new(browser);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            // Without these it tries the network at every start, which a
            // closed machine refuses.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .arg(format!(
            "--user-data-dir={}",
            dir.join(format!("profile-{name}")).display()
        ))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command.spawn().unwrap()
}

/// Waits for the browser until the deadline; kills its process group then.
fn finish(mut child: Child, started: Instant, what: &str) {
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{what}: the browser exited with {status}");
            return;
        }
        if started.elapsed() > DEADLINE {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: no screenshot after {DEADLINE:?}; the browser was killed");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The PNG's size in bytes, after checking its signature and that its
/// IHDR (the first chunk, at byte 8) gives the window's width and height.
fn png_size(png: &Path) -> u64 {
    let bytes = std::fs::read(png)
        .unwrap_or_else(|error| panic!("{}: no screenshot ({error})", png.display()));
    assert!(bytes.len() > 24, "{}: {} bytes", png.display(), bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", png.display());
    assert_eq!(&bytes[12..16], b"IHDR", "{}", png.display());
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (WIDTH, HEIGHT), "{}", png.display());
    bytes.len() as u64
}

#[test]
fn the_demos_report_renders_in_a_headless_browser_with_and_without_scripts() {
    let Some(browser) = browser() else {
        eprintln!(
            "skipped: the browser check needs one of {} on the PATH (Debian: apt-get install chromium)",
            BROWSERS.join(", ")
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let output = vpnsnap(dir, &["--db", "demo.db", "demo", "--runs", "6"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let html = std::fs::read_to_string(dir.join("demo-report.html")).unwrap();
    let policy = r#"<head><meta http-equiv="Content-Security-Policy" content="script-src 'none'">"#;
    assert_eq!(html.matches("<head>").count(), 1);
    let pages = [
        ("scripts-on", html.clone()),
        ("scripts-off", html.replacen("<head>", policy, 1)),
    ];
    // Both at once: a browser's start is most of a screenshot's time.
    let started = Instant::now();
    let children: Vec<(&str, PathBuf, Child)> = pages
        .iter()
        .map(|(name, text)| {
            let page = dir.join(format!("{name}.html"));
            std::fs::write(&page, text).unwrap();
            let png = dir.join(format!("{name}.png"));
            let child = screenshot(&browser, dir, &page, &png);
            (*name, png, child)
        })
        .collect();
    let mut sizes = Vec::new();
    for (name, png, child) in children {
        finish(child, started, name);
        sizes.push((name, png_size(&png), png));
    }
    for (name, size, _) in &sizes {
        assert!(
            *size > NOT_BLANK,
            "{name}: {size} bytes, not above {NOT_BLANK}: the report did not render"
        );
    }
    // The script fills the filter bar: with it refused the page differs.
    let on = std::fs::read(&sizes[0].2).unwrap();
    let off = std::fs::read(&sizes[1].2).unwrap();
    assert_ne!(
        on, off,
        "the screenshots with and without scripts are the same"
    );
    eprintln!(
        "screenshots in {:.1?}: scripts on {} bytes, off {}",
        started.elapsed(),
        sizes[0].1,
        sizes[1].1
    );
}
