//! The pictures, as inline SVG: the shared definitions (hatching, marker
//! shapes), the time axis, a source's collector-health strip and a
//! connection's status band with its uncertainty, event and change
//! markers. Every tooltip is a `<title>`, so it shows without JavaScript.

use std::collections::BTreeMap;
use std::fmt::{self, Write};

use super::data::{Band, Change, Data, Millis, RunMark};
use super::scale::{self, Axis};
use super::text::{duration, escape, short_time};

/// Height of a band and of a health strip.
pub const ROW_HEIGHT: usize = 20;

/// Markers closer than this many pixels are drawn as one.
const MARKER_BUCKET: usize = 4;

/// Lines in a merged marker's tooltip before "and N more".
const TOOLTIP_LINES: usize = 6;

/// The hatch pattern and marker shapes the other pictures refer to: an
/// SVG of no size (not `display: none`, which would hide its patterns).
pub fn defs(out: &mut String) -> fmt::Result {
    out.write_str(concat!(
        r##"<svg class="defs" width="0" height="0" aria-hidden="true"><defs>"##,
        r##"<pattern id="hatch" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">"##,
        r##"<rect width="5" height="5" fill="#fff" fill-opacity="0.55"/><rect width="2" height="5" fill="#000"/></pattern>"##,
        r##"<path id="mk-policy" d="M0,-5L4,0L0,5L-4,0Z"/>"##,
        r##"<path id="mk-psk" d="M-3.5,-3.5h7v7h-7Z"/>"##,
        r##"<path id="mk-other" d="M-1,-6h2v12h-2Z"/>"##,
        r##"<path id="mk-created" d="M0,0V20M0,0l6,3.5l-6,3.5Z"/>"##,
        r##"<path id="mk-recreated" d="M0,0V20M0,0l6,3.5l-6,3.5ZM0,20l6,-3.5l-6,-3.5Z"/>"##,
        r##"<path id="mk-deleted" d="M0,0V20M-4,1l8,8M4,1l-8,8"/>"##,
        "</defs></svg>\n"
    ))
}

/// The time axis above the bands.
pub fn axis(out: &mut String, axis: &Axis) -> fmt::Result {
    let width = axis.width;
    write!(
        out,
        r#"<svg class="axis" width="{width}" height="24" viewBox="0 0 {width} 24" aria-hidden="true">"#
    )?;
    for (at, label) in scale::ticks(axis, 8) {
        let x = axis.x(at);
        // A label at either end would be cut in half.
        if x < 40.0 || x > (width as f64 - 40.0) {
            continue;
        }
        write!(
            out,
            r#"<line x1="{x:.1}" x2="{x:.1}" y1="16" y2="24"/><text x="{x:.1}" y="12">{}</text>"#,
            escape(&label)
        )?;
    }
    out.write_str("</svg>")
}

/// One source's collector runs: a short tick per complete listing, a tall
/// hatched bar per failed one with its error in the tooltip.
pub fn health(out: &mut String, axis: &Axis, runs: &[&RunMark]) -> fmt::Result {
    let width = axis.width;
    write!(
        out,
        r#"<svg class="health" width="{width}" height="{ROW_HEIGHT}" viewBox="0 0 {width} {ROW_HEIGHT}">"#
    )?;
    let mut columns: Vec<Vec<&RunMark>> = vec![Vec::new(); width];
    for run in runs.iter().filter(|run| axis.contains(run.at)) {
        let (first, _) = axis.columns(run.at, run.at + 1);
        columns[first].push(run);
    }
    for (x, column) in columns.iter().enumerate() {
        let failed: Vec<&&RunMark> = column.iter().filter(|run| run.error.is_some()).collect();
        if failed.is_empty() {
            if !column.is_empty() {
                write!(
                    out,
                    r#"<rect class="run-ok" x="{x}" y="8" width="1" height="8"/>"#
                )?;
            }
            continue;
        }
        let lines: Vec<String> = failed
            .iter()
            .map(|run| {
                format!(
                    "FAILED {}: {}",
                    short_time(run.at),
                    run.error.as_deref().unwrap_or("failed")
                )
            })
            .collect();
        write!(
            out,
            r#"<rect class="run-failed" x="{}" y="1" width="3" height="18"><title>{}</title></rect>"#,
            x.min(width.saturating_sub(3)),
            escape(&tooltip(&lines))
        )?;
    }
    out.write_str("</svg>")
}

/// What kind of marker a field's change gets; `None` for the status, which
/// the band's colour already shows.
pub fn marker_kind(field: &str) -> Option<&'static str> {
    if field == "status" || field == "provider_status" {
        None
    } else if field.starts_with("ike.") || field.starts_with("ipsec.") || field.starts_with("dpd.")
    {
        Some("policy")
    } else if field == "psk_fingerprint" {
        Some("psk")
    } else {
        Some("other")
    }
}

/// A connection's band: its statuses per pixel column, hatching where an
/// outage's start or end is uncertain, then event and change markers.
pub fn band(
    out: &mut String,
    axis: &Axis,
    band: &Band,
    data: &Data,
    known_until: Millis,
) -> fmt::Result {
    let width = axis.width;
    write!(
        out,
        r#"<svg class="band" width="{width}" height="{ROW_HEIGHT}" viewBox="0 0 {width} {ROW_HEIGHT}">"#
    )?;
    for span in scale::spans(axis, &band.segments, known_until) {
        let class = span.status.as_str().to_ascii_lowercase();
        write!(
            out,
            r#"<rect class="st-{class}" x="{}" y="4" width="{}" height="12">"#,
            span.x0,
            span.x1 - span.x0
        )?;
        if span.status != crate::model::Status::Active {
            write!(
                out,
                "<title>{}: {} to {}</title>",
                span.status,
                short_time(axis.time(span.x0 as f64)),
                short_time(axis.time(span.x1 as f64))
            )?;
        }
        out.write_str("</rect>")?;
    }
    uncertainty(out, axis, band, data)?;
    for event in band.events.iter().filter(|event| axis.contains(event.at)) {
        write!(
            out,
            r##"<use class="ev" href="#mk-{}" x="{:.1}" y="0"><title>{} {}</title></use>"##,
            escape(&event.event),
            axis.x(event.at),
            escape(&event.event),
            short_time(event.at)
        )?;
    }
    changes(out, axis, band, &data.changes)?;
    out.write_str("</svg>")
}

/// Hatching over the time an outage began (between the last observation in
/// another status and the first DOWN one) and ended (between the last DOWN
/// observation and the first one back), as `outages` bounds them.
fn uncertainty(out: &mut String, axis: &Axis, band: &Band, data: &Data) -> fmt::Result {
    let mut ranges: Vec<(usize, usize, usize)> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for &index in &band.outages {
        let Some(outage) = data.outages.get(index) else {
            continue;
        };
        let bounds = match (outage.min_seconds, outage.max_seconds) {
            (Some(min), Some(max)) => format!("down for {} to {}", duration(min), duration(max)),
            (Some(min), None) => format!("down for at least {}", duration(min)),
            _ => String::new(),
        };
        let mut add = |from: Millis, to: Millis, what: String| {
            let (first, last) = axis.columns(from, to);
            if first < last {
                ranges.push((first, last, notes.len()));
                notes.push(what);
            }
        };
        if let Some(last_up) = outage.last_up {
            add(
                last_up,
                outage.down,
                format!(
                    "went DOWN between {} and {}; {bounds}",
                    short_time(last_up),
                    short_time(outage.down)
                ),
            );
        }
        if let (Some(last_down), Some(up)) = (outage.last_down, outage.up) {
            add(
                last_down,
                up,
                format!(
                    "came back between {} and {}; {bounds}",
                    short_time(last_down),
                    short_time(up)
                ),
            );
        }
    }
    for (x0, x1, covered) in scale::merge_ranges(ranges) {
        let lines: Vec<String> = covered
            .iter()
            .filter_map(|index| notes.get(*index).cloned())
            .collect();
        write!(
            out,
            r#"<rect class="unc" x="{x0}" y="2" width="{}" height="16" fill="url(#hatch)"><title>{}</title></rect>"#,
            x1 - x0,
            escape(&tooltip(&lines))
        )?;
    }
    Ok(())
}

/// Change markers, one per kind and few pixels; the tooltip names each
/// field's old and new value and when the change was observed.
fn changes(out: &mut String, axis: &Axis, band: &Band, changes: &[Change]) -> fmt::Result {
    // By pixel bucket, then kind: the order they are drawn in.
    let mut groups: BTreeMap<(usize, &'static str), (Millis, Vec<String>)> = BTreeMap::new();
    for change in band.changes.iter().filter_map(|index| changes.get(*index)) {
        let Some(field) = &change.field else { continue };
        let Some(kind) = marker_kind(field) else {
            continue;
        };
        if !axis.contains(change.at) {
            continue;
        }
        let bucket = axis.x(change.at) as usize / MARKER_BUCKET;
        let line = format!(
            "{field}: {} → {} (observed {}{})",
            change.old.as_deref().unwrap_or("none"),
            change.new.as_deref().unwrap_or("none"),
            short_time(change.at),
            change
                .previous
                .map(|previous| format!(", changed after {}", short_time(previous)))
                .unwrap_or_default()
        );
        groups
            .entry((bucket, kind))
            .or_insert_with(|| (change.at, Vec::new()))
            .1
            .push(line);
    }
    for ((_, kind), (at, lines)) in groups {
        write!(
            out,
            r##"<use class="mk mk-{kind}" href="#mk-{kind}" x="{:.1}" y="10"><title>{}</title></use>"##,
            axis.x(at),
            escape(&tooltip(&lines))
        )?;
    }
    Ok(())
}

/// Tooltip text: the lines, the first few of many and how many more.
fn tooltip(lines: &[String]) -> String {
    let mut text = lines
        .iter()
        .take(TOOLTIP_LINES)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    if lines.len() > TOOLTIP_LINES {
        let _ = write!(text, "\n… and {} more", lines.len() - TOOLTIP_LINES);
    }
    text
}
