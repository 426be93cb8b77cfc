//! A strict reading of policy JSON: a tree that keeps object members in order and refuses
//! duplicated keys, and field readers that word their errors as containers/image does
//! (`Unknown key "x"`, `Duplicate key "x"`, `Key "x" missing in a JSON object`), each with the
//! place in the file where it went wrong.

use std::fmt;

use base64::Engine;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// A JSON value whose objects keep their members in file order; duplicated keys are an error
/// when the document is read.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Reads a whole document; trailing data, bad syntax and duplicated keys fail with
    /// serde_json's message (which names line and column).
    pub fn parse(bytes: &[u8]) -> Result<Json, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }

    /// The JSON kind, for messages: `string`, `number`, `object`…
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(v).map(Json::Number).ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members: Vec<(String, Json)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if members.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!("Duplicate key {key:?}")));
            }
            let value = map.next_value()?;
            members.push((key, value));
        }
        Ok(Json::Object(members))
    }
}

/// Where in the policy a value sits, as a path: `transports["docker"]["quay.io"][0].keyPath`.
#[derive(Debug, Clone, Default)]
pub struct Place(String);

impl Place {
    /// The top of the document.
    pub fn root() -> Place {
        Place(String::new())
    }

    /// A member of an object with a fixed field name.
    pub fn field(&self, name: &str) -> Place {
        if self.0.is_empty() {
            Place(name.to_string())
        } else {
            Place(format!("{}.{name}", self.0))
        }
    }

    /// A member of a map-like object whose keys are data (transport names, scopes).
    pub fn key(&self, key: &str) -> Place {
        Place(format!("{}[{key:?}]", self.0))
    }

    /// An element of an array.
    pub fn index(&self, index: usize) -> Place {
        Place(format!("{}[{index}]", self.0))
    }

    /// `message`, followed by this place unless it is the top of the document.
    pub fn error(&self, message: impl fmt::Display) -> String {
        if self.0.is_empty() {
            message.to_string()
        } else {
            format!("{message} (at {})", self.0)
        }
    }
}

/// The members of an object, read once each: [`Fields::take`] what is known, then
/// [`Fields::finish`] refuses whatever is left as an unknown key.
pub struct Fields<'a> {
    place: Place,
    members: Vec<(&'a str, &'a Json)>,
}

impl<'a> Fields<'a> {
    /// The members of `value`, which must be an object (containers/image: "JSON object expected").
    pub fn of(value: &'a Json, place: &Place) -> Result<Fields<'a>, String> {
        match value {
            Json::Object(members) => {
                Ok(Fields { place: place.clone(), members: members.iter().map(|(k, v)| (k.as_str(), v)).collect() })
            }
            other => Err(place.error(format!("JSON object expected, got {}", other.kind()))),
        }
    }

    /// Where the object is.
    pub fn place(&self) -> &Place {
        &self.place
    }

    /// The member `name`, removed from those left, if present.
    pub fn take(&mut self, name: &str) -> Option<&'a Json> {
        let at = self.members.iter().position(|(k, _)| *k == name)?;
        Some(self.members.remove(at).1)
    }

    /// The member `name`, which must be present (containers/image's exact-fields objects).
    pub fn require(&mut self, name: &str) -> Result<&'a Json, String> {
        self.take(name).ok_or_else(|| self.place.error(format!("Key {name:?} missing in a JSON object")))
    }

    /// Fails on the first member nobody took.
    pub fn finish(self) -> Result<(), String> {
        match self.members.first() {
            Some((key, _)) => Err(self.place.error(format!("Unknown key {key:?}"))),
            None => Ok(()),
        }
    }
}

/// A string member as Go decodes one: `null` is the empty string, anything else not a string fails.
pub fn string(value: &Json, place: &Place) -> Result<String, String> {
    match value {
        Json::String(s) => Ok(s.clone()),
        Json::Null => Ok(String::new()),
        other => Err(place.error(format!("expected a string, got {}", other.kind()))),
    }
}

/// A list of strings as Go decodes `[]string`: `null` is no list at all.
pub fn strings(value: &Json, place: &Place) -> Result<Option<Vec<String>>, String> {
    match value {
        Json::Null => Ok(None),
        Json::Array(items) => {
            items.iter().enumerate().map(|(i, item)| string(item, &place.index(i))).collect::<Result<_, _>>().map(Some)
        }
        other => Err(place.error(format!("expected an array of strings, got {}", other.kind()))),
    }
}

/// Bytes as Go decodes `[]byte`: standard base64 (line breaks ignored); `null` is no data.
pub fn base64_bytes(value: &Json, place: &Place) -> Result<Option<Vec<u8>>, String> {
    match value {
        Json::Null => Ok(None),
        Json::String(text) => {
            let compact: String = text.chars().filter(|c| *c != '\r' && *c != '\n').collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map(Some)
                .map_err(|e| place.error(format!("illegal base64 data: {e}")))
        }
        other => Err(place.error(format!("expected a base64 string, got {}", other.kind()))),
    }
}

/// A list of base64 byte strings (`[][]byte`); `null` is no list at all.
pub fn base64_list(value: &Json, place: &Place) -> Result<Option<Vec<Vec<u8>>>, String> {
    match value {
        Json::Null => Ok(None),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| base64_bytes(item, &place.index(i)).map(Option::unwrap_or_default))
            .collect::<Result<_, _>>()
            .map(Some),
        other => Err(place.error(format!("expected an array of base64 strings, got {}", other.kind()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_order_and_refuse_duplicates() {
        let value = Json::parse(br#"{"b": 1, "a": [true, null, "x"]}"#).unwrap();
        let Json::Object(members) = &value else { panic!("an object") };
        assert_eq!(members.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["b", "a"]);
        let err = Json::parse(br#"{"a": {"k": 1, "k": 2}}"#).unwrap_err();
        assert!(err.starts_with("Duplicate key \"k\""), "{err}");
        assert!(Json::parse(br#"{"a": 1} x"#).is_err());
        assert!(Json::parse(b"{").is_err());
    }

    #[test]
    fn fields_name_unknown_and_missing_keys_with_their_place() {
        let value = Json::parse(br#"{"type": "x", "extra": 1}"#).unwrap();
        let place = Place::root().field("transports").key("docker").key("quay.io").index(0);
        let mut fields = Fields::of(&value, &place).unwrap();
        assert!(fields.take("type").is_some());
        assert!(fields.take("type").is_none(), "taken once");
        let missing = fields.require("keyType").unwrap_err();
        assert_eq!(missing, "Key \"keyType\" missing in a JSON object (at transports[\"docker\"][\"quay.io\"][0])");
        assert_eq!(fields.finish().unwrap_err(), "Unknown key \"extra\" (at transports[\"docker\"][\"quay.io\"][0])");
        assert_eq!(Fields::of(&Json::Null, &Place::root()).err().unwrap(), "JSON object expected, got null");
    }

    #[test]
    fn scalars_decode_as_go_does() {
        let at = Place::root().field("k");
        assert_eq!(string(&Json::Null, &at).unwrap(), "");
        assert_eq!(string(&Json::Bool(true), &at).unwrap_err(), "expected a string, got bool (at k)");
        assert_eq!(base64_bytes(&Json::String("aGk=\n".into()), &at).unwrap(), Some(b"hi".to_vec()));
        assert!(base64_bytes(&Json::String("%%%".into()), &at).unwrap_err().starts_with("illegal base64 data"));
        assert_eq!(strings(&Json::Null, &at).unwrap(), None);
        let list = Json::parse(br#"["a", 1]"#).unwrap();
        assert_eq!(strings(&list, &at).unwrap_err(), "expected a string, got number (at k[1])");
    }
}
