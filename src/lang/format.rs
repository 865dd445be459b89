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

    /// Joins messages as separate paragraphs.
    pub fn join(parts: &[Message]) -> Message {
        Message {
            plain: parts.iter().map(|m| m.plain.as_str()).collect::<Vec<_>>().join("\n\n"),
            html: parts.iter().map(|m| m.html.as_str()).collect::<Vec<_>>().join("<br><br>"),
        }
    }
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
