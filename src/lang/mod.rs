//! Languages Kaveri speaks and the user-facing texts for each.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The three languages every user-facing text exists in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fi,
    Sv,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Fi, Lang::Sv, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fi => "fi",
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }
}

/// A lowercase letter as names, cue words and search terms are compared: umlauts and
/// accents folded away, since many people type without the Nordic letters ("Poytya",
/// "tyokyky").
pub fn fold_char(c: char) -> char {
    match c {
        'ä' | 'å' | 'á' | 'à' | 'â' => 'a',
        'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'ü' | 'ú' | 'ù' | 'û' => 'u',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'š' => 's',
        'ž' => 'z',
        _ => c,
    }
}

/// `text` in lower case with [`fold_char`] applied.
pub fn fold(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).map(fold_char).collect()
}

/// The words of `text`, folded, split at anything that is not a letter or digit
/// ("KT:ssa" -> "kt", "ssa"), for rules that read the question word by word.
pub fn folded_words(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "fi" | "fin" | "suomi" | "finnish" => Ok(Lang::Fi),
            "sv" | "swe" | "svenska" | "swedish" => Ok(Lang::Sv),
            "en" | "eng" | "english" => Ok(Lang::En),
            other => Err(format!("unknown language '{other}' (expected fi, sv or en)")),
        }
    }
}

pub(crate) mod detect;
mod format;
mod texts;

pub use detect::detect_lang;

pub use format::{clean_echo, escape_html, Message};
pub use texts::{CommandKey, Msg, Texts, TextsError, Word};
