//! A JSON reader as paranoid as containers/image's signature parser: duplicate keys, unknown keys
//! and values of the wrong type are all errors, and every object keeps its members in order so
//! that duplicates can be seen at all (serde_json's `Value` would keep only the last one).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value whose objects keep every member, duplicates included, in document order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StrictValue {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<StrictValue>),
    Object(Vec<(String, StrictValue)>),
}

impl StrictValue {
    /// Parses one JSON document; trailing data after it is an error, as in containers/image.
    pub(crate) fn parse(bytes: &[u8]) -> std::result::Result<StrictValue, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }

    /// The JSON type name Go's decoder uses in its "cannot unmarshal" messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            StrictValue::Null => "null",
            StrictValue::Bool(_) => "bool",
            StrictValue::Number(_) => "number",
            StrictValue::String(_) => "string",
            StrictValue::Array(_) => "array",
            StrictValue::Object(_) => "object",
        }
    }

    /// The members of an object with exactly the keys `names`, each once, in the order of `names`.
    pub(crate) fn exact_fields<'a, const N: usize>(
        &'a self,
        names: [&str; N],
    ) -> std::result::Result<[&'a StrictValue; N], String> {
        let members = self.object_members()?;
        let mut found: [Option<&StrictValue>; N] = [None; N];
        for (key, value) in members {
            let slot = names.iter().position(|n| n == key).ok_or_else(|| format!("Unknown key {key:?}"))?;
            found[slot] = Some(value);
        }
        let mut out = Vec::with_capacity(N);
        for (name, value) in names.iter().zip(found) {
            out.push(value.ok_or_else(|| format!("Key {name:?} missing in a JSON object"))?);
        }
        Ok(out.try_into().unwrap_or_else(|_| unreachable!("one entry per name")))
    }

    /// The members of an object, refusing duplicate keys; any other value is an error.
    pub(crate) fn object_members(&self) -> std::result::Result<&[(String, StrictValue)], String> {
        let StrictValue::Object(members) = self else {
            return Err(format!("JSON object expected, got {}", self.kind()));
        };
        for (i, (key, _)) in members.iter().enumerate() {
            if members[..i].iter().any(|(k, _)| k == key) {
                return Err(format!("Duplicate key {key:?}"));
            }
        }
        Ok(members)
    }

    /// The value as a string, or Go's type error naming `field`.
    pub(crate) fn as_string(&self, field: &str) -> std::result::Result<&str, String> {
        match self {
            StrictValue::String(s) => Ok(s),
            other => {
                Err(format!("json: cannot unmarshal {} into Go value of type string (field {field})", other.kind()))
            }
        }
    }
}

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = StrictValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue::Number(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue::Number(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<StrictValue, E> {
        Ok(StrictValue::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<StrictValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(StrictValue::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<StrictValue, A::Error> {
        let mut members = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, StrictValue>()? {
            members.push((key, value));
        }
        Ok(StrictValue::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_unknown_and_missing_keys_are_refused() {
        let doc = StrictValue::parse(br#"{"a":1,"b":"x"}"#).unwrap();
        let [b, a] = doc.exact_fields(["b", "a"]).unwrap();
        assert_eq!(b.as_string("b").unwrap(), "x");
        assert_eq!(*a, StrictValue::Number(1.0));

        let dup = StrictValue::parse(br#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(dup.exact_fields(["a"]).unwrap_err(), r#"Duplicate key "a""#);
        assert_eq!(doc.exact_fields(["a"]).unwrap_err(), r#"Unknown key "b""#);
        assert_eq!(doc.exact_fields(["a", "b", "c"]).unwrap_err(), r#"Key "c" missing in a JSON object"#);
        assert_eq!(
            StrictValue::parse(b"[1]").unwrap().object_members().unwrap_err(),
            "JSON object expected, got array"
        );
        assert!(StrictValue::parse(br#"{"a":1} x"#).is_err(), "trailing data");
        assert!(a.as_string("a").unwrap_err().contains("cannot unmarshal number"));
    }
}
