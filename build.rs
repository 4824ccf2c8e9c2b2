//! Rebuild when a migration or a named query is added: refinery's `embed_migrations!`
//! and `include_str!` over `queries/` do not notice new files on their own.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=queries");
}
