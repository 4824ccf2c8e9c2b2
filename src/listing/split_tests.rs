//! The structural split of a list body ([`super::split`]) held to serde_json's:
//! the same split of every valid body, and of a damaged one either none or
//! one whose connections then fail to parse.

use std::borrow::Cow;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use super::split::split_list_body;

/// The split as serde_json makes it, validating every connection: the
/// oracle the structural split is held to.
fn split_by_serde(text: &str, list_key: &str) -> Option<(Value, Vec<String>)> {
    struct ListBody<'k>(&'k str);
    type Split<'de> = Option<(Map<String, Value>, Vec<&'de RawValue>)>;
    impl<'de> DeserializeSeed<'de> for ListBody<'_> {
        type Value = Split<'de>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for ListBody<'_> {
        type Value = Split<'de>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut shell = Map::new();
            let mut connections = None;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if key == self.0 {
                    connections = Some(map.next_value::<Vec<&'de RawValue>>()?);
                    shell.insert(key.into_owned(), Value::Array(Vec::new()));
                } else {
                    shell.insert(key.into_owned(), map.next_value::<Value>()?);
                }
            }
            Ok(connections.map(|connections| (shell, connections)))
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let split = ListBody(list_key).deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    let (shell, connections) = split?;
    let texts = connections
        .iter()
        .map(|raw| raw.get().to_string())
        .collect();
    Some((Value::Object(shell), texts))
}

fn split(text: &str) -> Option<(Value, Vec<String>)> {
    split_list_body(text, "vpn_connections").map(|(shell, ranges)| {
        let texts = ranges.into_iter().map(|range| text[range].to_string());
        (shell, texts.collect())
    })
}

/// A connection's text parses on its own as it does in its body.
fn parses_in_place(item: &str) -> bool {
    serde_json::from_str::<Value>(&format!("[[{item}]]")).is_ok()
}

/// A valid body whose list key repeats: parsed whole.
const REPEATED: &str =
    r#"{"vpn_connections":[{"id":"a"}],"vpn_connections":[{"id":"b"},{"id":"c"}]}"#;

fn repeats_the_list(body: &str) -> bool {
    body.matches("\"vpn_connections\"").count() > 1
}

fn bodies() -> Vec<String> {
    let connection = |id: &str| {
        json!({
            "id": id,
            "name": "a \"quoted\" {name} [with] brackets, and a \\ backslash",
            "peer_subnets": ["10.0.0.0/24", "10.1.0.0/24"],
            "ikepolicy": {"dh_group": "group15", "lifetime": {"value": 86400}},
            "tags": [], "empty": {}, "n": -1.5e3, "t": true, "f": false, "z": null,
            "unicode": "东京 \u{1F600} \u{0007}",
        })
    };
    let body = json!({
        "vpn_connections": [connection("a"), connection("b"), 7, "text", [1, [2]], null],
        "page_info": {"next_marker": "b", "current_count": 6},
        "request_id": "r-1",
        "total_count": 6,
    });
    vec![
        body.to_string(),
        serde_json::to_string_pretty(&body).unwrap(),
        r#"{"vpn_connections":[]}"#.into(),
        " \t\r\n{ \"vpn_connections\" : [ { \"id\" : \"a\" } ] } \n".into(),
        r#"{"vpn\u005fconnections":[{"id":"a"}],"x":1}"#.into(),
        r#"{"a":{"vpn_connections":[1]},"vpn_connections":[{"id":"\"]}"}]}"#.into(),
        r#"{"a":"\\","vpn_connections":[{"id":"\\\\"},{"id":"\u0022"}],"b":[]}"#.into(),
        REPEATED.into(),
    ]
}

#[test]
fn a_valid_body_splits_as_serde_json_splits_it() {
    for body in bodies().iter().filter(|body| body.as_str() != REPEATED) {
        let expected = split_by_serde(body, "vpn_connections");
        assert!(expected.is_some(), "{body}");
        assert_eq!(split(body), expected, "{body}");
    }
    for not_split in [
        "",
        "[]",
        r#"{"vpn_connections":{}}"#,
        r#"{"vpn_connections":null}"#,
        r#"{"other":[]}"#,
        r#"{"vpn_connections":[]"#,
        r#"{"vpn_connections":[],}"#,
        r#"{"vpn_connections":[{"id":"a"},]}"#,
        r#"{"vpn_connections":[{"id":"a"}]} x"#,
        r#"{"vpn_connections":[{"id":"a"} {"id":"b"}]}"#,
        r#"{"vpn_connections":[],"page_info":{"x":tru}}"#,
        r#"{"vpn_connections":[],"page_info":"\ud800"}"#,
        r#"{"vpn_connections":[{"id":"a]}"#,
        r#"{"vpn_connections":[{"id":"a"}}]}"#,
        // Valid, but the first array would be neither kept nor checked.
        REPEATED,
    ] {
        assert_eq!(split(not_split), None, "{not_split}");
    }
}

/// Deterministic pseudo-random numbers (a 64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound
    }
}

/// Bodies damaged a few bytes at a time: wherever serde_json splits one,
/// the split is the same; wherever only the structural split does, the
/// body is not JSON and one of its connections fails to parse, so the
/// listing fails as the whole body would.
#[test]
fn a_damaged_body_splits_only_where_a_connection_then_fails() {
    const BYTES: &[u8] = b"{}[]\",:\\ \n0123456789.-+eEtrufalsn/u\\\"";
    let mut random = Lcg(0x5eed);
    let originals = bodies();
    let (mut same, mut deferred) = (0, 0);
    for _ in 0..20_000 {
        let mut body = originals[random.below(originals.len())].clone();
        for _ in 0..1 + random.below(3) {
            if body.is_empty() {
                break;
            }
            // At a character's start, so that the body stays UTF-8.
            let mut at = random.below(body.len());
            while !body.is_char_boundary(at) {
                at -= 1;
            }
            let byte = char::from(BYTES[random.below(BYTES.len())]);
            match random.below(3) {
                0 => {
                    body.remove(at);
                    body.insert(at, byte);
                }
                1 => body.insert(at, byte),
                _ => {
                    body.remove(at);
                }
            }
        }
        let expected = split_by_serde(&body, "vpn_connections");
        let got = split(&body);
        match (&expected, &got) {
            // Parsed whole instead: a repeated list key.
            (Some(_), None) => assert!(repeats_the_list(&body), "not split: {body}"),
            (Some(_), Some(_)) => {
                assert_eq!(got, expected, "{body}");
                same += 1;
            }
            (None, Some((_, items))) => {
                assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");
                assert!(
                    items.iter().any(|item| !parses_in_place(item)),
                    "split, not JSON, yet every connection parses: {body}"
                );
                deferred += 1;
            }
            (None, None) => {}
        }
    }
    // Both kinds of case were met.
    assert!(same > 1_000 && deferred > 100, "{same} {deferred}");
}
