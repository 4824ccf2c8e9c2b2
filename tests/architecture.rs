//! The crate's layers, enforced: every `crate::` (and, in `main.rs`,
//! `vpnsnap::`) path in every file under `src/` must point at a module its
//! own top-level module may import, by the table below; no file may sit in
//! an import cycle with others; and no simulator may use a client's signer
//! (a simulator verifies requests with code written independently of the
//! client). A failure names the file and the import.
//!
//! The table is the one in the README's development section. A new
//! top-level module must be added to it, with what it may import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and the top-level modules it may import. Lower
/// layers first; every arrow points up this list (checked below).
const LAYERS: &[(&str, &[&str])] = &[
    // Ground: the model, time, HTTP plumbing, config-key reading.
    ("model", &[]),
    ("time", &[]),
    ("mac", &[]),
    ("http", &[]),
    ("keys", &[]),
    ("exit", &[]),
    ("shutdown", &["exit"]),
    ("fingerprint", &["mac"]),
    ("lock", &["time"]),
    // What each cloud's bodies look like and how they become the model.
    (
        "provider",
        &["model", "time", "mac", "http", "keys", "fingerprint"],
    ),
    // One source's pages assembled into a result.
    (
        "listing",
        &["provider", "model", "time", "http", "fingerprint"],
    ),
    // The history database.
    (
        "store",
        &["listing", "provider", "model", "time", "fingerprint"],
    ),
    // The catalogue of questions: reads the database alone.
    ("query", &["model", "time"]),
    // The config file, resolved once.
    ("config", &["provider", "keys", "fingerprint", "time"]),
    (
        "collector",
        &["provider", "listing", "http", "fingerprint", "time"],
    ),
    ("import", &["listing", "provider", "fingerprint", "time"]),
    ("metrics", &["store", "time", "exit"]),
    ("progress", &["provider", "collector"]),
    (
        "runner",
        &[
            "collector",
            "config",
            "store",
            "metrics",
            "progress",
            "lock",
            "fingerprint",
            "provider",
            "listing",
            "http",
            "time",
            "shutdown",
            "exit",
        ],
    ),
    // A run's summary as text or JSON.
    ("report", &["runner", "store", "exit"]),
    (
        "scheduler",
        &["runner", "config", "shutdown", "time", "exit"],
    ),
    // The simulated clouds (tests, demo, benchmarks).
    (
        "sim",
        &[
            "provider",
            "model",
            "time",
            "mac",
            "http",
            "fingerprint",
            "shutdown",
        ],
    ),
    ("demo", &["sim", "provider", "model", "time", "shutdown"]),
    ("cli", &["provider", "query", "time", "exit"]),
    // The subcommands, on top: they may use any layer below.
    (
        "cmd",
        &[
            "model",
            "time",
            "mac",
            "http",
            "keys",
            "exit",
            "shutdown",
            "fingerprint",
            "lock",
            "provider",
            "listing",
            "store",
            "query",
            "config",
            "collector",
            "import",
            "metrics",
            "progress",
            "runner",
            "report",
            "scheduler",
            "sim",
            "demo",
            "cli",
        ],
    ),
];

/// Paths no file under the first prefix may import: a simulator checks
/// signatures with its own code, never with the client's signer.
const FORBIDDEN: &[(&str, &str)] = &[
    ("sim", "provider::huaweicloud::sign"),
    ("sim", "provider::tencent::sign"),
    ("sim", "provider::tencent_legacy::sign"),
];

/// The modules `main.rs` (the binary) may import from the library.
const MAIN_MAY_IMPORT: &[&str] = &[
    "cli", "cmd", "exit", "config", "lock", "progress", "runner", "store", "query",
];

/// One source file: its module path (`["provider", "kind"]`) and the
/// crate paths it imports, each as segments from the crate root.
struct SourceFile {
    file: PathBuf,
    module: Vec<String>,
    imports: Vec<Vec<String>>,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// `src/provider/kind.rs` -> `provider::kind`; `mod.rs`, `lib.rs` and
/// `main.rs` name their folder (the root for the last two).
fn module_of(relative: &Path) -> Vec<String> {
    let mut segments: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        segments.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        segments.pop();
    }
    segments
}

/// The text without comments (doc comments included) or string literals,
/// so that only code is read.
fn code_of(text: &str) -> String {
    let mut code = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        code.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                code.push_str("\"\"");
            }
            _ => code.push(c),
        }
    }
    code
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Reads a path after a root (`crate::`), expanding `{...}` groups:
/// `provider::{self, kind::ProviderKind}` gives `provider` and
/// `provider::kind::ProviderKind`. Returns the paths and the bytes read.
fn read_tree(text: &str, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut path = prefix.to_vec();
    loop {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if at < bytes.len() && bytes[at] == b'{' {
            at += 1;
            loop {
                at += read_tree(&text[at..], &path, out);
                while at < bytes.len() && bytes[at].is_ascii_whitespace() {
                    at += 1;
                }
                match bytes.get(at) {
                    Some(b',') => at += 1,
                    Some(b'}') => {
                        at += 1;
                        return at;
                    }
                    _ => return at,
                }
                while at < bytes.len() && bytes[at].is_ascii_whitespace() {
                    at += 1;
                }
                if bytes.get(at) == Some(&b'}') {
                    return at + 1;
                }
            }
        }
        let start = at;
        while at < bytes.len() && is_ident(bytes[at] as char) {
            at += 1;
        }
        if at == start {
            // `*` or the end of the path.
            if bytes.get(at) == Some(&b'*') {
                at += 1;
            }
            out.push(path);
            return at;
        }
        let segment = &text[start..at];
        if segment != "self" {
            path.push(segment.to_string());
        }
        if text[at..].starts_with("::") {
            at += 2;
        } else {
            out.push(path);
            return at;
        }
    }
}

/// Every crate path the code names after `root::` (`crate` or, in the
/// binary, `vpnsnap`), and after `super::`, resolved from `module` and the
/// inline modules (`mod tests { ... }`) the path is written in.
fn imports_of(code: &str, module: &[String], roots: &[&str]) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    let mut depth = 0usize;
    // Inline modules open here: their names and the depth inside them.
    let mut inline: Vec<(String, usize)> = Vec::new();
    while at < bytes.len() {
        match bytes[at] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                while inline.last().is_some_and(|(_, inside)| *inside > depth) {
                    inline.pop();
                }
            }
            _ => {}
        }
        if at > 0 && is_ident(bytes[at - 1] as char) {
            at += 1;
            continue;
        }
        let rest = &code[at..];
        if let Some(root) = roots
            .iter()
            .find(|root| rest.starts_with(&format!("{root}::")))
        {
            at += root.len() + 2;
            at += read_tree(&code[at..], &[], &mut paths);
        } else if rest.starts_with("super::") {
            // Each `super` climbs one module from the one written in.
            let mut base = module.to_vec();
            base.extend(inline.iter().map(|(name, _)| name.clone()));
            while code[at..].starts_with("super::") {
                base.pop();
                at += "super::".len();
            }
            at += read_tree(&code[at..], &base, &mut paths);
        } else if let Some(after) = rest.strip_prefix("mod ") {
            let name: String = after
                .trim_start()
                .chars()
                .take_while(|c| is_ident(*c))
                .collect();
            let tail = after.trim_start()[name.len()..].trim_start();
            if !name.is_empty() && tail.starts_with('{') {
                inline.push((name, depth + 1));
            }
            at += 4;
        } else {
            at += 1;
        }
    }
    paths
}

fn source_files() -> Vec<SourceFile> {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files
        .into_iter()
        .map(|file| {
            let relative = file.strip_prefix(&root).expect("under src/").to_path_buf();
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
            let module = module_of(&relative);
            let roots: &[&str] = if relative == Path::new("main.rs") {
                &["vpnsnap"]
            } else {
                &["crate"]
            };
            let imports = imports_of(&code_of(&text), &module, roots);
            SourceFile {
                file: Path::new("src").join(relative),
                module,
                imports,
            }
        })
        .collect()
}

#[test]
fn the_layer_table_has_no_cycle_and_names_every_top_level_module() {
    let table: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    for (index, (module, allowed)) in LAYERS.iter().enumerate() {
        for lower in *allowed {
            let position = LAYERS.iter().position(|(name, _)| name == lower);
            assert!(
                position.is_some_and(|position| position < index),
                "the table lets {module} import {lower}, which is not listed above it"
            );
        }
    }
    let mut top_level = BTreeSet::new();
    for file in source_files() {
        if let Some(first) = file.module.first() {
            top_level.insert(first.clone());
        }
    }
    let missing: Vec<&String> = top_level
        .iter()
        .filter(|name| !table.contains_key(name.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "top-level modules missing from the layer table in tests/architecture.rs: {missing:?}"
    );
}

#[test]
fn every_import_points_down_the_layers() {
    let table: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for file in source_files() {
        let Some(own) = file.module.first().map(String::as_str) else {
            // lib.rs declares modules; main.rs is the binary.
            for import in &file.imports {
                let target = import.first().map(String::as_str).unwrap_or("");
                if file.file == Path::new("src/main.rs") && !MAIN_MAY_IMPORT.contains(&target) {
                    wrong.push(format!(
                        "{}: imports vpnsnap::{} (main may import {MAIN_MAY_IMPORT:?})",
                        file.file.display(),
                        import.join("::")
                    ));
                }
            }
            continue;
        };
        let allowed = table.get(own).copied().unwrap_or(&[]);
        for import in &file.imports {
            let Some(target) = import.first().map(String::as_str) else {
                continue;
            };
            if target != own && !allowed.contains(&target) {
                wrong.push(format!(
                    "{}: imports crate::{}, but {own} may import only {allowed:?}",
                    file.file.display(),
                    import.join("::")
                ));
            }
            let path = import.join("::");
            for (under, forbidden) in FORBIDDEN {
                if own == *under
                    && (path == *forbidden || path.starts_with(&format!("{forbidden}::")))
                {
                    wrong.push(format!(
                        "{}: imports crate::{path}; a simulator verifies with its own code",
                        file.file.display()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_file_is_in_an_import_cycle() {
    let files = source_files();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|file| file.module.clone()).collect();
    // Each import names the file of the longest module path it starts
    // with; a file's imports of its own ancestors (the re-exports of a
    // `mod.rs`) are not edges.
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let mut named: BTreeMap<(Vec<String>, Vec<String>), String> = BTreeMap::new();
    for file in &files {
        let targets = edges.entry(file.module.clone()).or_default();
        for import in &file.imports {
            let target = (0..=import.len())
                .rev()
                .map(|len| import[..len].to_vec())
                .find(|prefix| modules.contains(prefix));
            let Some(target) = target else { continue };
            if target.is_empty() || file.module.starts_with(&target) {
                continue;
            }
            targets.insert(target.clone());
            named
                .entry((file.module.clone(), target))
                .or_insert_with(|| import.join("::"));
        }
    }
    // Depth-first search for a back edge.
    let mut state: BTreeMap<Vec<String>, u8> = BTreeMap::new();
    let mut stack: Vec<Vec<String>> = Vec::new();
    let mut cycles = Vec::new();
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
        cycles: &mut Vec<Vec<Vec<String>>>,
    ) {
        state.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                0 => visit(next, edges, state, stack, cycles),
                1 => {
                    let from = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    cycles.push(cycle);
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.clone(), 2);
    }
    for node in edges.keys() {
        if state.get(node).copied().unwrap_or(0) == 0 {
            visit(node, &edges, &mut state, &mut stack, &mut cycles);
        }
    }
    let described: Vec<String> = cycles
        .iter()
        .map(|cycle| {
            cycle
                .windows(2)
                .map(|pair| {
                    format!(
                        "src/{}.rs imports crate::{}",
                        pair[0].join("/"),
                        named
                            .get(&(pair[0].clone(), pair[1].clone()))
                            .map_or("?", String::as_str)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    assert!(
        described.is_empty(),
        "import cycles among files:\n{}",
        described.join("\n")
    );
}

#[test]
fn the_reader_finds_grouped_nested_and_super_paths() {
    let module: Vec<String> = vec!["store".into(), "write".into()];
    let code = code_of(
        "use crate::provider::{self, kind::{ProviderKind, volatile_paths}, Page};\n\
         // use crate::config::Config;\n\
         use super::run::Writes;\n\
         let x = crate::time::Timestamp::now(); let s = \"crate::cmd\";\n\
         mod tests { use super::*; use super::super::diff; }\n",
    );
    let paths: Vec<String> = imports_of(&code, &module, &["crate"])
        .into_iter()
        .map(|path| path.join("::"))
        .collect();
    assert_eq!(
        paths,
        [
            "provider",
            "provider::kind::ProviderKind",
            "provider::kind::volatile_paths",
            "provider::Page",
            "store::run::Writes",
            "time::Timestamp::now",
            "store::write",
            "store::diff",
        ]
    );
}
