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
//! parents equal. Self-referential types never merge (their text names themselves), which
//! is conservative, not wrong.

use rustc_hash::FxHashMap as HashMap;

use super::{Api, RustType, TypeDef, TypeKind};

/// Turns every type equal to an earlier one into an alias of it; returns how many did.
pub(crate) fn share_identical_types(api: &mut Api) -> usize {
    // The text of each type's shape and rules, computed once and cut at the names it refers
    // to, which are replaced by their canonical names whenever those change.
    // A type can only equal a type with the same sketch (its shape without the names it
    // refers to, which merging changes): the full text is written for those only. Most
    // types of a large spec are alone with their sketch, and the text is the costly part.
    let defs: Vec<(&str, &TypeDef, String)> = api
        .types
        .iter()
        .filter(|(_, def)| !matches!(def.kind, TypeKind::Alias(_)))
        .map(|(name, def)| (name.as_str(), def, sketch(&def.kind)))
        .collect();
    let mut sketches: HashMap<&str, usize> = HashMap::default();
    for (_, _, sketch) in &defs {
        *sketches.entry(sketch.as_str()).or_default() += 1;
    }
    let candidates: Vec<(&str, &TypeDef)> = defs
        .iter()
        .filter(|(_, _, sketch)| sketches[sketch.as_str()] > 1)
        .map(|(name, def, _)| (*name, *def))
        .collect();
    // Each text is independent: two halves on two threads (the other core is mostly idle
    // while lowering finishes).
    fn write<'a>(defs: &[(&'a str, &TypeDef)], api: &Api) -> Vec<(&'a str, String)> {
        defs.iter()
            .map(|(name, def)| (*name, shape_text(def, api)))
            .collect()
    }
    let (first, second) = candidates.split_at(candidates.len() / 2);
    let texts: Vec<(&str, String)> = std::thread::scope(|scope| {
        let other = scope.spawn(|| write(second, api));
        let mut texts = write(first, api);
        texts.extend(
            other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        );
        texts
    });
    let pieces: Vec<Vec<Piece<'_>>> = texts.iter().map(|(_, text)| pieces(text)).collect();
    // Type → canonical type, and the same for their validators.
    let mut canonical_type: HashMap<String, String> = HashMap::default();
    let mut canonical_validator: HashMap<String, String> = HashMap::default();
    // Each type not merged yet: its key (the text with canonical names), the canonical
    // names it was made with, and the types with each key. After each round every key has
    // one type, so only the types whose names changed need a new key and can merge.
    let mut keys: Vec<Option<(String, Vec<String>)>> = vec![None; texts.len()];
    let mut groups: HashMap<String, Vec<usize>> = HashMap::default();
    loop {
        let mut touched: Vec<String> = Vec::new();
        for (i, (name, _)) in texts.iter().enumerate() {
            if canonical_type.contains_key(*name) {
                continue;
            }
            let names = resolved(&pieces[i], &canonical_type, &canonical_validator);
            if keys[i].as_ref().is_some_and(|(_, old)| *old == names) {
                continue;
            }
            if let Some((old, _)) = keys[i].take() {
                if let Some(group) = groups.get_mut(&old) {
                    group.retain(|&j| j != i);
                }
            }
            let key = key(&pieces[i], &names);
            let group = groups.entry(key.clone()).or_default();
            group.push(i);
            if group.len() == 2 {
                touched.push(key.clone());
            }
            keys[i] = Some((key, names));
        }
        let mut merged = false;
        for key in &touched {
            let Some(group) = groups.get_mut(key) else {
                continue;
            };
            group.sort_unstable();
            let names: Vec<&str> = group.iter().map(|&i| texts[i].0).collect();
            let Some(keep) = names
                .iter()
                .copied()
                .min_by_key(|name| preference(&api.types[*name]))
            else {
                continue;
            };
            for other in names.iter().copied().filter(|n| *n != keep) {
                canonical_type.insert(other.to_owned(), keep.to_owned());
                canonical_validator.insert(
                    api.types[other].validator.clone(),
                    api.types[keep].validator.clone(),
                );
                merged = true;
            }
            group.retain(|&i| texts[i].0 == keep);
        }
        if !merged {
            break;
        }
    }
    for name in canonical_type.keys() {
        let keep = resolve(&canonical_type, name).to_owned();
        if let Some(def) = api.types.get_mut(name) {
            def.kind = TypeKind::Alias(super::RustType::Named(keep));
        }
    }
    canonical_type.len()
}

/// A piece of a type's text: text as is, or the name of a type or of a validator.
#[derive(Debug, Clone, Copy)]
enum Piece<'a> {
    Text(&'a str),
    Type(&'a str),
    Validator(&'a str),
}

/// `text` cut at each `Named("name")` and `Ref("name")`. Debug output escapes quotes
/// inside strings, so a marker never starts inside one. One pass over the text: every
/// `("` is a candidate, a name when the word before it is `Named` or `Ref`.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    // Where the text not yet cut starts.
    let mut from = 0;
    for (open, _) in text.match_indices("(\"") {
        if open < from {
            continue;
        }
        let before = &text[..open];
        let is_type = if before.ends_with("Named") {
            true
        } else if before.ends_with("Ref") {
            false
        } else {
            continue;
        };
        let start = open + 2;
        pieces.push(Piece::Text(&text[from..start]));
        let end = text[start..].find('"').map_or(text.len(), |at| start + at);
        let name = &text[start..end];
        pieces.push(if is_type {
            Piece::Type(name)
        } else {
            Piece::Validator(name)
        });
        from = end;
    }
    pieces.push(Piece::Text(&text[from..]));
    pieces
}

/// The canonical name of each name among `pieces`, in order.
fn resolved(
    pieces: &[Piece<'_>],
    canonical_type: &HashMap<String, String>,
    canonical_validator: &HashMap<String, String>,
) -> Vec<String> {
    pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Text(_) => None,
            Piece::Type(name) => Some(resolve(canonical_type, name).to_owned()),
            Piece::Validator(name) => Some(resolve(canonical_validator, name).to_owned()),
        })
        .collect()
}

/// The text of `pieces` with the names `names` (one per name piece, in order).
fn key(pieces: &[Piece<'_>], names: &[String]) -> String {
    let mut names = names.iter();
    let mut key = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => key.push_str(text),
            Piece::Type(_) | Piece::Validator(_) => {
                key.push_str(names.next().map_or("", String::as_str));
            }
        }
    }
    key
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

/// A type's shape without the names of the types it refers to: two types whose
/// [`shape_text`]s are equal once names are resolved have equal sketches, whatever the
/// names. (Equal sketches say nothing more.)
fn sketch(kind: &TypeKind) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    match kind {
        TypeKind::Struct {
            fields,
            additional,
            tag,
        } => {
            out.push('S');
            for f in fields {
                let _ = write!(
                    out,
                    "|{}:{}:{}{}{}{}{}",
                    f.name,
                    f.wire,
                    skeleton(&f.ty),
                    u8::from(f.required),
                    u8::from(f.nullable),
                    u8::from(f.boxed),
                    u8::from(f.deprecated)
                );
            }
            let _ = write!(
                out,
                "|{}|{tag:?}",
                additional.as_ref().map_or_else(String::new, skeleton)
            );
        }
        TypeKind::StringEnum { variants } => {
            out.push('E');
            for (name, wire) in variants {
                let _ = write!(out, "|{name}:{wire:?}");
            }
        }
        TypeKind::Untagged { variants } => {
            out.push('U');
            for (name, ty) in variants {
                let _ = write!(out, "|{name}:{}", skeleton(ty));
            }
        }
        TypeKind::Tagged { tag, variants } => {
            let _ = write!(out, "T{tag:?}");
            for (name, wire, _) in variants {
                let _ = write!(out, "|{name}:{wire:?}");
            }
        }
        TypeKind::ValueEnum { variants } => {
            out.push('V');
            for (name, value) in variants {
                let _ = write!(out, "|{name}:{value}");
            }
        }
        TypeKind::Alias(ty) => {
            let _ = write!(out, "A{}", skeleton(ty));
        }
    }
    out
}

/// A Rust type with every named type written `N`.
fn skeleton(ty: &RustType) -> String {
    match ty {
        RustType::Named(_) => "N".to_owned(),
        RustType::Vec(inner) => format!("V<{}>", skeleton(inner)),
        RustType::Map(inner) => format!("M<{}>", skeleton(inner)),
        RustType::Option(inner) => format!("O<{}>", skeleton(inner)),
        other => format!("{other:?}"),
    }
}

/// The shape and validation rules of a type as text, without docs, examples or defaults.
fn shape_text(def: &TypeDef, api: &Api) -> String {
    let mut kind = def.kind.clone();
    match &mut kind {
        TypeKind::Struct { fields, .. } => fields.iter_mut().for_each(|f| f.doc = None),
        TypeKind::Tagged { variants, .. } => {
            // Payload names are bare strings here; spell them like other references so
            // they are substituted too.
            for (_, _, payload) in variants.iter_mut() {
                *payload = format!("Named(\"{payload}\")");
            }
        }
        _ => {}
    }
    let rules = api.validators.get(&def.validator).map(|node| {
        let mut node = node.clone();
        node.example = None;
        node.default = None;
        node
    });
    match rules {
        Some(rules) => format!("{kind:?} | {rules:?}"),
        // Without its validator a type is only equal to itself.
        None => format!("{kind:?} | {}", def.validator),
    }
}

/// The canonical name of `name`: a type merged into one that was later merged itself
/// resolves to the last.
fn resolve<'a>(canonical: &'a HashMap<String, String>, mut name: &'a str) -> &'a str {
    while let Some(next) = canonical.get(name) {
        name = next;
    }
    name
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

    #[test]
    fn substitution_rewrites_only_marked_names() {
        let types = HashMap::from_iter([("B".to_owned(), "A".to_owned())]);
        let validators = HashMap::from_iter([("b".to_owned(), "a".to_owned())]);
        let text = r#"Named("B") name: "B" Named("C") Ref("b") Ref("B")"#;
        let pieces = pieces(text);
        assert_eq!(
            key(&pieces, &resolved(&pieces, &types, &validators)),
            r#"Named("A") name: "B" Named("C") Ref("a") Ref("B")"#
        );
    }
}
