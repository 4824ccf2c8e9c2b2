//! Rebuild when a migration or a named query is added: refinery's `embed_migrations!`
//! and `include_str!` over `queries/` do not notice new files on their own.
//!
//! Also writes `$OUT_DIR/queries.rs`: the list of `queries/*.sql` as
//! `(name, include_str!(path))`, so a new question is one new file.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=queries");
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(manifest.join("queries"))
        .expect("the queries/ directory is readable")
        .map(|entry| entry.expect("a queries/ entry is readable").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "sql"))
        .collect();
    files.sort();
    let mut list = String::from("&[\n");
    for path in &files {
        let name = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("query file names are UTF-8");
        let path = path.to_str().expect("query paths are UTF-8");
        writeln!(list, "    ({name:?}, include_str!({path:?})),").expect("writing to a String");
    }
    list.push(']');
    std::fs::write(out.join("queries.rs"), list).expect("$OUT_DIR/queries.rs is writable");
}
