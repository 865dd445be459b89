//! Ages in questions. "22-vuotias", "25-årig", "a 24-year-old" say that the client is
//! young, which points to the services for the under-30s; "48-vuotias" says nothing
//! about which service fits. Both are written as words before a question is ranked, so
//! that a number and "vuotias" never decide a ranking on their own. (Cards are indexed
//! as written: their "alle 30-vuotiaat" already says "nuoret" beside it.)

use crate::lang::Lang;
use regex::{Captures, Regex};
use std::borrow::Cow;
use std::sync::LazyLock;

/// Ages under this are young in the sense of the youth services (Ohjaamo: under 30).
const YOUNG_UNDER: u32 = 30;
/// Lower ages are school pupils rather than clients of the network.
const YOUNG_FROM: u32 = 15;

/// "alle 30-vuotias", "under 30", "22-vuotiaan", "22 v", "25-åriga", "25 år",
/// "24-year-old", "24 years old", "aged 24".
static AGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?P<under>\b(?:alle|under)\s+)?
        (?:
            \b(?P<n>\d{1,3})\s*[-–]?\s*
            (?:vuotia\w*|vuotis\w*|v\b|årig\w*|år\b|years?[-\s]old\w*|years?\b|yo\b|y/o)
          | \baged\s+(?P<aged>\d{1,3})\b
          | \b(?P<bare>\d{1,3})\b
        )",
    )
    .expect("the age pattern is valid")
});

fn young_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Fi => "nuori",
        Lang::Sv => "ung",
        Lang::En => "young",
    }
}

/// `text` with each age written as the word for young (in `lang`) or left out.
pub(crate) fn ages_as_words(text: &str, lang: Lang) -> Cow<'_, str> {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return Cow::Borrowed(text);
    }
    AGE.replace_all(text, |caps: &Captures| {
        let under = caps.name("under").is_some();
        // A bare number is an age only after "alle"/"under" ("under 30").
        let number = caps.name("n").or(caps.name("aged")).or(caps.name("bare").filter(|_| under));
        let Some(age) = number.and_then(|n| n.as_str().parse::<u32>().ok()) else {
            return caps[0].to_string();
        };
        let young = if under { age <= YOUNG_UNDER } else { (YOUNG_FROM..YOUNG_UNDER).contains(&age) };
        if young { format!(" {} ", young_word(lang)) } else { " ".to_string() }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn young_ages_become_the_word_young() {
        assert_eq!(ages_as_words("22-vuotias istuu kotona", Lang::Fi).trim(), "nuori  istuu kotona");
        assert!(ages_as_words("alle 30-vuotiaiden palvelut", Lang::Fi).contains("nuori"));
        assert!(ages_as_words("Ohjaamo alle 30", Lang::Fi).contains("nuori"));
        assert!(ages_as_words("en 25-årig klient", Lang::Sv).contains(" ung "));
        assert!(ages_as_words("a 24-year-old client", Lang::En).contains(" young "));
        assert!(ages_as_words("aged 19, not in school", Lang::En).contains(" young "));
    }

    #[test]
    fn other_ages_say_nothing_and_other_numbers_stay() {
        let older = ages_as_words("Mihin ohjaan 48-vuotiaan miehen?", Lang::Fi);
        assert!(!older.contains("48") && !older.contains("vuotia") && !older.contains("nuori"), "{older}");
        assert_eq!(ages_as_words("TE-palvelut siirtyivät vuonna 2025", Lang::Fi), "TE-palvelut siirtyivät vuonna 2025");
        assert_eq!(ages_as_words("300 päivää", Lang::Fi), "300 päivää");
        assert_eq!(ages_as_words("Y100-suostumus", Lang::Fi), "Y100-suostumus");
    }
}
