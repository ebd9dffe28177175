//! Fast (de)serialization of large `HashSet`s in state types:
//! `#[serde(with = "n6_collectors::state::large_set")]`.
//!
//! serde's own `HashSet` impl pre-allocates at most 1 MiB (it cannot trust the length
//! in the input), so a set of a million strings is rehashed five or six times while it
//! grows; every rehash hashes every string again, in bucket order, i.e. with a cache miss
//! per string. Decoding into a `Vec` first (cheap to grow: it moves 24-byte `String`
//! headers, never touches their bytes) and then collecting into a set of the exact size
//! hashes each string once, in allocation order. On a 1M × 40-character set this made
//! loading several times faster. The encoding on disk is the same CBOR array either way,
//! so the attribute can be added to or removed from an existing state type freely.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hash};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Serializes the set as serde does (a sequence).
pub fn serialize<T, H, S>(set: &HashSet<T, H>, serializer: S) -> Result<S::Ok, S::Error>
where
    T: Serialize,
    S: Serializer,
{
    serializer.collect_seq(set)
}

/// Deserializes a sequence into a `Vec`, then into a set allocated once at its final
/// size. Duplicates collapse, as with serde's own impl.
pub fn deserialize<'de, T, H, D>(deserializer: D) -> Result<HashSet<T, H>, D::Error>
where
    T: Deserialize<'de> + Eq + Hash,
    H: BuildHasher + Default,
    D: Deserializer<'de>,
{
    let items = Vec::<T>::deserialize(deserializer)?;
    let mut set = HashSet::with_capacity_and_hasher(items.len(), H::default());
    set.extend(items);
    Ok(set)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Rows {
        #[serde(with = "super")]
        newest_rows: HashSet<String>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct PlainRows {
        newest_rows: HashSet<String>,
    }

    #[test]
    fn same_encoding_as_serde_and_round_trips() {
        let set: HashSet<String> = ["a", "b", "c"].into_iter().map(String::from).collect();
        let mut ours = Vec::new();
        ciborium::into_writer(
            &Rows {
                newest_rows: set.clone(),
            },
            &mut ours,
        )
        .unwrap();
        let plain: PlainRows = ciborium::from_reader(&ours[..]).unwrap();
        assert_eq!(plain.newest_rows, set);

        let mut theirs = Vec::new();
        ciborium::into_writer(
            &PlainRows {
                newest_rows: set.clone(),
            },
            &mut theirs,
        )
        .unwrap();
        let rows: Rows = ciborium::from_reader(&theirs[..]).unwrap();
        assert_eq!(rows.newest_rows, set);
    }

    #[test]
    fn duplicates_collapse_and_wrong_shapes_fail() {
        let mut bytes = Vec::new();
        ciborium::into_writer(
            &BTreeMap::from([("newest_rows", ["x", "x", "y"])]),
            &mut bytes,
        )
        .unwrap();
        let rows: Rows = ciborium::from_reader(&bytes[..]).unwrap();
        assert_eq!(rows.newest_rows.len(), 2);

        let mut bytes = Vec::new();
        ciborium::into_writer(&BTreeMap::from([("newest_rows", 5)]), &mut bytes).unwrap();
        assert!(ciborium::from_reader::<Rows, _>(&bytes[..]).is_err());
    }
}
