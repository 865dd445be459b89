//! Which of the three languages a short text is in, from its function words.

use super::Lang;

/// Guesses the language of a short text from its function words and letters;
/// `None` when the text gives no clear sign.
pub fn detect_lang(text: &str) -> Option<Lang> {
    let mut votes = [0u32; 3];
    let lists = [STOPWORDS_FI, STOPWORDS_SV, STOPWORDS_EN];
    for_each_word(text, |word: &str| {
        for (vote, list) in votes.iter_mut().zip(lists) {
            if list.binary_search(&word).is_ok() {
                *vote += 1;
            }
        }
        // Finnish case endings are a strong sign on their own.
        if [
            "ssa", "sta", "lla", "lta", "lle", "ksi", "sen", "iin", "aan",
        ]
        .iter()
        .any(|e| word.ends_with(e))
        {
            votes[0] += 1;
        }
    });
    if text.contains(['å', 'Å']) {
        votes[1] += 2;
    }
    let best = (0..3).max_by_key(|&i| votes[i])?;
    let clear = votes[best] > 0 && (0..3).all(|i| i == best || votes[i] < votes[best]);
    clear.then_some(Lang::ALL[best])
}

/// Calls `f` with each lowercased word of `text`, the Nordic letters folded as the
/// stopword lists are written.
fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 2) {
        f(&super::fold(word));
    }
}

// Stopwords are compared after folding, so they are written without umlauts, and each
// list is kept sorted for binary search (a unit test checks it).
pub(crate) const STOPWORDS_FI: &[&str] = &[
    "ei", "eika", "en", "erittain", "et", "ett", "etta", "han", "hanelle", "hanen", "hanta", "he",
    "hei", "heidan", "heille", "hen", "hyvin", "ja", "jo", "joka", "jolla", "jonka", "jos", "jota",
    "jotta", "kanssa", "ketka", "kiitos", "koska", "kovasti", "kovin", "kuin", "kuka", "kun", "me",
    "meidan", "meilla", "mika", "miksi", "milloin", "mina", "minne", "minulla", "minun", "missa",
    "mista", "mita", "miten", "mitka", "mulla", "mun", "mutta", "myos", "ne", "niin", "niita",
    "nyt", "olen", "oli", "olisi", "olla", "on", "onko", "ovat", "paljon", "se", "sen", "siita",
    "sina", "sinun", "sita", "siten", "sitten", "taa", "tai", "tama", "taman", "tassa", "tata",
    "todella", "tuo", "vaan", "vai", "vain", "viela", "voi", "voiko", "voin", "voisi", "voisiko",
];

pub(crate) const STOPWORDS_SV: &[&str] = &[
    "alla", "ar", "att", "av", "de", "dem", "den", "denna", "deras", "det", "detta", "din", "du",
    "eller", "en", "ett", "finns", "for", "fran", "har", "hej", "hon", "hur", "i", "inom", "inte", "jag",
    "kan", "kunde", "man", "med", "men", "mig", "min", "mina", "mitt", "na", "nagon", "nagot",
    "nar", "ni", "och", "ocksa", "om", "oss", "pa", "sa", "sig", "sin", "ska", "skulle", "som",
    "tack", "till", "vad", "var", "vara", "varfor", "vart", "vem", "vi", "vid", "vilka", "vilken",
    "vilket",
];

pub(crate) const STOPWORDS_EN: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "by", "can", "could", "do",
    "does", "for", "from", "has", "have", "he", "hello", "her", "hi", "his", "how", "i", "if",
    "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "please", "she", "should", "so",
    "some", "thanks", "that", "the", "their", "them", "there", "they", "this", "to", "us", "was",
    "we", "were", "what", "when", "where", "which", "who", "why", "will", "with", "would", "you",
    "your",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopword_lists_are_sorted_and_folded() {
        for list in [STOPWORDS_FI, STOPWORDS_SV, STOPWORDS_EN] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(list, sorted.as_slice());
            for word in list {
                assert_eq!(*word, super::super::fold(word));
            }
        }
    }

    #[test]
    fn detects_language() {
        assert_eq!(
            detect_lang("Mihin ohjaan asiakkaan, jolla on masennus?"),
            Some(Lang::Fi)
        );
        assert_eq!(
            detect_lang("Vem kan hjälpa min klient att få arbete?"),
            Some(Lang::Sv)
        );
        assert_eq!(
            detect_lang("Who can help my client find a job?"),
            Some(Lang::En)
        );
        assert_eq!(detect_lang("IPS"), None);
    }

}
