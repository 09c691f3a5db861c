//! A social network in compressed sparse row (CSR) form: the neighbours of node `i`
//! are `targets[offsets[i]..offsets[i + 1]]`. Compact (two flat arrays) and cache
//! friendly for millions of nodes.

/// An undirected or directed graph over nodes `0..n`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Network {
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

impl Network {
    /// Builds a directed graph from `(from, to)` edges. Self-loops are dropped and
    /// duplicate edges kept once; neighbour lists come out sorted.
    pub fn from_directed_edges(n: usize, edges: &[(u32, u32)]) -> Self {
        let mut degree = vec![0u32; n + 1];
        for &(a, b) in edges {
            if a != b {
                degree[a as usize + 1] += 1;
            }
        }
        for i in 0..n {
            degree[i + 1] += degree[i];
        }
        let mut fill = degree.clone();
        let mut targets = vec![0u32; degree[n] as usize];
        for &(a, b) in edges {
            if a != b {
                let slot = &mut fill[a as usize];
                targets[*slot as usize] = b;
                *slot += 1;
            }
        }
        // Sort and deduplicate each list, then compact.
        let mut offsets = Vec::with_capacity(n + 1);
        let mut compact = Vec::with_capacity(targets.len());
        offsets.push(0u32);
        for i in 0..n {
            let list = &mut targets[degree[i] as usize..degree[i + 1] as usize];
            list.sort_unstable();
            let start = compact.len();
            for &t in list.iter() {
                if compact.len() == start || *compact.last().unwrap() != t {
                    compact.push(t);
                }
            }
            offsets.push(compact.len() as u32);
        }
        Network { offsets, targets: compact }
    }

    /// Builds an undirected graph: each edge is stored in both directions.
    pub fn from_undirected_edges(n: usize, edges: &[(u32, u32)]) -> Self {
        let both: Vec<(u32, u32)> = edges.iter().flat_map(|&(a, b)| [(a, b), (b, a)]).collect();
        Self::from_directed_edges(n, &both)
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Number of stored (directed) edges.
    pub fn edges(&self) -> usize {
        self.targets.len()
    }

    /// The neighbours of node `i`, sorted. Panics if `i` is not a node.
    #[inline]
    pub fn neighbours(&self, i: usize) -> &[u32] {
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Number of neighbours of node `i`. Panics if `i` is not a node.
    #[inline]
    pub fn degree(&self, i: usize) -> usize {
        (self.offsets[i + 1] - self.offsets[i]) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn undirected_edges_are_symmetric_and_deduplicated() {
        let g = Network::from_undirected_edges(4, &[(0, 1), (1, 0), (1, 2), (3, 3)]);
        assert_eq!(g.neighbours(0), &[1]);
        assert_eq!(g.neighbours(1), &[0, 2]);
        assert_eq!(g.neighbours(2), &[1]);
        assert_eq!(g.neighbours(3), &[] as &[u32]);
        assert_eq!(g.edges(), 4);
    }

    proptest! {
        #[test]
        fn csr_holds_exactly_the_edge_set(edges in proptest::collection::vec((0u32..30, 0u32..30), 0..200)) {
            let g = Network::from_directed_edges(30, &edges);
            let mut want: Vec<(u32, u32)> = edges.iter().copied().filter(|(a, b)| a != b).collect();
            want.sort();
            want.dedup();
            let got: Vec<(u32, u32)> = (0..30).flat_map(|i| g.neighbours(i).iter().map(move |&t| (i as u32, t))).collect();
            prop_assert_eq!(got, want);
        }
    }
}
