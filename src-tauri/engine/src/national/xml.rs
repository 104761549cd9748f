//! A small element tree read from XML with quick-xml, for the Directory of Services' SOAP
//! answers. Elements are named by their local names: SOAP prefixes differ between servers and
//! the answer's meaning does not depend on them.

use quick_xml::events::Event;

/// Deeper than any SOAP answer the desk reads: a hostile answer cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of the first child named `name`; `None` when absent or empty.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }

    /// The first element named `name` anywhere below (depth first), or this one.
    pub fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotXml(pub String);

/// Reads `bytes` into the tree of its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, NotXml> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| NotXml(e.to_string()))?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(NotXml("nested too deeply".into()));
                }
                stack.push(Element {
                    name: e.local_name().as_ref().to_string(),
                    ..Default::default()
                });
            }
            Event::Empty(e) => {
                let el = Element {
                    name: e.local_name().as_ref().to_string(),
                    ..Default::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                // Entity and character references arrive apart from the text around them.
                if let Some(top) = stack.last_mut() {
                    if let Some(c) = r.resolve_char_ref().map_err(|e| NotXml(e.to_string()))? {
                        top.text.push(c);
                    } else {
                        let name = r.xml10_content();
                        let text = quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| NotXml(format!("an unknown entity &{name};")))?;
                        top.text.push_str(text);
                    }
                }
            }
            Event::End(_) => {
                let done = stack
                    .pop()
                    .ok_or_else(|| NotXml("unbalanced end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Eof => return Err(NotXml("the document ended early".into())),
            // DOCTYPE is refused: entities declared there are how XML bombs work.
            Event::DocType(_) => return Err(NotXml("a DOCTYPE is not accepted".into())),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
        buf.clear();
    }
}

/// `text` with the five XML special characters escaped, for element content.
pub fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_local_names_text_and_entities() {
        let doc = br#"<?xml version="1.0"?><s:Envelope xmlns:s="urn:x"><s:Body><a:x xmlns:a="urn:y">Smith &amp; Jones &#169;</a:x><a:y/></s:Body></s:Envelope>"#;
        let root = parse(doc).expect("xml");
        assert_eq!(root.name, "Envelope");
        let body = root.child("Body").expect("body");
        assert_eq!(body.text_of("x"), Some("Smith & Jones ©"));
        assert!(body.child("y").is_some());
        assert_eq!(root.find("x").map(|e| e.name.as_str()), Some("x"));
    }

    #[test]
    fn refuses_doctype_deep_nesting_and_truncation() {
        assert!(parse(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>").is_err());
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(parse(deep.as_bytes()).is_err());
        assert!(parse(b"<a><b>").is_err());
        assert!(parse(b"<a></b>").is_err());
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & 'c'"), "a&lt;b &amp; &apos;c&apos;");
    }
}
