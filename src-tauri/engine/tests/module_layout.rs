//! The engine's modules depend on each other one way: a module that needs another which needs it
//! back is one the next engineer cannot read alone. Read from the sources (test code left out),
//! at the level of the top-level modules under `src/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module and the top-level modules it names as `crate::…`.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                // A module's `tests/` folder is its test suite: tests may reach anywhere.
                if path.file_name().is_none_or(|n| n != "tests") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).expect("under src");
            let first = rel.components().next().expect("a component");
            let module = first
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            if module == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            // Tests may reach anywhere.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let named = deps.entry(module.clone()).or_default();
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + "crate::".len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    let group = group.split('}').next().unwrap_or_default();
                    for part in group.split(',') {
                        named.insert(leading_ident(part.trim()));
                    }
                } else {
                    named.insert(leading_ident(rest));
                }
            }
            named.remove(&module);
        }
    }
    let modules: BTreeSet<String> = deps.keys().cloned().collect();
    for named in deps.values_mut() {
        named.retain(|m| modules.contains(m));
    }
    deps
}

fn leading_ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

#[test]
fn no_two_modules_depend_on_each_other() {
    let deps = dependencies();
    let mut two_way = Vec::new();
    for (a, named) in &deps {
        for b in named {
            if a < b && deps.get(b).is_some_and(|n| n.contains(a)) {
                two_way.push((a.as_str(), b.as_str()));
            }
        }
    }
    assert_eq!(
        two_way,
        Vec::<(&str, &str)>::new(),
        "modules depending on each other"
    );
}

#[test]
fn sign_in_and_roles_depend_on_no_booking_rule_configuration_or_transport() {
    let deps = dependencies();
    let auth = &deps["auth"];
    for other in [
        "booking",
        "clinical",
        "standards",
        "config",
        "transport",
        "store",
    ] {
        assert!(!auth.contains(other), "auth depends on {other}: {auth:?}");
    }
    // The booking's parts live under it: the handover is one of them, not a module beside it.
    assert!(!deps.contains_key("handover"));
}
