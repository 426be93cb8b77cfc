//! Reading policy JSON strictly: field readers over the signature module's paranoid JSON tree
//! ([`Json`], which keeps duplicated keys visible), worded as containers/image words its errors
//! (`Unknown key "x"`, `Duplicate key "x"`, `Key "x" missing in a JSON object`), each followed by
//! the place in the file where it went wrong.

use std::fmt;

use base64::Engine;

pub(crate) use crate::signature::strict_json::StrictValue as Json;

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
    /// The members of `value`, which must be an object without duplicated keys.
    pub fn of(value: &'a Json, place: &Place) -> Result<Fields<'a>, String> {
        let members = value.object_members().map_err(|e| place.error(e))?;
        Ok(Fields { place: place.clone(), members: members.iter().map(|(k, v)| (k.as_str(), v)).collect() })
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
            base64::engine::general_purpose::STANDARD.decode(&compact).map(Some).map_err(|e| {
                place.error(format!("illegal base64 data at input byte {}", base64_error_offset(&e, &compact)))
            })
        }
        other => Err(place.error(format!("expected a base64 string, got {}", other.kind()))),
    }
}

/// Where Go's decoder would report `error`: the offending byte, or the end of the input.
fn base64_error_offset(error: &base64::DecodeError, input: &str) -> usize {
    match error {
        base64::DecodeError::InvalidByte(offset, _) | base64::DecodeError::InvalidLastSymbol(offset, _) => *offset,
        base64::DecodeError::InvalidLength(_) | base64::DecodeError::InvalidPadding => input.len(),
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
    fn duplicated_keys_are_refused_with_their_place() {
        let value = Json::parse(br#"{"k": 1, "k": 2}"#).unwrap();
        let err = Fields::of(&value, &Place::root().field("default").index(0)).err().unwrap();
        assert_eq!(err, "Duplicate key \"k\" (at default[0])");
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
        assert_eq!(
            base64_bytes(&Json::String("not base64!".into()), &at).unwrap_err(),
            "illegal base64 data at input byte 3 (at k)",
            "Go's wording and offset"
        );
        assert_eq!(strings(&Json::Null, &at).unwrap(), None);
        let list = Json::parse(br#"["a", 1]"#).unwrap();
        assert_eq!(strings(&list, &at).unwrap_err(), "expected a string, got number (at k[1])");
    }
}
