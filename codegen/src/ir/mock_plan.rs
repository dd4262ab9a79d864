//! How `Mock` builds each answer body: a Rust expression constructing the value, so that
//! response types need no `Deserialize` just for the mock (see `ir::serde_use`).
//!
//! The synthesised JSON (see `ir::mock`) is matched against the body's Rust type
//! the way serde would deserialize it: a struct needs an object with its required fields
//! (other keys are ignored, or kept in the flattened `additional_properties`), a string
//! enum one of its wire values, an untagged enum the first variant that fits, a tagged
//! enum its tag, and so on. Where the match is not certain the plan falls back to
//! deserializing the JSON at run time ([`MockExpr::Json`]), and that position's type keeps
//! `Deserialize`.

use serde_json::Value;

use super::{Api, RustType, TypeKind};

/// A Rust expression that builds a mock value.
#[derive(Debug, Clone, PartialEq)]
pub enum MockExpr {
    /// Deserialize this JSON into the type at run time (the type derives `Deserialize`).
    Json {
        /// The JSON text's value.
        value: Value,
        /// The type it becomes.
        ty: RustType,
    },
    /// A `String`.
    String(String),
    /// A `bool`.
    Bool(bool),
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`.
    F32(f32),
    /// An `f64`.
    F64(f64),
    /// `vec![…]`.
    Vec(Vec<MockExpr>),
    /// A `BTreeMap` from these entries.
    Map(Vec<(String, MockExpr)>),
    /// `Some(…)`.
    Some(Box<MockExpr>),
    /// `None`.
    None,
    /// `Box::new(…)`.
    Boxed(Box<MockExpr>),
    /// A struct literal: `(Rust field name, value)` for every field, and the flattened
    /// additional properties when the struct has them.
    Struct {
        /// The type's name.
        name: String,
        /// Every field.
        fields: Vec<(String, MockExpr)>,
        /// `additional_properties`, when the struct has that field.
        additional: Option<Vec<(String, MockExpr)>>,
    },
    /// A unit variant: `Name::Variant`.
    Unit {
        /// The enum's name.
        name: String,
        /// The variant.
        variant: String,
    },
    /// A variant with one payload: `Name::Variant(…)`.
    Newtype {
        /// The enum's name.
        name: String,
        /// The variant.
        variant: String,
        /// Its payload.
        payload: Box<MockExpr>,
    },
}

/// The plan for `value` as a `ty`; falls back to [`MockExpr::Json`] where unsure.
pub(crate) fn plan(api: &Api, ty: &RustType, value: &Value) -> MockExpr {
    Planner { api }
        .fit(ty, value, 0)
        .unwrap_or_else(|| MockExpr::Json {
            value: value.clone(),
            ty: ty.clone(),
        })
}

/// Deeper values than this are left to serde (mocks are small; this bounds recursion).
const MAX_DEPTH: usize = 64;

struct Planner<'a> {
    api: &'a Api,
}

impl Planner<'_> {
    /// The expression when `value` certainly deserializes into `ty`, else `None`.
    fn fit(&self, ty: &RustType, value: &Value, depth: usize) -> Option<MockExpr> {
        if depth > MAX_DEPTH {
            return None;
        }
        let depth = depth + 1;
        match ty {
            RustType::String => value.as_str().map(|s| MockExpr::String(s.to_owned())),
            RustType::Bool => value.as_bool().map(MockExpr::Bool),
            RustType::I32 => value
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .map(MockExpr::I32),
            RustType::I64 => value.as_i64().map(MockExpr::I64),
            // serde reads any JSON number into a float; a finite one prints as a literal.
            #[allow(clippy::cast_possible_truncation)]
            RustType::F32 => value
                .as_f64()
                .map(|n| n as f32)
                .filter(|n| n.is_finite())
                .map(MockExpr::F32),
            RustType::F64 => value.as_f64().filter(|n| n.is_finite()).map(MockExpr::F64),
            // `Value` deserializes from anything and derives nothing; bytes are rare in
            // JSON answers: both go through serde.
            RustType::Value | RustType::Bytes => None,
            RustType::Vec(inner) => value
                .as_array()?
                .iter()
                .map(|item| self.fit(inner, item, depth))
                .collect::<Option<Vec<_>>>()
                .map(MockExpr::Vec),
            RustType::Map(inner) => value
                .as_object()?
                .iter()
                .map(|(k, v)| Some((k.clone(), self.fit(inner, v, depth)?)))
                .collect::<Option<Vec<_>>>()
                .map(MockExpr::Map),
            RustType::Option(inner) => self.optional(inner, Some(value), depth),
            RustType::Named(name) => self.named(name, value, None, depth),
        }
    }

    /// An `Option<inner>` from a value that may be absent: absent or `null` is `None`.
    fn optional(&self, inner: &RustType, value: Option<&Value>, depth: usize) -> Option<MockExpr> {
        match value {
            None | Some(Value::Null) => Some(MockExpr::None),
            Some(value) => self
                .fit(inner, value, depth)
                .map(|e| MockExpr::Some(Box::new(e))),
        }
    }

    /// A value of the named type; `skip` is a tagged enum's tag property, which belongs
    /// to the enum rather than to its payload struct.
    fn named(
        &self,
        name: &str,
        value: &Value,
        skip: Option<&str>,
        depth: usize,
    ) -> Option<MockExpr> {
        let def = self.api.types.get(name)?;
        match &def.kind {
            TypeKind::Alias(ty) => self.fit(ty, value, depth),
            TypeKind::Struct {
                fields, additional, ..
            } => {
                let object = value.as_object()?;
                let mut out = Vec::with_capacity(fields.len());
                for f in fields {
                    let raw = object.get(&f.wire);
                    let expr = if f.optional() {
                        // Boxing sits inside the `Option`.
                        match raw {
                            None | Some(Value::Null) => MockExpr::None,
                            Some(v) => {
                                let inner = self.fit(&f.ty, v, depth)?;
                                MockExpr::Some(Box::new(box_if(f.boxed, inner)))
                            }
                        }
                    } else {
                        box_if(f.boxed, self.fit(&f.ty, raw?, depth)?)
                    };
                    out.push((f.name.clone(), expr));
                }
                let additional = match additional {
                    None => None,
                    Some(ty) => Some(
                        object
                            .iter()
                            .filter(|(k, _)| {
                                Some(k.as_str()) != skip && !fields.iter().any(|f| &f.wire == *k)
                            })
                            .map(|(k, v)| Some((k.clone(), self.fit(ty, v, depth)?)))
                            .collect::<Option<Vec<_>>>()?,
                    ),
                };
                Some(MockExpr::Struct {
                    name: name.to_owned(),
                    fields: out,
                    additional,
                })
            }
            TypeKind::StringEnum { variants } => {
                let text = value.as_str()?;
                let (variant, _) = variants.iter().find(|(_, wire)| wire == text)?;
                Some(MockExpr::Unit {
                    name: name.to_owned(),
                    variant: variant.clone(),
                })
            }
            TypeKind::ValueEnum { variants } => {
                let (variant, _) = variants.iter().find(|(_, v)| v == value)?;
                Some(MockExpr::Unit {
                    name: name.to_owned(),
                    variant: variant.clone(),
                })
            }
            TypeKind::Untagged { variants } => {
                // serde keeps the first variant that deserializes. `fit` is at least as
                // strict as serde, so a variant is serde's pick when it fits and every
                // earlier one certainly refuses the value.
                for (variant, ty) in variants {
                    if let Some(payload) = self.fit(ty, value, depth) {
                        return Some(MockExpr::Newtype {
                            name: name.to_owned(),
                            variant: variant.clone(),
                            payload: Box::new(payload),
                        });
                    }
                    if !self.refuses(ty, value, depth) {
                        return None;
                    }
                }
                None
            }
            TypeKind::Tagged { tag, variants } => {
                let text = value.get(tag)?.as_str()?;
                let (variant, _, payload) = variants.iter().find(|(_, t, _)| t == text)?;
                let payload = self.named(payload, value, Some(tag), depth)?;
                Some(MockExpr::Newtype {
                    name: name.to_owned(),
                    variant: variant.clone(),
                    payload: Box::new(payload),
                })
            }
        }
    }
}

impl Planner<'_> {
    /// Whether serde certainly fails to read `value` as a `ty` (a different JSON kind).
    fn refuses(&self, ty: &RustType, value: &Value, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let depth = depth + 1;
        match ty {
            RustType::String => !value.is_string(),
            RustType::Bool => !value.is_boolean(),
            RustType::I32 | RustType::I64 => !(value.is_i64() || value.is_u64()),
            RustType::F32 | RustType::F64 => !value.is_number(),
            RustType::Value | RustType::Bytes => false,
            RustType::Vec(_) => !value.is_array(),
            RustType::Map(_) => !value.is_object(),
            RustType::Option(inner) => !value.is_null() && self.refuses(inner, value, depth),
            RustType::Named(name) => match self.api.types.get(name).map(|d| &d.kind) {
                Some(TypeKind::Alias(ty)) => self.refuses(ty, value, depth),
                // serde reads a struct from an object or an array.
                Some(TypeKind::Struct { .. }) => !(value.is_object() || value.is_array()),
                Some(TypeKind::StringEnum { variants }) => match value {
                    Value::String(s) => !variants.iter().any(|(_, wire)| wire == s),
                    Value::Object(_) => false,
                    _ => true,
                },
                // Matched by JSON equality (`1` is `1.0`): not decided here.
                Some(TypeKind::ValueEnum { .. }) => false,
                Some(TypeKind::Tagged { .. }) => !value.is_object(),
                Some(TypeKind::Untagged { variants }) => variants
                    .iter()
                    .all(|(_, ty)| self.refuses(ty, value, depth)),
                None => false,
            },
        }
    }
}

fn box_if(boxed: bool, expr: MockExpr) -> MockExpr {
    if boxed {
        MockExpr::Boxed(Box::new(expr))
    } else {
        expr
    }
}
