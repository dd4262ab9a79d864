//! Graph algorithms the lowering needs on the types' references.

/// The strongly connected component of each node of the graph whose successors are
/// `edges[node]`: two nodes get the same number exactly when each reaches the other (a
/// node always reaches itself). Tarjan's algorithm, iterative so that a long chain of
/// types cannot overflow the stack; linear in nodes and edges.
pub(crate) fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    let count = edges.len();
    let mut search = Search {
        order: vec![UNSEEN; count],
        low: vec![0; count],
        on_stack: vec![false; count],
        stack: Vec::new(),
        path: Vec::new(),
        next_order: 0,
    };
    let mut component = vec![UNSEEN; count];
    let mut next_component = 0;
    for root in 0..count {
        if search.order[root] != UNSEEN {
            continue;
        }
        search.visit(root);
        while let Some(&mut (node, ref mut next)) = search.path.last_mut() {
            if let Some(&to) = edges[node].get(*next) {
                *next += 1;
                if to >= count {
                    continue;
                }
                if search.order[to] == UNSEEN {
                    search.visit(to);
                } else if search.on_stack[to] {
                    search.low[node] = search.low[node].min(search.order[to]);
                }
                continue;
            }
            search.path.pop();
            if let Some(&(parent, _)) = search.path.last() {
                search.low[parent] = search.low[parent].min(search.low[node]);
            }
            if search.low[node] == search.order[node] {
                while let Some(member) = search.stack.pop() {
                    search.on_stack[member] = false;
                    component[member] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

/// Not visited yet.
const UNSEEN: usize = usize::MAX;

/// The state of Tarjan's depth-first search.
struct Search {
    /// The order in which each node was first visited.
    order: Vec<usize>,
    /// The lowest order reachable from each node through the nodes on the stack.
    low: Vec<usize>,
    on_stack: Vec<bool>,
    /// Nodes whose component is not settled yet.
    stack: Vec<usize>,
    /// The depth-first path: each node with the position of its next edge to follow.
    path: Vec<(usize, usize)>,
    next_order: usize,
}

impl Search {
    /// Enters `node`: numbers it and puts it on the stack and the path.
    fn visit(&mut self, node: usize) {
        self.order[node] = self.next_order;
        self.low[node] = self.next_order;
        self.next_order += 1;
        self.stack.push(node);
        self.on_stack[node] = true;
        self.path.push((node, 0));
    }
}

#[cfg(test)]
mod tests {
    use super::strongly_connected;

    /// Whether `to` can be reached from `from` (a node reaches itself).
    fn reaches(edges: &[Vec<usize>], from: usize, to: usize) -> bool {
        let mut seen = vec![false; edges.len()];
        let mut stack = vec![from];
        while let Some(node) = stack.pop() {
            if node == to {
                return true;
            }
            if !std::mem::replace(&mut seen[node], true) {
                stack.extend(edges[node].iter().copied());
            }
        }
        false
    }

    #[test]
    fn same_component_exactly_when_each_reaches_the_other() {
        // Pseudo-random graphs of every density (a fixed xorshift sequence, so a failure
        // can be reproduced), checked against reachability by search.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut random = move |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        for case in 0..300 {
            let nodes = 1 + case % 23;
            let edges: Vec<Vec<usize>> = (0..nodes)
                .map(|_| {
                    let out = random(4);
                    (0..out).map(|_| random(nodes)).collect()
                })
                .collect();
            let component = strongly_connected(&edges);
            for a in 0..nodes {
                for b in 0..nodes {
                    let mutual = reaches(&edges, a, b) && reaches(&edges, b, a);
                    assert_eq!(
                        component[a] == component[b],
                        mutual,
                        "case {case}: nodes {a} and {b} of {edges:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_long_chain_closed_into_a_ring_is_one_component_without_deep_recursion() {
        let nodes = 200_000;
        let edges: Vec<Vec<usize>> = (0..nodes).map(|i| vec![(i + 1) % nodes]).collect();
        let component = strongly_connected(&edges);
        assert!(component.iter().all(|&c| c == component[0]));
        let open: Vec<Vec<usize>> = (0..nodes)
            .map(|i| {
                if i + 1 < nodes {
                    vec![i + 1]
                } else {
                    Vec::new()
                }
            })
            .collect();
        let component = strongly_connected(&open);
        let mut distinct = component.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), nodes);
    }
}
