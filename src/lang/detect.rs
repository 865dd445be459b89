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
// list is kept sorted for binary search (a unit test checks it). The Finnish list holds
// the pronouns, question words and forms of "olla" in every case (as Snowball's list
// does), but not "te", which people type for the employment services. The Swedish and
// English lists stay short on purpose: their fuller lists drop words that tell services
// apart ("mellan stolarna", "not in work", "out of work") and were measured worse.
pub(crate) const STOPWORDS_FI: &[&str] = &[
    "ei", "eika", "eivat", "emme", "en", "erittain", "et", "ett", "etta", "ette", "han", "haneen",
    "hanella", "hanelle", "hanelta", "hanen", "hanessa", "hanesta", "hanet", "hanta", "he", "hei",
    "heidan", "heidat", "heihin", "heilla", "heille", "heilta", "heissa", "heista", "heita", "hen",
    "hyvin", "itse", "ja", "jo", "johon", "joiden", "joihin", "joiksi", "joilla", "joille",
    "joilta", "joina", "joissa", "joista", "joita", "joka", "joksi", "jolla", "jolle", "jolta",
    "jona", "jonka", "jos", "jossa", "josta", "jota", "jotka", "jotta", "kanssa", "kehen", "keiden",
    "keihin", "keiksi", "keilla", "keille", "keilta", "keina", "keissa", "keista", "keita",
    "keneen", "keneksi", "kenella", "kenelle", "kenelta", "kenen", "kenena", "kenessa", "kenesta",
    "kenet", "keta", "ketka", "kiitos", "koska", "kovasti", "kovin", "kuin", "kuinka", "kuka",
    "kun", "me", "meidan", "meidat", "meihin", "meilla", "meille", "meilta", "meissa", "meista",
    "meita", "mihin", "mihinka", "mika", "miksi", "milla", "millainen", "millaista", "mille",
    "milloin", "milta", "mina", "minka", "minne", "minua", "minulla", "minulle", "minulta", "minun",
    "minussa", "minusta", "minut", "minuun", "missa", "mista", "mita", "miten", "mitka", "mukaan",
    "mulla", "mun", "mutta", "myos", "naiden", "naihin", "naiksi", "nailla", "naille", "nailta",
    "naina", "naissa", "naista", "naita", "nama", "ne", "niiden", "niihin", "niiksi", "niilla",
    "niille", "niilta", "niin", "niina", "niissa", "niista", "niita", "noiden", "noihin", "noiksi",
    "noilla", "noille", "noilta", "noin", "noina", "noissa", "noista", "noita", "nuo", "nyt", "ole",
    "olemme", "olen", "olet", "olette", "oli", "olimme", "olin", "olisi", "olisimme", "olisin",
    "olisit", "olisitte", "olisivat", "olit", "olitte", "olivat", "olla", "olleet", "ollut", "on",
    "onko", "ovat", "paljon", "poikki", "se", "seka", "sen", "siihen", "siina", "siita", "siksi",
    "silla", "sille", "silta", "sina", "sinua", "sinulla", "sinulle", "sinulta", "sinun", "sinussa",
    "sinusta", "sinut", "sinuun", "sita", "siten", "sitten", "taa", "tahan", "tai",
    "talla", "talle", "talta", "tama", "taman", "tana", "tassa", "tasta", "tata", "teidan",
    "teidat", "teihin", "teilla", "teille", "teilta", "teissa", "teista", "teita", "todella", "tuo",
    "tuohon", "tuoksi", "tuolla", "tuolle", "tuolta", "tuon", "tuona", "tuossa", "tuosta", "tuota",
    "vaan", "vai", "vaikka", "vain", "viela", "voi", "voiko", "voin", "voisi", "voisiko", "yli",
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
    "in", "is", "it", "its", "lot", "lots", "me", "my", "of", "on", "or", "our", "please", "she", "should", "so",
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
