//! Source positions of the nodes of one parsed file, addressed by JSON pointer segments.

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct Pos {
    pub(crate) line: u32,
    pub(crate) col: u32,
}

impl Pos {
    pub(crate) fn new(line: usize, col: usize) -> Self {
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
        }
    }
}

/// The position of one node and of its children. A mapping member's position is that of its
/// key, which is what a message about the member should point at.
#[derive(Debug, Default)]
pub(crate) struct PosNode {
    pos: Pos,
    kids: Kids,
}

#[derive(Debug, Default)]
enum Kids {
    #[default]
    None,
    /// Sorted by key, one entry per key (the last one written, as in the parsed value).
    Map(Box<[(Box<str>, PosNode)]>),
    Seq(Box<[PosNode]>),
}

impl PosNode {
    /// A scalar (or a node whose children are not tracked).
    pub(crate) fn leaf(pos: Pos) -> Self {
        PosNode {
            pos,
            kids: Kids::None,
        }
    }

    /// A mapping, its members in document order (duplicates allowed: the last one wins).
    pub(crate) fn map(pos: Pos, mut members: Vec<(Box<str>, PosNode)>) -> Self {
        members.reverse();
        members.sort_by(|a, b| a.0.cmp(&b.0));
        members.dedup_by(|later, earlier| later.0 == earlier.0);
        PosNode {
            pos,
            kids: Kids::Map(members.into_boxed_slice()),
        }
    }

    /// A sequence.
    pub(crate) fn seq(pos: Pos, items: Vec<PosNode>) -> Self {
        PosNode {
            pos,
            kids: Kids::Seq(items.into_boxed_slice()),
        }
    }

    /// This node's own position.
    pub(crate) fn pos(&self) -> Pos {
        self.pos
    }

    /// Changes this node's position (used to give a mapping member its key's position).
    pub(crate) fn set_pos(&mut self, pos: Pos) {
        self.pos = pos;
    }

    /// The position of the deepest node on the path `segments` that exists.
    pub(crate) fn locate<S: AsRef<str>>(&self, segments: &[S]) -> Pos {
        let mut node = self;
        for segment in segments {
            let segment = segment.as_ref();
            let next = match &node.kids {
                Kids::None => None,
                Kids::Map(members) => members
                    .binary_search_by(|(key, _)| (**key).cmp(segment))
                    .ok()
                    .map(|i| &members[i].1),
                Kids::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            };
            match next {
                Some(next) => node = next,
                None => break,
            }
        }
        node.pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deepest_existing_node_wins() {
        let tree = PosNode::map(
            Pos::new(1, 1),
            vec![
                ("b".into(), PosNode::leaf(Pos::new(2, 1))),
                (
                    "a".into(),
                    PosNode::seq(Pos::new(3, 1), vec![PosNode::leaf(Pos::new(4, 3))]),
                ),
                ("b".into(), PosNode::leaf(Pos::new(5, 1))),
            ],
        );
        assert_eq!(tree.locate(&["a", "0"]), Pos::new(4, 3));
        assert_eq!(tree.locate(&["a", "7", "x"]), Pos::new(3, 1));
        assert_eq!(tree.locate(&["b"]), Pos::new(5, 1));
        assert_eq!(tree.locate(&["zzz"]), Pos::new(1, 1));
        assert_eq!(tree.locate::<&str>(&[]), Pos::new(1, 1));
    }
}
