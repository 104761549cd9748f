//! Resolving many references in one Bundle: the entries by `fullUrl` and by `Type/id`, built
//! once. A searchset of thousands of slots, each naming its schedule, would otherwise be read end
//! to end for every slot.

use std::collections::HashMap;

use super::stu3::parse_reference;

/// A Bundle's entries (of either FHIR version) by `fullUrl` and by `Type/id`; the first entry
/// wins where two share one, as a linear search would find.
pub struct ReferenceIndex<'a, R> {
    by_url: HashMap<&'a str, &'a R>,
    by_id: HashMap<(&'a str, &'a str), &'a R>,
}

/// One entry as the index sees it: its fullUrl, resource, type and id.
pub type IndexEntry<'a, R> = (Option<&'a str>, &'a R, &'a str, Option<&'a str>);

impl<'a, R> ReferenceIndex<'a, R> {
    pub fn new(entries: impl Iterator<Item = IndexEntry<'a, R>>) -> Self {
        let mut by_url = HashMap::new();
        let mut by_id = HashMap::new();
        for (url, resource, type_, id) in entries {
            if let Some(url) = url {
                by_url.entry(url).or_insert(resource);
            }
            if let Some(id) = id {
                by_id.entry((type_, id)).or_insert(resource);
            }
        }
        Self { by_url, by_id }
    }

    /// An exact `fullUrl` first, then `Type/id` (also at the end of an absolute URL).
    pub fn find(&self, reference: &str) -> Option<&'a R> {
        self.by_url.get(reference).copied().or_else(|| {
            let (type_, id) = parse_reference(reference)?;
            self.by_id.get(&(type_, id)).copied()
        })
    }
}
