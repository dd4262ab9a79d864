//! A type's shape and validation rules as bytes plus the names they refer to, for
//! [`super::share`]: two types are the same when their bytes are equal and the names, in
//! order, have the same canonical names.
//!
//! The bytes are an unambiguous encoding (every variant tagged, every string and list
//! prefixed with its length), with each name left out where a tag says one goes, so equal
//! bytes and equal names mean equal values. What does not change what a value is or whether
//! it is valid is left out: the fields' doc comments, and the type's own `example` and
//! `default` (those of nested schemas count). Every encoding below takes its value apart
//! whole (no `..`): a field added to the IR does not compile here until it is encoded or
//! deliberately left out.

use serde_json::Value;

use super::{
    Additional, ArrayRules, Check, Discriminator, Field, Node, NodeKind, NumberRules, ObjectRules,
    RustType, StringRules, TypeKind, UntypedRules,
};

/// A name a shape refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameRef<'a> {
    /// A type of the `types` module.
    Type(&'a str),
    /// A validator function.
    Validator(&'a str),
}

/// The encoding of one type: its bytes and the names they leave out, in order.
#[derive(Debug, Default)]
pub(crate) struct Encoded<'a> {
    pub(crate) bytes: Vec<u8>,
    pub(crate) names: Vec<NameRef<'a>>,
}

/// The shape of a type of kind `kind` validated by `rules` (the node of its validator
/// `validator`, `None` when there is none: then the type is only equal to itself).
pub(crate) fn encode<'a>(
    kind: &'a TypeKind,
    rules: Option<&'a Node>,
    validator: &str,
) -> Encoded<'a> {
    let mut out = Encoded::default();
    out.kind(kind);
    match rules {
        Some(node) => {
            out.tag(1);
            out.node(node, Examples::Skip);
        }
        None => {
            out.tag(0);
            out.str(validator);
        }
    }
    out
}

/// Whether a node's `example` and `default` are encoded.
#[derive(Clone, Copy)]
enum Examples {
    Skip,
    Keep,
}

impl<'a> Encoded<'a> {
    fn tag(&mut self, tag: u8) {
        self.bytes.push(tag);
    }

    fn flag(&mut self, flag: bool) {
        self.bytes.push(u8::from(flag));
    }

    fn len(&mut self, len: usize) {
        self.bytes.extend_from_slice(&(len as u64).to_le_bytes());
    }

    fn str(&mut self, text: &str) {
        self.len(text.len());
        self.bytes.extend_from_slice(text.as_bytes());
    }

    /// `value`, behind a tag saying whether there is one.
    fn option<T>(&mut self, value: Option<T>, then: impl FnOnce(&mut Self, T)) {
        match value {
            Some(value) => {
                self.tag(1);
                then(self, value);
            }
            None => self.tag(0),
        }
    }

    fn u64(&mut self, n: Option<u64>) {
        self.option(n, |out, n| out.bytes.extend_from_slice(&n.to_le_bytes()));
    }

    fn f64(&mut self, n: Option<f64>) {
        self.u64(n.map(f64::to_bits));
    }

    fn opt_str(&mut self, text: Option<&str>) {
        self.option(text, Self::str);
    }

    /// A JSON value as compact JSON text, ended by a byte that text never holds (control
    /// characters are escaped in it).
    fn value(&mut self, value: &Value) {
        if serde_json::to_writer(&mut self.bytes, value).is_err() {
            // Writing a `Value` to memory does not fail; were it to, its debug text still
            // tells values apart.
            self.bytes
                .extend_from_slice(format!("{value:?}").as_bytes());
        }
        self.tag(0);
    }

    fn opt_value(&mut self, value: Option<&Value>) {
        self.option(value, Self::value);
    }

    fn type_name(&mut self, name: &'a str) {
        self.names.push(NameRef::Type(name));
    }

    fn kind(&mut self, kind: &'a TypeKind) {
        match kind {
            TypeKind::Struct {
                fields,
                additional,
                tag,
            } => {
                self.tag(0);
                self.len(fields.len());
                for field in fields {
                    self.field(field);
                }
                self.option(additional.as_ref(), Self::rust_type);
                self.opt_str(tag.as_deref());
            }
            TypeKind::StringEnum { variants } => {
                self.tag(1);
                self.len(variants.len());
                for (name, wire) in variants {
                    self.str(name);
                    self.str(wire);
                }
            }
            TypeKind::Untagged { variants } => {
                self.tag(2);
                self.len(variants.len());
                for (name, ty) in variants {
                    self.str(name);
                    self.rust_type(ty);
                }
            }
            TypeKind::Tagged { tag, variants } => {
                self.tag(3);
                self.str(tag);
                self.len(variants.len());
                for (name, value, payload) in variants {
                    self.str(name);
                    self.str(value);
                    self.type_name(payload);
                }
            }
            TypeKind::ValueEnum { variants } => {
                self.tag(4);
                self.len(variants.len());
                for (name, value) in variants {
                    self.str(name);
                    self.value(value);
                }
            }
            TypeKind::Alias(ty) => {
                self.tag(5);
                self.rust_type(ty);
            }
        }
    }

    fn field(&mut self, field: &'a Field) {
        let Field {
            name,
            wire,
            ty,
            required,
            nullable,
            boxed,
            doc: _,
            deprecated,
        } = field;
        self.str(name);
        self.str(wire);
        self.rust_type(ty);
        self.flag(*required);
        self.flag(*nullable);
        self.flag(*boxed);
        self.flag(*deprecated);
    }

    fn rust_type(&mut self, ty: &'a RustType) {
        match ty {
            RustType::String => self.tag(0),
            RustType::Bool => self.tag(1),
            RustType::I32 => self.tag(2),
            RustType::I64 => self.tag(3),
            RustType::F32 => self.tag(4),
            RustType::F64 => self.tag(5),
            RustType::Bytes => self.tag(6),
            RustType::Value => self.tag(7),
            RustType::Vec(inner) => {
                self.tag(8);
                self.rust_type(inner);
            }
            RustType::Map(inner) => {
                self.tag(9);
                self.rust_type(inner);
            }
            RustType::Option(inner) => {
                self.tag(10);
                self.rust_type(inner);
            }
            RustType::Named(name) => {
                self.tag(11);
                self.type_name(name);
            }
        }
    }

    fn node(&mut self, node: &'a Node, examples: Examples) {
        let Node {
            nullable,
            kind,
            enum_values,
            all_of,
            any_of,
            one_of,
            not,
            discriminator,
            example,
            default,
            untyped,
        } = node;
        self.flag(*nullable);
        self.node_kind(kind);
        self.option(enum_values.as_ref(), |out, values| {
            out.len(values.len());
            for value in values {
                out.value(value);
            }
        });
        for checks in [all_of, any_of, one_of] {
            self.checks(checks);
        }
        self.option(not.as_deref(), Self::check);
        self.option(discriminator.as_deref(), Self::discriminator);
        if let Examples::Keep = examples {
            self.opt_value(example.as_ref());
            self.opt_value(default.as_ref());
        }
        self.option(untyped.as_deref(), |out, rules| {
            let UntypedRules {
                string,
                number,
                array,
                object,
            } = rules;
            out.string_rules(string);
            out.number_rules(number);
            out.array_rules(array);
            out.object_rules(object);
        });
    }

    fn node_kind(&mut self, kind: &'a NodeKind) {
        match kind {
            NodeKind::Any => self.tag(0),
            NodeKind::String(rules) => {
                self.tag(1);
                self.string_rules(rules);
            }
            NodeKind::Integer(rules) => {
                self.tag(2);
                self.number_rules(rules);
            }
            NodeKind::Number(rules) => {
                self.tag(3);
                self.number_rules(rules);
            }
            NodeKind::Boolean => self.tag(4),
            NodeKind::Array(rules) => {
                self.tag(5);
                self.array_rules(rules);
            }
            NodeKind::Object(rules) => {
                self.tag(6);
                self.object_rules(rules);
            }
        }
    }

    fn checks(&mut self, checks: &'a [Check]) {
        self.len(checks.len());
        for check in checks {
            self.check(check);
        }
    }

    fn check(&mut self, check: &'a Check) {
        match check {
            Check::Ref(name) => {
                self.tag(0);
                self.names.push(NameRef::Validator(name));
            }
            Check::Inline(node) => {
                self.tag(1);
                self.node(node, Examples::Keep);
            }
        }
    }

    fn discriminator(&mut self, discriminator: &'a Discriminator) {
        let Discriminator { property, mapping } = discriminator;
        self.str(property);
        self.len(mapping.len());
        for (value, check) in mapping {
            self.str(value);
            self.check(check);
        }
    }

    fn string_rules(&mut self, rules: &StringRules) {
        let StringRules {
            min_length,
            max_length,
            pattern,
            format,
        } = rules;
        self.u64(*min_length);
        self.u64(*max_length);
        self.opt_str(pattern.as_deref());
        self.opt_str(format.as_deref());
    }

    fn number_rules(&mut self, rules: &NumberRules) {
        let NumberRules {
            minimum,
            exclusive_minimum,
            maximum,
            exclusive_maximum,
            multiple_of,
            format,
        } = rules;
        self.f64(*minimum);
        self.flag(*exclusive_minimum);
        self.f64(*maximum);
        self.flag(*exclusive_maximum);
        self.f64(*multiple_of);
        self.opt_str(format.as_deref());
    }

    fn array_rules(&mut self, rules: &'a ArrayRules) {
        let ArrayRules {
            items,
            min_items,
            max_items,
            unique_items,
        } = rules;
        self.option(items.as_deref(), Self::check);
        self.u64(*min_items);
        self.u64(*max_items);
        self.flag(*unique_items);
    }

    fn object_rules(&mut self, rules: &'a ObjectRules) {
        let ObjectRules {
            properties,
            required,
            required_read_only,
            required_write_only,
            additional,
            min_properties,
            max_properties,
        } = rules;
        self.len(properties.len());
        for (name, check) in properties {
            self.str(name);
            self.check(check);
        }
        for names in [required, required_read_only, required_write_only] {
            self.len(names.len());
            for name in names {
                self.str(name);
            }
        }
        match additional {
            Additional::Allowed => self.tag(0),
            Additional::Denied => self.tag(1),
            Additional::Schema(check) => {
                self.tag(2);
                self.check(check);
            }
        }
        self.u64(*min_properties);
        self.u64(*max_properties);
    }
}
