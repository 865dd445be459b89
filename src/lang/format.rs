//! The tiny markup used in prompts/: `**bold**`, `` `code` `` and "- " list lines.
//! Every message is rendered twice: HTML for clients that show formatting, and a plain
//! fallback that reads well without it.

/// A rendered user-facing message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Message {
    pub plain: String,
    pub html: String,
}

impl Message {
    /// Renders the prompts/ markup.
    pub fn from_markup(markup: &str) -> Message {
        let markup = markup.trim_matches('\n');
        let plain = strip_markup(markup);
        let html = markup_to_html(markup);
        Message { plain, html }
    }

    /// A Matrix pill (a link to the person) for the first mention of `user` in the HTML,
    /// so clients show it as a mention. A message that has one already is left as it is.
    pub fn with_pill(mut self, user: &str) -> Message {
        let escaped = escape_html(user);
        let link = format!("https://matrix.to/#/{escaped}");
        if !self.html.contains(&link) {
            self.html = self.html.replacen(&escaped, &format!("<a href=\"{link}\">{escaped}</a>"), 1);
        }
        self
    }

    /// Messages as consecutive lines of one message.
    pub fn lines(parts: &[Message]) -> Message {
        Message {
            plain: parts.iter().map(|m| m.plain.as_str()).collect::<Vec<_>>().join("\n"),
            html: parts.iter().map(|m| m.html.as_str()).collect::<Vec<_>>().join("<br>"),
        }
    }

    /// Joins messages as separate paragraphs.
    pub fn join(parts: &[Message]) -> Message {
        Message {
            plain: parts.iter().map(|m| m.plain.as_str()).collect::<Vec<_>>().join("\n\n"),
            html: parts.iter().map(|m| m.html.as_str()).collect::<Vec<_>>().join("<br><br>"),
        }
    }
}

/// Text from a person that the bot repeats: control characters (other than newline
/// and tab) and bidirectional overrides removed, a room-wide `@room` mention made inert
/// with an invisible word joiner, and at most `max_chars` characters, the rest cut with
/// an ellipsis.
pub fn clean_echo(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    for (count, c) in text
        .chars()
        .filter(|&c| !(c.is_control() && c != '\n' && c != '\t'))
        .filter(|c| !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .enumerate()
    {
        if count == max_chars {
            out.push('…');
            break;
        }
        out.push(c);
    }
    neutralise_room_mentions(&out)
}

/// `@room` in any letter case becomes `@\u{2060}room`: it reads the same, but no
/// client or push rule takes it for a mention of everyone.
fn neutralise_room_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        if rest.get(..4).is_some_and(|word| word.eq_ignore_ascii_case("room")) {
            out.push('\u{2060}');
        }
    }
    out.push_str(rest);
    out
}

/// A person's text inside an HTML message: escaped, its line breaks kept (a coordinator's
/// answer keeps its paragraphs and list lines) and its web addresses made links.
pub fn text_to_html(text: &str) -> String {
    let escaped = escape_html(text);
    let mut out = String::with_capacity(escaped.len());
    for (i, line) in escaped.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        let mut words = line.split(' ').peekable();
        while let Some(word) = words.next() {
            let url_end = word.trim_end_matches(['.', ',', ')', ';', ':', '!', '?']).len();
            let (url, tail) = word.split_at(url_end);
            if (url.starts_with("https://") || url.starts_with("http://")) && url.len() > 8 {
                out.push_str(&format!("<a href=\"{url}\">{url}</a>{tail}"));
            } else {
                out.push_str(word);
            }
            if words.peek().is_some() {
                out.push(' ');
            }
        }
    }
    out
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn strip_markup(markup: &str) -> String {
    markup.replace("**", "").replace('`', "")
}

fn markup_to_html(markup: &str) -> String {
    let mut html = String::new();
    let mut in_list = false;
    let mut first_line = true;
    for line in markup.lines() {
        if let Some(item) = line.strip_prefix("- ") {
            if !in_list {
                html.push_str("<ul>");
                in_list = true;
            }
            html.push_str("<li>");
            html.push_str(&inline_html(item));
            html.push_str("</li>");
        } else {
            if in_list {
                html.push_str("</ul>");
                in_list = false;
            } else if !first_line {
                html.push_str("<br>");
            }
            html.push_str(&inline_html(line));
        }
        first_line = false;
    }
    if in_list {
        html.push_str("</ul>");
    }
    html
}

/// Converts paired `**` and `` ` `` markers; an unpaired marker stays as it is.
fn inline_html(line: &str) -> String {
    let escaped = escape_html(line);
    let bolded = replace_pairs(&escaped, "**", "<b>", "</b>");
    replace_pairs(&bolded, "`", "<code>", "</code>")
}

fn replace_pairs(text: &str, marker: &str, open: &str, close: &str) -> String {
    let pieces: Vec<&str> = text.split(marker).collect();
    if pieces.len() < 3 {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let pairs = (pieces.len() - 1) / 2;
    for (i, piece) in pieces.iter().enumerate() {
        out.push_str(piece);
        if i + 1 == pieces.len() {
            break;
        }
        if i < pairs * 2 {
            out.push_str(if i % 2 == 0 { open } else { close });
        } else {
            out.push_str(marker);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bold_code_and_lists_render_to_html_and_plain() {
        let m = Message::from_markup("**Otsikko**\n- `!apua` – ohje\n- toinen\nLoppu <b>");
        assert_eq!(m.plain, "Otsikko\n- !apua – ohje\n- toinen\nLoppu <b>");
        assert_eq!(
            m.html,
            "<b>Otsikko</b><ul><li><code>!apua</code> – ohje</li><li>toinen</li></ul>Loppu &lt;b&gt;"
        );
    }

    #[test]
    fn unpaired_marker_is_left_alone() {
        let m = Message::from_markup("a ** b");
        assert_eq!(m.html, "a ** b");
    }
}

#[cfg(test)]
mod echo_tests {
    use super::clean_echo;

    #[test]
    fn control_characters_are_removed_but_lines_and_tabs_stay() {
        assert_eq!(clean_echo("!apua\u{0}\u{1}\u{7}\u{1b}[31mx", 100), "!apua[31mx");
        assert_eq!(clean_echo("a\nb\tc\r", 100), "a\nb\tc");
        assert_eq!(clean_echo("abc\u{202e}def", 100), "abcdef");
    }

    #[test]
    fn a_persons_text_keeps_its_lines_and_links_in_html() {
        let html = super::text_to_html("Hei!\n\n- kohta 1\n- kohta <2>\nKatso https://example.org/a?b=1&c=2.");
        assert_eq!(
            html,
            "Hei!<br><br>- kohta 1<br>- kohta &lt;2&gt;<br>Katso <a href=\"https://example.org/a?b=1&amp;c=2\">https://example.org/a?b=1&amp;c=2</a>."
        );
        assert_eq!(super::text_to_html("javascript:alert(1)"), "javascript:alert(1)");
    }

    #[test]
    fn a_pill_is_added_once() {
        let message = super::Message::from_markup("Hei @bob:x, ja @bob:x taas").with_pill("@bob:x").with_pill("@bob:x");
        assert_eq!(message.html, "Hei <a href=\"https://matrix.to/#/@bob:x\">@bob:x</a>, ja @bob:x taas");
        assert_eq!(super::Message::from_markup("ei mainintaa").with_pill("@bob:x").html, "ei mainintaa");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(clean_echo("abcdef", 3), "abc…");
        assert_eq!(clean_echo("äöåäöå", 6), "äöåäöå");
    }

    #[test]
    fn room_mentions_are_made_inert_in_any_case() {
        for text in ["@room", "hei @Room!", "@ROOM@room"] {
            let cleaned = clean_echo(text, 100);
            assert!(!cleaned.to_lowercase().contains("@room"), "{cleaned:?}");
            assert_eq!(cleaned.replace('\u{2060}', ""), text);
        }
        assert_eq!(clean_echo("@roomba and @alice:example.org", 100), "@\u{2060}roomba and @alice:example.org");
    }
}
