//! SOAP 1.2 envelopes for the DoS web service: reading a request into a small element tree
//! (namespaces resolved) and writing answers and faults.
//!
//! Sources: the v1.5 WSDL (`nhsd-a2si/docs-dos-api` `wsdl_docs/wsdl_v15.html`: one binding,
//! `soap12`, document/literal, `elementFormDefault="qualified"` in the target namespace, the
//! `serviceVersion` header) and `soap_api_errors_v1_5.md` (the fault shape).

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// The WSDL's `targetNamespace`.
pub const DOS_NS: &str = "https://nww.pathwaysdos.nhs.uk/app/api/webservices";
/// SOAP 1.2, the only binding the WSDL has (`soap12:binding`).
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// SOAP 1.1's envelope: recognised only to refuse it.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// An element with its resolved namespace, text and children.
#[derive(Debug, Default, Clone)]
pub struct Element {
    pub ns: Option<String>,
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child in the DoS namespace with this local name. Elements in other namespaces
    /// do not count (`elementFormDefault="qualified"`).
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.name == name && c.ns.as_deref() == Some(DOS_NS))
    }

    /// Every DoS child with this local name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children
            .iter()
            .filter(move |c| c.name == name && c.ns.as_deref() == Some(DOS_NS))
    }

    /// A child's trimmed text, `None` when the element is absent.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

/// Resolves `&name;` and character references split out of text by the reader.
fn entity(name: &str) -> String {
    quick_xml::escape::unescape(&format!("&{name};"))
        .map(|c| c.into_owned())
        .unwrap_or_default()
}

/// Parses a whole document into its root element; `Err` when it is not well-formed XML.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let (ns, event) = reader.read_resolved_event().map_err(|e| e.to_string())?;
        let ns = match ns {
            ResolveResult::Bound(n) => Some(n.as_ref().to_string()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(p) => return Err(format!("unknown namespace prefix {p}")),
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err("content after the root element".to_string());
            }
            Event::Start(e) => stack.push(Element {
                ns,
                name: e.local_name().as_ref().to_string(),
                ..Element::default()
            }),
            Event::Empty(e) => {
                let el = Element {
                    ns,
                    name: e.local_name().as_ref().to_string(),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or("unbalanced end tag")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                } else if !t.xml10_content().trim().is_empty() {
                    return Err("text outside the root element".to_string());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&entity(r.as_ref()));
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(c.as_ref());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("unclosed element".to_string());
    }
    root.ok_or_else(|| "no root element".to_string())
}

/// Text escaped for element content.
pub fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// A SOAP 1.2 envelope around `body` (already XML), the DoS namespace bound to `ns1` as in the
/// published examples (`dos_endpoints_booking.md`).
pub fn envelope(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <env:Envelope xmlns:env=\"{SOAP12_NS}\" xmlns:ns1=\"{DOS_NS}\">\
         <env:Body>{body}</env:Body></env:Envelope>"
    )
}

/// `soap_api_errors_v1_5.md`: the fault carries DoS's code in `env:Code/env:Value` and its
/// description in `env:Reason/env:Text`.
pub fn fault(code: u16, text: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <env:Envelope xmlns:env=\"{SOAP12_NS}\"><env:Body><env:Fault>\
         <env:Code><env:Value>{code}</env:Value></env:Code>\
         <env:Reason><env:Text>{}</env:Text></env:Reason>\
         </env:Fault></env:Body></env:Envelope>",
        esc(text)
    )
}

/// Writes `<ns1:name>text</ns1:name>` with the text escaped.
pub fn el(out: &mut String, name: &str, text: &str) {
    out.push_str(&format!("<ns1:{name}>{}</ns1:{name}>", esc(text)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_namespaces_text_and_entities() {
        let doc = format!(
            "<s:Envelope xmlns:s=\"{SOAP12_NS}\" xmlns:w=\"{DOS_NS}\"><s:Body>\
             <w:Op><w:a>x &amp; y</w:a><w:b/><other>z</other></w:Op></s:Body></s:Envelope>"
        );
        let root = parse(&doc).expect("parsed");
        assert_eq!(root.ns.as_deref(), Some(SOAP12_NS));
        let op = &root.children[0].children[0];
        assert_eq!(op.text_of("a"), Some("x & y"));
        assert_eq!(op.text_of("b"), Some(""));
        // Unqualified elements are not DoS's.
        assert_eq!(op.text_of("other"), None);
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("not xml").is_err());
        assert!(parse("<a>").is_err());
        assert!(parse("<p:a/>").is_err());
    }

    #[test]
    fn faults_escape_their_text() {
        assert!(fault(101, "a<b").contains("<env:Text>a&lt;b</env:Text>"));
    }
}
