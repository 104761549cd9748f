//! Deserialisers that accept the shapes real providers send when they differ
//! from the cardinality the specification gives. Writing never uses them:
//! serialisation always follows the standard.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{
    BoolDeserializer, BorrowedStrDeserializer, F64Deserializer, I64Deserializer,
    MapAccessDeserializer, StrDeserializer, StringDeserializer, U64Deserializer,
};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A `0..*` element: accepts an array, a single value (object, string, number
/// or boolean) or `null`.
pub(crate) fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_any(OneOrMany(PhantomData))
}

/// A `0..1` element: accepts a single value, `null`, or an array of which the
/// first element is kept and the rest skipped.
pub(crate) fn first_of_many<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_any(FirstOfMany(PhantomData))
}

/// Feeds a scalar the outer visitor received back into `T`'s own
/// deserialisation, so `T` decides whether a bare scalar is acceptable.
macro_rules! scalar_into {
    ($wrap:expr) => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            T::deserialize(BoolDeserializer::<E>::new(v)).map($wrap)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            T::deserialize(I64Deserializer::<E>::new(v)).map($wrap)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            T::deserialize(U64Deserializer::<E>::new(v)).map($wrap)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            T::deserialize(F64Deserializer::<E>::new(v)).map($wrap)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            T::deserialize(StrDeserializer::<E>::new(v)).map($wrap)
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            T::deserialize(BorrowedStrDeserializer::<E>::new(v)).map($wrap)
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            T::deserialize(StringDeserializer::<E>::new(v)).map($wrap)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map($wrap)
        }
    };
}

struct OneOrMany<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrMany<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array or a single value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Cap the pre-allocation: the size hint comes from the peer.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(out)
    }

    scalar_into!(|v| vec![v]);
}

struct FirstOfMany<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for FirstOfMany<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a single value or an array")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let first = seq.next_element()?;
        // The rest must still be consumed for the parser to move on.
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(first)
    }

    scalar_into!(Some);
}

/// A FHIR `date`/`dateTime` that may carry placeholder text in published
/// examples: anything not starting with a four-digit year is dropped, so
/// it is never written back as an invalid value.
pub(crate) fn date_time_or_none<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    let value: Option<String> = first_of_many(deserializer)?;
    Ok(value.filter(|s| s.len() >= 4 && s.bytes().take(4).all(|b| b.is_ascii_digit())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Inner {
        #[serde(default)]
        a: Option<String>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Holder {
        #[serde(default, deserialize_with = "one_or_many")]
        many: Vec<Inner>,
        #[serde(default, deserialize_with = "one_or_many")]
        words: Vec<String>,
        #[serde(default, deserialize_with = "first_of_many")]
        one: Option<Inner>,
        #[serde(default, deserialize_with = "first_of_many")]
        word: Option<String>,
        #[serde(default, deserialize_with = "date_time_or_none")]
        when: Option<String>,
    }

    fn parse(json: &str) -> Holder {
        serde_json::from_str(json).expect("parses")
    }

    fn inner(a: &str) -> Inner {
        Inner {
            a: Some(a.to_owned()),
        }
    }

    #[test]
    fn many_accepts_array_object_scalar_and_null() {
        assert_eq!(
            parse(r#"{"many":[{"a":"x"},{"a":"y"}]}"#).many,
            vec![inner("x"), inner("y")]
        );
        assert_eq!(parse(r#"{"many":{"a":"x"}}"#).many, vec![inner("x")]);
        assert_eq!(parse(r#"{"many":null}"#).many, vec![]);
        assert_eq!(parse(r#"{"words":"solo"}"#).words, vec!["solo".to_owned()]);
        assert_eq!(parse(r#"{"words":["a","b"]}"#).words, vec!["a", "b"]);
        assert_eq!(parse("{}"), Holder::default());
    }

    #[test]
    fn first_accepts_single_array_and_null() {
        assert_eq!(parse(r#"{"one":{"a":"x"}}"#).one, Some(inner("x")));
        assert_eq!(
            parse(r#"{"one":[{"a":"x"},{"a":"y"}],"word":"after"}"#).one,
            Some(inner("x"))
        );
        assert_eq!(parse(r#"{"one":[]}"#).one, None);
        assert_eq!(parse(r#"{"one":null}"#).one, None);
        assert_eq!(parse(r#"{"word":["w1","w2"]}"#).word.as_deref(), Some("w1"));
        // The rest of the document is still read after a skipped tail.
        assert_eq!(
            parse(r#"{"word":["w1",{"deep":[1]}],"words":"z"}"#).words,
            vec!["z"]
        );
    }

    #[test]
    fn wrong_shapes_are_still_errors() {
        assert!(serde_json::from_str::<Holder>(r#"{"many":[1]}"#).is_err());
        assert!(serde_json::from_str::<Holder>(r#"{"one":"text"}"#).is_err());
        assert!(serde_json::from_str::<Holder>(r#"{"words":[{"a":"x"}]}"#).is_err());
    }

    #[test]
    fn placeholder_dates_are_dropped() {
        assert_eq!(
            parse(r#"{"when":"2020-01-15"}"#).when.as_deref(),
            Some("2020-01-15")
        );
        assert_eq!(
            parse(r#"{"when":"[Provider Software Release Date]"}"#).when,
            None
        );
        assert_eq!(parse(r#"{"when":"20"}"#).when, None);
    }
}
