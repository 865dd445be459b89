//! Turns a message into what the user asked for: a command in some language, a question
//! addressed to the bot, or nothing for the bot at all.

use crate::lang::{CommandKey, Lang, Texts};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route<'a> {
    /// `!word args`, with the language the word belongs to.
    Command { command: CommandKey, lang: Lang, args: &'a str },
    /// `!word` that names no command.
    Unknown { word: &'a str },
    /// Free text meant for the bot (mention or direct message).
    Question { text: &'a str },
    /// Talk between people: not for the bot.
    Ignore,
}

/// `bot_names` are the words that address the bot at the start of a message
/// ("Kaveri:", "@kaveri", a display name), compared case-insensitively.
pub fn route<'a>(texts: &Texts, text: &'a str, addressed: bool, bot_names: &[String]) -> Route<'a> {
    let text = text.trim();
    let (text, named) = strip_address(text, bot_names);
    let addressed = addressed || named;
    if let Some(rest) = text.strip_prefix('!') {
        let (word, args) = match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        if word.is_empty() {
            return if addressed { Route::Question { text } } else { Route::Ignore };
        }
        return match texts.command(word) {
            Some((command, lang)) => Route::Command { command, lang, args },
            None => Route::Unknown { word },
        };
    }
    if addressed && !text.is_empty() {
        Route::Question { text }
    } else {
        Route::Ignore
    }
}

/// Removes a leading "Kaveri:" / "@kaveri:server" so "Kaveri: !apua" works like "!apua".
fn strip_address<'a>(text: &'a str, bot_names: &[String]) -> (&'a str, bool) {
    for name in bot_names {
        let n = name.len();
        if text.len() >= n && text.is_char_boundary(n) && text[..n].eq_ignore_ascii_case(name) {
            let rest = &text[n..];
            // Only a whole word: "Kaverin" is not an address.
            if rest.is_empty() || rest.starts_with([':', ',', ' ']) {
                return (rest.trim_start_matches([':', ',']).trim(), true);
            }
        }
    }
    (text, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec!["@kaveri:localhost".into(), "kaveri".into()]
    }

    #[test]
    fn commands_in_each_language_are_recognised() {
        let t = Texts::embedded().unwrap();
        assert_eq!(
            route(&t, "!apua", false, &names()),
            Route::Command { command: CommandKey::Help, lang: Lang::Fi, args: "" }
        );
        assert_eq!(
            route(&t, "  !Hjälp  nu ", false, &names()),
            Route::Command { command: CommandKey::Help, lang: Lang::Sv, args: "nu" }
        );
        assert_eq!(
            route(&t, "!help", false, &names()),
            Route::Command { command: CommandKey::Help, lang: Lang::En, args: "" }
        );
    }

    #[test]
    fn address_prefix_is_stripped_only_as_a_whole_word() {
        let t = Texts::embedded().unwrap();
        assert_eq!(
            route(&t, "Kaveri: !help", false, &names()),
            Route::Command { command: CommandKey::Help, lang: Lang::En, args: "" }
        );
        assert_eq!(
            route(&t, "@kaveri:localhost mikä on TYP?", false, &names()),
            Route::Question { text: "mikä on TYP?" }
        );
        assert_eq!(route(&t, "Kaverin kanssa sovittiin", false, &names()), Route::Ignore);
    }

    #[test]
    fn plain_chat_is_ignored_unless_addressed() {
        let t = Texts::embedded().unwrap();
        assert_eq!(route(&t, "huomenta kaikille", false, &names()), Route::Ignore);
        assert_eq!(
            route(&t, "huomenta kaikille", true, &names()),
            Route::Question { text: "huomenta kaikille" }
        );
        assert_eq!(route(&t, "!", false, &names()), Route::Ignore);
    }

    #[test]
    fn unknown_command_word_is_reported() {
        let t = Texts::embedded().unwrap();
        assert_eq!(route(&t, "!apuva", false, &names()), Route::Unknown { word: "apuva" });
    }
}
