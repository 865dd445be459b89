//! Text analysis shared by indexing and querying: tokenising, folding, stopwords,
//! stemming, synonyms and character n-grams.

use crate::lang::detect::{STOPWORDS_EN, STOPWORDS_FI, STOPWORDS_SV};
use crate::lang::{fold_char, Lang};
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashMap;

/// Shortest word kept; single letters are mostly inflection left over from "Kela's" or "TYP:n".
const MIN_WORD_CHARS: usize = 2;

/// Length of the character n-grams that catch gradation, -us stems and typos.
const GRAM_CHARS: usize = 4;

/// Calls `f` with each lowercased, folded word of `text`. Words break at anything
/// that is not a letter or digit; after a ':' the rest of the word is an inflection
/// ending of an abbreviation ("TYP:n", "IPS:ään") and is dropped. Single letters are
/// dropped too, except before a hyphen ("B-lausunto", "A-klinikka").
pub(crate) fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    for_each_word_with_lowercase(text, |folded, _| f(folded));
}

/// As `for_each_word`, with each word also lowercased but not folded, as a
/// morphological analyser needs it.
pub(crate) fn for_each_word_with_lowercase(text: &str, mut f: impl FnMut(&str, &str)) {
    let mut word = String::new();
    let mut lower = String::new();
    let mut letters = 0;
    let mut in_ending = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if !in_ending {
                lower.extend(c.to_lowercase());
                word.extend(c.to_lowercase().map(fold_char));
                letters += 1;
            }
        } else {
            if letters >= MIN_WORD_CHARS || (letters == 1 && c == '-') {
                f(&word, &lower);
            }
            in_ending = c == ':' && letters > 0;
            word.clear();
            lower.clear();
            letters = 0;
        }
    }
    if letters >= MIN_WORD_CHARS {
        f(&word, &lower);
    }
}

/// Calls `f` with each distinct 4-gram of `stem`, packed into a u64 (16 bits a char).
pub(crate) fn for_each_gram(stem: &str, mut f: impl FnMut(u64)) {
    let chars: Vec<u16> = stem
        .chars()
        .map(|c| u16::try_from(u32::from(c)).unwrap_or(u16::MAX))
        .collect();
    if chars.len() <= GRAM_CHARS {
        return;
    }
    let mut seen: Vec<u64> = Vec::with_capacity(chars.len());
    for window in chars.windows(GRAM_CHARS) {
        let gram = window
            .iter()
            .fold(0u64, |acc, &c| (acc << 16) | u64::from(c));
        if !seen.contains(&gram) {
            seen.push(gram);
            f(gram);
        }
    }
}

/// What a word is indexed and searched by: its stem, and, when Voikko knows the word
/// and its base form stems differently (consonant gradation: "tuen" of "tuki"), the
/// stem of the base form too.
pub(crate) struct WordTerm {
    pub(crate) stem: String,
    pub(crate) base: Option<String>,
}

/// Whether Finnish base forms come from Voikko in this process (built with the
/// `voikko` feature and the library installed).
pub fn voikko_in_use() -> bool {
    #[cfg(feature = "voikko")]
    return super::voikko::Voikko::get().is_some();
    #[cfg(not(feature = "voikko"))]
    return false;
}

/// Per-language analysis: stopwords, stemmer and query synonyms.
pub(crate) struct Analyzer {
    lang: Lang,
    stemmer: Stemmer,
    stopwords: &'static [&'static str],
    /// Stem of a word users type -> stems of the words the cards use for it.
    synonyms: HashMap<String, Vec<String>>,
}

impl Analyzer {
    pub(crate) fn new(lang: Lang) -> Analyzer {
        let (algorithm, stopwords) = match lang {
            Lang::Fi => (Algorithm::Finnish, STOPWORDS_FI),
            Lang::Sv => (Algorithm::Swedish, STOPWORDS_SV),
            Lang::En => (Algorithm::English, STOPWORDS_EN),
        };
        let mut analyzer = Analyzer {
            lang,
            stemmer: Stemmer::create(algorithm),
            stopwords,
            synonyms: HashMap::new(),
        };
        analyzer.synonyms = analyzer.load_synonyms();
        analyzer
    }

    fn load_synonyms(&self) -> HashMap<String, Vec<String>> {
        let table: HashMap<String, HashMap<String, Vec<String>>> =
            toml::from_str(SYNONYMS).expect("src/catalogue/synonyms.toml is valid TOML");
        let mut synonyms: HashMap<String, Vec<String>> = HashMap::new();
        for (key, phrases) in table.get(self.lang.code()).into_iter().flatten() {
            let mut key_stems = self.terms(key);
            assert!(key_stems.len() == 1, "synonym key '{key}' must be one word");
            let key_stem = key_stems.pop().expect("one stem");
            let words: Vec<String> = phrases.iter().flat_map(|phrase| self.terms(phrase)).collect();
            // Also under the folded word itself, for inflected forms the stemmer cuts
            // differently from the base form (see `Index::synonyms_of`).
            let mut folded = String::new();
            for_each_word(key, |w| folded = w.to_string());
            if folded != key_stem {
                synonyms.entry(folded).or_default().extend(words.iter().cloned());
            }
            synonyms.entry(key_stem).or_default().extend(words);
        }
        synonyms
    }

    fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.binary_search(&word).is_ok()
    }

    /// The index term of a folded word: its stem, or `None` for a stopword or a word
    /// for the client. Every service is for clients, so "asiakkaan" in a card's name
    /// or a question says nothing about which service is meant. `lower` is the word
    /// unfolded, for the morphological analyser.
    pub(crate) fn term_of(&self, word: &str, lower: &str) -> Option<WordTerm> {
        if self.is_stopword(word) {
            return None;
        }
        let stem = self.stem(word);
        let base = self
            .base_form(lower)
            .filter(|base| !self.is_stopword(base))
            .map(|base| self.stem(&base))
            .filter(|base| *base != stem && !self.is_generic(base));
        (!self.is_generic(&stem)).then_some(WordTerm { stem, base })
    }

    fn is_generic(&self, stem: &str) -> bool {
        match self.lang {
            Lang::Fi => ["asiak", "asiaka"].contains(&stem),
            Lang::Sv => stem == "klient",
            Lang::En => stem == "client",
        }
    }

    /// Stem of one folded word. Finnish gets repairs on top of Snowball, which leaves
    /// base forms of some word types apart from their inflected forms.
    fn stem(&self, word: &str) -> String {
        let mut stem = self.stemmer.stem(word).into_owned();
        match self.lang {
            // The verb "ohjata" (to refer) in its -ma/-minen forms ("ohjaamista",
            // "ohjaamaan") stems like the service Ohjaamo; it is the verb of "ohjaan".
            Lang::Fi if (word.starts_with("ohjaami") || word.starts_with("ohjaama")) && !word.starts_with("ohjaamo") => {
                return self.stemmer.stem("ohjaan").into_owned();
            }
            Lang::Fi => repair_finnish_stem(word, &mut stem),
            Lang::Sv => repair_swedish_stem(&mut stem),
            Lang::En => {}
        }
        stem
    }

    /// Folded base form of a Finnish word, when Voikko is installed and knows it.
    #[cfg(feature = "voikko")]
    fn base_form(&self, lower: &str) -> Option<String> {
        if self.lang != Lang::Fi {
            return None;
        }
        let base = super::voikko::Voikko::get()?.base_form(lower)?;
        Some(base.chars().map(fold_char).collect())
    }

    #[cfg(not(feature = "voikko"))]
    fn base_form(&self, _lower: &str) -> Option<String> {
        None
    }

    /// Terms of the words of `text`, in order.
    pub(crate) fn terms(&self, text: &str) -> Vec<String> {
        let mut terms = Vec::new();
        for_each_word_with_lowercase(text, |word, lower| {
            terms.extend(self.term_of(word, lower).map(|t| t.stem))
        });
        terms
    }

    /// Each stem a user may type with the stems of the words the cards use for it.
    pub(crate) fn synonym_table(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.synonyms
            .iter()
            .map(|(stem, words)| (stem.as_str(), words.as_slice()))
    }
}

/// Brings Finnish word types whose base form Snowball stems differently from the
/// inflected forms to one stem, by cutting both down to what they share:
/// -us/-ys/-os (kuntoutus, kuntoutuksen, kuntoutusta -> kuntoutu; terveys, terveyden
/// -> tervey) and -inen (osatyökykyinen, osatyökykyisen -> osatyokykyi).
fn repair_finnish_stem(word: &str, stem: &mut String) {
    const MIN_STEM: usize = 4;
    let is_vowel = |c: Option<char>| matches!(c, Some('a' | 'e' | 'i' | 'o' | 'u' | 'y'));
    let before = |stem: &str, n: usize| stem[..stem.len() - n].chars().last();
    let cut = if stem.ends_with("ks") && is_vowel(before(stem, 2)) {
        2
    } else if (stem.ends_with('s') && is_vowel(before(stem, 1)))
        || (stem.ends_with('d') && matches!(before(stem, 1), Some('u' | 'y')))
        || (stem.ends_with('n') && word.ends_with("nen"))
    {
        1
    } else {
        0
    };
    if cut > 0 && stem.len() - cut >= MIN_STEM {
        stem.truncate(stem.len() - cut);
    }
}

/// Brings the definite singular of Swedish nouns in -or and -el to the stem of their
/// other forms: Snowball cuts "koordinator" to "koordinat" and "koordinatorer" to
/// "koordinator" but leaves "koordinatorn" whole, so "arbetsförmågekoordinatorn" never
/// met the card "Arbetsförmågekoordinator"; "regeln" stays apart from "regel" likewise.
fn repair_swedish_stem(stem: &mut String) {
    const MIN_STEM: usize = 4;
    let cut = if stem.ends_with("orn") {
        3
    } else if stem.ends_with("or") {
        2
    } else if stem.ends_with("eln") {
        1
    } else {
        0
    };
    if cut > 0 && stem.len() - cut >= MIN_STEM {
        stem.truncate(stem.len() - cut);
    }
}

/// Synonyms and abbreviations, per language: a word a user may type -> phrases cards use.
const SYNONYMS: &str = include_str!("synonyms.toml");

#[cfg(test)]
mod tests {
    use super::*;

    fn fold_str(text: &str) -> String {
        crate::lang::fold(text)
    }

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(text, |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn abbreviation_endings_are_dropped() {
        assert_eq!(
            words("TYP:n ja IPS:ään, Kela:sta"),
            ["typ", "ja", "ips", "kela"]
        );
    }

    #[test]
    fn hyphens_and_slashes_split_words() {
        assert_eq!(
            words("sote-palvelut / TE-toimisto"),
            ["sote", "palvelut", "te", "toimisto"]
        );
    }

    #[test]
    fn single_letters_survive_only_before_hyphens() {
        assert_eq!(
            words("B-lausunto, C lausunto"),
            ["b", "lausunto", "lausunto"]
        );
    }

    #[test]
    fn words_for_the_client_are_not_terms() {
        let fi = Analyzer::new(Lang::Fi);

        assert_eq!(
            fi.terms("asiakkaan suostumus ja asiakasvastaava"),
            ["suostumu", "asiakasvastaav"]
        );
    }

    #[test]
    fn umlauts_fold() {
        assert_eq!(words("Työkyky ÅBO"), ["tyokyky", "abo"]);
    }

    #[test]
    fn finnish_inflections_share_a_stem() {
        let fi = Analyzer::new(Lang::Fi);
        let stem = |w: &str| fi.stem(&fold_str(w));
        assert_eq!(stem("kuntoutuksen"), stem("kuntoutus"));
        assert_eq!(stem("kuntoutukseen"), stem("kuntoutus"));
        assert_eq!(stem("kulukorvausta"), stem("kulukorvaus"));
        assert_eq!(stem("työttömyyden"), stem("työttömyys"));
        assert_eq!(stem("osatyökykyisille"), stem("osatyökykyinen"));
        assert_eq!(stem("terveystarkastuksessa"), stem("terveystarkastus"));
        assert_eq!(
            stem("työkykykoordinaattorille"),
            stem("työkykykoordinaattori")
        );
        assert_eq!(stem("Kelasta"), stem("Kelan"));
        assert_eq!(stem("palveluihin"), stem("palvelut"));
    }

    #[test]
    fn missing_umlauts_give_the_same_stem() {
        let fi = Analyzer::new(Lang::Fi);
        assert_eq!(fi.terms("työttömälle"), fi.terms("tyottomalle"));
        let sv = Analyzer::new(Lang::Sv);
        assert_eq!(sv.terms("arbetsförmåga"), sv.terms("arbetsformaga"));
    }

    #[test]
    fn swedish_definite_forms_share_a_stem() {
        let sv = Analyzer::new(Lang::Sv);
        for group in [
            &["arbetsförmågekoordinator", "arbetsförmågekoordinatorn", "arbetsförmågekoordinatorer", "arbetsförmågekoordinatorerna"][..],
            &["regel", "regeln"],
            &["handledare", "handledaren"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| sv.stem(&fold_str(w))).collect();
            assert!(stems.iter().all(|s| *s == stems[0]), "{group:?} -> {stems:?}");
        }
        assert_eq!(sv.stem("stor"), "stor", "short words keep their letters");
    }

    #[test]
    fn the_verb_ohjata_is_not_the_service_ohjaamo() {
        let fi = Analyzer::new(Lang::Fi);
        assert_eq!(fi.stem("ohjaamista"), fi.stem("ohjaan"));
        assert_eq!(fi.stem("ohjaamaan"), fi.stem("ohjaan"));
        assert_ne!(fi.stem("ohjaamista"), fi.stem("ohjaamo"));
        assert_eq!(fi.stem("ohjaamoon"), fi.stem("ohjaamo"));
    }

    #[test]
    fn stopwords_are_dropped() {
        let fi = Analyzer::new(Lang::Fi);
        assert_eq!(fi.terms("Mitä on kuntoutus?"), ["kuntoutu"]);
        let en = Analyzer::new(Lang::En);
        assert_eq!(en.terms("What is the coordinator?"), ["coordin"]);
    }

    #[test]
    fn grams_are_distinct_and_skip_short_words() {
        let mut grams = Vec::new();
        for_each_gram("kykyky", |g| grams.push(g));
        assert_eq!(grams.len(), 2); // kyky, ykyk, (kyky again)
        let mut none = 0;
        for_each_gram("kela", |_| none += 1);
        assert_eq!(none, 0);
    }

    #[test]
    fn synonyms_parse_for_every_language() {
        for lang in Lang::ALL {
            Analyzer::new(lang);
        }
    }
}
