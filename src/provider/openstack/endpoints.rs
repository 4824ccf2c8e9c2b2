//! A connection's local and peer subnets as CIDRs, from the endpoint groups
//! (or the legacy vpnservice `subnet_id`) it references.
//!
//! An endpoint group is read by its `type`: `cidr` endpoints are CIDRs as
//! they are; `subnet` endpoints (what VPNaaS requires of a local group) are
//! Neutron subnet ids, each resolved to the `cidr` of the subnet collected
//! with the listing ([`RelatedKind::Subnet`]). A side is all CIDRs or
//! absent: when one of its subnets was not collected (deleted meanwhile, or
//! an import without the subnets body), or the group's type holds no CIDRs
//! (`router`, `network`, ...), the field is left out of the model with a
//! warning, and the endpoints stay in the unmapped remainder. Ids are never
//! stored as CIDRs.

use serde_json::{Map, Value, json};

use crate::provider::fields::{Fields, json_type_name};
use crate::provider::{Related, RelatedKind};

/// Resolves subnet ids against the collected subnets, and remembers the
/// `{id, cidr}` of each one resolved (for the connection's `related`).
pub(super) struct Subnets<'a> {
    related: &'a Related,
    /// Resolved subnets, each once, in order of first use.
    resolved: Vec<Value>,
}

impl<'a> Subnets<'a> {
    pub(super) fn new(related: &'a Related) -> Subnets<'a> {
        Subnets {
            related,
            resolved: Vec::new(),
        }
    }

    /// The CIDRs of the endpoint group at `role` in `referenced` (e.g.
    /// `local_ep_group`), which feeds the model field `feeds`; `None`, with
    /// a warning, when they cannot all be known.
    pub(super) fn group(
        &mut self,
        referenced: &mut Fields,
        role: &str,
        feeds: &str,
    ) -> Option<Vec<String>> {
        let type_key = format!("{role}.type");
        let endpoints_key = format!("{role}.endpoints");
        let group_type = referenced
            .peek(&type_key)
            .and_then(Value::as_str)
            .map(|text| text.trim().to_ascii_lowercase());
        match group_type.as_deref() {
            Some("cidr") => referenced.strings(&endpoints_key),
            Some("subnet") => {
                let Some(ids) = string_array(referenced.peek(&endpoints_key)) else {
                    if let Some(found) = referenced.peek(&endpoints_key).map(json_type_name) {
                        referenced.warn(
                            &endpoints_key,
                            &format!(
                                "expected a list of subnet ids (strings), found {found}; {feeds} \
                                 left out of the model"
                            ),
                        );
                    }
                    return None;
                };
                let cidrs = self.resolve(referenced, &endpoints_key, &ids, feeds)?;
                referenced.take(&endpoints_key);
                Some(cidrs)
            }
            Some(other) => {
                referenced.warn(
                    &type_key,
                    &format!(
                        "an endpoint group of type {other:?} holds no CIDRs; {feeds} left out of \
                         the model"
                    ),
                );
                None
            }
            None => {
                referenced.warn(
                    &type_key,
                    &format!(
                        "the endpoint group has no type, so its endpoints may be CIDRs or subnet \
                         ids; {feeds} left out of the model"
                    ),
                );
                None
            }
        }
    }

    /// The CIDR of the vpnservice's `subnet_id` (the local side of a
    /// connection made before endpoint groups), if it has one.
    pub(super) fn vpnservice(&mut self, referenced: &mut Fields) -> Option<Vec<String>> {
        const KEY: &str = "vpnservice.subnet_id";
        let id = referenced.peek(KEY)?.as_str()?.trim().to_string();
        if id.is_empty() {
            return None;
        }
        let cidrs = self.resolve(referenced, KEY, &[id], "local_subnets")?;
        referenced.take(KEY);
        Some(cidrs)
    }

    /// The `{id, cidr}` of every subnet resolved, in order of first use;
    /// `None` if there were none.
    pub(super) fn into_related(self) -> Option<Value> {
        (!self.resolved.is_empty()).then_some(Value::Array(self.resolved))
    }

    /// The CIDRs of the subnets `ids`, or `None` with a warning at `key`
    /// naming those not collected (or without a `cidr`).
    fn resolve(
        &mut self,
        referenced: &mut Fields,
        key: &str,
        ids: &[String],
        feeds: &str,
    ) -> Option<Vec<String>> {
        let mut cidrs = Vec::with_capacity(ids.len());
        let mut unknown = Vec::new();
        for id in ids {
            match self.cidr(id) {
                Some(cidr) => cidrs.push(cidr.to_string()),
                None => unknown.push(id.as_str()),
            }
        }
        if !unknown.is_empty() {
            let (noun, verb) = if unknown.len() == 1 {
                ("subnet", "was")
            } else {
                ("subnets", "were")
            };
            referenced.warn(
                key,
                &format!(
                    "{noun} {} {verb} not among the collected subnets (deleted, or no subnets \
                     body imported); {feeds} left out of the model",
                    unknown.join(", ")
                ),
            );
            return None;
        }
        for (id, cidr) in ids.iter().zip(&cidrs) {
            if !self
                .resolved
                .iter()
                .any(|subnet| subnet["id"] == id.as_str())
            {
                self.resolved.push(json!({"id": id, "cidr": cidr}));
            }
        }
        Some(cidrs)
    }

    /// The non-empty `cidr` of the collected subnet `id`.
    fn cidr(&self, id: &str) -> Option<String> {
        let subnet = self.related.get(RelatedKind::Subnet, id)?;
        let cidr = subnet.get("cidr")?.as_str()?.trim();
        (!cidr.is_empty()).then(|| cidr.to_string())
    }
}

/// An array of strings (trimmed), or `None` for anything else.
fn string_array(value: Option<&Value>) -> Option<Vec<String>> {
    value?
        .as_array()?
        .iter()
        .map(|item| item.as_str().map(|text| text.trim().to_string()))
        .collect()
}

/// Adds the resolved subnets to a connection's related objects by role.
pub(super) fn add_related(related: &mut Map<String, Value>, subnets: Subnets<'_>) {
    if let Some(resolved) = subnets.into_related() {
        related.insert("subnets".to_string(), resolved);
    }
}
