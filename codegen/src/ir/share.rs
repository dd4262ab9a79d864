//! Structurally identical types become aliases of one of them.
//!
//! Real specs repeat the same inline shape many times: Stripe declares the same `address`,
//! `metadata` or `created` filter object in dozens of request bodies, each lowered to a type
//! named after its position. Emitting each copy costs compile time (serde derives, impls)
//! for nothing, so after lowering every type whose definition and validation rules equal
//! another's becomes `pub type Name = Canonical;`: every name the spec gives rise to still
//! exists and means the same thing, and the compiler sees each shape once.
//!
//! Two types are the same when their Rust shape (fields, wire names, optionality, boxing,
//! variants) and their validator (every keyword) are equal, comparing the types and
//! validators they refer to by their canonical names. Doc comments and `example`/`default`
//! values are not part of the comparison: they do not change what a value is or whether it is
//! valid. Merging repeats until nothing changes, since merging two children can make their
//! parents equal. Self-referential types never merge (their key names themselves), which
//! is conservative, not wrong.

use rustc_hash::FxHashMap as HashMap;

use super::shape::{encode, Encoded, NameRef};
use super::{Api, TypeDef, TypeKind};

/// Turns every type equal to an earlier one into an alias of it; returns how many did.
pub(crate) fn share_identical_types(api: &mut Api) -> usize {
    // Each type's shape and rules as bytes and the names they refer to (`shape::encode`);
    // two types are equal when their bytes are and their names have the same canonical
    // names (see `Names::key`), compared as numbers. A type whose bytes no other type has
    // can never merge (merging changes names, not bytes): most types of a large spec are
    // alone from the start and take no part in the rounds below.
    let mut names = Names::default();
    let mut skeletons: HashMap<Vec<u8>, u32> = HashMap::default();
    let encoded: Vec<(&str, Shape)> = api
        .types
        .iter()
        .filter(|(_, def)| !matches!(def.kind, TypeKind::Alias(_)))
        .map(|(name, def)| {
            let rules = api.validators.get(&def.validator);
            let encoded = encode(&def.kind, rules, &def.validator);
            let shape = names.shape(name, &def.validator, encoded, &mut skeletons);
            (name.as_str(), shape)
        })
        .collect();
    let mut alike = vec![0usize; skeletons.len()];
    for (_, shape) in &encoded {
        alike[shape.skeleton as usize] += 1;
    }
    let (candidates, shapes): (Vec<&str>, Vec<Shape>) = encoded
        .into_iter()
        .filter(|(_, shape)| alike[shape.skeleton as usize] > 1)
        .unzip();
    // The types with each key. After each round every key has one type, so only the types
    // whose names changed need a new key and can merge.
    let mut keys: Vec<Option<Key>> = vec![None; shapes.len()];
    let mut groups: HashMap<Key, Vec<usize>> = HashMap::default();
    loop {
        let mut touched: Vec<Key> = Vec::new();
        for (i, shape) in shapes.iter().enumerate() {
            if names.is_merged(shape.own) {
                continue;
            }
            let key = names.key(shape);
            if keys[i].as_ref() == Some(&key) {
                continue;
            }
            if let Some(old) = keys[i].take() {
                if let Some(group) = groups.get_mut(&old) {
                    group.retain(|&j| j != i);
                }
            }
            let group = groups.entry(key.clone()).or_default();
            group.push(i);
            if group.len() == 2 {
                touched.push(key.clone());
            }
            keys[i] = Some(key);
        }
        let mut merged = false;
        for key in &touched {
            let Some(group) = groups.get_mut(key) else {
                continue;
            };
            group.sort_unstable();
            let Some(keep) = group
                .iter()
                .copied()
                .min_by_key(|&i| preference(&api.types[candidates[i]]))
            else {
                continue;
            };
            for &other in group.iter().filter(|&&i| i != keep) {
                names.merge(&shapes[other], &shapes[keep]);
                merged = true;
            }
            group.retain(|&i| i == keep);
        }
        if !merged {
            break;
        }
    }
    let merged: Vec<(String, String)> = shapes
        .iter()
        .filter(|shape| names.is_merged(shape.own))
        .map(|shape| {
            let name = |number: u32| names.type_names[number as usize].to_owned();
            (name(shape.own), name(names.canonical(shape.own)))
        })
        .collect();
    for (name, keep) in &merged {
        if let Some(def) = api.types.get_mut(name) {
            def.kind = TypeKind::Alias(super::RustType::Named(keep.clone()));
        }
    }
    merged.len()
}

/// Where the chain of merges from `number` ends: `merged_into[n]` is the name `n` was
/// merged into (itself when it was not), and a name merged into one later merged itself
/// resolves to the last.
fn follow(merged_into: &[u32], mut number: u32) -> u32 {
    while let Some(&next) = merged_into.get(number as usize) {
        if next == number {
            break;
        }
        number = next;
    }
    number
}

/// A type's encoding (see `shape`) with its bytes and names numbered.
struct Shape {
    /// The type's own name.
    own: u32,
    /// The type's validator.
    validator: u32,
    /// The number of its bytes (equal bytes, equal number).
    skeleton: u32,
    /// The names it refers to, in order: types as they are, validators with [`VALIDATOR`]
    /// set.
    refs: Vec<u32>,
}

/// A [`Shape`]'s identity once the names it refers to are canonical: its skeleton then
/// the canonical number of each name.
type Key = Vec<u32>;

/// The bit that tells a validator's number from a type's in [`Shape::refs`].
const VALIDATOR: u32 = 1 << 31;

/// The type and validator names the shapes mention, numbered, each with the number of its
/// canonical name (itself until merged).
#[derive(Default)]
struct Names<'a> {
    type_numbers: HashMap<&'a str, u32>,
    type_names: Vec<&'a str>,
    canonical_type: Vec<u32>,
    validator_numbers: HashMap<&'a str, u32>,
    canonical_validator: Vec<u32>,
}

impl<'a> Names<'a> {
    /// The number of type `name`.
    fn type_number(&mut self, name: &'a str) -> u32 {
        let next = self.type_names.len() as u32;
        let number = *self.type_numbers.entry(name).or_insert(next);
        if number == next {
            self.type_names.push(name);
            self.canonical_type.push(number);
        }
        number
    }

    /// The number of validator `name` (without [`VALIDATOR`]).
    fn validator_number(&mut self, name: &'a str) -> u32 {
        let next = self.canonical_validator.len() as u32;
        let number = *self.validator_numbers.entry(name).or_insert(next);
        if number == next {
            self.canonical_validator.push(number);
        }
        number
    }

    /// The shape of type `name`, whose validator is `validator`, encoded as `encoded`.
    fn shape(
        &mut self,
        name: &'a str,
        validator: &'a str,
        encoded: Encoded<'a>,
        skeletons: &mut HashMap<Vec<u8>, u32>,
    ) -> Shape {
        let refs = encoded
            .names
            .iter()
            .map(|name| match *name {
                NameRef::Type(name) => self.type_number(name),
                NameRef::Validator(name) => self.validator_number(name) | VALIDATOR,
            })
            .collect();
        let next = skeletons.len() as u32;
        Shape {
            own: self.type_number(name),
            validator: self.validator_number(validator),
            skeleton: *skeletons.entry(encoded.bytes).or_insert(next),
            refs,
        }
    }

    /// The number of the canonical name of type `number`.
    fn canonical(&self, number: u32) -> u32 {
        follow(&self.canonical_type, number)
    }

    /// The number of the canonical name of validator `number`.
    fn canonical_validator(&self, number: u32) -> u32 {
        follow(&self.canonical_validator, number)
    }

    fn is_merged(&self, number: u32) -> bool {
        self.canonical_type.get(number as usize) != Some(&number)
    }

    /// `shape`'s key with the names as they are now.
    fn key(&self, shape: &Shape) -> Key {
        let mut key = Vec::with_capacity(shape.refs.len() + 1);
        key.push(shape.skeleton);
        key.extend(shape.refs.iter().map(|&number| {
            if number & VALIDATOR == 0 {
                self.canonical(number)
            } else {
                self.canonical_validator(number & !VALIDATOR) | VALIDATOR
            }
        }));
        key
    }

    /// Makes the type of `other` (and its validator) a name of those of `keep`.
    fn merge(&mut self, other: &Shape, keep: &Shape) {
        self.canonical_type[other.own as usize] = keep.own;
        self.canonical_validator[other.validator as usize] = keep.validator;
    }
}

/// Which of several equal types keeps the definition: a schema of `components` (its name
/// is the one the spec chose) before an inline one, then the shortest name, then the first
/// in order — deterministic, so the same spec always yields the same code.
fn preference(def: &TypeDef) -> (bool, usize, &str) {
    let component = def
        .pointer
        .strip_prefix("#/components/schemas/")
        .is_some_and(|rest| !rest.contains('/'));
    (!component, def.name.len(), def.name.as_str())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{json, Value};

    use super::*;
    use crate::ir::RustType;

    /// A spec whose two operations take the same inline body (`{city}`, and a nested
    /// `{home: {city}}`), a component `Address` of that shape, and a look-alike whose
    /// `maxLength` differs.
    fn spec() -> Value {
        let city = json!({"type": "object", "properties": {"city": {"type": "string"}}});
        let nested = json!({"type": "object", "properties": {"home": city}});
        let body = |schema: &Value| json!({"content": {"application/json": {"schema": schema}}});
        let op = |schema: &Value| {
            json!({
                "requestBody": body(schema),
                "responses": {"204": {"description": "done"}}
            })
        };
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/a": {"post": op(&city), "put": op(&nested)},
                "/b": {"post": op(&city), "put": op(&nested)},
                "/c": {"post": op(&json!({"type": "object", "properties": {
                    "city": {"type": "string", "maxLength": 3}
                }}))}
            },
            "components": {"schemas": {"Address": city}}
        })
    }

    fn kind_of<'a>(api: &'a Api, name: &str) -> &'a TypeKind {
        &api.types
            .get(name)
            .unwrap_or_else(|| panic!("no type {name}: {:?}", api.types.keys()))
            .kind
    }

    #[test]
    fn equal_shapes_become_aliases_of_the_component_and_parents_follow() {
        let (api, _) = crate::ir::lower(&spec());
        let aliases: BTreeMap<&str, &RustType> = api
            .types
            .iter()
            .filter_map(|(name, def)| match &def.kind {
                TypeKind::Alias(ty) => Some((name.as_str(), ty)),
                _ => None,
            })
            .collect();
        let address = RustType::Named("Address".into());
        // Both inline `{city}` bodies, and both `home` children, share the component.
        let to_address = aliases.values().filter(|ty| ***ty == address).count();
        assert_eq!(to_address, 4, "{aliases:#?}");
        // The two `{home}` bodies are equal once their children are: one keeps the
        // definition, the other names it.
        let structs_with_home = api
            .types
            .values()
            .filter(|d| matches!(&d.kind, TypeKind::Struct { fields, .. } if fields.iter().any(|f| f.wire == "home")))
            .count();
        assert_eq!(structs_with_home, 1, "{aliases:#?}");
        assert!(matches!(kind_of(&api, "Address"), TypeKind::Struct { .. }));
    }

    #[test]
    fn different_validation_keeps_types_apart() {
        let (api, _) = crate::ir::lower(&spec());
        let capped = api
            .types
            .values()
            .filter(|d| d.pointer.starts_with("#/paths/~1c/"))
            .map(|d| &d.kind)
            .collect::<Vec<_>>();
        assert_eq!(capped.len(), 1);
        assert!(matches!(capped[0], TypeKind::Struct { .. }), "{capped:?}");
    }

    /// A struct with one field of type `field` named `wire` on the wire, validated by
    /// an object node whose property refers to validator `check`.
    fn shape_of(field: &str, wire: &str, check: &str) -> (TypeKind, crate::ir::Node) {
        use crate::ir::{Check, Field, Node, NodeKind, ObjectRules};
        let kind = TypeKind::Struct {
            fields: vec![Field {
                name: "f".into(),
                wire: wire.into(),
                ty: RustType::Vec(Box::new(RustType::Named(field.into()))),
                required: true,
                nullable: false,
                boxed: false,
                doc: Some(format!("{field} and {check}")),
                deprecated: false,
            }],
            additional: None,
            tag: None,
        };
        let node = Node {
            kind: NodeKind::Object(ObjectRules {
                properties: vec![(wire.into(), Check::Ref(check.into()))],
                ..ObjectRules::default()
            }),
            example: Some(json!(field)),
            ..Node::default()
        };
        (kind, node)
    }

    #[test]
    fn keys_are_the_encodings_with_canonical_names() {
        let first = shape_of("B", "x", "b");
        let second = shape_of("A", "x", "a");
        let literal = shape_of("A", "y", "a");
        let leaf = shape_of("String", "z", "s");
        let mut names = Names::default();
        let mut skeletons = HashMap::default();
        fn add<'a>(
            names: &mut Names<'a>,
            skeletons: &mut HashMap<Vec<u8>, u32>,
            (name, validator): (&'a str, &'a str),
            (kind, node): &'a (TypeKind, crate::ir::Node),
        ) -> Shape {
            names.shape(
                name,
                validator,
                encode(kind, Some(node), validator),
                skeletons,
            )
        }
        let mut shape =
            |name, validator, of| add(&mut names, &mut skeletons, (name, validator), of);
        let [first, second, literal, a, b] = [
            shape("First", "first", &first),
            shape("Second", "second", &second),
            shape("Literal", "literal", &literal),
            shape("A", "a", &leaf),
            shape("B", "b", &leaf),
        ];
        // Docs and examples aside, the two differ only by the names they refer to.
        assert_ne!(names.key(&first), names.key(&second));
        // `B` (and its validator `b`) becomes a name of `A`: their keys are equal, not
        // that of a type whose own bytes differ.
        names.merge(&b, &a);
        assert_eq!(names.key(&first), names.key(&second));
        assert_ne!(names.key(&first), names.key(&literal));
        assert!(names.is_merged(b.own) && !names.is_merged(a.own));
    }
}
