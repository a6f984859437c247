//! `Serialize`/`Deserialize` for `Deep` (feature `serde`), checked with
//! serde_json.
#![cfg(feature = "serde")]

use nanostate::{deep, Deep, DeepMapStore};

#[test]
fn deep_values_round_trip_through_json() {
    let value = deep!({"b": [1, (-2.5), "x", null, true], "a": {"nested": {}}, "e": []});
    let text = serde_json::to_string(&value).unwrap();
    // Insertion order is kept.
    assert_eq!(
        text,
        r#"{"b":[1,-2.5,"x",null,true],"a":{"nested":{}},"e":[]}"#
    );
    let back: Deep = serde_json::from_str(&text).unwrap();
    assert_eq!(back, value);
}

#[test]
fn holes_serialize_as_null_and_big_numbers_stay_numbers() {
    let value = deep!([1, _, 3]);
    assert_eq!(serde_json::to_string(&value).unwrap(), "[1,null,3]");
    let back: Deep = serde_json::from_str("[1,null,3]").unwrap();
    assert_eq!(back, deep!([1, null, 3]));

    let big: Deep = serde_json::from_str("18446744073709551615").unwrap();
    assert_eq!(big, Deep::Float(18446744073709551615.0));
    let int: Deep = serde_json::from_str("-7").unwrap();
    assert_eq!(int, Deep::Int(-7));
}

#[test]
fn a_store_loads_and_saves_json() {
    let store = DeepMapStore::new(serde_json::from_str(r#"{"user":{"name":"Ada"}}"#).unwrap());
    store.set_key("user.langs[1]", "fr".into()).unwrap();
    assert_eq!(
        serde_json::to_string(&store.get()).unwrap(),
        r#"{"user":{"name":"Ada","langs":[null,"fr"]}}"#
    );
    assert!(serde_json::from_str::<Deep>("{").is_err());
}

#[test]
fn map_value_round_trips_through_json_in_insertion_order() {
    let value: nanostate::MapValue<String, u32> =
        [("zebra".to_string(), 1), ("apple".to_string(), 2)].into();
    let text = serde_json::to_string(&value).unwrap();
    assert_eq!(text, r#"{"zebra":1,"apple":2}"#);
    let back: nanostate::MapValue<String, u32> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, value);
    assert_eq!(back.keys().collect::<Vec<_>>(), ["zebra", "apple"]);
}

#[test]
fn map_value_repeated_key_keeps_first_position_and_last_value() {
    let back: nanostate::MapValue<String, u32> =
        serde_json::from_str(r#"{"a":1,"b":2,"a":3}"#).unwrap();
    assert_eq!(
        back.iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect::<Vec<_>>(),
        [("a", 3), ("b", 2)]
    );
}

#[test]
fn map_value_of_the_wrong_shape_is_an_error_not_a_panic() {
    let err = serde_json::from_str::<nanostate::MapValue<String, u32>>(r#"{"a":"x"}"#);
    assert!(err.unwrap_err().to_string().contains("invalid type"));
    assert!(serde_json::from_str::<nanostate::MapValue<String, u32>>("[1]").is_err());
}
