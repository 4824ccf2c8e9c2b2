//! The page: header, legend, the timeline (axis, collector health per
//! source, a `<details>` group of bands per source), the tables, inline CSS
//! and a little inline JavaScript (a filter, expand/collapse, a time
//! readout). Without JavaScript everything is shown and every tooltip
//! still works.

use std::collections::HashMap;
use std::fmt::{self, Write};

use super::Request;
use super::data::{Data, Millis, RunMark};
use super::scale::Axis;
use super::svg::{self, ROW_HEIGHT};
use super::tables;
use super::text::{duration, escape, short_time, time};
use crate::model::Status;

/// Width of the picture, in pixels (one pixel column per aggregation step).
pub const WIDTH: usize = 960;

const CSS: &str = "\
body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:1.5rem;color:#111;background:#fff}\
h1{font-size:1.4rem;margin:0 0 .5rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}\
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:0}dt{color:#555}dd{margin:0}\
svg.defs{position:absolute;width:0;height:0;overflow:hidden}\
.row{display:flex;align-items:center;min-height:22px}.row:target{background:#ffe9a8}\
.label{flex:none;width:16rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding-right:.5rem}\
svg.band,svg.health{background:#eee;flex:none}svg.health{background:#f7f7f7}\
svg.axis text{font-size:11px;text-anchor:middle;fill:#333}svg.axis line{stroke:#333}\
.st-active{fill:#009E73}.st-down{fill:#D55E00}.st-pending{fill:#F0E442}\
.st-error{fill:#CC79A7}.st-frozen{fill:#56B4E9}.st-unknown{fill:#999}\
.run-ok{fill:#0072B2}.run-failed{fill:#000}\
.mk-policy{fill:#000;stroke:#fff;stroke-width:1}.mk-psk{fill:#fff;stroke:#000;stroke-width:1.5}\
.mk-other{fill:#444;stroke:#fff;stroke-width:.5}.ev{fill:#000;stroke:#000;stroke-width:1.5}\
details.group{margin:.3rem 0}summary{cursor:pointer;font-weight:600}\
.legend{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;margin:.8rem 0}.legend span{display:inline-flex;align-items:center;gap:.3rem}\
table{border-collapse:collapse;margin:.3rem 0}th,td{border-bottom:1px solid #ddd;padding:.2rem .6rem;text-align:left;vertical-align:top}\
th{background:#f3f3f3}.id{color:#666;font-size:.85em}.more{color:#555}\
#tools{margin:.5rem 0;display:flex;gap:.8rem;align-items:center}#readout{font-family:monospace;color:#333}\
";

const SCRIPT: &str = r#"(function(){
var tools=document.getElementById('tools');
tools.innerHTML='<label>Filter connections <input id="filter" type="search" placeholder="name, id or source"></label>'+
'<button type="button" id="expand">Expand all</button><button type="button" id="collapse">Collapse all</button><span id="readout"></span>';
var rows=document.querySelectorAll('.conn');
document.getElementById('filter').addEventListener('input',function(e){
var q=e.target.value.toLowerCase();
rows.forEach(function(r){r.hidden=q!==''&&r.getAttribute('data-key').indexOf(q)<0;});});
function all(open){document.querySelectorAll('details.group').forEach(function(d){d.open=open;});}
document.getElementById('expand').addEventListener('click',function(){all(true);});
document.getElementById('collapse').addEventListener('click',function(){all(false);});
var b=document.body,start=+b.getAttribute('data-start'),end=+b.getAttribute('data-end'),width=+b.getAttribute('data-width');
var readout=document.getElementById('readout');
document.querySelectorAll('svg.band,svg.health').forEach(function(s){
s.addEventListener('mousemove',function(e){var r=s.getBoundingClientRect();
var t=start+(e.clientX-r.left)/width*(end-start);var l=s.parentNode.querySelector('.label');
readout.textContent=new Date(t).toISOString().replace('T',' ').replace(/\.\d+Z$/,' UTC')+'  '+(l?l.textContent:'');});});
function reveal(){var t=location.hash&&document.getElementById(location.hash.slice(1));
if(t){var d=t.closest('details');if(d){d.open=true;t.scrollIntoView();}}}
window.addEventListener('hashchange',reveal);reveal();
})();"#;

/// The whole page.
pub fn page(data: &Data, request: &Request) -> Result<String, fmt::Error> {
    let since = request.since.datetime().timestamp_millis();
    let until = request.until.datetime().timestamp_millis();
    let axis = Axis::new(since, until, WIDTH);
    let mut out = String::with_capacity(64 * 1024 + data.bands.len() * 700);
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>vpnsnap report: {} to {}</title><style>{CSS}</style></head>\n\
         <body data-start=\"{}\" data-end=\"{}\" data-width=\"{WIDTH}\">\n",
        short_time(axis.start),
        short_time(axis.end),
        axis.start,
        axis.end
    )?;
    svg::defs(&mut out)?;
    header(&mut out, data, request, &axis)?;
    legend(&mut out)?;
    out.write_str("<div id=\"tools\"></div>\n<section id=\"timeline\">")?;
    write!(out, r#"<div class="row"><span class="label"></span>"#)?;
    svg::axis(&mut out, &axis)?;
    out.write_str("</div>\n<h2>Collector runs per source</h2>\n")?;
    let mut runs: HashMap<&str, Vec<&RunMark>> = HashMap::new();
    for run in &data.runs {
        runs.entry(run.source.as_str()).or_default().push(run);
    }
    let sources = sources(data);
    for source in &sources {
        let of_source = runs.get(source).map(Vec::as_slice).unwrap_or_default();
        let failed = of_source.iter().filter(|run| run.error.is_some()).count();
        write!(
            out,
            r#"<div class="row"><span class="label" title="{} runs, {} failed">{}</span>"#,
            of_source.len(),
            failed,
            escape(source)
        )?;
        svg::health(&mut out, &axis, of_source)?;
        out.write_str("</div>\n")?;
    }
    out.write_str("<h2>Connections</h2>\n")?;
    for source in &sources {
        let known_until = known_until(
            runs.get(source).map(Vec::as_slice).unwrap_or_default(),
            since,
        );
        let bands: Vec<(usize, &super::data::Band)> = data
            .bands
            .iter()
            .enumerate()
            .filter(|(_, band)| band.source == *source)
            .collect();
        if bands.is_empty() {
            continue;
        }
        writeln!(
            out,
            "<details class=\"group\" open><summary>{} ({} connections)</summary>",
            escape(source),
            bands.len()
        )?;
        for (index, band) in bands {
            let label = band.name.as_deref().unwrap_or(&band.connection_id);
            let key = format!("{} {} {}", label, band.connection_id, band.source).to_lowercase();
            write!(
                out,
                r##"<div class="row conn" id="c-{index}" data-key="{}"><a class="label" href="#c-{index}" title="{} / {}">{}</a>"##,
                escape(&key),
                escape(&band.source),
                escape(&band.connection_id),
                escape(label)
            )?;
            svg::band(&mut out, &axis, band, data, known_until)?;
            out.write_str("</div>\n")?;
        }
        out.write_str("</details>\n")?;
    }
    out.write_str("</section>\n")?;
    tables::tables(&mut out, data, &time(axis.start), &time(axis.end))?;
    write!(
        out,
        "\n<footer><p>Bands are drawn per pixel column of {}: a column shows the most severe status \
         the connection had during it. Tables show at most {} rows each.</p></footer>\n\
         <script>{SCRIPT}</script>\n</body></html>\n",
        duration(((axis.end - axis.start) / WIDTH as Millis / 1000).max(0)),
        tables::MAX_ROWS
    )?;
    Ok(out)
}

/// The sources shown: those with runs or bands, sorted.
fn sources(data: &Data) -> Vec<&str> {
    let mut sources: Vec<&str> = data
        .runs
        .iter()
        .map(|run| run.source.as_str())
        .chain(data.bands.iter().map(|band| band.source.as_str()))
        .collect();
    sources.sort_unstable();
    sources.dedup();
    sources
}

/// Until when a source's latest versions are known to hold: its last
/// complete listing in the window (the window's start when it has none).
fn known_until(runs: &[&RunMark], since: Millis) -> Millis {
    runs.iter()
        .filter(|run| run.error.is_none())
        .map(|run| run.at)
        .max()
        .unwrap_or(since)
}

fn header(out: &mut String, data: &Data, request: &Request, axis: &Axis) -> fmt::Result {
    let failed = data.runs.iter().filter(|run| run.error.is_some()).count();
    write!(
        out,
        "<header><h1>VPN connections, {} to {}</h1><dl class=\"meta\">\
         <dt>Window</dt><dd>{} to {} ({})</dd>\
         <dt>Database</dt><dd>{}</dd>\
         <dt>Generated</dt><dd><time class=\"generated\">{}</time></dd>\
         <dt>vpnsnap</dt><dd>{}</dd>",
        short_time(axis.start),
        short_time(axis.end),
        time(axis.start),
        time(axis.end),
        duration((axis.end - axis.start) / 1000),
        escape(&request.database),
        time(request.generated_at.datetime().timestamp_millis()),
        env!("CARGO_PKG_VERSION")
    )?;
    if !request.sources.is_empty() || !request.connections.is_empty() {
        let chosen: Vec<String> = request
            .sources
            .iter()
            .map(|source| format!("--source {source}"))
            .chain(
                request
                    .connections
                    .iter()
                    .map(|c| format!("--connection {c}")),
            )
            .collect();
        write!(
            out,
            "<dt>Selection</dt><dd>{}</dd>",
            escape(&chosen.join(" "))
        )?;
    }
    writeln!(
        out,
        "</dl><p>{} connections in {} sources; {} runs ({} failed); {} outages; {} changes; \
         {} weak-crypto findings at the window's end.</p></header>",
        data.bands.len(),
        sources(data).len(),
        data.runs.len(),
        failed,
        data.outages.len(),
        data.changes.len(),
        data.weak.len()
    )
}

fn legend(out: &mut String) -> fmt::Result {
    out.write_str(r#"<div class="legend" id="legend">"#)?;
    let swatch = |out: &mut String, inner: &str, label: &str| {
        write!(
            out,
            r#"<span><svg width="18" height="{ROW_HEIGHT}" viewBox="0 0 18 {ROW_HEIGHT}" aria-hidden="true">{inner}</svg>{label}</span>"#
        )
    };
    for status in Status::ALL {
        let class = status.as_str().to_ascii_lowercase();
        swatch(
            out,
            &format!(r#"<rect class="st-{class}" x="0" y="4" width="18" height="12"/>"#),
            status.as_str(),
        )?;
    }
    let items = [
        (
            r##"<rect x="0" y="4" width="18" height="12" fill="#eee"/>"##,
            "absent or not known",
        ),
        (
            r#"<rect class="st-active" x="0" y="4" width="18" height="12"/><rect x="0" y="2" width="18" height="16" fill="url(#hatch)"/>"#,
            "outage began or ended somewhere in here",
        ),
        (
            r##"<use class="mk mk-policy" href="#mk-policy" x="9" y="10"/>"##,
            "IKE/IPsec/DPD policy change",
        ),
        (
            r##"<use class="mk mk-psk" href="#mk-psk" x="9" y="10"/>"##,
            "PSK rotated",
        ),
        (
            r##"<use class="mk mk-other" href="#mk-other" x="9" y="10"/>"##,
            "other field changed",
        ),
        (
            r##"<use class="ev" href="#mk-created" x="4" y="0"/>"##,
            "created",
        ),
        (
            r##"<use class="ev" href="#mk-recreated" x="4" y="0"/>"##,
            "recreated",
        ),
        (
            r##"<use class="ev" href="#mk-deleted" x="9" y="0"/>"##,
            "deleted",
        ),
        (
            r#"<rect class="run-ok" x="8" y="8" width="1" height="8"/>"#,
            "complete listing",
        ),
        (
            r#"<rect class="run-failed" x="7" y="1" width="3" height="18"/>"#,
            "failed listing",
        ),
    ];
    for (inner, label) in items {
        swatch(out, inner, label)?;
    }
    out.write_str("</div>\n")
}
