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
    // Ground: the model, time, HTTP plumbing, config-key reading, exit codes.
    ("model", &[]),
    ("time", &[]),
    ("mac", &[]),
    ("http", &[]),
    ("keys", &[]),
    ("exit", &[]),
    ("color", &[]),
    ("shutdown", &["exit"]),
    ("fingerprint", &["mac", "keys"]),
    ("lock", &["time"]),
    // What each cloud's bodies look like and how they become the model.
    ("provider", &["model", "mac", "http", "keys", "fingerprint"]),
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
    // `vpnsnap report`'s page, drawn from the questions' answers.
    ("timeline", &["query", "model", "time"]),
    // The config file, resolved once.
    (
        "config",
        &["provider", "keys", "http", "listing", "fingerprint"],
    ),
    (
        "collector",
        &["provider", "listing", "http", "fingerprint", "time"],
    ),
    ("import", &["listing", "provider", "fingerprint", "time"]),
    ("metrics", &["store", "time", "exit"]),
    ("progress", &["provider"]),
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
    ("scheduler", &["shutdown", "time"]),
    // The simulated clouds (tests, demo, benchmarks).
    ("sim", &["provider", "mac", "http", "fingerprint"]),
    ("demo", &["sim"]),
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
            "timeline",
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

/// A provider's own folder and the providers' shared helpers: outside
/// `provider/`, only the config's tests name a kind's `settings`, and the
/// simulators a kind's wire constants (`ACTION`, `VERSION`). Everything
/// else goes through what `provider/mod.rs` exports.
const PROVIDER_INTERNALS: &[&str] = &[
    "huaweicloud",
    "openstack",
    "tencent",
    "tencent_legacy",
    "tencent_shared",
    "offset_paging",
    "body",
    "fields",
    "vocabulary",
];

fn provider_internal_allowed(own: &str, path: &[String]) -> bool {
    let settings = path.get(2).map(String::as_str) == Some("settings");
    let constant = path.len() == 3
        && path[2]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    (own == "config" && settings) || (own == "sim" && constant)
}

/// The modules `main.rs` (the binary) may import from the library.
const MAIN_MAY_IMPORT: &[&str] = &[
    "cli", "cmd", "exit", "config", "lock", "progress", "runner", "store", "time", "color",
];

/// One source file: its module path (`["provider", "kind"]`) and the
/// crate paths it imports, each as segments from the crate root.
struct SourceFile {
    file: PathBuf,
    module: Vec<String>,
    imports: Vec<Vec<String>>,
    /// What its `pub use` lines make nameable here, and what each stands for.
    reexports: Vec<(Vec<String>, Vec<String>)>,
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

/// The text without comments (line, block and doc comments), string
/// literals (raw ones included) or char literals, so that only code is
/// read; every line keeps its number.
fn code_of(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        let next = chars.get(at + 1).copied();
        let previous_is_ident = at > 0 && is_ident(chars[at - 1]);
        let start = at;
        if c == '/' && next == Some('/') {
            while at < chars.len() && chars[at] != '\n' {
                at += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while at < chars.len() {
                if chars[at] == '/' && chars.get(at + 1) == Some(&'*') {
                    depth += 1;
                    at += 2;
                } else if chars[at] == '*' && chars.get(at + 1) == Some(&'/') {
                    depth -= 1;
                    at += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    at += 1;
                }
            }
            code.push(' ');
            keep_lines(&chars[start..at.min(chars.len())], &mut code);
        } else if c == 'r' && !previous_is_ident && matches!(next, Some('"' | '#')) {
            // A raw string: r"...", r#"..."#, ...
            let mut hashes = 0;
            let mut scan = at + 1;
            while chars.get(scan) == Some(&'#') {
                hashes += 1;
                scan += 1;
            }
            if chars.get(scan) != Some(&'"') {
                code.push(c);
                at += 1;
                continue;
            }
            scan += 1;
            loop {
                match chars.get(scan) {
                    None => break,
                    Some('"') if (1..=hashes).all(|n| chars.get(scan + n) == Some(&'#')) => {
                        scan += 1 + hashes;
                        break;
                    }
                    Some(_) => scan += 1,
                }
            }
            code.push_str("\"\"");
            at = scan;
            keep_lines(&chars[start..at.min(chars.len())], &mut code);
        } else if c == '"' {
            at += 1;
            while at < chars.len() && chars[at] != '"' {
                at += if chars[at] == '\\' { 2 } else { 1 };
            }
            at += 1;
            code.push_str("\"\"");
            keep_lines(&chars[start..at.min(chars.len())], &mut code);
        } else if c == '\'' && next == Some('\\') {
            // '\n', '\'', '\u{..}'
            at += 2;
            while at < chars.len() && chars[at] != '\'' {
                at += 1;
            }
            at += 1;
            code.push_str("' '");
        } else if c == '\'' && chars.get(at + 2) == Some(&'\'') {
            at += 3;
            code.push_str("' '");
        } else {
            // A lifetime's quote, or code.
            code.push(c);
            at += 1;
        }
    }
    code
}

/// The line breaks of a skipped span, so that lines keep their numbers.
fn keep_lines(skipped: &[char], code: &mut String) {
    code.extend(skipped.iter().filter(|c| **c == '\n'));
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A path read from code, and the name it is brought in as (`as`).
type Named = (Vec<String>, Option<String>);

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

/// Reads a path after a root (`crate::`), expanding `{...}` groups and
/// `as` renames: `provider::{self, kind::ProviderKind as Kind}` gives
/// `provider` and `provider::kind::ProviderKind` (as `Kind`). A glob
/// (`*`) ends its path with `*`. Returns the bytes read.
fn read_tree(text: &str, prefix: &[String], out: &mut Vec<Named>) -> usize {
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut path = prefix.to_vec();
    loop {
        at = skip_space(bytes, at);
        if bytes.get(at) == Some(&b'{') {
            at += 1;
            loop {
                at = skip_space(bytes, at);
                if bytes.get(at) == Some(&b'}') {
                    return at + 1;
                }
                at += read_tree(&text[at..], &path, out);
                at = skip_space(bytes, at);
                match bytes.get(at) {
                    Some(b',') => at += 1,
                    Some(b'}') => return at + 1,
                    _ => return at,
                }
            }
        }
        let start = at;
        while at < bytes.len() && is_ident(bytes[at] as char) {
            at += 1;
        }
        if at == start {
            if bytes.get(at) == Some(&b'*') {
                at += 1;
                path.push("*".to_string());
            }
            out.push((path, None));
            return at;
        }
        let segment = &text[start..at];
        if segment != "self" {
            path.push(segment.to_string());
        }
        if text[at..].starts_with("::") {
            at += 2;
            continue;
        }
        // `as name`
        let after = skip_space(bytes, at);
        let mut alias = None;
        if text[after..].starts_with("as ") {
            let from = skip_space(bytes, after + 3);
            let mut end = from;
            while end < bytes.len() && is_ident(bytes[end] as char) {
                end += 1;
            }
            alias = Some(text[from..end].to_string());
            at = end;
        }
        out.push((path, alias));
        return at;
    }
}

/// What one file's code names: the crate paths it uses, and the items it
/// re-exports (`pub use`), each as the path it may be named by and the
/// path it stands for.
#[derive(Default)]
struct Names {
    imports: Vec<Vec<String>>,
    reexports: Vec<(Vec<String>, Vec<String>)>,
}

/// Every crate path the code names after `root::` (`crate` or, in the
/// binary, `vpnsnap`), after `super::` and, in `use`, after `self::` or a
/// child module's name, resolved from `module` and the inline modules
/// (`mod tests { ... }`) the path is written in.
fn names_of(code: &str, module: &[String], roots: &[&str]) -> Names {
    let mut names = Names::default();
    let bytes = code.as_bytes();
    let mut at = 0;
    let mut depth = 0usize;
    // Inline modules open here: their names and the depth inside them.
    let mut inline: Vec<(String, usize)> = Vec::new();
    // Where the current statement began, to tell `pub use` from `use`.
    let mut statement = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'{' | b'}' | b';' => {
                match bytes[at] {
                    b'{' => depth += 1,
                    b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                while inline.last().is_some_and(|(_, inside)| *inside > depth) {
                    inline.pop();
                }
                statement = at + 1;
            }
            _ => {}
        }
        if at > 0 && is_ident(bytes[at - 1] as char) {
            at += 1;
            continue;
        }
        let here: Vec<String> = module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(name, _)| name.clone()))
            .collect();
        let rest = &code[at..];
        if rest.starts_with("use ") || rest.starts_with("use\n") {
            let public = code[statement..at].trim_start().starts_with("pub");
            at += 3;
            let mut read = Vec::new();
            at += read_tree(&code[at..], &[], &mut read);
            for (path, alias) in read {
                let Some(first) = path.first().map(String::as_str) else {
                    continue;
                };
                let resolved: Option<Vec<String>> = if roots.contains(&first) {
                    Some(path[1..].to_vec())
                } else if first == "super" {
                    let mut base = here.clone();
                    let mut rest = &path[..];
                    while rest.first().map(String::as_str) == Some("super") {
                        base.pop();
                        rest = &rest[1..];
                    }
                    base.extend(rest.iter().cloned());
                    Some(base)
                } else if first == "crate" {
                    // `use crate as ...` or a path in the binary.
                    Some(vec![format!(
                        "crate as {}",
                        alias.clone().unwrap_or_default()
                    )])
                } else {
                    // A child module's item (or another crate's).
                    let mut base = here.clone();
                    base.extend(path.iter().cloned());
                    if !public {
                        continue;
                    }
                    Some(base)
                };
                let Some(resolved) = resolved else { continue };
                if public && resolved.last().map(String::as_str) != Some("*") {
                    let name = alias
                        .clone()
                        .or_else(|| resolved.last().cloned())
                        .unwrap_or_default();
                    let mut named = here.clone();
                    named.push(name);
                    names.reexports.push((named, resolved.clone()));
                }
                let is_child = !roots.contains(&first) && first != "super" && first != "crate";
                if !is_child {
                    names.imports.push(resolved);
                }
            }
        } else if let Some(root) = roots
            .iter()
            .find(|root| rest.starts_with(&format!("{root}::")))
        {
            at += root.len() + 2;
            let mut read = Vec::new();
            at += read_tree(&code[at..], &[], &mut read);
            names.imports.extend(read.into_iter().map(|(path, _)| path));
        } else if rest.starts_with("super::") {
            // Each `super` climbs one module from the one written in.
            let mut base = here;
            while code[at..].starts_with("super::") {
                base.pop();
                at += "super::".len();
            }
            let mut read = Vec::new();
            at += read_tree(&code[at..], &base, &mut read);
            names.imports.extend(read.into_iter().map(|(path, _)| path));
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
    names
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
            let names = names_of(&code_of(&text), &module, roots);
            SourceFile {
                file: Path::new("src").join(relative),
                module,
                imports: names.imports,
                reexports: names.reexports,
            }
        })
        .collect()
}

/// Follows re-exports: a path through a module's `pub use` becomes the
/// path of what it stands for, so that `crate::provider::Normalized`
/// names `provider/page.rs`, not the `mod.rs` that re-exports it.
fn through_reexports(
    path: &[String],
    reexports: &BTreeMap<Vec<String>, Vec<String>>,
) -> Vec<String> {
    let mut path = path.to_vec();
    // Bounded: a re-export of a re-export, a few deep at most.
    for _ in 0..8 {
        let hit = (1..=path.len())
            .rev()
            .find_map(|len| reexports.get(&path[..len]).map(|target| (len, target)));
        match hit {
            Some((len, target)) if target[..] != path[..len] => {
                let mut resolved = target.clone();
                resolved.extend(path[len..].iter().cloned());
                path = resolved;
            }
            _ => break,
        }
    }
    path
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
            if target == "provider"
                && own != "provider"
                && import
                    .get(1)
                    .is_some_and(|inner| PROVIDER_INTERNALS.contains(&inner.as_str()))
                && !provider_internal_allowed(own, import)
            {
                wrong.push(format!(
                    "{}: imports crate::{}, a provider's internals; use what provider/mod.rs exports",
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
    let modules: BTreeMap<Vec<String>, &Path> = files
        .iter()
        .map(|file| (file.module.clone(), file.file.as_path()))
        .collect();
    let reexports: BTreeMap<Vec<String>, Vec<String>> = files
        .iter()
        .flat_map(|file| file.reexports.iter().cloned())
        .collect();
    // Each import, followed through re-exports to what it stands for,
    // names the file of the longest module path it starts with. A file's
    // imports of its own ancestors (items a `mod.rs` defines) are not
    // edges: a parent declares its children and may call them.
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let mut named: BTreeMap<(Vec<String>, Vec<String>), String> = BTreeMap::new();
    for file in &files {
        let targets = edges.entry(file.module.clone()).or_default();
        for import in &file.imports {
            let resolved = through_reexports(import, &reexports);
            let target = (0..=resolved.len())
                .rev()
                .map(|len| resolved[..len].to_vec())
                .find(|prefix| modules.contains_key(prefix));
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
                        "{} imports crate::{}",
                        modules
                            .get(&pair[0])
                            .map_or(Path::new("?"), |file| file)
                            .display(),
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
fn the_reader_finds_grouped_nested_super_and_reexported_paths() {
    let module: Vec<String> = vec!["store".into(), "write".into()];
    let code = code_of(
        "use crate::provider::{self, kind::{ProviderKind, volatile_paths}, Page};\n\
         // use crate::config::Config;\n\
         /* use crate::cmd; */ let c = '\"'; let d = '{'; let r = r#\"crate::x \"# ;\n\
         use super::run::Writes;\n\
         pub use summary::{Outcome as Kind, RunSummary};\n\
         let x = crate::time::Timestamp::now(); let s = \"crate::cmd\";\n\
         mod tests { use super::*; use super::super::diff; }\n\
         use crate::*;\n",
    );
    let names = names_of(&code, &module, &["crate"]);
    let paths: Vec<String> = names.imports.iter().map(|path| path.join("::")).collect();
    assert_eq!(
        paths,
        [
            "provider",
            "provider::kind::ProviderKind",
            "provider::kind::volatile_paths",
            "provider::Page",
            "store::run::Writes",
            "time::Timestamp::now",
            "store::write::*",
            "store::diff",
            "*",
        ]
    );
    let reexports: Vec<(String, String)> = names
        .reexports
        .iter()
        .map(|(name, target)| (name.join("::"), target.join("::")))
        .collect();
    assert_eq!(
        reexports,
        [
            (
                "store::write::Kind".to_string(),
                "store::write::summary::Outcome".to_string()
            ),
            (
                "store::write::RunSummary".to_string(),
                "store::write::summary::RunSummary".to_string()
            ),
        ]
    );
    let table = names.reexports.into_iter().collect();
    let through = |path: &str| {
        let path: Vec<String> = path.split("::").map(str::to_string).collect();
        through_reexports(&path, &table).join("::")
    };
    assert_eq!(
        through("store::write::Kind::ALL"),
        "store::write::summary::Outcome::ALL"
    );
    assert_eq!(through("store::write::other"), "store::write::other");
}

#[test]
fn only_the_shared_client_sends_requests_and_reads_bodies() {
    // reqwest's own calls, which would skip the redirect refusal and the
    // body cap of http::Client::send.
    const RAW: [&str; 7] = [
        ".send().await",
        ".bytes().await",
        ".text().await",
        ".chunk().await",
        ".json().await",
        "reqwest::Client::new",
        "reqwest::Client::builder",
    ];
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&root).expect("under src/").to_path_buf();
        // The client itself, and the simulators (the servers' side; their
        // own tests may poke them with plain requests).
        if relative.starts_with("http") || relative.starts_with("sim") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a source file");
        let code: String = code_of(&text).split_whitespace().collect();
        for call in RAW {
            if code.contains(call) {
                wrong.push(format!("src/{}: {call}", relative.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "requests sent or bodies read outside http::Client::send:\n{}",
        wrong.join("\n")
    );
}

/// `code` with every item under `#[cfg(test)]` blanked (its lines kept):
/// what the library and the binary are built from.
fn without_test_items(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let marker: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut out = String::with_capacity(code.len());
    let mut at = 0;
    while at < chars.len() {
        if !chars[at..].starts_with(&marker) {
            out.push(chars[at]);
            at += 1;
            continue;
        }
        // The item ends at a `;` outside brackets, or with its braces.
        let start = at;
        at += marker.len();
        let mut depth = 0i32;
        while at < chars.len() {
            match chars[at] {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                ';' if depth == 0 => {
                    at += 1;
                    break;
                }
                '{' if depth == 0 => {
                    let mut braces = 0;
                    while at < chars.len() {
                        match chars[at] {
                            '{' => braces += 1,
                            '}' => braces -= 1,
                            _ => {}
                        }
                        at += 1;
                        if braces == 0 {
                            break;
                        }
                    }
                    break;
                }
                _ => {}
            }
            at += 1;
        }
        out.extend(
            chars[start..at.min(chars.len())]
                .iter()
                .filter(|c| **c == '\n'),
        );
    }
    out
}

/// The files only tests build: `tests.rs` and `*_tests.rs`, modules
/// declared `#[cfg(test)] mod name;`, and everything under them.
fn test_only_files(root: &Path, files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut test_only = BTreeSet::new();
    for file in files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name == "tests.rs" || name.ends_with("_tests.rs") {
            test_only.insert(file.clone());
        }
        let text = std::fs::read_to_string(file).expect("a source file");
        let code = code_of(&text);
        // Where this file's child modules live.
        let folder = if matches!(name.as_str(), "mod.rs" | "lib.rs" | "main.rs") {
            file.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            file.with_extension("")
        };
        let words: Vec<&str> = code.split_whitespace().collect();
        for window in words.windows(3) {
            if window[0] == "#[cfg(test)]" && window[1] == "mod" && window[2].ends_with(';') {
                let child = window[2].trim_end_matches(';');
                test_only.insert(folder.join(format!("{child}.rs")));
                test_only.insert(folder.join(child));
            }
        }
    }
    files
        .iter()
        .filter(|file| {
            test_only
                .iter()
                .any(|test| *file == test || file.starts_with(test))
        })
        .filter(|file| file.starts_with(root))
        .cloned()
        .collect()
}

#[test]
fn no_unwrap_or_expect_outside_tests() {
    // What comes over the wire, from a file or from the user never
    // panics: an error names it instead. Tests may unwrap.
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let test_only = test_only_files(&root, &files);
    let mut found = Vec::new();
    for file in files.iter().filter(|file| !test_only.contains(*file)) {
        let text = std::fs::read_to_string(file).expect("a source file");
        let code = without_test_items(&code_of(&text));
        for (number, line) in code.lines().enumerate() {
            if line.contains(".unwrap()") || line.contains(".expect(") {
                found.push(format!(
                    "{}:{}: {}",
                    file.strip_prefix(&root).unwrap_or(file).display(),
                    number + 1,
                    text.lines().nth(number).unwrap_or("").trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "unwrap/expect outside tests (return an error naming what failed):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_unwrap_check_sees_through_test_items_only() {
    let code = code_of(
        "fn a() { x.unwrap(); }\n#[cfg(test)]\nmod tests {\n    fn b() { y.unwrap(); }\n}\n\
         #[cfg(test)]\nconst N: [u8; 2] = [0; 2];\nfn c() { z.expect(\"no\"); }\n",
    );
    let kept = without_test_items(&code);
    let lines: Vec<&str> = kept.lines().collect();
    assert_eq!(lines.len(), 8);
    assert!(lines[0].contains("x.unwrap()"));
    assert!(!kept.contains("y.unwrap()"));
    assert!(!kept.contains("const N"));
    assert!(lines[7].contains("z.expect("));
}
