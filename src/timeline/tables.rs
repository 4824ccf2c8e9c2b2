//! The tables below the picture: outages in the window with their bounds,
//! every change, and the weak crypto live at the window's end. Each row
//! links to its connection's band.

use std::collections::HashMap;
use std::fmt::{self, Write};

use super::data::Data;
use super::text::{duration, escape, short_time};

/// Rows a table shows at most; the rest are counted, and `vpnsnap query`
/// lists them all.
pub const MAX_ROWS: usize = 2_000;

/// The three tables.
pub fn tables(out: &mut String, data: &Data, since: &str, until: &str) -> fmt::Result {
    let index = data.band_index();
    outages(out, data, &index, since, until)?;
    changes(out, data, &index, since, until)?;
    weak(out, data, &index, until)
}

type Index<'a> = HashMap<(&'a str, &'a str), usize>;

/// A connection's cell: its name linking to its band, and its id.
fn connection(
    out: &mut String,
    index: &Index<'_>,
    source: &str,
    connection_id: &str,
    name: Option<&str>,
) -> fmt::Result {
    let label = escape(name.unwrap_or(connection_id));
    match index.get(&(source, connection_id)) {
        Some(band) => write!(out, r##"<td><a href="#c-{band}">{label}</a>"##)?,
        None => write!(out, "<td>{label}")?,
    }
    write!(
        out,
        r#" <span class="id">{} / {}</span></td>"#,
        escape(source),
        escape(connection_id)
    )
}

fn truncated(out: &mut String, total: usize, command: &str) -> fmt::Result {
    if total > MAX_ROWS {
        write!(
            out,
            r#"<p class="more">{} more rows not shown; <code>{}</code> lists them all.</p>"#,
            total - MAX_ROWS,
            escape(command)
        )?;
    }
    Ok(())
}

fn outages(
    out: &mut String,
    data: &Data,
    index: &Index<'_>,
    since: &str,
    until: &str,
) -> fmt::Result {
    write!(
        out,
        r#"<section id="outages"><h2>Outages in the window ({})</h2>"#,
        data.outages.len()
    )?;
    if data.outages.is_empty() {
        return out.write_str("<p>None.</p></section>");
    }
    out.write_str(
        "<table><thead><tr><th>connection</th><th>went DOWN between</th><th>came back between</th>\
         <th>down for (min to max)</th></tr></thead><tbody>",
    )?;
    for outage in data.outages.iter().take(MAX_ROWS) {
        out.write_str(r#"<tr class="outage">"#)?;
        connection(
            out,
            index,
            &outage.source,
            &outage.connection_id,
            outage.name.as_deref(),
        )?;
        let went = match outage.last_up {
            Some(last_up) => format!("{} and {}", short_time(last_up), short_time(outage.down)),
            None => format!("created DOWN at {}", short_time(outage.down)),
        };
        let back = match (&outage.up, outage.ended_by.as_deref(), outage.last_down) {
            (Some(up), _, Some(last_down)) => {
                format!("{} and {}", short_time(last_down), short_time(*up))
            }
            (Some(up), _, None) => format!("by {}", short_time(*up)),
            (None, Some("deleted"), _) => "deleted while DOWN".to_string(),
            (None, _, _) => "still DOWN".to_string(),
        };
        let length = match (outage.min_seconds, outage.max_seconds) {
            (Some(min), Some(max)) => format!("{} to {}", duration(min), duration(max)),
            (Some(min), None) => format!("at least {}", duration(min)),
            (None, _) => "unknown".to_string(),
        };
        write!(
            out,
            "<td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&went),
            escape(&back),
            escape(&length)
        )?;
    }
    out.write_str("</tbody></table>")?;
    truncated(
        out,
        data.outages.len(),
        &format!("vpnsnap query outages --since {since} --until {until}"),
    )?;
    out.write_str("</section>")
}

fn changes(
    out: &mut String,
    data: &Data,
    index: &Index<'_>,
    since: &str,
    until: &str,
) -> fmt::Result {
    write!(
        out,
        r#"<section id="changes"><h2>Changes in the window ({})</h2>"#,
        data.changes.len()
    )?;
    if data.changes.is_empty() {
        return out.write_str("<p>None.</p></section>");
    }
    out.write_str(
        "<table><thead><tr><th>observed</th><th>changed after</th><th>connection</th>\
         <th>what</th><th>old → new</th></tr></thead><tbody>",
    )?;
    for change in data.changes.iter().take(MAX_ROWS) {
        write!(
            out,
            r#"<tr class="change"><td>{}</td><td>{}</td>"#,
            short_time(change.at),
            change.previous.map(short_time).unwrap_or_default()
        )?;
        connection(
            out,
            index,
            &change.source,
            &change.connection_id,
            change.name.as_deref(),
        )?;
        match &change.field {
            Some(field) => write!(
                out,
                "<td>{}</td><td>{} → {}</td></tr>",
                escape(field),
                escape(change.old.as_deref().unwrap_or("none")),
                escape(change.new.as_deref().unwrap_or("none"))
            )?,
            None => write!(out, "<td>{}</td><td></td></tr>", escape(&change.event))?,
        }
    }
    out.write_str("</tbody></table>")?;
    truncated(
        out,
        data.changes.len(),
        &format!("vpnsnap query changes --since {since} --until {until}"),
    )?;
    out.write_str("</section>")
}

fn weak(out: &mut String, data: &Data, index: &Index<'_>, until: &str) -> fmt::Result {
    write!(
        out,
        r#"<section id="weak"><h2>Weak crypto live at the window's end ({})</h2>"#,
        data.weak.len()
    )?;
    if data.weak.is_empty() {
        return out.write_str("<p>None.</p></section>");
    }
    out.write_str(
        "<table><thead><tr><th>connection</th><th>weakness</th><th>since</th></tr></thead><tbody>",
    )?;
    for weak in data.weak.iter().take(MAX_ROWS) {
        out.write_str(r#"<tr class="weak">"#)?;
        connection(
            out,
            index,
            &weak.source,
            &weak.connection_id,
            weak.name.as_deref(),
        )?;
        write!(
            out,
            "<td>{}</td><td>{}</td></tr>",
            escape(&weak.weakness),
            weak.since.map(short_time).unwrap_or_default()
        )?;
    }
    out.write_str("</tbody></table>")?;
    truncated(
        out,
        data.weak.len(),
        &format!("vpnsnap query weak-crypto --at {until}"),
    )?;
    out.write_str("</section>")
}
