//! `vpnsnap sql`: one ad-hoc statement on a read-only connection; writes,
//! ATTACH and state-changing PRAGMAs are refused (see `query::QueryDb`).

use anyhow::Result;

use super::query::{database, print, usage};
use crate::cli::{Cli, SqlArgs};
use crate::query::{self, QueryDb};

pub fn run(cli: &Cli, args: &SqlArgs) -> Result<()> {
    let database = database(cli)?;
    let db = QueryDb::open(&database).map_err(usage)?;
    let table = query::run_sql(&db, &args.sql).map_err(usage)?;
    print(&table, args.format)
}
