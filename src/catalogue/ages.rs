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

/// "alle 30-vuotias", "under 30", "yli 25-vuotias", "22-vuotiaan", "22 v", "25-åriga",
/// "25 år gammal", "24-year-old", "24 years old", "aged 24". A bare number counts only
/// after "alle"/"under" ("Ohjaamo alle 30"); "for 20 years" and "i 3 år" are durations.
static AGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?:\b(?P<under>alle|under)\s+|\b(?P<over>yli|över|over)\s+)?
        (?:
            \b(?P<n>\d{1,3})\s*[-–]?\s*
            (?:vuotia\w*|vuotis\w*|v\b|årig\w*|år\s+gammal\w*|years?[-\s]old\w*|yo\b|y/o)
          | \baged\s+(?P<aged>\d{1,3})\b
          | \b(?P<bare>\d{1,3})\b
        )",
    )
    .expect("the age pattern is valid")
});

/// Words after a bare number that make it a quantity, not an age: "alle 6 kuukautta",
/// "under 25 hours".
const QUANTITIES: &[&str] = &[
    "kuukau", "kk", "viikko", "paiva", "tunti", "vuotta", "euro", "prosent", "manad", "vecka", "veckor", "dag",
    "dagar", "timm", "ar", "kronor", "month", "week", "day", "days", "hour", "year", "percent",
];

/// The word for a young person in `lang`, as the cards of youth services use it.
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
        let whole = caps.get(0).expect("a match has a whole");
        let under = caps.name("under").is_some();
        let bare = caps.name("bare").filter(|_| under).filter(|_| {
            let next = crate::lang::folded_words(&text[whole.end()..]).into_iter().next().unwrap_or_default();
            // Short units whole ("år", "kk"), longer ones as the word's beginning.
            !QUANTITIES.iter().any(|q| if q.len() <= 3 { next == *q } else { next.starts_with(q) })
        });
        let number = caps.name("n").or(caps.name("aged")).or(bare);
        let Some(age) = number.and_then(|n| n.as_str().parse::<u32>().ok()) else {
            return whole.as_str().to_string();
        };
        let young = if caps.name("over").is_some() {
            false
        } else if under {
            (YOUNG_FROM..=YOUNG_UNDER).contains(&age)
        } else {
            (YOUNG_FROM..YOUNG_UNDER).contains(&age)
        };
        if young { format!(" {} ", young_word(lang)) } else { " ".to_string() }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn young_ages_become_the_word_young() {
        assert!(ages_as_words("22-vuotias istuu kotona", Lang::Fi).contains("nuori"));
        assert!(ages_as_words("alle 30-vuotiaiden palvelut", Lang::Fi).contains("nuori"));
        assert!(ages_as_words("Ohjaamo alle 30", Lang::Fi).contains("nuori"));
        assert!(ages_as_words("en 25-årig klient", Lang::Sv).contains(" ung "));
        assert!(ages_as_words("hon är 24 år gammal", Lang::Sv).contains(" ung "));
        assert!(ages_as_words("a 24-year-old client", Lang::En).contains(" young "));
        assert!(ages_as_words("aged 19, not in school", Lang::En).contains(" young "));
    }

    #[test]
    fn other_ages_say_nothing_and_other_numbers_stay() {
        let older = ages_as_words("Mihin ohjaan 48-vuotiaan miehen?", Lang::Fi);
        assert!(!older.contains("48") && !older.contains("vuotia") && !older.contains("nuori"), "{older}");
        assert!(!ages_as_words("yli 25-vuotias asiakas", Lang::Fi).contains("nuori"));
        assert_eq!(ages_as_words("TE-palvelut siirtyivät vuonna 2025", Lang::Fi), "TE-palvelut siirtyivät vuonna 2025");
        assert_eq!(ages_as_words("300 päivää", Lang::Fi), "300 päivää");
        assert_eq!(ages_as_words("Y100-suostumus", Lang::Fi), "Y100-suostumus");
        // Durations and quantities are no ages.
        assert_eq!(ages_as_words("unemployed for 20 years", Lang::En), "unemployed for 20 years");
        assert_eq!(ages_as_words("arbetslös i 3 år", Lang::Sv), "arbetslös i 3 år");
        assert_eq!(ages_as_words("alle 6 kuukautta", Lang::Fi), "alle 6 kuukautta");
        assert_eq!(ages_as_words("under 25 hours a week", Lang::En), "under 25 hours a week");
    }
}
