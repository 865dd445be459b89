//! Mention pills. Clients send a mention as the person's display name in the plain body
//! ("Bob") and a link to their user id in the HTML body. Commands that name a person
//! (`!muistuta @bob:server …`) need the id, so the link text is put back as the id.

use regex::Regex;
use std::sync::OnceLock;

/// `body` with the text of each user pill in `html` replaced by the user id it links to.
pub fn with_user_ids(body: &str, html: Option<&str>) -> String {
    static PILL: OnceLock<Regex> = OnceLock::new();
    let Some(html) = html else { return body.to_string() };
    let pill = PILL.get_or_init(|| {
        Regex::new(r#"<a\s+href=["'](https://matrix\.to/#/|matrix:u/)([^"'?]+)[^"']*["'][^>]*>([^<]*)</a>"#)
            .expect("pill pattern is valid")
    });
    let mut text = body.to_string();
    let mut from = 0;
    for caps in pill.captures_iter(html) {
        let id = percent_decode(&caps[2]);
        // matrix.to links to rooms and events too; matrix:u/ only to users, without the @.
        let id = if caps[1].starts_with("matrix:") { format!("@{id}") } else { id };
        let shown = unescape_html(&caps[3]);
        if !id.starts_with('@') || !id.contains(':') || shown.is_empty() {
            continue;
        }
        // Pills appear in the body in the same order as in the HTML.
        if let Some(at) = text[from..].find(&shown) {
            let start = from + at;
            text.replace_range(start..start + shown.len(), &id);
            from = start + id.len();
        }
    }
    text
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn unescape_html(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_pills_become_user_ids() {
        let html = r#"!muistuta <a href="https://matrix.to/#/@bob:example.org">Bob Virtanen</a> huomenna soita"#;
        assert_eq!(
            with_user_ids("!muistuta Bob Virtanen huomenna soita", Some(html)),
            "!muistuta @bob:example.org huomenna soita"
        );
    }

    #[test]
    fn encoded_links_and_matrix_uris_are_understood() {
        let html = r#"<a href="https://matrix.to/#/%40bob%3Aexample.org?via=x">Bob</a> ja <a href="matrix:u/anna:example.org">Anna</a>"#;
        assert_eq!(with_user_ids("Bob ja Anna", Some(html)), "@bob:example.org ja @anna:example.org");
    }

    #[test]
    fn messages_without_pills_are_unchanged() {
        assert_eq!(with_user_ids("!apua", None), "!apua");
        assert_eq!(with_user_ids("Bob", Some("<b>Bob</b>")), "Bob");
        // A room link is not a person.
        let html = r#"<a href="https://matrix.to/#/#verkosto:example.org">verkosto</a>"#;
        assert_eq!(with_user_ids("verkosto", Some(html)), "verkosto");
    }
}
