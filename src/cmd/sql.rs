//! `vpnsnap sql`: one ad-hoc statement on a read-only connection; writes,
//! ATTACH and state-changing PRAGMAs are refused (see `query::QueryDb`).

use anyhow::Result;

use super::{database_to_read, print_rows, query_error};
use crate::cli::{Cli, SqlArgs};
use crate::query::{self, QueryDb};

pub fn run(cli: &Cli, args: &SqlArgs) -> Result<()> {
    let database = database_to_read(cli)?;
    let db = QueryDb::open(&database).map_err(query_error)?;
    let rows = query::bind_sql(&db, &args.sql).map_err(query_error)?;
    print_rows(rows, args.format)
}
