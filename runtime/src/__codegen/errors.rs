//! Where validation is ([`Ptr`]) and what it found ([`Errors`]).
//!
//! A refused request is answered from [`Errors`] directly: the violations' pointers,
//! messages and parameter names are written one after another into one text buffer, and
//! the problem+json body is written from there (see [`Errors::write_problem_members`]).
//! Building a [`Violation`] per entry (two or three `String`s each) made a 400 listing six
//! violations cost more than a valid request; [`Errors::into_vec`] still gives them to
//! whoever asks (a type's `validate()`, response validation, tests).

use std::borrow::Cow;
use std::ops::Range;

use crate::json_bytes::{push_string, push_string_contents};
use crate::problem::{Location, Violation};

/// Where validation is, as a JSON pointer (RFC 6901) kept lazily: each descent adds a
/// segment on the stack that links to its parent, and the pointer text is only written
/// when a violation is recorded (valid input never pays for it).
#[derive(Debug, Clone, Copy)]
pub struct Ptr<'a> {
    parent: Option<&'a Ptr<'a>>,
    segment: Segment<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl Default for Ptr<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Ptr<'a> {
    /// The empty pointer (the whole value).
    pub const fn new() -> Self {
        Self {
            parent: None,
            segment: Segment::Root,
        }
    }

    /// The pointer to member `key` of the value here.
    pub fn key<'b>(&'b self, key: &'b str) -> Ptr<'b> {
        Ptr {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    /// The pointer to item `index` of the value here.
    pub fn index(&self, index: usize) -> Ptr<'_> {
        Ptr {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }

    /// The pointer as text (`/items/3/name`).
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        self.write_to(&mut text);
        text
    }

    /// Appends the pointer's text to `text`: the parent's segments, then this one.
    pub fn write_to(&self, text: &mut String) {
        if let Some(parent) = self.parent {
            parent.write_to(text);
        }
        match self.segment {
            Segment::Root => {}
            Segment::Key(key) => push_key(text, key),
            Segment::Index(index) => {
                text.push('/');
                text.push_str(itoa::Buffer::new().format(index));
            }
        }
    }
}

/// Appends `/key` to a pointer's text, escaping `~` and `/` (RFC 6901).
pub fn push_key(text: &mut String, key: &str) {
    text.push('/');
    if !key.bytes().any(|b| b == b'~' || b == b'/') {
        text.push_str(key);
        return;
    }
    for c in key.chars() {
        match c {
            '~' => text.push_str("~0"),
            '/' => text.push_str("~1"),
            c => text.push(c),
        }
    }
}

/// The violations collected while validating one request (or one response).
#[derive(Debug)]
pub struct Errors {
    location: Location,
    /// The parameter name following violations are attributed to.
    name: Option<Text>,
    entries: Vec<Entry>,
    /// The pointers, dynamic messages and parameter names of `entries`, one after another.
    text: String,
    pub(super) direction: Direction,
}

/// One violation, its texts kept in [`Errors::text`].
#[derive(Debug, Clone)]
struct Entry {
    location: Location,
    name: Option<Text>,
    pointer: Range<usize>,
    keyword: &'static str,
    message: Text,
}

/// A violation's message or parameter name: fixed text, or a range of [`Errors::text`].
#[derive(Debug, Clone)]
enum Text {
    Fixed(&'static str),
    Written(Range<usize>),
}

/// One violation as [`Errors`] holds it, its texts borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ViolationRef<'e> {
    pub(crate) location: Location,
    pub(crate) name: Option<&'e str>,
    pub(crate) pointer: &'e str,
    pub(crate) keyword: &'static str,
    pub(crate) message: &'e str,
}

impl<'v> ViolationRef<'v> {
    /// The view of a [`Violation`].
    pub(crate) fn of(v: &'v Violation) -> Self {
        Self {
            location: v.location,
            name: v.name.as_deref(),
            pointer: &v.pointer,
            keyword: v.keyword,
            message: &v.message,
        }
    }
}

/// Which way the validated value travels: `readOnly` properties are required in responses
/// only, `writeOnly` ones in requests only (OpenAPI 3.0, Schema Object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A request (parameters, body): `writeOnly` required properties are required.
    Request,
    /// A response: `readOnly` required properties are required.
    Response,
    /// Neither known (a type's `validate()`): neither kind is required.
    Either,
}

impl Default for Errors {
    fn default() -> Self {
        Self::new(Location::Body)
    }
}

impl Errors {
    /// An empty collection whose violations are attributed to `location`.
    pub fn new(location: Location) -> Self {
        Self {
            location,
            name: None,
            entries: Vec::new(),
            text: String::new(),
            direction: match location {
                Location::Response => Direction::Response,
                _ => Direction::Request,
            },
        }
    }

    /// The same collection, validating a value that travels `direction` (by default:
    /// [`Direction::Response`] for [`Location::Response`], [`Direction::Request`] else).
    pub fn with_direction(mut self, direction: Direction) -> Self {
        self.direction = direction;
        self
    }

    /// Attributes the following violations to `location` (and a parameter name).
    pub fn at(&mut self, location: Location, name: Option<&str>) {
        self.location = location;
        self.name = name.map(|name| Text::Written(self.write(|text| text.push_str(name))));
    }

    /// [`Self::at`] for a name known for the program's life (a spec's parameter): nothing
    /// is copied unless a violation is recorded.
    pub fn at_fixed(&mut self, location: Location, name: Option<&'static str>) {
        self.location = location;
        self.name = name.map(Text::Fixed);
    }

    /// Records a violation at `ptr`.
    pub fn push(
        &mut self,
        ptr: &Ptr<'_>,
        keyword: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) {
        let pointer = self.write(|text| ptr.write_to(text));
        self.record(pointer, keyword, message.into());
    }

    /// Records a violation at `ptr` whose message `write_message` appends to the text it
    /// is given (no `String` of its own).
    pub fn push_with(
        &mut self,
        ptr: &Ptr<'_>,
        keyword: &'static str,
        write_message: impl FnOnce(&mut String),
    ) {
        let pointer = self.write(|text| ptr.write_to(text));
        let message = Text::Written(self.write(write_message));
        self.record_entry(pointer, keyword, message);
    }

    /// Records a violation at `ptr` whose message is `parts` one after another.
    pub fn push_parts(&mut self, ptr: &Ptr<'_>, keyword: &'static str, parts: &[&str]) {
        self.push_with(ptr, keyword, |text| {
            for part in parts {
                text.push_str(part);
            }
        });
    }

    /// Records a violation at the JSON pointer `pointer` (text already written).
    pub fn push_at(
        &mut self,
        pointer: String,
        keyword: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) {
        let pointer = self.write(|text| text.push_str(&pointer));
        self.record(pointer, keyword, message.into());
    }

    fn record(&mut self, pointer: Range<usize>, keyword: &'static str, message: Cow<'static, str>) {
        let message = match message {
            Cow::Borrowed(fixed) => Text::Fixed(fixed),
            Cow::Owned(written) => Text::Written(self.write(|text| text.push_str(&written))),
        };
        self.record_entry(pointer, keyword, message);
    }

    fn record_entry(&mut self, pointer: Range<usize>, keyword: &'static str, message: Text) {
        // A refused request usually lists a few: room for eight at once, not 4 then 8.
        if self.entries.capacity() == 0 {
            self.entries.reserve(8);
        }
        self.entries.push(Entry {
            location: self.location,
            name: self.name.clone(),
            pointer,
            keyword,
            message,
        });
    }

    /// Appends what `write` writes to the text and returns its range.
    fn write(&mut self, write: impl FnOnce(&mut String)) -> Range<usize> {
        if self.text.capacity() == 0 {
            self.text.reserve(256);
        }
        let start = self.text.len();
        write(&mut self.text);
        start..self.text.len()
    }

    /// Number of violations so far (used to tell whether a sub-validation added any).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No violation so far.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where the collection is now, to [`Self::rewind`] to.
    pub(super) fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            entries: self.entries.len(),
            text: self.text.len(),
        }
    }

    /// Drops the violations recorded since `checkpoint`, and their texts (used by
    /// `anyOf`/`oneOf`/`not` trials). Every text written since belongs to them: only
    /// violations recorded since are moved by [`Self::lift`], and parameter names are
    /// not set during a trial.
    pub(super) fn rewind(&mut self, checkpoint: Checkpoint) {
        self.entries.truncate(checkpoint.entries);
        self.text.truncate(checkpoint.text);
    }

    /// Moves the violations recorded from `from` on before those recorded from `at` on
    /// (the keywords of a container, known once it is read, are listed before those of its
    /// contents).
    #[inline]
    pub(super) fn lift(&mut self, at: usize, from: usize) {
        let lifted = self.entries.len() - from;
        if lifted > 0 && from > at {
            self.entries[at..].rotate_right(lifted);
        }
    }

    /// The violations, in order, their texts borrowed.
    pub(crate) fn iter(&self) -> impl Iterator<Item = ViolationRef<'_>> {
        self.entries.iter().map(|entry| ViolationRef {
            location: entry.location,
            name: entry.name.as_ref().map(|name| self.text_of(name)),
            pointer: self.slice(entry.pointer.clone()),
            keyword: entry.keyword,
            message: self.text_of(&entry.message),
        })
    }

    fn slice(&self, range: Range<usize>) -> &str {
        self.text.get(range).unwrap_or_default()
    }

    fn text_of<'t>(&'t self, text: &'t Text) -> &'t str {
        match text {
            Text::Fixed(fixed) => fixed,
            Text::Written(range) => self.slice(range.clone()),
        }
    }

    fn owned(&self, text: &Text) -> Cow<'static, str> {
        match text {
            Text::Fixed(fixed) => Cow::Borrowed(*fixed),
            Text::Written(range) => Cow::Owned(self.slice(range.clone()).to_owned()),
        }
    }

    /// The violations.
    pub fn into_vec(self) -> Vec<Violation> {
        self.entries
            .iter()
            .map(|entry| Violation {
                location: entry.location,
                name: entry
                    .name
                    .as_ref()
                    .map(|name| self.owned(name).into_owned()),
                pointer: self.slice(entry.pointer.clone()).to_owned(),
                keyword: entry.keyword,
                message: self.owned(&entry.message),
            })
            .collect()
    }

    /// About how many bytes the violations take as problem+json.
    pub(crate) fn json_size_hint(&self) -> usize {
        let fixed: usize = self
            .entries
            .iter()
            .map(|entry| match entry.message {
                Text::Fixed(fixed) => 64 + fixed.len(),
                Text::Written(_) => 64,
            })
            .sum();
        fixed + self.text.len()
    }

    /// Appends the violations as the members of problem+json's `errors` array (the
    /// objects, comma-separated, without the brackets): the bytes `serde_json` writes for
    /// the same [`Violation`]s.
    pub(crate) fn write_problem_members(&self, out: &mut Vec<u8>) {
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_violation(out, &v);
        }
    }
}

/// A point of an [`Errors`] to rewind to.
#[derive(Debug, Clone, Copy)]
pub(super) struct Checkpoint {
    entries: usize,
    text: usize,
}

/// Appends one violation as a problem+json object: the bytes `serde_json` writes for it.
pub(crate) fn write_violation(out: &mut Vec<u8>, v: &ViolationRef<'_>) {
    // The location's name needs no escaping: it is written with the text around it, like
    // the keyword's quotes.
    out.extend_from_slice(v.location.opening_member().as_bytes());
    if let Some(name) = v.name {
        out.extend_from_slice(b",\"name\":");
        push_string(out, name);
    }
    out.extend_from_slice(b",\"pointer\":");
    push_string(out, v.pointer);
    out.extend_from_slice(b",\"keyword\":\"");
    push_string_contents(out, v.keyword);
    out.extend_from_slice(b"\",\"message\":");
    push_string(out, v.message);
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::{Errors, Ptr};
    use crate::problem::{Location, Problem};

    /// Some violations of every kind: fixed and written messages, parameter names, keys
    /// that need escaping in a pointer and in JSON.
    fn sample() -> Errors {
        let mut e = Errors::new(Location::Query);
        e.at(Location::Query, Some("li\"mit"));
        e.push(&Ptr::new(), "maximum", "must be at most 100");
        e.at_fixed(Location::Path, Some("id"));
        e.push_parts(&Ptr::new(), "type", &["expected integer, found ", "string"]);
        e.at(Location::Body, None);
        let root = Ptr::new();
        let items = root.key("it/e~ms");
        let third = items.index(3);
        e.push_parts(
            &third.key("na\"me"),
            "pattern",
            &["must match `", "^\\d\n$", "`"],
        );
        e.push(
            &root,
            "required",
            String::from("missing required property `é`"),
        );
        e.push_with(&items, "minItems", |text| {
            text.push_str("must have at least 2 items")
        });
        e
    }

    #[test]
    fn a_400_written_from_errors_is_what_the_violations_give() {
        let e = sample();
        let response = crate::problem::validation_response(&e);
        let expected = Problem::validation(e.into_vec()).to_json();
        let body = response.into_body();
        let bytes = collect(body);
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }

    #[test]
    fn violations_keep_their_texts_and_order() {
        let mut v = sample().into_vec();
        assert_eq!(v.len(), 5);
        assert_eq!(v[0].name.as_deref(), Some("li\"mit"));
        assert_eq!(v[0].location, Location::Query);
        let path = v.remove(1);
        assert_eq!(path.name.as_deref(), Some("id"));
        assert_eq!(path.location, Location::Path);
        assert_eq!(path.message, "expected integer, found string");
        assert_eq!(v[1].pointer, "/it~1e~0ms/3/na\"me");
        assert_eq!(v[1].message, "must match `^\\d\n$`");
        assert_eq!(v[1].name, None);
        assert_eq!(v[2].pointer, "");
        assert_eq!(v[3].message, "must have at least 2 items");
    }

    #[test]
    fn rewinding_drops_the_violations_and_their_text() {
        let mut e = sample();
        let checkpoint = e.checkpoint();
        let text = e.text.len();
        e.push_parts(
            &Ptr::new().key("x"),
            "type",
            &["expected string, found number"],
        );
        e.push(&Ptr::new(), "not", "must not match the excluded schema");
        e.lift(checkpoint.entries, checkpoint.entries + 1);
        assert_eq!(e.len(), 7);
        e.rewind(checkpoint);
        assert_eq!((e.len(), e.text.len()), (5, text));
        assert_eq!(e.into_vec(), sample().into_vec());
    }

    #[test]
    fn lifted_violations_come_first() {
        let mut e = Errors::default();
        e.push(&Ptr::new().key("a"), "type", "first");
        e.push(&Ptr::new().key("b"), "type", "second");
        e.push(&Ptr::new(), "minProperties", "container");
        e.lift(0, 2);
        let order: Vec<_> = e.into_vec().into_iter().map(|v| v.message).collect();
        assert_eq!(order, ["container", "first", "second"]);
    }

    /// The bytes of a full body (the runtime's bodies here are complete on creation).
    fn collect(body: axum::body::Body) -> Vec<u8> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime
            .block_on(axum::body::to_bytes(body, usize::MAX))
            .unwrap()
            .to_vec()
    }
}
