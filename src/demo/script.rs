//! The demo's scripted history: what changes in the simulated estates
//! before each run, so that a few runs hold every kind of event a
//! postmortem asks about (a tunnel down for two runs, then up; an IKE policy
//! edited in place; a Huawei customer gateway renamed in place; an algorithm change; a PSK rotation; a deletion; new
//! connections; one provider failing for one run).

use serde_json::{Value, json};

use super::Simulators;
use crate::sim::Fault;
use crate::sim::openstack::sample;

/// Requests of the legacy simulator that fail in the run where it is down:
/// more than the demo's retries can get through.
const FAILING_REQUESTS: u64 = 8;

/// Applies the changes scripted before run `run` (1-based; run 1 takes the
/// estate as it starts) and describes them, one line each. Runs after the
/// sixth change nothing.
pub fn before_run(sims: &Simulators, run: usize) -> Vec<String> {
    match run {
        2 => vec![
            set_huawei(sims, 0, |c| c["status"] = json!("DOWN"), "goes DOWN"),
            edit_shared_ikepolicy(sims),
        ],
        3 => vec![
            rename_huawei_peer(sims, 2, "branch-office-lyon"),
            set_tencent(
                sims,
                0,
                |c| c["PreShareKey"] = json!("rotated-psk-2026"),
                "gets a new pre-shared key",
            ),
            fail_legacy(sims),
        ],
        4 => {
            sims.tencent_legacy.faults().clear();
            vec![
                set_huawei(
                    sims,
                    0,
                    |c| c["status"] = json!("ACTIVE"),
                    "is ACTIVE again",
                ),
                set_huawei(
                    sims,
                    1,
                    |c| c["ikepolicy"]["encryption_algorithm"] = json!("aes-256"),
                    "moves its IKE encryption to aes-256",
                ),
                delete_openstack(sims, sample::CONNECTION_C),
            ]
        }
        5 => vec![
            add_huawei(sims),
            add_tencent(sims),
            set_openstack(sims, sample::CONNECTION_A, "DOWN"),
        ],
        6 => vec![
            set_openstack(sims, sample::CONNECTION_A, "ACTIVE"),
            set_legacy(
                sims,
                0,
                |c| c["netStatus"] = json!("unavailable"),
                "goes DOWN",
            ),
        ],
        _ => Vec::new(),
    }
}

fn label(connection: &Value, id_key: &str, name_key: &str) -> String {
    let text = |key: &str| connection.get(key).and_then(Value::as_str).unwrap_or("?");
    format!("{} ({})", text(name_key), text(id_key))
}

fn set_huawei(
    sims: &Simulators,
    index: usize,
    edit: impl FnOnce(&mut Value),
    what: &str,
) -> String {
    sims.huawei.with_estate(|estate| {
        let ids = estate.ids();
        match ids.get(index).and_then(|id| estate.get_mut(id)) {
            Some(connection) => {
                edit(connection);
                format!("huawei: {} {what}", label(connection, "id", "name"))
            }
            None => format!("huawei: no connection {index} to change"),
        }
    })
}

fn add_huawei(sims: &Simulators) -> String {
    sims.huawei.with_estate(|estate| {
        let Some(mut connection) = estate.ids().first().and_then(|id| estate.get(id)).cloned()
        else {
            return "huawei: nothing to copy a new connection from".to_string();
        };
        connection["id"] = json!("d3m0c0de-0000-4000-8000-000000000001");
        connection["name"] = json!("vpn-new-branch");
        connection["status"] = json!("ACTIVE");
        let line = format!("huawei: {} is created", label(&connection, "id", "name"));
        estate.insert(connection);
        line
    })
}

/// Renames in place the customer gateway connection `index` uses (with a
/// name and a certificate, the only edits the API allows it: a new address
/// is a new customer gateway), a change of every connection on it.
fn rename_huawei_peer(sims: &Simulators, index: usize, name: &str) -> String {
    sims.huawei.with_estate(|estate| {
        let Some(connection) = estate.connections.get(index) else {
            return format!("huawei: no connection {index} to change");
        };
        let line = format!(
            "huawei: the customer gateway of {} is renamed {name} (edited in place)",
            label(connection, "id", "name")
        );
        let cgw_id = connection["cgw_id"].as_str().unwrap_or("").to_string();
        match estate.customer_gateway_mut(&cgw_id) {
            Some(gateway) => {
                gateway["name"] = json!(name);
                gateway["updated_at"] = json!("2026-11-20T08:00:00Z");
                line
            }
            None => format!("huawei: no customer gateway {cgw_id} to change"),
        }
    })
}

fn set_tencent(
    sims: &Simulators,
    index: usize,
    edit: impl FnOnce(&mut Value),
    what: &str,
) -> String {
    sims.tencent
        .with_estate(|estate| match estate.connections.get_mut(index) {
            Some(connection) => {
                edit(connection);
                format!(
                    "tencent: {} {what}",
                    label(connection, "VpnConnectionId", "VpnConnectionName")
                )
            }
            None => format!("tencent: no connection {index} to change"),
        })
}

fn add_tencent(sims: &Simulators) -> String {
    sims.tencent.with_estate(|estate| {
        let Some(mut connection) = estate.connections.first().cloned() else {
            return "tencent: nothing to copy a new connection from".to_string();
        };
        connection["VpnConnectionId"] = json!("vpnx-demonew1");
        connection["VpnConnectionName"] = json!("partner-new");
        let line = format!(
            "tencent: {} is created",
            label(&connection, "VpnConnectionId", "VpnConnectionName")
        );
        estate.connections.push(connection);
        line
    })
}

fn set_legacy(
    sims: &Simulators,
    index: usize,
    edit: impl FnOnce(&mut Value),
    what: &str,
) -> String {
    sims.tencent_legacy
        .with_estate(|estate| match estate.connections.get_mut(index) {
            Some(connection) => {
                edit(connection);
                format!(
                    "tencent-legacy: {} {what}",
                    label(connection, "unVpnConnId", "vpnConnName")
                )
            }
            None => format!("tencent-legacy: no connection {index} to change"),
        })
}

fn fail_legacy(sims: &Simulators) -> String {
    let faults = sims.tencent_legacy.faults();
    let next = faults.request_count() + 1;
    for nth in next..next + FAILING_REQUESTS {
        faults.inject(nth, Fault::ServerError);
    }
    "tencent-legacy: the API answers 500 for this run".to_string()
}

fn edit_shared_ikepolicy(sims: &Simulators) -> String {
    sims.openstack.with_estate(|estate| {
        match estate.ikepolicy_mut(sample::SHARED_IKEPOLICY) {
            Some(policy) => {
                policy["lifetime"]["value"] = json!(14400);
                "openstack: the IKE policy shared by two connections is edited in place (lifetime 28800 s -> 14400 s)".to_string()
            }
            None => "openstack: no shared IKE policy to edit".to_string(),
        }
    })
}

fn delete_openstack(sims: &Simulators, id: &str) -> String {
    sims.openstack.with_estate(|estate| {
        if estate.remove_connection(id) {
            format!("openstack: connection {id} is deleted")
        } else {
            format!("openstack: no connection {id} to delete")
        }
    })
}

fn set_openstack(sims: &Simulators, id: &str, status: &str) -> String {
    sims.openstack
        .with_estate(|estate| match estate.connection_mut(id) {
            Some(connection) => {
                connection["status"] = json!(status);
                format!(
                    "openstack: {} goes {status}",
                    label(connection, "id", "name")
                )
            }
            None => format!("openstack: no connection {id} to change"),
        })
}
