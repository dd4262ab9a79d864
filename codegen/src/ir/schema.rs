//! Lowering schemas (as JSON values, after load-time normalisation) into Rust types and
//! validation nodes.
//!
//! Every schema yields a [`RustType`] for its position and a [`Check`] for validation.
//! Objects with properties, string enums and `oneOf`/`anyOf` become named types; inline
//! ones are named from their position (`CreatePetBody`, `PetOwner`, …). `allOf` of objects
//! is merged into one struct. What cannot be typed falls back to `serde_json::Value` with a
//! warning that names the construct and its JSON pointer.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::names::{snake_name, type_name, Namespace};
use super::{
    Additional, ArrayRules, Check, Discriminator, Field, Node, NodeKind, NumberRules, ObjectRules,
    RustType, StringRules, TypeDef, TypeKind, UntypedRules,
};
use crate::diagnostic::Diagnostic;
use crate::load::pointer::child;

/// A lowered schema in one position.
#[derive(Debug, Clone)]
pub(crate) struct Lowered {
    pub(crate) ty: RustType,
    pub(crate) check: Check,
    pub(crate) nullable: bool,
}

/// The component schemas, pre-named so that references resolve before their targets are
/// lowered (and cycles terminate).
#[derive(Debug)]
struct Component {
    type_name: String,
    validator: String,
    nullable: bool,
}

/// Lowers schemas into the `types` and `validate` namespaces of one API.
pub(crate) struct SchemaLowerer<'a> {
    root: &'a Value,
    components: HashMap<String, Component>,
    type_names: Namespace,
    validator_names: Namespace,
    pub(crate) types: BTreeMap<String, TypeDef>,
    pub(crate) validators: BTreeMap<String, Node>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Pointers currently being lowered through a non-component `$ref` (cycle guard).
    in_progress: BTreeSet<String>,
    /// Non-component `$ref` targets already lowered: each is lowered once, however often it
    /// is referenced (without this, nested references grow exponentially).
    ref_cache: HashMap<String, Lowered>,
    /// String enums by their values: an inline enum with the same values as an earlier one
    /// reuses its type (real specs repeat the same inline enum in many operations).
    enums_by_values: HashMap<Vec<String>, String>,
    /// Integer and mixed enums by their values (as JSON text), reused the same way.
    value_enums: HashMap<String, String>,
    /// The [`TypeKind::Tagged`] enums created, checked by [`Self::finish_tagged`].
    tagged: Vec<String>,
    /// How many schema objects were lowered, and how many of them fell back to
    /// `serde_json::Value` with a warning (the corpus runner reports the share).
    pub(crate) stats: SchemaStats,
}

/// Counts of lowered schemas, for coverage reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchemaStats {
    /// Schema objects lowered (each `$ref` target once).
    pub schemas: usize,
    /// Of those, the ones typed as `serde_json::Value` because tollgate could not type them
    /// (each announced by a warning). Schemas that legitimately mean "any JSON" (no
    /// keywords, free-form objects) are not counted.
    pub fallbacks: usize,
}

const COMPONENT_PREFIX: &str = "#/components/schemas/";

impl<'a> SchemaLowerer<'a> {
    /// Prepares lowering for a document: names every component schema.
    pub(crate) fn new(root: &'a Value) -> Self {
        let mut this = Self {
            root,
            components: HashMap::new(),
            type_names: Namespace::default(),
            validator_names: Namespace::default(),
            types: BTreeMap::new(),
            validators: BTreeMap::new(),
            diagnostics: Vec::new(),
            in_progress: BTreeSet::new(),
            ref_cache: HashMap::new(),
            enums_by_values: HashMap::new(),
            value_enums: HashMap::new(),
            tagged: Vec::new(),
            stats: SchemaStats::default(),
        };
        if let Some(schemas) = root
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, schema) in schemas {
                let type_name = this.type_names.claim(&type_name(name));
                let validator = this.validator_names.claim(&snake_name(&type_name));
                let nullable = nullable_of(schema);
                this.components.insert(
                    name.clone(),
                    Component {
                        type_name,
                        validator,
                        nullable,
                    },
                );
            }
            for (name, schema) in schemas {
                this.lower_component(name, schema);
            }
        }
        this
    }

    /// Claims a validator function name (for operation-level validators).
    pub(crate) fn claim_validator(&mut self, base: &str) -> String {
        self.validator_names.claim(&snake_name(base))
    }

    /// Registers a validator for `check` under a fresh name derived from `base`, unless it
    /// already is a reference to one. Returns `None` when there is nothing to check.
    pub(crate) fn validator_for(&mut self, check: &Check, base: &str) -> Option<String> {
        match check {
            Check::Ref(name) => Some(name.clone()),
            Check::Inline(node) if **node == Node::default() => None,
            Check::Inline(node) => {
                let name = self.claim_validator(base);
                self.validators.insert(name.clone(), (**node).clone());
                Some(name)
            }
        }
    }

    fn lower_component(&mut self, name: &str, schema: &Value) {
        let pointer = child("#/components/schemas", name);
        let Some(component) = self.components.get(name) else {
            return;
        };
        let (type_name, validator) = (component.type_name.clone(), component.validator.clone());
        let lowered = self.lower_as(schema, &type_name, &pointer, Some(&type_name));
        let node = match &lowered.check {
            Check::Inline(node) => (**node).clone(),
            Check::Ref(other) => Node {
                all_of: vec![Check::Ref(other.clone())],
                nullable: lowered.nullable,
                ..Node::default()
            },
        };
        self.validators.insert(validator.clone(), node);
        if !self.types.contains_key(&type_name) {
            let ty = if lowered.nullable && !matches!(lowered.ty, RustType::Option(_)) {
                RustType::Option(Box::new(lowered.ty))
            } else {
                lowered.ty
            };
            self.types.insert(
                type_name.clone(),
                TypeDef {
                    name: type_name,
                    doc: doc_of(schema),
                    kind: TypeKind::Alias(ty),
                    validator,
                    pointer,
                },
            );
        } else if let Some(def) = self.types.get_mut(&type_name) {
            def.validator = validator;
        }
    }

    /// Lowers a schema in a position named `hint` (used if it needs a named type).
    pub(crate) fn lower(&mut self, schema: &Value, hint: &str, pointer: &str) -> Lowered {
        self.lower_as(schema, hint, pointer, None)
    }

    /// `exact`: the named type to create (component schemas) instead of a fresh name.
    fn lower_as(
        &mut self,
        schema: &Value,
        hint: &str,
        pointer: &str,
        exact: Option<&str>,
    ) -> Lowered {
        if !schema.get("$ref").is_some_and(Value::is_string) {
            self.stats.schemas += 1;
        }
        let Some(obj) = schema.as_object() else {
            // `true`/`false` schemas are normalised at load time; anything else is a defect.
            self.fallback(
                pointer,
                "schema is not an object; any value is accepted here",
            );
            return any();
        };
        if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
            return self.lower_ref(reference, hint, pointer);
        }
        if obj.contains_key("discriminator")
            && !obj.contains_key("oneOf")
            && !obj.contains_key("anyOf")
        {
            self.warn(
                &child(pointer, "discriminator"),
                "`discriminator` without `oneOf`/`anyOf` (an `allOf` base) does not make a tagged enum: a value of this schema is read as this schema's own type, without the properties only its subtypes declare; list the subtypes in a `oneOf` with this `discriminator` to get one",
            );
        }
        let mut node = self.node(obj, hint, pointer);
        let nullable = nullable_of(schema);

        // Decide the Rust type.
        let ty = if let Some(merged) = self.all_of_object(obj, pointer) {
            let (ty, rules) = self.named_struct(&merged, hint, pointer, exact, doc_of(schema));
            let typed = obj.contains_key("type") || merged.contains_key("type");
            match obj.get("additionalProperties") {
                Some(additional) if *additional != Value::Bool(true) => {
                    // JSON Schema: the outer `additionalProperties` treats everything but
                    // the outer `properties` as additional, whatever the `allOf` branches
                    // declare. Validate exactly that: the outer keywords, then each branch.
                    let own = self.own_object_rules(obj, rules, additional, hint, pointer);
                    place_object_rules(&mut node, typed, own);
                    let branches = self.branches(obj, "allOf", hint, pointer);
                    node.all_of = branches.into_iter().map(|l| l.check).collect();
                }
                _ => place_object_rules(&mut node, typed, rules),
            }
            node.nullable |= merged
                .get("nullable")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            ty
        } else if let Some(branches) = obj
            .get("allOf")
            .and_then(Value::as_array)
            .filter(|b| b.len() == 1)
        {
            let inner = self.lower(&branches[0], hint, &child(pointer, "allOf"));
            let ty = inner.ty.clone();
            node.all_of = vec![inner.check];
            ty
        } else if obj.contains_key("allOf") && !is_object_like(obj) {
            let lowered: Vec<Lowered> = self.branches(obj, "allOf", hint, pointer);
            node.all_of = lowered.iter().map(|l| l.check.clone()).collect();
            match lowered.iter().find(|l| l.ty != RustType::Value) {
                // Every branch is untyped: so is the whole (not a fallback).
                None => RustType::Value,
                Some(first)
                    if lowered
                        .iter()
                        .all(|l| l.ty == first.ty || l.ty == RustType::Value) =>
                {
                    first.ty.clone()
                }
                _ => {
                    self.fallback(pointer, "`allOf` of non-object schemas has no single Rust type; using serde_json::Value");
                    RustType::Value
                }
            }
        } else if let Some(key) = ["oneOf", "anyOf"]
            .into_iter()
            .find(|k| obj.contains_key(*k))
        {
            let lowered = self.branches(obj, key, hint, pointer);
            let checks: Vec<Check> = lowered.iter().map(|l| l.check.clone()).collect();
            if key == "oneOf" {
                node.one_of = checks;
            } else {
                node.any_of = checks;
            }
            match self.discriminated(obj, key, pointer) {
                Some((tag, entries)) => {
                    node.discriminator = Some(Box::new(Discriminator {
                        property: tag.clone(),
                        mapping: entries
                            .iter()
                            .map(|(value, _, l)| (value.clone(), l.check.clone()))
                            .collect(),
                    }));
                    self.tagged_enum(tag, entries, hint, pointer, exact, doc_of(schema))
                }
                None => self.untagged(&lowered, obj, key, hint, pointer, exact, doc_of(schema)),
            }
        } else if let Some(values) = value_enum(obj) {
            let strings: Option<Vec<String>> = values
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect();
            match strings {
                // Untyped, but only strings: the same enum as with `type: string`.
                Some(strings) => {
                    let names = self.enum_var_names(obj, strings.len(), pointer);
                    self.named_enum(strings, names, hint, pointer, exact, doc_of(schema))
                }
                None => {
                    let names = self.enum_var_names(obj, values.len(), pointer);
                    self.named_value_enum(values, names, hint, pointer, exact, doc_of(schema))
                }
            }
        } else {
            match &node.kind {
                NodeKind::String(_) => match string_enum(obj) {
                    Some(values) => {
                        let names = self.enum_var_names(obj, values.len(), pointer);
                        self.named_enum(values, names, hint, pointer, exact, doc_of(schema))
                    }
                    None => RustType::String,
                },
                NodeKind::Integer(rules) => match rules.format.as_deref() {
                    Some("int32") => RustType::I32,
                    _ => RustType::I64,
                },
                NodeKind::Number(rules) => match rules.format.as_deref() {
                    Some("float") => RustType::F32,
                    _ => RustType::F64,
                },
                NodeKind::Boolean => RustType::Bool,
                NodeKind::Array(_) => {
                    let items = match obj.get("items") {
                        Some(items) => {
                            self.lower(items, &format!("{hint}Item"), &child(pointer, "items"))
                        }
                        None => any(),
                    };
                    if let NodeKind::Array(rules) = &mut node.kind {
                        rules.items = Some(Box::new(items.check.clone()));
                    }
                    RustType::Vec(Box::new(position_type(items)))
                }
                NodeKind::Object(_) | NodeKind::Any if is_object_like(obj) => {
                    let typed = obj.contains_key("type");
                    if obj
                        .get("properties")
                        .and_then(Value::as_object)
                        .is_some_and(|p| !p.is_empty())
                    {
                        let (ty, rules) =
                            self.named_struct(obj, hint, pointer, exact, doc_of(schema));
                        place_object_rules(&mut node, typed, rules);
                        ty
                    } else {
                        let (rules, _, additional) = self.object_parts(obj, hint, pointer);
                        place_object_rules(&mut node, typed, rules);
                        RustType::Map(Box::new(
                            additional.map(position_type).unwrap_or(RustType::Value),
                        ))
                    }
                }
                NodeKind::Object(_) => RustType::Value,
                NodeKind::Any => {
                    // No `type`: the keywords of every type apply to values of that type.
                    if let Some(items) = obj.get("items") {
                        let items =
                            self.lower(items, &format!("{hint}Item"), &child(pointer, "items"));
                        untyped(&mut node).array.items = Some(Box::new(items.check));
                    }
                    if ["required", "minProperties", "maxProperties"]
                        .iter()
                        .any(|k| obj.contains_key(*k))
                    {
                        let (rules, _, _) = self.object_parts(obj, hint, pointer);
                        place_object_rules(&mut node, false, rules);
                    }
                    RustType::Value
                }
            }
        };

        // `oneOf`/`anyOf` beside `allOf`, or beside each other, apply as well.
        for key in ["oneOf", "anyOf"] {
            let pending = if key == "oneOf" {
                node.one_of.is_empty()
            } else {
                node.any_of.is_empty()
            };
            if pending
                && obj
                    .get(key)
                    .and_then(Value::as_array)
                    .is_some_and(|b| !b.is_empty())
            {
                let checks: Vec<Check> = self
                    .branches(obj, key, hint, pointer)
                    .into_iter()
                    .map(|l| l.check)
                    .collect();
                if key == "oneOf" {
                    node.one_of = checks;
                } else {
                    node.any_of = checks;
                }
            }
        }

        let check = match exact {
            // Component schemas register their own validator in `lower_component`.
            Some(_) => Check::Inline(Box::new(node)),
            None => match &ty {
                RustType::Named(name)
                    if self.types.get(name).is_some_and(|d| d.pointer == pointer) =>
                {
                    let validator = self.types[name].validator.clone();
                    self.validators.insert(validator.clone(), node);
                    Check::Ref(validator)
                }
                _ => Check::Inline(Box::new(node)),
            },
        };
        Lowered {
            ty,
            check,
            nullable,
        }
    }

    fn lower_ref(&mut self, reference: &str, hint: &str, pointer: &str) -> Lowered {
        if let Some(name) = reference.strip_prefix(COMPONENT_PREFIX) {
            let name = crate::load::pointer::unescape(name).into_owned();
            if let Some(component) = self.components.get(&name) {
                return Lowered {
                    ty: RustType::Named(component.type_name.clone()),
                    check: Check::Ref(component.validator.clone()),
                    nullable: component.nullable,
                };
            }
        }
        // A reference into some other part of the document: lower the target once, in place.
        if let Some(lowered) = self.ref_cache.get(reference) {
            return lowered.clone();
        }
        let target = reference
            .strip_prefix('#')
            .and_then(|p| self.root.pointer(p));
        match target {
            Some(target) if !self.in_progress.contains(reference) => {
                self.in_progress.insert(reference.to_owned());
                let lowered = self.lower(&target.clone(), hint, reference);
                self.in_progress.remove(reference);
                self.ref_cache.insert(reference.to_owned(), lowered.clone());
                lowered
            }
            Some(_) => {
                self.fallback(pointer, &format!("recursive `$ref` to `{reference}` outside components; using serde_json::Value"));
                any()
            }
            None => {
                self.fallback(
                    pointer,
                    &format!("`$ref` to `{reference}` does not resolve; using serde_json::Value"),
                );
                any()
            }
        }
    }

    /// The validation node of a schema object (without sub-schemas of objects/arrays, which
    /// the caller fills in).
    fn node(&mut self, obj: &Map<String, Value>, hint: &str, pointer: &str) -> Node {
        let mut node = Node {
            nullable: obj
                .get("nullable")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            enum_values: obj.get("enum").and_then(Value::as_array).cloned(),
            example: obj.get("example").cloned(),
            default: obj.get("default").cloned(),
            ..Node::default()
        };
        if node.nullable {
            if let Some(values) = &mut node.enum_values {
                if !values.contains(&Value::Null) {
                    values.push(Value::Null);
                }
            }
        }
        let ty = obj.get("type").and_then(Value::as_str);
        node.kind = match ty {
            Some("string") => NodeKind::String(self.string_rules(obj, pointer)),
            Some("integer") => NodeKind::Integer(number_rules(obj)),
            Some("number") => NodeKind::Number(number_rules(obj)),
            Some("boolean") => NodeKind::Boolean,
            Some("array") => NodeKind::Array(array_rules(obj)),
            Some("object") => NodeKind::Object(ObjectRules::default()),
            Some(other) => {
                self.warn(
                    &child(pointer, "type"),
                    &format!("unknown type `{other}`; any value is accepted"),
                );
                NodeKind::Any
            }
            None => {
                let rules = UntypedRules {
                    string: self.string_rules(obj, pointer),
                    number: number_rules(obj),
                    array: array_rules(obj),
                    object: ObjectRules::default(),
                };
                if rules != UntypedRules::default() {
                    node.untyped = Some(Box::new(rules));
                }
                NodeKind::Any
            }
        };
        if let Some(not) = obj.get("not") {
            let check = self.lower_check_only(not, &format!("{hint}Not"), &child(pointer, "not"));
            node.not = Some(Box::new(check));
        }
        node
    }

    /// Lowers a schema only its validator is needed for (`not`): the named types created
    /// for it are dropped again (their validators stay).
    fn lower_check_only(&mut self, schema: &Value, hint: &str, pointer: &str) -> Check {
        let before: BTreeSet<String> = self.types.keys().cloned().collect();
        let check = self.lower(schema, hint, pointer).check;
        let created: Vec<String> = self
            .types
            .iter()
            .filter(|(name, def)| {
                !before.contains(*name)
                    && (def.pointer == pointer || def.pointer.starts_with(&format!("{pointer}/")))
            })
            .map(|(name, _)| name.clone())
            .collect();
        for name in &created {
            self.types.remove(name);
        }
        self.enums_by_values.retain(|_, n| !created.contains(n));
        self.value_enums.retain(|_, n| !created.contains(n));
        self.tagged.retain(|n| !created.contains(n));
        check
    }

    fn string_rules(&mut self, obj: &Map<String, Value>, pointer: &str) -> StringRules {
        let pattern = obj.get("pattern").and_then(Value::as_str).and_then(|p| {
            // As the runtime compiles it: Unicode semantics first, then without the flag.
            match regress::Regex::with_flags(p, "u").or_else(|_| regress::Regex::new(p)) {
                Ok(_) => Some(p.to_owned()),
                Err(err) => {
                    self.warn(
                        &child(pointer, "pattern"),
                        &format!("pattern `{p}` is not a valid ECMA-262 regular expression ({err}); it is not enforced"),
                    );
                    None
                }
            }
        });
        StringRules {
            min_length: u64_of(obj, "minLength"),
            max_length: u64_of(obj, "maxLength"),
            pattern,
            format: obj.get("format").and_then(Value::as_str).map(str::to_owned),
        }
    }

    /// The object keywords of `obj`, lowering each property (and `additionalProperties`)
    /// exactly once; property types are named `{prefix}{Property}`.
    fn object_parts(
        &mut self,
        obj: &Map<String, Value>,
        prefix: &str,
        pointer: &str,
    ) -> (ObjectRules, Vec<(String, Lowered)>, Option<Lowered>) {
        let mut rules = ObjectRules {
            min_properties: u64_of(obj, "minProperties"),
            max_properties: u64_of(obj, "maxProperties"),
            ..ObjectRules::default()
        };
        let mut properties = Vec::new();
        if let Some(props) = obj.get("properties").and_then(Value::as_object) {
            let props_ptr = child(pointer, "properties");
            for (name, schema) in props {
                let lowered = self.lower(
                    schema,
                    &format!("{prefix}{}", type_name(name)),
                    &child(&props_ptr, name),
                );
                rules.properties.push((name.clone(), lowered.check.clone()));
                properties.push((name.clone(), lowered));
            }
        }
        self.split_required(obj, required_of(obj), &mut rules);
        let mut additional = None;
        rules.additional = match obj.get("additionalProperties") {
            Some(Value::Bool(false)) => Additional::Denied,
            Some(Value::Object(extra)) if !extra.is_empty() => {
                let lowered = self.lower(
                    &Value::Object(extra.clone()),
                    &format!("{prefix}Value"),
                    &child(pointer, "additionalProperties"),
                );
                let check = lowered.check.clone();
                additional = Some(lowered);
                Additional::Schema(Box::new(check))
            }
            _ => Additional::Allowed,
        };
        (rules, properties, additional)
    }

    fn branches(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        hint: &str,
        pointer: &str,
    ) -> Vec<Lowered> {
        let list_ptr = child(pointer, key);
        obj.get(key)
            .and_then(Value::as_array)
            .map(|branches| {
                branches
                    .iter()
                    .enumerate()
                    .map(|(i, b)| {
                        self.lower(
                            b,
                            &format!("{hint}Variant{}", i + 1),
                            &child(&list_ptr, &i.to_string()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `allOf` whose branches are all objects: the merged object schema (properties and
    /// `required` united, `additionalProperties: false` from any branch applies to all).
    fn all_of_object(
        &mut self,
        obj: &Map<String, Value>,
        pointer: &str,
    ) -> Option<Map<String, Value>> {
        let branches = obj.get("allOf")?.as_array()?;
        if branches.len() < 2 && !is_object_like(obj) {
            return None;
        }
        let mut merged = Map::new();
        let mut properties = Map::new();
        let mut required: Vec<Value> = Vec::new();
        let mut deny = false;
        let mut parts: Vec<Map<String, Value>> = Vec::new();
        for branch in branches {
            parts.push(self.resolve_object(branch, 0)?);
        }
        let mut own = obj.clone();
        own.remove("allOf");
        // `additionalProperties` beside `allOf` only sees the schema's own `properties`
        // (JSON Schema); the caller validates that way, so it is not merged here.
        own.remove("additionalProperties");
        parts.push(own);
        for part in parts {
            if let Some(p) = part.get("properties").and_then(Value::as_object) {
                for (k, v) in p {
                    properties.insert(k.clone(), v.clone());
                }
            }
            if let Some(r) = part.get("required").and_then(Value::as_array) {
                for name in r {
                    if !required.contains(name) {
                        required.push(name.clone());
                    }
                }
            }
            if part.get("additionalProperties") == Some(&Value::Bool(false)) {
                deny = true;
            }
            for key in [
                "description",
                "title",
                "nullable",
                "minProperties",
                "maxProperties",
                "example",
            ] {
                if let Some(v) = part.get(key) {
                    merged.insert(key.to_owned(), v.clone());
                }
            }
        }
        if deny {
            self.diagnostics.push(
                Diagnostic::warning(
                    pointer.to_owned(),
                    "`allOf` with `additionalProperties: false` in a branch: merged into one object, so the other branches' properties are allowed (strict JSON Schema would reject them)",
                ),
            );
            merged.insert("additionalProperties".into(), Value::Bool(false));
        }
        merged.insert("type".into(), Value::String("object".into()));
        merged.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            merged.insert("required".into(), Value::Array(required));
        }
        Some(merged)
    }

    /// The keywords an object schema states itself (not through `allOf`): `merged` narrowed
    /// to the schema's own properties and `required`, with its own `additionalProperties`.
    fn own_object_rules(
        &mut self,
        obj: &Map<String, Value>,
        merged: ObjectRules,
        additional: &Value,
        hint: &str,
        pointer: &str,
    ) -> ObjectRules {
        let own_properties = obj.get("properties").and_then(Value::as_object);
        let own_required = required_of(obj);
        let additional = match additional {
            Value::Bool(false) => Additional::Denied,
            schema => {
                let lowered = self.lower(
                    schema,
                    &format!("{hint}Additional"),
                    &child(pointer, "additionalProperties"),
                );
                Additional::Schema(Box::new(lowered.check))
            }
        };
        let mut rules = ObjectRules {
            properties: merged
                .properties
                .into_iter()
                .filter(|(name, _)| own_properties.is_some_and(|p| p.contains_key(name)))
                .collect(),
            additional,
            ..merged
        };
        self.split_required(obj, own_required, &mut rules);
        rules
    }

    /// The object schema behind `schema` (following `$ref`s and nested `allOf`), or `None`
    /// if it is not an object schema.
    fn resolve_object(&mut self, schema: &Value, depth: usize) -> Option<Map<String, Value>> {
        if depth > 32 {
            return None;
        }
        let obj = schema.as_object()?;
        if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
            let target = reference
                .strip_prefix('#')
                .and_then(|p| self.root.pointer(p))?;
            return self.resolve_object(&target.clone(), depth + 1);
        }
        if obj.contains_key("allOf") {
            let mut merged = self.all_of_object(obj, "#")?;
            // Warnings for nested merges are reported where they are lowered themselves.
            merged.remove("__nested");
            return Some(merged);
        }
        if obj.contains_key("oneOf") || obj.contains_key("anyOf") {
            return None;
        }
        is_object_like(obj).then(|| obj.clone())
    }

    fn named_struct(
        &mut self,
        obj: &Map<String, Value>,
        hint: &str,
        pointer: &str,
        exact: Option<&str>,
        doc: Option<String>,
    ) -> (RustType, ObjectRules) {
        let name = self.type_name_for(hint, exact);
        let validator = match exact {
            Some(_) => String::new(),
            None => self.claim_validator(&name),
        };
        // Reserve the name first so recursive references see it.
        self.types.insert(
            name.clone(),
            TypeDef {
                name: name.clone(),
                doc: doc.clone(),
                kind: TypeKind::Struct {
                    fields: Vec::new(),
                    additional: None,
                    tag: None,
                },
                validator,
                pointer: pointer.to_owned(),
            },
        );
        let (rules, properties, additional) = self.object_parts(obj, &name, pointer);
        let mut field_names = Namespace::with_reserved(&["additional_properties"]);
        let props = obj.get("properties").and_then(Value::as_object);
        let fields = properties
            .into_iter()
            .map(|(wire, lowered)| {
                let schema = props.and_then(|p| p.get(&wire));
                let (ty, nullable) = match lowered.ty {
                    RustType::Option(inner) => (*inner, true),
                    ty => (ty, lowered.nullable),
                };
                let access = if rules.required_read_only.contains(&wire) {
                    Some("Read-only: required in responses, absent from requests.")
                } else if rules.required_write_only.contains(&wire) {
                    Some("Write-only: required in requests, absent from responses.")
                } else {
                    None
                };
                let doc = match (schema.and_then(doc_of), access) {
                    (Some(d), Some(a)) => Some(format!("{d}\n\n{a}")),
                    (d, a) => d.or(a.map(str::to_owned)),
                };
                Field {
                    name: field_names.claim(&snake_name(&wire)),
                    required: rules.required.contains(&wire),
                    wire,
                    ty,
                    nullable,
                    boxed: false,
                    doc,
                    deprecated: schema
                        .and_then(|s| s.get("deprecated"))
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                }
            })
            .collect();
        let additional = additional.map(position_type);
        if let Some(def) = self.types.get_mut(&name) {
            def.kind = TypeKind::Struct {
                fields,
                additional,
                tag: None,
            };
        }
        (RustType::Named(name), rules)
    }

    /// The variant names an `x-enum-varnames` (openapi-generator) or `x-enumNames` (NSwag)
    /// extension gives the `count` values of `enum`, in order. A list of another length, or
    /// with a non-string entry, is announced and ignored (names derived from the values).
    fn enum_var_names(
        &mut self,
        obj: &Map<String, Value>,
        count: usize,
        pointer: &str,
    ) -> Option<Vec<String>> {
        let (key, list) = ["x-enum-varnames", "x-enumNames"]
            .into_iter()
            .find_map(|key| obj.get(key).map(|list| (key, list)))?;
        let names: Option<Vec<String>> = list.as_array().and_then(|list| {
            list.iter()
                .map(|name| name.as_str().map(str::to_owned))
                .collect()
        });
        match names {
            Some(names) if names.len() == count => Some(names),
            _ => {
                self.warn(
                    &child(pointer, key),
                    &format!("`{key}` is not a list of {count} names, one per `enum` value; variant names are derived from the values instead"),
                );
                None
            }
        }
    }

    /// The variants of an enum: each value's name from `names` (`x-enum-varnames`) when
    /// given, else derived from the value; repeated values (warned about) are dropped.
    fn enum_variants<T>(
        &mut self,
        values: Vec<T>,
        names: Option<Vec<String>>,
        pointer: &str,
        wire: impl Fn(&T) -> String,
        derived: impl Fn(&T) -> String,
    ) -> Vec<(String, T)> {
        let named: Vec<(Option<String>, T)> = match names {
            Some(names) => values
                .into_iter()
                .zip(names)
                .map(|(v, n)| (Some(n), v))
                .collect(),
            None => values.into_iter().map(|v| (None, v)).collect(),
        };
        let distinct = self.distinct_enum_values(named, pointer, |(_, v)| wire(v));
        let mut variant_names = Namespace::default();
        distinct
            .into_iter()
            .map(|(name, v)| {
                let base = name.map_or_else(|| derived(&v), |n| type_name(&n));
                (variant_names.claim(&base), v)
            })
            .collect()
    }

    fn named_enum(
        &mut self,
        values: Vec<String>,
        names: Option<Vec<String>>,
        hint: &str,
        pointer: &str,
        exact: Option<&str>,
        doc: Option<String>,
    ) -> RustType {
        // Enums of equal values share a type, unless names are given for their variants.
        let shareable = names.is_none();
        let variants = self.enum_variants(values, names, pointer, String::clone, |v| type_name(v));
        let values: Vec<String> = variants.iter().map(|(_, v)| v.clone()).collect();
        if exact.is_none() && shareable {
            if let Some(existing) = self.enums_by_values.get(&values) {
                return RustType::Named(existing.clone());
            }
        }
        let name = self.type_name_for(hint, exact);
        if shareable {
            self.enums_by_values
                .entry(values)
                .or_insert_with(|| name.clone());
        }
        self.insert_enum(name, exact, TypeKind::StringEnum { variants }, doc, pointer)
    }

    /// Registers the enum type `name` of `kind`, with a validator of its own unless `exact`
    /// (a component's own name, whose validator exists already).
    fn insert_enum(
        &mut self,
        name: String,
        exact: Option<&str>,
        kind: TypeKind,
        doc: Option<String>,
        pointer: &str,
    ) -> RustType {
        let validator = match exact {
            Some(_) => String::new(),
            None => self.claim_validator(&name),
        };
        self.types.insert(
            name.clone(),
            TypeDef {
                name: name.clone(),
                doc,
                kind,
                validator,
                pointer: pointer.to_owned(),
            },
        );
        RustType::Named(name)
    }

    #[allow(clippy::too_many_arguments)]
    fn untagged(
        &mut self,
        lowered: &[Lowered],
        obj: &Map<String, Value>,
        key: &str,
        hint: &str,
        pointer: &str,
        exact: Option<&str>,
        doc: Option<String>,
    ) -> RustType {
        let branches = obj
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if lowered.is_empty() {
            return RustType::Value;
        }
        let name = self.type_name_for(hint, exact);
        let validator = match exact {
            Some(_) => String::new(),
            None => self.claim_validator(&name),
        };
        let mut variant_names = Namespace::default();
        let mut variants = Vec::new();
        for (branch, l) in branches.iter().zip(lowered) {
            let base = branch
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .map(type_name)
                .or_else(|| branch.get("title").and_then(Value::as_str).map(type_name))
                .unwrap_or_else(|| variant_base(&l.ty));
            variants.push((variant_names.claim(&base), position_type(l.clone())));
        }
        self.types.insert(
            name.clone(),
            TypeDef {
                name: name.clone(),
                doc,
                kind: TypeKind::Untagged { variants },
                validator,
                pointer: pointer.to_owned(),
            },
        );
        RustType::Named(name)
    }

    /// `required` of `obj` split three ways: `readOnly` properties (required in responses
    /// only), `writeOnly` ones (requests only), and the rest.
    fn split_required(
        &self,
        obj: &Map<String, Value>,
        required: Vec<String>,
        rules: &mut ObjectRules,
    ) {
        let props = obj.get("properties").and_then(Value::as_object);
        for name in required {
            match props
                .and_then(|p| p.get(&name))
                .and_then(|s| self.access_of(s, 0))
            {
                Some(Access::ReadOnly) => rules.required_read_only.push(name),
                Some(Access::WriteOnly) => rules.required_write_only.push(name),
                None => rules.required.push(name),
            }
        }
    }

    /// Whether a property schema (following `$ref`s and one-branch `allOf`s) is `readOnly`
    /// or `writeOnly`.
    fn access_of(&self, schema: &Value, depth: usize) -> Option<Access> {
        if depth > 8 {
            return None;
        }
        let flag = |key: &str| schema.get(key).and_then(Value::as_bool) == Some(true);
        if flag("readOnly") {
            return Some(Access::ReadOnly);
        }
        if flag("writeOnly") {
            return Some(Access::WriteOnly);
        }
        if let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| self.root.pointer(p))
        {
            return self.access_of(target, depth + 1);
        }
        match schema.get("allOf").and_then(Value::as_array) {
            Some(branches) if branches.len() == 1 => self.access_of(&branches[0], depth + 1),
            _ => None,
        }
    }

    /// The tag and its `(tag value, component name, lowered branch)` entries when `obj`'s
    /// `oneOf`/`anyOf` has a `discriminator` that can pick a branch; `None` (with a warning
    /// when a discriminator is there) otherwise.
    #[allow(clippy::type_complexity)]
    fn discriminated(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        pointer: &str,
    ) -> Option<(String, Vec<(String, String, Lowered)>)> {
        let discriminator = obj.get("discriminator")?;
        let at = child(pointer, "discriminator");
        let Some(tag) = discriminator.get("propertyName").and_then(Value::as_str) else {
            self.warn(
                &at,
                "`discriminator` without `propertyName` is ignored; the enum is untagged",
            );
            return None;
        };
        let branches = obj.get(key).and_then(Value::as_array)?;
        let mut refs = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            match component_of(branch.get("$ref").and_then(Value::as_str))
                .filter(|c| self.components.contains_key(c))
            {
                Some(name) => refs.push(name),
                None => {
                    self.warn(
                        &child(&child(pointer, key), &i.to_string()),
                        &format!("`discriminator` ignored: this branch is not a `$ref` to a component schema, so `{key}` stays an untagged enum (branches tried in order)"),
                    );
                    return None;
                }
            }
        }
        let mut entries: Vec<(String, String)> = Vec::new();
        if let Some(mapping) = discriminator.get("mapping").and_then(Value::as_object) {
            for (value, target) in mapping {
                let target = target.as_str().and_then(|t| {
                    if t.contains('/') {
                        component_of(Some(t))
                    } else {
                        Some(t.to_owned())
                    }
                });
                match target.filter(|c| self.components.contains_key(c)) {
                    Some(name) => entries.push((value.clone(), name)),
                    None => {
                        self.warn(
                            &child(&child(&at, "mapping"), value),
                            "`discriminator` ignored: this mapping does not name a component schema; the enum is untagged",
                        );
                        return None;
                    }
                }
            }
        }
        // Branches the mapping does not name are tagged with their component name.
        for name in refs {
            if !entries.iter().any(|(v, c)| *c == name || *v == name) {
                entries.push((name.clone(), name));
            }
        }
        let lowered = entries
            .into_iter()
            .map(|(value, name)| {
                let reference = format!(
                    "{COMPONENT_PREFIX}{}",
                    name.replace('~', "~0").replace('/', "~1")
                );
                let l = self.lower_ref(&reference, &name, pointer);
                (value, name, l)
            })
            .collect();
        Some((tag.to_owned(), lowered))
    }

    /// A [`TypeKind::Tagged`] enum; [`Self::finish_tagged`] turns it back into an untagged
    /// one if its branch structs cannot lose the tag property.
    fn tagged_enum(
        &mut self,
        tag: String,
        entries: Vec<(String, String, Lowered)>,
        hint: &str,
        pointer: &str,
        exact: Option<&str>,
        doc: Option<String>,
    ) -> RustType {
        let name = self.type_name_for(hint, exact);
        let validator = match exact {
            Some(_) => String::new(),
            None => self.claim_validator(&name),
        };
        let mut variant_names = Namespace::default();
        let variants = entries
            .into_iter()
            .filter_map(|(value, _, l)| match l.ty {
                RustType::Named(payload) => {
                    Some((variant_names.claim(&type_name(&value)), value, payload))
                }
                _ => None,
            })
            .collect();
        self.types.insert(
            name.clone(),
            TypeDef {
                name: name.clone(),
                doc,
                kind: TypeKind::Tagged { tag, variants },
                validator,
                pointer: pointer.to_owned(),
            },
        );
        self.tagged.push(name.clone());
        RustType::Named(name)
    }

    /// After every schema and operation is lowered (`used`: the types operations use):
    /// keeps a [`TypeKind::Tagged`] enum tagged only if each variant is a struct used
    /// nowhere else but as a variant of enums with the same tag, and its tag property (if
    /// declared) is a string; drops that property from those structs. Other tagged enums
    /// become untagged, with a warning saying why.
    pub(crate) fn finish_tagged<'t>(&mut self, used: impl IntoIterator<Item = &'t RustType>) {
        if self.tagged.is_empty() {
            return;
        }
        // Where each named type is used: `None` for a plain use, `Some(enum)` as a variant.
        let mut uses: HashMap<String, Vec<Option<String>>> = HashMap::new();
        for ty in used {
            if let Some(n) = any_named(ty) {
                uses.entry(n.to_owned()).or_default().push(None);
            }
        }
        for (name, def) in &self.types {
            match &def.kind {
                TypeKind::Tagged { variants, .. } => {
                    for (_, _, t) in variants {
                        uses.entry(t.clone()).or_default().push(Some(name.clone()));
                    }
                }
                kind => {
                    for n in all_refs(kind) {
                        uses.entry(n).or_default().push(None);
                    }
                }
            }
        }
        let tags: HashMap<String, String> = self
            .tagged
            .iter()
            .filter_map(|n| match self.types.get(n).map(|d| &d.kind) {
                Some(TypeKind::Tagged { tag, .. }) => Some((n.clone(), tag.clone())),
                _ => None,
            })
            .collect();
        let mut keep: BTreeSet<String> = tags.keys().cloned().collect();
        let mut why: BTreeMap<String, String> = BTreeMap::new();
        loop {
            let mut dropped = Vec::new();
            for name in &keep {
                let tag = &tags[name];
                let Some(TypeKind::Tagged { variants, .. }) = self.types.get(name).map(|d| &d.kind)
                else {
                    continue;
                };
                for (_, _, payload) in variants {
                    let reason = match self.types.get(payload).map(|d| &d.kind) {
                        Some(TypeKind::Struct { fields, .. }) => {
                            let tag_field = fields.iter().find(|f| f.wire == *tag);
                            if tag_field.is_some_and(|f| !self.is_string_type(&f.ty)) {
                                Some(format!("`{payload}.{tag}` is not a string"))
                            } else if uses.get(payload).into_iter().flatten().any(|u| match u {
                                None => true,
                                Some(other) => !keep.contains(other) || tags[other] != *tag,
                            }) {
                                Some(format!("`{payload}` is also used on its own, so it keeps its `{tag}` property"))
                            } else {
                                None
                            }
                        }
                        _ => Some(format!("`{payload}` is not a struct of its own")),
                    };
                    if let Some(reason) = reason {
                        why.insert(name.clone(), reason);
                        dropped.push(name.clone());
                        break;
                    }
                }
            }
            if dropped.is_empty() {
                break;
            }
            for name in dropped {
                keep.remove(&name);
            }
        }
        for name in std::mem::take(&mut self.tagged) {
            let Some(def) = self.types.get_mut(&name) else {
                continue;
            };
            let TypeKind::Tagged { tag, variants } = &def.kind else {
                continue;
            };
            if keep.contains(&name) {
                let (tag, payloads): (String, Vec<String>) = (
                    tag.clone(),
                    variants.iter().map(|(_, _, t)| t.clone()).collect(),
                );
                for payload in payloads {
                    if let Some(TypeKind::Struct {
                        fields, tag: own, ..
                    }) = self.types.get_mut(&payload).map(|d| &mut d.kind)
                    {
                        fields.retain(|f| f.wire != tag);
                        *own = Some(tag.clone());
                    }
                }
            } else {
                let reason = why.remove(&name).unwrap_or_default();
                let pointer = child(&def.pointer, "discriminator");
                let message = format!("`discriminator` `{tag}` not used for the Rust type: {reason}; `{name}` is an untagged enum (branches tried in order; validation still picks the branch by `{tag}`)");
                def.kind = TypeKind::Untagged {
                    variants: variants
                        .iter()
                        .map(|(v, _, t)| (v.clone(), RustType::Named(t.clone())))
                        .collect(),
                };
                self.warn(&pointer, &message);
            }
        }
    }

    /// A string or a string enum.
    fn is_string_type(&self, ty: &RustType) -> bool {
        match ty {
            RustType::String => true,
            RustType::Named(n) => matches!(
                self.types.get(n).map(|d| &d.kind),
                Some(TypeKind::StringEnum { .. })
            ),
            _ => false,
        }
    }

    /// `values` without repeats (first occurrence kept), warning when there were some:
    /// JSON Schema requires `enum` values to be unique, and a repeated value would become
    /// two variants with the same wire name.
    fn distinct_enum_values<T>(
        &mut self,
        values: Vec<T>,
        pointer: &str,
        wire: impl Fn(&T) -> String,
    ) -> Vec<T> {
        let count = values.len();
        let mut seen = std::collections::HashSet::new();
        let distinct: Vec<T> = values
            .into_iter()
            .filter(|v| seen.insert(wire(v)))
            .collect();
        if distinct.len() < count {
            self.warn(
                &child(pointer, "enum"),
                &format!(
                    "`enum` repeats values ({count} listed, {} distinct); each value becomes one variant",
                    distinct.len()
                ),
            );
        }
        distinct
    }

    fn named_value_enum(
        &mut self,
        values: Vec<Value>,
        names: Option<Vec<String>>,
        hint: &str,
        pointer: &str,
        exact: Option<&str>,
        doc: Option<String>,
    ) -> RustType {
        let shareable = names.is_none();
        let variants =
            self.enum_variants(values, names, pointer, Value::to_string, value_variant_name);
        let key = Value::Array(variants.iter().map(|(_, v)| v.clone()).collect()).to_string();
        if exact.is_none() && shareable {
            if let Some(existing) = self.value_enums.get(&key) {
                return RustType::Named(existing.clone());
            }
        }
        let name = self.type_name_for(hint, exact);
        if shareable {
            self.value_enums.entry(key).or_insert_with(|| name.clone());
        }
        self.insert_enum(name, exact, TypeKind::ValueEnum { variants }, doc, pointer)
    }

    fn type_name_for(&mut self, hint: &str, exact: Option<&str>) -> String {
        match exact {
            Some(name) => name.to_owned(),
            None => self.type_names.claim(&type_name(hint)),
        }
    }

    /// A warning for a schema typed as `serde_json::Value` because it could not be typed.
    fn fallback(&mut self, pointer: &str, message: &str) {
        self.stats.fallbacks += 1;
        self.warn(pointer, message);
    }

    fn warn(&mut self, pointer: &str, message: &str) {
        self.diagnostics
            .push(Diagnostic::warning(pointer.to_owned(), message.to_owned()));
    }

    /// Marks struct fields that must be boxed to break recursive cycles.
    pub(crate) fn box_cycles(&mut self) {
        // A field must be boxed when its type reaches back to the struct, that is, when
        // both are in one strongly connected component of the graph of direct references
        // (the field is itself such a reference). One pass over the graph, instead of a
        // search from every field.
        let index: HashMap<&str, usize> = self
            .types
            .keys()
            .enumerate()
            .map(|(i, name)| (name.as_str(), i))
            .collect();
        let edges: Vec<Vec<usize>> = self
            .types
            .values()
            .map(|def| {
                direct_refs(&def.kind)
                    .into_iter()
                    .filter_map(|to| index.get(to).copied())
                    .collect()
            })
            .collect();
        let component = super::graph::strongly_connected(&edges);
        let in_cycle_with = |target: &str, name: &str| match (index.get(target), index.get(name)) {
            (Some(&t), Some(&n)) => component[t] == component[n],
            _ => false,
        };
        let mut to_box: Vec<(String, usize)> = Vec::new();
        let mut alias_cycles: Vec<String> = Vec::new();
        for (name, def) in &self.types {
            match &def.kind {
                TypeKind::Struct { fields, .. } => {
                    for (i, f) in fields.iter().enumerate() {
                        if let Some(target) = direct_named(&f.ty) {
                            if in_cycle_with(target, name) {
                                to_box.push((name.clone(), i));
                            }
                        }
                    }
                }
                TypeKind::Alias(ty) => {
                    if let Some(target) = any_named(ty) {
                        if reaches_any(&self.types, target, name) {
                            alias_cycles.push(name.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        for (name, i) in to_box {
            if let Some(TypeKind::Struct { fields, .. }) =
                self.types.get_mut(&name).map(|d| &mut d.kind)
            {
                fields[i].boxed = true;
            }
        }
        for name in alias_cycles {
            if let Some(def) = self.types.get_mut(&name) {
                self.stats.fallbacks += 1;
                self.diagnostics.push(Diagnostic::warning(
                    def.pointer.clone(),
                    format!(
                        "schema `{name}` is defined in terms of itself; using serde_json::Value"
                    ),
                ));
                def.kind = TypeKind::Alias(RustType::Value);
            }
        }
        // Untagged variants that recurse directly are boxed through Value fallback only in
        // pathological specs; struct boxing covers the common case.
    }
}

/// Whether a property is `readOnly` or `writeOnly`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadOnly,
    WriteOnly,
}

/// The component name a `#/components/schemas/…` reference names.
fn component_of(reference: Option<&str>) -> Option<String> {
    reference?
        .strip_prefix(COMPONENT_PREFIX)
        .map(|n| crate::load::pointer::unescape(n).into_owned())
}

/// Every named type a type kind mentions (at any depth).
fn all_refs(kind: &TypeKind) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |ty: &RustType| {
        if let Some(n) = any_named(ty) {
            out.push(n.to_owned());
        }
    };
    match kind {
        TypeKind::Struct {
            fields, additional, ..
        } => {
            fields.iter().for_each(|f| push(&f.ty));
            additional.iter().for_each(&mut push);
        }
        TypeKind::Untagged { variants } => variants.iter().for_each(|(_, t)| push(t)),
        TypeKind::Alias(t) => push(t),
        TypeKind::Tagged { variants, .. } => variants
            .iter()
            .for_each(|(_, _, t)| push(&RustType::Named(t.clone()))),
        TypeKind::StringEnum { .. } | TypeKind::ValueEnum { .. } => {}
    }
    out
}

/// `nullable: true`, or an untyped `enum` that lists `null`.
fn nullable_of(schema: &Value) -> bool {
    schema.get("nullable").and_then(Value::as_bool) == Some(true)
        || (schema.get("type").is_none()
            && schema
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|v| v.contains(&Value::Null)))
}

/// The values of an `enum` that becomes a Rust enum of its own besides `type: string`
/// ones: integers under `type: integer`, or scalars (strings, numbers, booleans) without a
/// `type`. `null` is left out (it makes the position an `Option`).
fn value_enum(obj: &Map<String, Value>) -> Option<Vec<Value>> {
    let values: Vec<Value> = obj
        .get("enum")?
        .as_array()?
        .iter()
        .filter(|v| !v.is_null())
        .cloned()
        .collect();
    if values.is_empty() || obj.contains_key("properties") || obj.contains_key("items") {
        return None;
    }
    let ok = match obj.get("type").and_then(Value::as_str) {
        Some("integer") => values.iter().all(|v| v.is_i64()),
        None => values
            .iter()
            .all(|v| v.is_string() || v.is_i64() || v.is_f64() || v.is_boolean()),
        _ => false,
    };
    ok.then_some(values)
}

/// A variant name for an enum value: `V1`, `Minus1`, `V1_5`, `True`, or the string's.
fn value_variant_name(value: &Value) -> String {
    match value {
        Value::String(s) => type_name(s),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => {
            let text = n.to_string();
            let (sign, digits) = match text.strip_prefix('-') {
                Some(rest) => ("Minus", rest),
                None => ("V", text.as_str()),
            };
            format!(
                "{sign}{}",
                digits.replace(['.', '+'], "_").replace('-', "M")
            )
        }
        _ => "Value".into(),
    }
}

fn reaches_any(types: &BTreeMap<String, TypeDef>, from: &str, to: &str) -> bool {
    let mut stack = vec![from.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if seen.insert(n.clone()) {
            if let Some(TypeKind::Alias(ty)) = types.get(&n).map(|d| &d.kind) {
                if let Some(next) = any_named(ty) {
                    stack.push(next.to_owned());
                }
            }
        }
    }
    false
}

/// Named types a type contains inline (not behind a `Vec` or map, which already indirect).
fn direct_refs(kind: &TypeKind) -> Vec<&str> {
    match kind {
        TypeKind::Struct { fields, .. } => {
            fields.iter().filter_map(|f| direct_named(&f.ty)).collect()
        }
        TypeKind::Untagged { variants } => variants
            .iter()
            .filter_map(|(_, t)| direct_named(t))
            .collect(),
        TypeKind::Alias(t) => direct_named(t).into_iter().collect(),
        TypeKind::Tagged { variants, .. } => variants.iter().map(|(_, _, t)| t.as_str()).collect(),
        TypeKind::StringEnum { .. } | TypeKind::ValueEnum { .. } => Vec::new(),
    }
}

fn direct_named(ty: &RustType) -> Option<&str> {
    match ty {
        RustType::Named(n) => Some(n),
        RustType::Option(inner) => direct_named(inner),
        _ => None,
    }
}

/// The named type inside a position (`Vec<Option<Pet>>` → `Pet`).
pub(super) fn any_named(ty: &RustType) -> Option<&str> {
    match ty {
        RustType::Named(n) => Some(n),
        RustType::Option(inner) | RustType::Vec(inner) | RustType::Map(inner) => any_named(inner),
        _ => None,
    }
}

fn variant_base(ty: &RustType) -> String {
    match ty {
        RustType::String => "String".into(),
        RustType::Bool => "Boolean".into(),
        RustType::I32 | RustType::I64 => "Integer".into(),
        RustType::F32 | RustType::F64 => "Number".into(),
        RustType::Value => "Value".into(),
        RustType::Bytes => "Bytes".into(),
        RustType::Vec(_) => "Array".into(),
        RustType::Map(_) => "Object".into(),
        RustType::Option(inner) => variant_base(inner),
        RustType::Named(n) => n.clone(),
    }
}

/// The type of a lowered schema where it is used (nullable → `Option`).
pub(crate) fn position_type(lowered: Lowered) -> RustType {
    if lowered.nullable && !matches!(lowered.ty, RustType::Option(_) | RustType::Value) {
        RustType::Option(Box::new(lowered.ty))
    } else {
        lowered.ty
    }
}

fn any() -> Lowered {
    Lowered {
        ty: RustType::Value,
        check: Check::Inline(Box::default()),
        nullable: false,
    }
}

/// The names in `required`.
fn required_of(obj: &Map<String, Value>) -> Vec<String> {
    obj.get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The array keywords of `obj` (without `items`, which the caller lowers).
fn array_rules(obj: &Map<String, Value>) -> ArrayRules {
    ArrayRules {
        items: None,
        min_items: u64_of(obj, "minItems"),
        max_items: u64_of(obj, "maxItems"),
        unique_items: obj
            .get("uniqueItems")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }
}

/// The untyped keywords of `node`, created empty if absent.
fn untyped(node: &mut Node) -> &mut UntypedRules {
    node.untyped.get_or_insert_with(Box::default)
}

/// Object keywords go with `type: object` when the schema says so; without `type` they
/// apply to objects only and other values pass.
fn place_object_rules(node: &mut Node, typed: bool, rules: ObjectRules) {
    if typed {
        node.kind = NodeKind::Object(rules);
    } else {
        node.kind = NodeKind::Any;
        untyped(node).object = rules;
    }
}

fn is_object_like(obj: &Map<String, Value>) -> bool {
    obj.get("type").and_then(Value::as_str) == Some("object")
        || (obj.get("type").is_none()
            && (obj.contains_key("properties") || obj.contains_key("additionalProperties")))
}

fn string_enum(obj: &Map<String, Value>) -> Option<Vec<String>> {
    let values = obj.get("enum")?.as_array()?;
    let strings: Vec<String> = values
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let non_null = values.iter().filter(|v| !v.is_null()).count();
    (!strings.is_empty() && strings.len() == non_null).then_some(strings)
}

fn number_rules(obj: &Map<String, Value>) -> NumberRules {
    NumberRules {
        minimum: obj.get("minimum").and_then(Value::as_f64),
        exclusive_minimum: obj
            .get("exclusiveMinimum")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        maximum: obj.get("maximum").and_then(Value::as_f64),
        exclusive_maximum: obj
            .get("exclusiveMaximum")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        multiple_of: obj
            .get("multipleOf")
            .and_then(Value::as_f64)
            .filter(|m| *m > 0.0),
        format: obj.get("format").and_then(Value::as_str).map(str::to_owned),
    }
}

fn u64_of(obj: &Map<String, Value>, key: &str) -> Option<u64> {
    let v = obj.get(key)?;
    v.as_u64()
        .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
}

/// A doc comment from `title` and `description`.
pub(crate) fn doc_of(schema: &Value) -> Option<String> {
    let title = schema.get("title").and_then(Value::as_str);
    let description = schema.get("description").and_then(Value::as_str);
    match (title, description) {
        (Some(t), Some(d)) => Some(format!("{t}\n\n{d}")),
        (Some(t), None) => Some(t.to_owned()),
        (None, Some(d)) => Some(d.to_owned()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::ir::{lower, TypeKind};

    fn kinds(schemas: serde_json::Value) -> (crate::ir::Api, Vec<String>) {
        let (api, warnings) = lower(&json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": schemas}
        }));
        (api, warnings.into_iter().map(|w| w.message).collect())
    }

    fn object(tag: &str) -> serde_json::Value {
        json!({"type": "object", "required": [tag], "properties": {tag: {"type": "string"}}})
    }

    #[test]
    fn a_struct_shared_by_two_tags_keeps_both_enums_untagged() {
        let (api, warnings) = kinds(json!({
            "A": {"oneOf": [{"$ref": "#/components/schemas/X"}], "discriminator": {"propertyName": "k"}},
            "B": {"oneOf": [{"$ref": "#/components/schemas/X"}], "discriminator": {"propertyName": "j"}},
            "X": {"type": "object", "properties": {"k": {"type": "string"}, "j": {"type": "string"}}},
        }));
        for name in ["A", "B"] {
            assert!(
                matches!(api.types[name].kind, TypeKind::Untagged { .. }),
                "{name}"
            );
        }
        assert!(
            matches!(&api.types["X"].kind, TypeKind::Struct { fields, tag: None, .. } if fields.len() == 2)
        );
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn a_non_string_tag_property_keeps_the_enum_untagged() {
        let (api, warnings) = kinds(json!({
            "A": {"oneOf": [{"$ref": "#/components/schemas/X"}], "discriminator": {"propertyName": "k"}},
            "X": {"type": "object", "properties": {"k": {"type": "integer"}}},
        }));
        assert!(matches!(api.types["A"].kind, TypeKind::Untagged { .. }));
        assert!(
            warnings[0].contains("`X.k` is not a string"),
            "{warnings:?}"
        );
    }

    #[test]
    fn two_enums_with_one_tag_share_their_variants() {
        let (api, warnings) = kinds(json!({
            "A": {"oneOf": [{"$ref": "#/components/schemas/X"}], "discriminator": {"propertyName": "k"}},
            "B": {"anyOf": [{"$ref": "#/components/schemas/X"}], "discriminator": {"propertyName": "k"}},
            "X": object("k"),
        }));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(matches!(&api.types["B"].kind, TypeKind::Tagged { tag, .. } if tag == "k"));
        assert!(
            matches!(&api.types["X"].kind, TypeKind::Struct { fields, tag: Some(_), .. } if fields.is_empty())
        );
    }

    #[test]
    fn types_made_for_not_are_dropped() {
        let (api, _) = kinds(json!({
            "A": {"type": "string", "not": {"enum": ["x", "y"]}},
            "B": {"enum": ["x", "y"]},
        }));
        let names: Vec<&String> = api.types.keys().collect();
        assert_eq!(names, ["A", "B"]);
        assert!(matches!(api.types["B"].kind, TypeKind::StringEnum { .. }));
    }
}
