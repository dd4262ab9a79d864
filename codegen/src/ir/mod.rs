//! The intermediate representation: the spec after every decision has been made.
//!
//! Names are final Rust identifiers, every schema has a Rust type, parameters know their
//! style, operations know their effective security. The emitter only prints this; it never
//! looks at the spec. The IR can be built by hand, so emitters are testable without YAML.

mod graph;
mod lower;
mod mock;
pub mod mock_plan;
pub mod names;
mod schema;
mod serde_use;
mod served;
mod shape;
mod share;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

pub use lower::lower;
pub use schema::SchemaStats;

/// A whole API, ready to emit.
#[derive(Debug, Clone, Default)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// Named types of the `types` module, keyed by Rust name (deterministic order).
    pub types: BTreeMap<String, TypeDef>,
    /// Validator functions of the `validate` module, keyed by function name.
    pub validators: BTreeMap<String, Node>,
    /// Operations in document order.
    pub operations: Vec<Operation>,
    /// `components.securitySchemes` in document order.
    pub security_schemes: Vec<SecurityScheme>,
    /// Document-wide `x-tollgate-throttle`.
    pub throttle: Option<Throttle>,
    /// `x-amazon-apigateway-api-key-source`, lower-cased (`header` or `authorizer`).
    pub api_key_source: Option<String>,
    /// The document as compact JSON, served at `/openapi.json`.
    pub spec_json: String,
    /// How many schemas were lowered and how many fell back to `serde_json::Value`.
    pub schema_stats: SchemaStats,
    /// The types that derive `Deserialize` (requests carry them, or the mock deserializes
    /// them); the others derive `Serialize` only unless `Settings::serde_both_ways`.
    pub deserialized: BTreeSet<String>,
}

/// One named Rust type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// The Rust name.
    pub name: String,
    /// Doc comment (schema `title`/`description`).
    pub doc: Option<String>,
    /// The shape.
    pub kind: TypeKind,
    /// The name of this type's validator function in the `validate` module.
    pub validator: String,
    /// JSON pointer of the schema, for diagnostics and docs.
    pub pointer: String,
}

/// The shape of a named type.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// A struct with named fields.
    Struct {
        /// The fields, in schema order.
        fields: Vec<Field>,
        /// A flattened map for `additionalProperties` (true or a schema), if kept.
        additional: Option<RustType>,
        /// Set when this struct is a variant payload of a [`TypeKind::Tagged`] enum: the
        /// discriminator property (the enum's tag) was dropped from its fields, so the
        /// struct is validated through the enum.
        tag: Option<String>,
    },
    /// A string enum.
    StringEnum {
        /// `(Rust variant name, wire value)`.
        variants: Vec<(String, String)>,
    },
    /// `oneOf`/`anyOf` without a usable discriminator: tried in order.
    Untagged {
        /// `(Rust variant name, payload type)`.
        variants: Vec<(String, RustType)>,
    },
    /// `oneOf`/`anyOf` with a `discriminator` whose branches are component objects: a serde
    /// internally tagged enum (`#[serde(tag = "…")]`).
    Tagged {
        /// The discriminator's `propertyName`.
        tag: String,
        /// `(Rust variant name, tag value, payload type name)`.
        variants: Vec<(String, String, String)>,
    },
    /// An `enum` of integers, or of mixed scalar values: a Rust enum (de)serialized as
    /// exactly those JSON values.
    ValueEnum {
        /// `(Rust variant name, JSON value)`.
        variants: Vec<(String, Value)>,
    },
    /// A type alias.
    Alias(RustType),
}

/// A struct field.
#[derive(Debug, Clone)]
pub struct Field {
    /// The Rust name.
    pub name: String,
    /// The property name on the wire.
    pub wire: String,
    /// The type, without the `Option` that `required`/`nullable` add.
    pub ty: RustType,
    /// In `required`.
    pub required: bool,
    /// `nullable: true`.
    pub nullable: bool,
    /// Boxed to break a recursive cycle.
    pub boxed: bool,
    /// Doc comment.
    pub doc: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
}

impl Field {
    /// Whether the Rust field is an `Option`.
    pub fn optional(&self) -> bool {
        !self.required || self.nullable
    }
}

/// A Rust type as used in a position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RustType {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `bytes::Bytes`: a body tollgate passes through unparsed (no copy).
    Bytes,
    /// `serde_json::Value` (any JSON; also the announced fallback for unsupported schemas).
    Value,
    /// `Vec<T>`.
    Vec(Box<RustType>),
    /// `BTreeMap<String, T>`.
    Map(Box<RustType>),
    /// `Option<T>` (nullable in a position that is not a field).
    Option(Box<RustType>),
    /// A type of the `types` module.
    Named(String),
}

/// A validation node: the keywords of one schema, with sub-schemas as nodes or references
/// to named validators.
#[derive(Debug, serde::Serialize, Clone, Default, PartialEq)]
pub struct Node {
    /// `nullable: true`.
    pub nullable: bool,
    /// `type`, with its keywords.
    pub kind: NodeKind,
    /// `enum`.
    pub enum_values: Option<Vec<Value>>,
    /// `allOf`.
    pub all_of: Vec<Check>,
    /// `anyOf`.
    pub any_of: Vec<Check>,
    /// `oneOf`.
    pub one_of: Vec<Check>,
    /// `not`.
    pub not: Option<Box<Check>>,
    /// `discriminator` of a `oneOf`/`anyOf`: when set, the branch is picked by the tag
    /// property instead of trying `one_of`/`any_of` (which stay filled, for the mock).
    pub discriminator: Option<Box<Discriminator>>,
    /// `example` (used by the mock when it validates).
    pub example: Option<Value>,
    /// `default`.
    pub default: Option<Value>,
    /// Keywords of a schema without `type` (each applies only to values of its own type,
    /// as JSON Schema defines them); `None` when there are none.
    pub untyped: Option<Box<UntypedRules>>,
}

/// The keywords of a schema that has no `type`, grouped by the type they apply to.
#[derive(Debug, serde::Serialize, Clone, Default, PartialEq)]
pub struct UntypedRules {
    /// `minLength`, `maxLength`, `pattern`, string `format`s.
    pub string: StringRules,
    /// `minimum`, `maximum`, `multipleOf`, `int32`/`int64`.
    pub number: NumberRules,
    /// `items`, `minItems`, `maxItems`, `uniqueItems`.
    pub array: ArrayRules,
    /// `properties`, `required`, `additionalProperties`, `min/maxProperties`.
    pub object: ObjectRules,
}

/// A `discriminator` as validation uses it.
#[derive(Debug, serde::Serialize, Clone, Default, PartialEq)]
pub struct Discriminator {
    /// `propertyName`.
    pub property: String,
    /// `(tag value, branch)`: explicit `mapping` entries, then the other branches under
    /// their component names.
    pub mapping: Vec<(String, Check)>,
}

/// A sub-schema: inline, or the validator of a named schema.
#[derive(Debug, serde::Serialize, Clone, PartialEq)]
pub enum Check {
    /// Call the named validator function.
    Ref(String),
    /// Check inline.
    Inline(Box<Node>),
}

/// The `type` of a node and the keywords that go with it.
#[derive(Debug, serde::Serialize, Clone, Default, PartialEq)]
pub enum NodeKind {
    /// No `type`: anything (keywords of other types may still apply).
    #[default]
    Any,
    /// `type: string`.
    String(StringRules),
    /// `type: integer`.
    Integer(NumberRules),
    /// `type: number`.
    Number(NumberRules),
    /// `type: boolean`.
    Boolean,
    /// `type: array`.
    Array(ArrayRules),
    /// `type: object`.
    Object(ObjectRules),
}

/// String keywords.
#[derive(Debug, serde::Serialize, Clone, Default, PartialEq)]
pub struct StringRules {
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `pattern` (only patterns `regress` compiles; others are dropped with a warning).
    pub pattern: Option<String>,
    /// `format`.
    pub format: Option<String>,
}

/// Numeric keywords.
#[derive(Debug, serde::Serialize, Clone, Default, PartialEq)]
pub struct NumberRules {
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `exclusiveMinimum`.
    pub exclusive_minimum: bool,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `exclusiveMaximum`.
    pub exclusive_maximum: bool,
    /// `multipleOf`.
    pub multiple_of: Option<f64>,
    /// `format`.
    pub format: Option<String>,
}

/// Array keywords.
#[derive(Debug, serde::Serialize, Clone, Default, PartialEq)]
pub struct ArrayRules {
    /// `items`.
    pub items: Option<Box<Check>>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `uniqueItems`.
    pub unique_items: bool,
}

/// Object keywords.
#[derive(Debug, serde::Serialize, Clone, Default, PartialEq)]
pub struct ObjectRules {
    /// `properties`, in order.
    pub properties: Vec<(String, Check)>,
    /// `required`, without the `readOnly`/`writeOnly` properties below.
    pub required: Vec<String>,
    /// Required properties marked `readOnly`: required in responses only.
    pub required_read_only: Vec<String>,
    /// Required properties marked `writeOnly`: required in requests only.
    pub required_write_only: Vec<String>,
    /// `additionalProperties`.
    pub additional: Additional,
    /// `minProperties`.
    pub min_properties: Option<u64>,
    /// `maxProperties`.
    pub max_properties: Option<u64>,
}

/// `additionalProperties`.
#[derive(Debug, serde::Serialize, Clone, Default, PartialEq)]
pub enum Additional {
    /// Absent or `true`.
    #[default]
    Allowed,
    /// `false`.
    Denied,
    /// A schema every additional property must match.
    Schema(Box<Check>),
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId` as written, or the derived one.
    pub id: String,
    /// The trait method name (snake case).
    pub fn_name: String,
    /// The Pascal-case stem of the request and response type names.
    pub type_stem: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template as written in the spec.
    pub path: String,
    /// The route for axum (same template syntax).
    pub route: String,
    /// `summary` / `description`.
    pub doc: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Parameters (path-item level merged with operation level).
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<Body>,
    /// Responses in spec order, `default` last.
    pub responses: Vec<Response>,
    /// Effective security: OR of alternatives, each an AND of `(scheme, scopes)`.
    pub security: Vec<Vec<(String, Vec<String>)>>,
    /// `x-tollgate-throttle`.
    pub throttle: Option<Throttle>,
}

/// Where a parameter comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// Path.
    Path,
    /// Query.
    Query,
    /// Header.
    Header,
    /// Cookie.
    Cookie,
}

/// How a parameter's text is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamShape {
    /// One scalar of the given JSON type (`string`, `integer`, `number`, `boolean`).
    Scalar(&'static str),
    /// An array in a style.
    Array {
        /// The items' JSON type.
        item: &'static str,
        /// The style (`form`, `simple`, …).
        style: &'static str,
        /// `explode`.
        explode: bool,
    },
    /// JSON text (`content: application/json`).
    Json,
    /// An object in a style (`deepObject`, `form`, `simple`, …).
    Object {
        /// The style.
        style: &'static str,
        /// `explode`.
        explode: bool,
        /// Each declared property with the JSON type its text is read as.
        fields: Vec<(String, &'static str)>,
        /// The JSON type other properties are read as (`additionalProperties`).
        other: &'static str,
    },
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Name on the wire.
    pub wire: String,
    /// Field name in the request type.
    pub name: String,
    /// Location.
    pub location: ParamLocation,
    /// `required`.
    pub required: bool,
    /// The Rust type (without the `Option` of optional parameters).
    pub ty: RustType,
    /// How its text is read.
    pub shape: ParamShape,
    /// The validator function, if the schema has any constraint.
    pub validator: Option<String>,
    /// Doc comment.
    pub doc: Option<String>,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// `requestBody.required`.
    pub required: bool,
    /// Documented media types.
    pub content_types: Vec<String>,
    /// The Rust type of the body.
    pub ty: RustType,
    /// How the body is read.
    pub encoding: Encoding,
    /// The validator function, if any.
    pub validator: Option<String>,
    /// Doc comment.
    pub doc: Option<String>,
    /// For [`Encoding::Form`], or a JSON body that also accepts a form: each declared
    /// property with the shape its text is read in.
    pub form_fields: Vec<(String, ParamShape)>,
    /// A JSON body whose operation also documents `application/x-www-form-urlencoded`: a
    /// request with that `Content-Type` is read as a form into the same type.
    pub also_form: bool,
    /// For [`Encoding::Multipart`]: the fields of the generated multipart body struct.
    pub multipart: Vec<MultipartField>,
    /// Media types of another encoding documented beside the one that types the body, taken
    /// as they are (text or bytes): the body is then an enum with a variant per media type.
    pub alternatives: Option<BodyAlternatives>,
}

/// The request body enum of an operation that documents raw media types (text, bytes)
/// beside the one its body is typed from: `Json(T)`, `OctetStream(Bytes)`, `TextPlain(String)`.
#[derive(Debug, Clone)]
pub struct BodyAlternatives {
    /// The enum's name (`<Operation>RequestBody`).
    pub name: String,
    /// The variant carrying the typed body.
    pub typed_variant: String,
    /// The raw media types, in document order.
    pub raw: Vec<RawAlternative>,
}

/// One raw media type of a [`BodyAlternatives`] enum.
#[derive(Debug, Clone)]
pub struct RawAlternative {
    /// The media type, as documented.
    pub media: String,
    /// Its variant.
    pub variant: String,
    /// [`Encoding::Text`] (a `String`) or [`Encoding::Binary`] (`Bytes`).
    pub encoding: Encoding,
}

/// One property of a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub struct MultipartField {
    /// The Rust field name.
    pub name: String,
    /// The part name on the wire.
    pub wire: String,
    /// The Rust type of a text or JSON part (files are `FilePart`s).
    pub ty: RustType,
    /// Whether the Rust field is an `Option`.
    pub optional: bool,
    /// How the part is read.
    pub part: PartKind,
    /// For file parts: the media types its `encoding.contentType` allows (empty: any).
    pub accept: Vec<String>,
}

/// How one multipart property is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartKind {
    /// Text, read by a shape like a form field.
    Field(ParamShape),
    /// JSON; `repeated`: each part of that name is one item of an array.
    Json {
        /// An array sent as several parts.
        repeated: bool,
    },
    /// One file.
    File,
    /// An array of files.
    Files,
}

/// How a body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// JSON (`application/json`, `*+json`).
    Json,
    /// Text (`text/*`).
    Text,
    /// `application/x-www-form-urlencoded` (request bodies): fields read by their shape.
    Form,
    /// `multipart/form-data` (request bodies): text, JSON and file parts.
    Multipart,
    /// Anything else, passed through as bytes.
    Binary,
}

/// One documented response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status.
    pub status: Status,
    /// The enum variant name.
    pub variant: String,
    /// `description`.
    pub doc: Option<String>,
    /// The body, if the response has content.
    pub body: Option<ResponseBody>,
    /// The declared response headers (`Content-Type` excluded, as OpenAPI says).
    pub headers: Vec<ResponseHeader>,
    /// The name of the struct holding [`Response::headers`] (unused when there are none).
    pub headers_type: String,
}

/// A declared response header: a typed field the handler fills, sent as a header.
#[derive(Debug, Clone)]
pub struct ResponseHeader {
    /// The header name as written in the spec.
    pub wire: String,
    /// The Rust field name.
    pub name: String,
    /// The Rust type (without the `Option` of optional headers).
    pub ty: RustType,
    /// `required`.
    pub required: bool,
    /// `description`.
    pub doc: Option<String>,
    /// The value the mock sends (synthesised from the schema).
    pub mock: Value,
    /// The validator of the header's schema, if any (used for the mock).
    pub validator: Option<String>,
}

/// A response body.
#[derive(Debug, Clone)]
pub struct ResponseBody {
    /// The media type sent.
    pub content_type: String,
    /// Other documented media types of the same encoding: sent instead of
    /// [`ResponseBody::content_type`] when the request's `Accept` prefers one of them.
    pub alternatives: Vec<String>,
    /// Its Rust type.
    pub ty: RustType,
    /// How it is encoded.
    pub encoding: Encoding,
    /// The validator function, if any.
    pub validator: Option<String>,
    /// The value the mock answers with (synthesised; passes the validator).
    pub mock: Value,
    /// How the mock builds [`ResponseBody::mock`] as a value of [`ResponseBody::ty`].
    pub mock_plan: mock_plan::MockExpr,
}

/// A response status key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// One code.
    Code(u16),
    /// `1XX`…`5XX`.
    Range(u16),
    /// `default`.
    Default,
}

/// A security scheme.
#[derive(Debug, Clone)]
pub struct SecurityScheme {
    /// Name in `components.securitySchemes`.
    pub name: String,
    /// Kind and details.
    pub kind: SchemeKind,
    /// `x-amazon-apigateway-authorizer`, if any.
    pub authorizer: Option<Authorizer>,
}

/// A scheme's `x-amazon-apigateway-authorizer` (mirrors the runtime's `meta::AuthorizerMeta`).
#[derive(Debug, Clone, Default)]
pub struct Authorizer {
    /// `type`, lower-cased (`token`, `request`, `jwt`, …).
    pub kind: String,
    /// `identitySource`, split at commas and trimmed.
    pub identity_sources: Vec<String>,
    /// `authorizerResultTtlInSeconds`.
    pub ttl_secs: Option<u64>,
    /// `jwtConfiguration.issuer`.
    pub issuer: Option<String>,
    /// `jwtConfiguration.audience`.
    pub audience: Vec<String>,
}

/// Security scheme kinds (mirrors the runtime's `meta::SchemeKind`).
#[derive(Debug, Clone)]
pub enum SchemeKind {
    /// `apiKey` with location (`header`/`query`/`cookie`) and name.
    ApiKey {
        /// `in`.
        location: String,
        /// `name`.
        name: String,
    },
    /// `http` with its scheme, lower-cased.
    Http(String),
    /// `oauth2`.
    OAuth2,
    /// `openIdConnect`.
    OpenIdConnect(String),
    /// `x-amazon-apigateway-authtype: awsSigv4`.
    AwsSigV4,
    /// Anything else.
    Unsupported,
}

/// A token bucket setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttle {
    /// Requests per second.
    pub rate: f64,
    /// Burst capacity.
    pub burst: u32,
}
