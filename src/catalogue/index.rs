//! Search over the cards: field-weighted BM25 with per-field idf, inflected
//! variants and compound parts, synonyms, character 4-grams, a bonus for naming a
//! card, and a calibrated "confident" decision.

use super::analysis::{for_each_gram, for_each_word_with_lowercase, Analyzer, WordTerm};
use super::{Card, Catalogue};
use crate::lang::Lang;
use std::collections::HashMap;

/// Indexed fields: the short name ("Työkykykoordinaattori"); the name's qualifier
/// with the keywords; the summary; the rest (target group, offers, access,
/// coordinator) as one; and the typical questions the card answers.
const FIELDS: usize = 5;
const TITLE: usize = 0;
const KEYWORDS: usize = 1;
const SUMMARY: usize = 2;
const DETAILS: usize = 3;
const QUESTIONS: usize = 4;
/// A word in a card's name or keywords says much more about the card than one in
/// its details; the typical questions speak the askers' own words.
const FIELD_WEIGHTS: [f32; FIELDS] = [3.0, 3.0, 1.5, 1.0, QUESTION_WEIGHT];
const QUESTION_WEIGHT: f32 = 1.5;
/// The fields whose words make a card's document frequency: all but the questions.
const CARD_DF_FIELDS: usize = QUESTIONS;
/// Length normalisation per field. A short name that is just the word asked about
/// beats a longer one that qualifies it; keyword lists are long or short by habit.
const FIELD_B: [f32; FIELDS] = [0.75, 0.3, 0.75, 0.75, 0.5];
/// Term frequency counts up to this per field. A keyword list that repeats a word
/// ("TE-työkykykoordinaattori; alueellinen työkykykoordinaattori") lists variants;
/// it does not make the card more about that word.
const FIELD_TF_CAP: [f32; FIELDS] = [1.0, 1.0, f32::INFINITY, f32::INFINITY, 3.0];
const K1: f32 = 1.2;
/// A word's idf blends its idf over whole cards with its idf within the field, as
/// `field^share * card^(1 - share)`. Mostly card-level, so that generic words in
/// names ("työkyvyn tuen") stay cheap; partly field-level, so that a word naming a
/// card ("työkykykoordinaattori") still counts when many other cards mention it.
const FIELD_IDF_SHARE: f32 = 0.25;
/// Length normalisation of the 4-gram channel, which treats the card as one field.
const GRAM_B: f32 = 0.75;

/// A known word of at least `MIN_VARIANT_STEM` letters plus an ending of at most
/// `MAX_VARIANT_TAIL` is an inflected form the stemmer missed ("arbetsförmågan" for
/// "arbetsförmåga"); shorter words would pair unrelated words ("seuraava", "seura").
const MAX_VARIANT_TAIL: usize = 2;
const MIN_VARIANT_STEM: usize = 6;
const VARIANT_WEIGHT: f32 = 0.8;
/// Compound parts are at least this many letters, so that "osa" or "työ" do not
/// split everything...
const MIN_PART_CHARS: usize = 4;
/// ...and count for less than the compound itself.
const COMPOUND_PART_WEIGHT: f32 = 0.5;
/// A synonym's word matches a query word that is it plus an ending of at most this many
/// letters, when at least `MIN_SYNONYM_CHARS` are left.
const MAX_SYNONYM_ENDING: usize = 3;
const MIN_SYNONYM_CHARS: usize = 4;
/// A synonym counts for a little less than the word typed.
const SYNONYM_WEIGHT: f32 = 0.8;
/// Weight of a word's base form (from Voikko) when it stems apart from the word.
const BASE_FORM_WEIGHT: f32 = 0.5;
/// The 4-grams of a query word together count for this fraction of a word match:
/// enough to rank "toimeentulotuesta" to "toimeentulotuki", too little to outweigh
/// real word matches.
const GRAM_WEIGHT: f32 = 0.35;
/// A word matches a card through its 4-grams when at least this share of them occur
/// in the card (gradation, typos).
const MIN_GRAM_SHARE: f32 = 0.6;
/// Bonus per unit of idf of the short name's words, for a question that contains a
/// card's whole short name: the asker named the service.
const NAMED_BONUS: f32 = 2.0;

/// What a word counts for in a sentence of a case description that asks nothing.
const CONTEXT_WEIGHT: f32 = 0.8;
/// Fewest words the asking sentences need for the others to count as context.
const MIN_ASKING_WORDS: usize = 3;

/// The best cards whose keywords may name the subject of a question with no short name.
const KEYWORD_NAME_CANDIDATES: usize = 5;
/// What a card keeps of its score when the question names it only as the client's
/// present or a too heavy service.
const PRESENT_SERVICE_SHARE: f32 = 0.5;
/// The best cards checked for being named only as the client's present service.
const PRESENT_CANDIDATES: usize = 10;

/// Hits scoring under this share of the best are noise (a shared 4-gram or a common
/// word) and are left out; in a large catalogue they would be most of the cards.
const MIN_HIT_SHARE: f32 = 0.05;
/// Fewest hits returned when that many cards match at all, whatever their share.
const MIN_HITS: usize = 3;

/// Confidence: the best card is a safe answer when the question names it (contains
/// its short name or a keyword) and it scores at least this...
const MIN_NAMED_SCORE: f32 = 3.0;
/// ...or when its score, scaled by how much of the question it covers, reaches this.
const MIN_STRENGTH: f32 = 11.0;
/// And the runner-up scores under this share of it, and the card covers at least this
/// much of the question: chosen on the dev sets (1,025 questions), where confidently
/// wrong answers stay at 0.5 % and no out-of-domain question is confident while two
/// right answers in three are confident (with 0.8 and 0.5: three in five).
const MAX_RUNNER_UP: f32 = 0.85;
const MIN_COVERAGE: f32 = 0.45;
/// Content words a question may have without naming its card or speaking of a client
/// and still be answered confidently ("IPS työhönvalmennus Turku").
const MAX_WORDS_WITHOUT_CLIENT: usize = 4;
/// What is left of a routing question once the words that describe any client are set
/// aside narrows the need (rather than going to the first contact) when its best card
/// matches at least this strongly: stricter than a confident answer, since the first
/// contact is the seeds' answer whenever the need is not clearly narrower (14 was best
/// on the dev sets).
const MIN_NARROWER_STRENGTH: f32 = 14.0;
/// A question matching its best card by a single word is clear only when at most this
/// many cards use the word.
const MAX_CARDS_FOR_ONE_WORD: usize = 2;
/// A card the question names is clear when the runner-up is under this share of it.
const MAX_NAMED_RUNNER_UP: f32 = 0.6;
/// Words a question may hold besides a card's name and still be about that card.
const MAX_WORDS_BESIDE_NAME: usize = 2;

fn lang_slot(lang: Lang) -> usize {
    match lang {
        Lang::Fi => 0,
        Lang::Sv => 1,
        Lang::En => 2,
    }
}

/// Lists of items packed one after another: list `i` is `items[offsets[i]..offsets[i + 1]]`.
#[derive(Debug)]
struct Lists<T> {
    offsets: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> Lists<T> {
    /// Packs `(list, item)` pairs; items keep their order within each list.
    fn pack(
        list_count: usize,
        pairs: impl Iterator<Item = (u32, T)> + Clone,
        empty: T,
    ) -> Lists<T> {
        let mut offsets = vec![0u32; list_count + 1];
        for (list, _) in pairs.clone() {
            offsets[list as usize + 1] += 1;
        }
        for i in 0..list_count {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut items = vec![empty; offsets[list_count] as usize];
        for (list, item) in pairs {
            let slot = &mut fill[list as usize];
            items[*slot as usize] = item;
            *slot += 1;
        }
        Lists { offsets, items }
    }

    fn get(&self, i: u32) -> &[T] {
        let i = i as usize;
        &self.items[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    fn heap_bytes(&self) -> usize {
        self.offsets.capacity() * 4 + self.items.capacity() * std::mem::size_of::<T>()
    }
}

/// A card's precomputed contribution for one term: query time only adds these up.
#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    score: f32,
}

/// Postings of all terms of one kind (words or 4-grams), ordered by doc.
#[derive(Debug)]
struct Postings {
    lists: Lists<Posting>,
    /// How telling each term is: its idf in the field where it is rarest.
    idf: Vec<f32>,
}

impl Postings {
    /// BM25 scores summed over fields, each field with its own idf (see
    /// `FIELD_IDF_SHARE`). `docs[d]` lists (term, tf per field); `norms[d][f]` is
    /// `1 - b + b * len / avg_len`.
    fn build<const N: usize>(
        term_count: usize,
        docs: &[Vec<(u32, [f32; N])>],
        weights: [f32; N],
        norms: &[[f32; N]],
    ) -> Postings {
        let mut df = vec![[0u32; N]; term_count];
        let mut doc_df = vec![0u32; term_count];
        for &(term, tf) in docs.iter().flatten() {
            // A card is "about" a word when its own text has it; typical questions
            // repeat everyday words ("työkykykoordinaattori", "asiakas") across many
            // cards and would otherwise make them look common.
            doc_df[term as usize] += u32::from((0..N.min(CARD_DF_FIELDS)).any(|f| tf[f] > 0.0));
            for f in 0..N {
                df[term as usize][f] += u32::from(tf[f] > 0.0);
            }
        }
        for (doc_df, df) in doc_df.iter_mut().zip(&df) {
            // A word only the typical questions use counts as common as it is there.
            if *doc_df == 0 {
                *doc_df = df.iter().copied().max().unwrap_or(0);
            }
        }
        let doc_count = docs.len() as f32;
        let idf_of = |df: u32| (1.0 + (doc_count - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
        let field_idf: Vec<[f32; N]> = df
            .iter()
            .zip(&doc_df)
            .map(|(df, &doc_df)| {
                df.map(|df| {
                    idf_of(df).powf(FIELD_IDF_SHARE) * idf_of(doc_df).powf(1.0 - FIELD_IDF_SHARE)
                })
            })
            .collect();
        let pairs = docs.iter().enumerate().flat_map(|(d, doc)| {
            let field_idf = &field_idf;
            doc.iter().map(move |&(term, tf)| {
                let idf = &field_idf[term as usize];
                let score = (0..N)
                    .filter(|&f| tf[f] > 0.0)
                    .map(|f| weights[f] * idf[f] * tf[f] * (K1 + 1.0) / (tf[f] + K1 * norms[d][f]))
                    .sum();
                (
                    term,
                    Posting {
                        doc: d as u32,
                        score,
                    },
                )
            })
        });
        let lists = Lists::pack(term_count, pairs, Posting { doc: 0, score: 0.0 });
        let idf = (0..term_count)
            .map(|t| {
                (0..N)
                    .filter(|&f| df[t][f] > 0)
                    .map(|f| field_idf[t][f])
                    .fold(0.0, f32::max)
            })
            .collect();
        Postings { lists, idf }
    }

    fn get(&self, term: u32) -> &[Posting] {
        self.lists.get(term)
    }

    fn contains(&self, term: u32, doc: u32) -> bool {
        self.get(term).binary_search_by_key(&doc, |p| p.doc).is_ok()
    }

    fn heap_bytes(&self) -> usize {
        self.lists.heap_bytes() + self.idf.capacity() * 4
    }
}

/// One result: a card and how well it matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub score: f32,
}

/// The cards that matched, best first, and whether the best one is a safe answer.
/// Cards scoring under 5% of the best are left out, except that the best three
/// matching cards are always kept.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    /// True when the best hit matches the question well enough to answer from it;
    /// false for questions outside the catalogue.
    pub confident: bool,
    /// True when the question matches the catalogue strongly, even if no single card
    /// leads clearly, or speaks of a client: a question for the network, worth a
    /// consultation when unsure.
    pub in_domain: bool,
    pub hits: Vec<Hit>,
}

/// A term a query word reaches, how much it adds to the score, and how fully it
/// stands for the word (1 for the word itself or a synonym, less for an inflected
/// variant or a compound part).
#[derive(Debug, Clone, Copy)]
struct QueryTerm {
    term: u32,
    weight: f32,
    degree: f32,
}

/// A word of the question, resolved against the index.
struct QueryWord {
    terms: Vec<QueryTerm>,
    grams: Vec<u32>,
    /// How much the word tells about the question (its idf; highest if unknown).
    informativeness: f32,
    /// What its matches count for: less in a sentence that only describes the case.
    weight: f32,
    /// Whether it stands where the client's present or a too heavy service is named
    /// (see `context`).
    present: bool,
}

/// The sentences of `text`, each with its closing punctuation.
fn sentences(text: &str) -> Vec<&str> {
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at_break = chars.peek().is_none_or(|&(_, next)| next.is_whitespace());
        if matches!(c, '.' | '!' | '?') && at_break {
            sentences.push(&text[start..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    if text[start..].chars().any(char::is_alphanumeric) {
        sentences.push(&text[start..]);
    }
    sentences
}

/// Stem a user may type -> (term, weight) of the words it means, for one language.
type Synonyms = HashMap<Box<str>, Vec<(u32, f32)>>;

/// The search index over a catalogue. Build once; searching only reads it.
pub struct Index {
    ids: Vec<String>,
    terms: HashMap<Box<str>, u32>,
    /// Bit `lang_slot(l)` is set when language `l`'s text has the term; words
    /// split only into known terms of their own language.
    term_langs: Vec<u8>,
    /// Inflected variants and compound parts of each term, with their weights.
    related: Lists<(u32, f32)>,
    /// Terms that alone are a card's short name.
    one_word_titles: std::collections::HashSet<u32>,
    /// For each compound term, the card's one-word short name it starts with
    /// ("asiakasvastaavamalli" -> "asiakasvastaava"): such a compound names the card.
    title_prefixes: Lists<u32>,
    /// Terms by their forms one or two letters shorter (of at least
    /// `MIN_VARIANT_STEM` letters), for query words the stemmer cut further.
    longer: HashMap<Box<str>, Vec<u32>>,
    words: Postings,
    grams: HashMap<u64, u32>,
    gram_postings: Postings,
    /// Terms of each card's short names and keywords (in all languages), the
    /// phrases that name it; a card's phrases are numbered consecutively...
    phrases: Lists<u32>,
    /// ...from `card_phrases[doc]` to `card_phrases[doc + 1]`.
    card_phrases: Vec<u32>,
    /// Per phrase: whether it holds a negation itself ("ei töissä eikä koulussa").
    negative_phrases: Vec<bool>,
    /// For each term, the short names (as phrase numbers) it occurs in.
    titles_with: Lists<u32>,
    /// For each term, the cards it names on its own as a proper name (a capitalised
    /// one-word name or keyword: "Rise", "Kela", "IPS"; not "lähete").
    one_word_names: Lists<u32>,
    synonyms: [Synonyms; 3],
    analyzers: [Analyzer; 3],
    /// Informativeness of a word the cards never use: the idf of a term in no card.
    unknown_idf: f32,
    /// The card that answers routing questions naming no narrower need.
    first_contact: Option<u32>,
    /// Cards with a next step: (card, next card, the words that name the card as a step
    /// taken, in all languages).
    steps: Vec<(u32, u32, Vec<Box<str>>)>,
    /// Per card and language, folded words one of which a question must contain for
    /// the card to rank first.
    leads_only_with: Vec<[Vec<Box<str>>; 3]>,
}

/// Interns words while the index is built.
struct Vocabulary {
    analyzers: [Analyzer; 3],
    terms: HashMap<Box<str>, u32>,
    term_text: Vec<Box<str>>,
    term_langs: Vec<u8>,
    /// Per language: lowercase word -> its term, so each distinct word is stemmed once.
    word_terms: [HashMap<Box<str>, Option<(u32, Option<u32>)>>; 3],
}

impl Vocabulary {
    fn intern(&mut self, stem: &str, slot: usize) -> u32 {
        let term = match self.terms.get(stem) {
            Some(&t) => t,
            None => {
                let t = self.term_text.len() as u32;
                self.terms.insert(stem.into(), t);
                self.term_text.push(stem.into());
                self.term_langs.push(0);
                t
            }
        };
        self.term_langs[term as usize] |= 1 << slot;
        term
    }

    /// Term of a word in language `slot`, with the term of its base form when that
    /// differs; `None` for stopwords.
    fn word_term(&mut self, word: &str, lower: &str, slot: usize) -> Option<(u32, Option<u32>)> {
        if let Some(&t) = self.word_terms[slot].get(lower) {
            return t;
        }
        let term = self.analyzers[slot].term_of(word, lower).map(|t| {
            let base = t.base.map(|base| self.intern(&base, slot));
            (self.intern(&t.stem, slot), base)
        });
        self.word_terms[slot].insert(lower.into(), term);
        term
    }
}

/// Known terms inside `stem`: the longest known term it starts with, as an
/// inflected variant when only a short ending is left and as a compound part
/// otherwise; and, when `compounds`, the longest known term it ends with. `add` gets
/// each with its weight and whether it is the word's first part.
fn split_word(
    stem: &str,
    compounds: bool,
    known: impl Fn(&str) -> Option<u32>,
    mut add: impl FnMut(u32, f32, bool),
) {
    let bounds: Vec<usize> = stem.char_indices().map(|(i, _)| i).collect();
    let chars = bounds.len();
    // Longest first: prefixes of MIN_PART_CHARS letters or more, leaving a tail.
    for cut in (MIN_PART_CHARS..chars).rev() {
        let tail = chars - cut;
        let variant = tail <= MAX_VARIANT_TAIL && cut >= MIN_VARIANT_STEM;
        if !variant && (!compounds || tail < MIN_PART_CHARS) {
            continue;
        }
        if let Some(t) = known(&stem[..bounds[cut]]) {
            add(
                t,
                if variant {
                    VARIANT_WEIGHT
                } else {
                    COMPOUND_PART_WEIGHT
                },
                true,
            );
            break;
        }
    }
    if compounds && chars >= 2 * MIN_PART_CHARS {
        for cut in MIN_PART_CHARS..=chars - MIN_PART_CHARS {
            if let Some(t) = known(&stem[bounds[cut]..]) {
                add(t, COMPOUND_PART_WEIGHT, false);
                break;
            }
        }
    }
}

/// Languages whose words are compounds worth splitting.
fn splits_compounds(slot: usize) -> bool {
    slot != lang_slot(Lang::En)
}

/// The texts of a card in `lang`, each with the index field it goes to and whether
/// it is a phrase that names the card (its short name or a keyword).
fn field_texts(card: &Card, lang: Lang) -> impl Iterator<Item = (usize, &str, bool)> {
    let text = card.raw_text(lang);
    let title = text.short_name();
    let qualifier = text
        .name
        .split_at(text.name.find(title).unwrap_or(0) + title.len())
        .1;
    let details = [
        &text.target_group,
        &text.offers,
        &text.access,
        &text.coordinator,
    ];
    // "Asiakasvastaava / omatyöntekijä": each alternative is a name of its own.
    title
        .split('/')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| (TITLE, name, true))
        .chain([(KEYWORDS, qualifier, false), (SUMMARY, text.summary.as_str(), false)])
    .chain(text.keywords.iter().map(|k| (KEYWORDS, k.as_str(), true)))
    .chain(
        details
            .into_iter()
            .flatten()
            .map(|t| (DETAILS, t.as_str(), false)),
    )
    .chain(text.questions.iter().map(|q| (QUESTIONS, q.as_str(), false)))
}

/// BM25 length normalisation `1 - b + b * len / avg`.
fn norm(b: f32, len: f32, avg: f32) -> f32 {
    if avg > 0.0 {
        1.0 - b + b * len / avg
    } else {
        1.0
    }
}

/// Per-document term frequencies, gathered one document at a time into a dense
/// scratch array indexed by term.
struct TfScratch<const N: usize> {
    tf: Vec<[f32; N]>,
    touched: Vec<u32>,
}

impl<const N: usize> TfScratch<N> {
    fn new() -> Self {
        TfScratch {
            tf: Vec::new(),
            touched: Vec::new(),
        }
    }

    fn add(&mut self, term: u32, field: usize, amount: f32) {
        let t = term as usize;
        if t >= self.tf.len() {
            self.tf.resize(t + 1, [0.0; N]);
        }
        if self.tf[t] == [0.0; N] {
            self.touched.push(term);
        }
        self.tf[t][field] += amount;
    }

    /// The document's (term, tf) list, ordered by term; clears the scratch.
    fn take(&mut self) -> Vec<(u32, [f32; N])> {
        self.touched.sort_unstable();
        let tf = &mut self.tf;
        self.touched
            .drain(..)
            .map(|t| (t, std::mem::replace(&mut tf[t as usize], [0.0; N])))
            .collect()
    }
}

impl Index {
    /// Indexes the Finnish, Swedish and English text of every card.
    pub fn build(catalogue: &Catalogue) -> Index {
        let doc_count = catalogue.cards.len();
        let mut vocabulary = Vocabulary {
            analyzers: Lang::ALL.map(Analyzer::new),
            terms: HashMap::new(),
            term_text: Vec::new(),
            term_langs: Vec::new(),
            word_terms: Default::default(),
        };

        // Each card's words per field, in all three languages, and its short names.
        let mut doc_words: Vec<Vec<(u32, [f32; FIELDS])>> = Vec::with_capacity(doc_count);
        let mut field_lens: Vec<[f32; FIELDS]> = Vec::with_capacity(doc_count);
        let mut phrase_terms: Vec<(u32, u32)> = Vec::new();
        let mut card_phrases: Vec<u32> = vec![0];
        let mut title_phrases: Vec<(u32, u32)> = Vec::new();
        let mut negative_phrases: Vec<bool> = Vec::new();
        let mut proper_names: Vec<bool> = Vec::new();
        let mut scratch = TfScratch::<FIELDS>::new();
        for card in &catalogue.cards {
            let mut lens = [0f32; FIELDS];
            let mut phrase_count = *card_phrases.last().unwrap_or(&0);
            for lang in Lang::ALL {
                let slot = lang_slot(lang);
                for (field, text, is_phrase) in field_texts(card, lang) {
                    let phrase_start = phrase_terms.len();
                    for_each_word_with_lowercase(text, |word, lower| {
                        if let Some((term, base)) = vocabulary.word_term(word, lower, slot) {
                            scratch.add(term, field, 1.0);
                            if let Some(base) = base {
                                scratch.add(base, field, BASE_FORM_WEIGHT);
                            }
                            lens[field] += 1.0;
                            if is_phrase
                                && !phrase_terms[phrase_start..].contains(&(phrase_count, term))
                            {
                                phrase_terms.push((phrase_count, term));
                                if field == TITLE {
                                    title_phrases.push((term, phrase_count));
                                }
                            }
                        }
                    });
                    if phrase_terms.len() > phrase_start {
                        phrase_count += 1;
                        negative_phrases.push(super::context::is_negative_phrase(text));
                        proper_names.push(text.trim_start().starts_with(char::is_uppercase));
                    }
                }
            }
            card_phrases.push(phrase_count);
            doc_words.push(scratch.take());
            field_lens.push(lens);
        }
        let term_count = vocabulary.term_text.len();

        // How many terms each naming phrase has.
        let phrase_count = *card_phrases.last().unwrap_or(&0) as usize;
        let mut terms_in_phrase = vec![0u32; phrase_count];
        for &(phrase, _) in &phrase_terms {
            terms_in_phrase[phrase as usize] += 1;
        }
        // Terms that alone are a card's short name ("asiakasvastaava").
        let one_word_titles: std::collections::HashSet<u32> = title_phrases
            .iter()
            .filter(|&&(_, phrase)| terms_in_phrase[phrase as usize] == 1)
            .map(|&(term, _)| term)
            .collect();
        // Compounds that start with such a name ("asiakasvastaavamalli") and the name.
        let mut title_prefixes: Vec<(u32, u32)> = Vec::new();

        // Variants and compound parts of every term, now that all terms are known.
        let related = {
            let vocabulary = &vocabulary;
            let title_prefixes = &mut title_prefixes;
            let one_word_titles = &one_word_titles;
            let pairs = (0..term_count).flat_map(|t| {
                let langs = vocabulary.term_langs[t];
                let compounds =
                    (0..3).any(|slot| langs & (1 << slot) != 0 && splits_compounds(slot));
                let known = |s: &str| {
                    vocabulary.terms.get(s).copied().filter(|&p| {
                        p as usize != t && vocabulary.term_langs[p as usize] & langs != 0
                    })
                };
                let mut found: Vec<(u32, (u32, f32))> = Vec::new();
                split_word(&vocabulary.term_text[t], compounds, known, |p, w, first| {
                    if first && w == COMPOUND_PART_WEIGHT && one_word_titles.contains(&p) {
                        title_prefixes.push((t as u32, p));
                    }
                    found.push((t as u32, (p, w)))
                });
                found
            });
            Lists::pack(term_count, pairs.collect::<Vec<_>>().into_iter(), (0, 0.0))
        };
        let title_prefixes = Lists::pack(term_count, title_prefixes.into_iter(), 0);

        let mut longer: HashMap<Box<str>, Vec<u32>> = HashMap::new();
        for (t, text) in vocabulary.term_text.iter().enumerate() {
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            for cut in 1..=MAX_VARIANT_TAIL {
                if bounds.len() >= MIN_VARIANT_STEM + cut {
                    let shorter = &text[..bounds[bounds.len() - cut]];
                    if !vocabulary.terms.contains_key(shorter) {
                        longer.entry(shorter.into()).or_default().push(t as u32);
                    }
                }
            }
        }

        // 4-grams of every term.
        let mut grams: HashMap<u64, u32> = HashMap::new();
        let term_grams = {
            let pairs: Vec<(u32, u32)> = (0..term_count)
                .flat_map(|t| {
                    let mut ids = Vec::new();
                    for_each_gram(&vocabulary.term_text[t], |gram| {
                        let next = grams.len() as u32;
                        ids.push((t as u32, *grams.entry(gram).or_insert(next)));
                    });
                    ids
                })
                .collect();
            Lists::pack(term_count, pairs.into_iter(), 0)
        };

        // Per card: add related terms to the words, and collect 4-grams.
        let mut gram_scratch = TfScratch::<1>::new();
        let mut doc_grams: Vec<Vec<(u32, [f32; 1])>> = Vec::with_capacity(doc_count);
        for words in &mut doc_words {
            let has_related = words.iter().any(|&(term, _)| !related.get(term).is_empty());
            for &(term, tf) in words.iter() {
                let weighted: f32 = (0..FIELDS).map(|f| FIELD_WEIGHTS[f] * tf[f]).sum();
                for &gram in term_grams.get(term) {
                    gram_scratch.add(gram, 0, weighted);
                }
                if has_related {
                    let own = std::iter::once((term, 1.0));
                    for (other, weight) in own.chain(related.get(term).iter().copied()) {
                        for f in (0..FIELDS).filter(|&f| tf[f] > 0.0) {
                            scratch.add(other, f, weight * tf[f]);
                        }
                    }
                }
            }
            if has_related {
                *words = scratch.take();
            }
            for (_, tf) in words.iter_mut() {
                for f in 0..FIELDS {
                    tf[f] = tf[f].min(FIELD_TF_CAP[f]);
                }
            }
            doc_grams.push(gram_scratch.take());
        }

        // Scores.
        let n = doc_count.max(1) as f32;
        let avg: [f32; FIELDS] =
            std::array::from_fn(|f| field_lens.iter().map(|l| l[f]).sum::<f32>() / n);
        let word_norms: Vec<[f32; FIELDS]> = field_lens
            .iter()
            .map(|lens| std::array::from_fn(|f| norm(FIELD_B[f], lens[f], avg[f])))
            .collect();
        let weighted_len =
            |lens: &[f32; FIELDS]| (0..FIELDS).map(|f| FIELD_WEIGHTS[f] * lens[f]).sum::<f32>();
        let avg_weighted = field_lens.iter().map(weighted_len).sum::<f32>() / n;
        let gram_norms: Vec<[f32; 1]> = field_lens
            .iter()
            .map(|lens| [norm(GRAM_B, weighted_len(lens), avg_weighted)])
            .collect();
        let words = Postings::build(term_count, &doc_words, FIELD_WEIGHTS, &word_norms);
        let gram_postings = Postings::build(grams.len(), &doc_grams, [1.0], &gram_norms);

        let synonyms = Lang::ALL.map(|lang| {
            vocabulary.analyzers[lang_slot(lang)]
                .synonym_table()
                .map(|(stem, words)| {
                    let known = words
                        .iter()
                        .filter_map(|w| vocabulary.terms.get(w.as_str()));
                    (stem.into(), known.map(|&t| (t, SYNONYM_WEIGHT)).collect())
                })
                .collect()
        });

        let card_index: HashMap<&str, usize> =
            catalogue.cards.iter().enumerate().map(|(i, card)| (card.id.as_str(), i)).collect();
        let one_word_names = {
            let doc_of = |phrase: u32| card_phrases.partition_point(|&start| start <= phrase) as u32 - 1;
            let pairs: Vec<(u32, u32)> = phrase_terms
                .iter()
                .filter(|&&(phrase, _)| terms_in_phrase[phrase as usize] == 1 && proper_names[phrase as usize])
                .map(|&(phrase, term)| (term, doc_of(phrase)))
                .collect();
            Lists::pack(term_count, pairs.into_iter(), 0)
        };
        Index {
            ids: catalogue.cards.iter().map(|c| c.id.clone()).collect(),
            first_contact: catalogue.cards.iter().position(|c| c.first_contact).map(|i| i as u32),
            steps: catalogue
                .cards
                .iter()
                .enumerate()
                .filter_map(|(doc, card)| {
                    let next = *card_index.get(card.next_step.as_deref()?)?;
                    let words = Lang::ALL
                        .iter()
                        .flat_map(|&lang| &card.raw_text(lang).step_words)
                        .map(|w| crate::lang::fold(w).into_boxed_str())
                        .collect();
                    Some((doc as u32, next as u32, words))
                })
                .collect(),
            leads_only_with: catalogue
                .cards
                .iter()
                .map(|card| {
                    Lang::ALL.map(|lang| {
                        let mut words = Vec::new();
                        for text in &card.raw_text(lang).leads_only_with {
                            for_each_word_with_lowercase(text, |word, _| words.push(word.into()));
                        }
                        words
                    })
                })
                .collect(),
            unknown_idf: (1.0 + (n + 0.5) / 0.5f32).ln(),
            terms: vocabulary.terms,
            term_langs: vocabulary.term_langs,
            related,
            title_prefixes,
            one_word_titles,
            longer,
            words,
            grams,
            gram_postings,
            phrases: Lists::pack(phrase_count, phrase_terms.into_iter(), 0),
            card_phrases,
            titles_with: Lists::pack(term_count, title_phrases.into_iter(), 0),
            one_word_names,
            negative_phrases,
            synonyms,
            analyzers: vocabulary.analyzers,
        }
    }

    /// Number of cards indexed.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Whether a card with this id is indexed.
    pub fn contains(&self, id: &str) -> bool {
        self.ids.iter().any(|i| i == id)
    }

    /// Cards matching `query`, analysed as `lang`, best first. Ages are read as words
    /// (`ages`). A question saying a step was taken without result is answered with the
    /// next step (`steps`). A routing question ("where do I refer…") is answered from
    /// what narrows it, when that matches a card strongly (`MIN_NARROWER_STRENGTH`);
    /// otherwise from the first-contact card. Talk and the asker's own matters are never
    /// confident (`offtopic`).
    pub fn search(&self, query: &str, lang: Lang) -> SearchResult {
        let mut result = self.search_cards(query, lang);
        // Thanks, tests and the asker's own work matters may name a card; no card settles them.
        if super::offtopic::is_offtopic(query, lang) {
            result.confident = false;
        }
        result
    }

    /// `search` before the off-topic check.
    fn search_cards(&self, query: &str, lang: Lang) -> SearchResult {
        let query = &*super::ages::ages_as_words(query, lang);
        let (ranked, _) = self.rank(query, lang);
        if let Some(next) = self.next_step(query) {
            return Self::led_by(&self.ids[next as usize], ranked);
        }
        let (Some(first), Some(rest)) = (self.first_contact, super::routing::residual(query)) else {
            return ranked;
        };
        let first_id = &self.ids[first as usize];
        // What is left names a narrower need when it alone matches a card strongly.
        let (narrower, strength) = self.rank(&rest, lang);
        if strength >= MIN_NARROWER_STRENGTH && narrower.hits.first().is_some_and(|hit| &hit.id != first_id) {
            return narrower;
        }
        Self::led_by(first_id, ranked)
    }

    /// `ranked` with card `id` first, as a confident answer.
    fn led_by(id: &str, ranked: SearchResult) -> SearchResult {
        let mut hits = ranked.hits;
        let top = hits.first().map_or(1.0, |hit| hit.score);
        hits.retain(|hit| hit.id != id);
        hits.insert(0, Hit { id: id.to_string(), score: top });
        SearchResult { confident: true, in_domain: true, hits }
    }

    /// For a question saying that a step of the path was taken and the case is still
    /// unresolved, the step after the latest one it says was taken (named in a sentence
    /// that says so: "…konsulterats. Finns det ett team?" asks for the team).
    fn next_step(&self, query: &str) -> Option<u32> {
        use super::steps;
        if self.steps.is_empty() || !steps::unresolved(&crate::lang::folded_words(query)) {
            return None;
        }
        let mut named: Vec<&(u32, u32, Vec<Box<str>>)> = Vec::new();
        for sentence in sentences(query) {
            let words = crate::lang::folded_words(sentence);
            if steps::taken(&words) {
                named.extend(self.steps.iter().filter(|(_, _, step_words)| steps::names_step(&words, step_words)));
            }
        }
        // Of the coordinator and the team, the team is the later step.
        named
            .iter()
            .find(|(_, next, _)| !named.iter().any(|(doc, _, _)| doc == next))
            .map(|&&(_, next, _)| next)
    }

    /// The ranking, and how strongly its best card matches: its score scaled by how much
    /// of the question it covers, or infinite when the question names it. (Strength
    /// alone, without a clear lead, is not yet a confident answer.)
    fn rank(&self, query: &str, lang: Lang) -> (SearchResult, f32) {
        let (words, asking) = self.query_words(query, lang);
        let mut scores = vec![0f32; self.ids.len()];
        // A word counts once per card, through its best-matching term: a card with
        // both "työllistyminen" and its variant is not twice about it.
        let mut best = vec![0f32; self.ids.len()];
        let mut touched: Vec<u32> = Vec::new();
        for word in &words {
            for qt in &word.terms {
                for p in self.words.get(qt.term) {
                    let best = &mut best[p.doc as usize];
                    if *best == 0.0 {
                        touched.push(p.doc);
                    }
                    *best = best.max(word.weight * qt.weight * p.score);
                }
            }
            for doc in touched.drain(..) {
                scores[doc as usize] += std::mem::take(&mut best[doc as usize]);
            }
            if !word.grams.is_empty() {
                let weight = word.weight * GRAM_WEIGHT / word.grams.len() as f32;
                for &gram in &word.grams {
                    for p in self.gram_postings.get(gram) {
                        scores[p.doc as usize] += weight * p.score;
                    }
                }
            }
        }
        let named = self.named_cards(&words);
        for &(doc, bonus) in &named {
            scores[doc as usize] += bonus;
        }
        if words.iter().any(|w| w.present) {
            // Only the best few can lead; checking every card's phrases would cost a large
            // catalogue dearly.
            let mut best: Vec<u32> = (0..scores.len() as u32).filter(|&d| scores[d as usize] > 0.0).collect();
            let keep = best.len().min(PRESENT_CANDIDATES);
            if keep > 0 {
                best.select_nth_unstable_by(keep - 1, |&a, &b| scores[b as usize].total_cmp(&scores[a as usize]));
            }
            for &doc in &best[..keep] {
                if self.named_as_present(&words, doc) {
                    scores[doc as usize] *= PRESENT_SERVICE_SHARE;
                }
            }
        }
        let best = scores.iter().copied().fold(0.0, f32::max);
        let ranked_above = |floor: f32| {
            let mut ranked: Vec<(u32, f32)> = scores
                .iter()
                .enumerate()
                .filter(|(_, &s)| s > 0.0 && s >= floor)
                .map(|(d, &s)| (d as u32, s))
                .collect();
            ranked.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked
        };
        let mut ranked = ranked_above(MIN_HIT_SHARE * best);
        if ranked.len() < MIN_HITS {
            // Callers show alternatives: keep a few weak hits rather than none.
            ranked = ranked_above(0.0);
            ranked.truncate(MIN_HITS);
        }
        if let Some(&(doc, top)) = ranked.first() {
            // A card that leads only on its own words gives the lead to the next.
            if ranked.len() > 1 && !self.may_lead(doc, query, lang) && !self.names_itself(&words, doc) {
                ranked.swap(0, 1);
                ranked[0].1 = top;
            }
        }
        // In a case description, the sentence that asks ("…voiko hänet lähettää
        // kuntoutustutkimukseen?") is what is asked through a name; its words come first.
        let asking = &words[..asking];
        let mut asking_named = if asking.len() < words.len() { self.named_cards(asking) } else { named.clone() };
        if asking_named.is_empty() {
            // No short name: a keyword that names one of the best cards ("vastuuhenkilö").
            asking_named.extend(
                ranked.iter().take(KEYWORD_NAME_CANDIDATES).filter(|&&(doc, _)| self.mentions_card(asking, doc)),
            );
        }
        if let Some(doc) = self.named_subject(asking, &asking_named) {
            // A question asked through a service's name is about that service, however
            // many words it shares with other cards.
            if let Some(at) = ranked.iter().position(|&(d, _)| d == doc).filter(|&at| at > 0) {
                let (_, top) = ranked[0];
                ranked.remove(at);
                ranked.insert(0, (doc, top));
            }
        }
        let runner_up = ranked.get(1).map_or(0.0, |&(_, score)| score);
        let (strength, clear) = ranked.first().map_or((0.0, false), |&(doc, score)| {
            let coverage = self.coverage(&words, doc);
            let mentioned = score >= MIN_NAMED_SCORE && self.mentions_card(&words, doc);
            let strength = if mentioned { f32::INFINITY } else { score * (0.5 + coverage) };
            // Calibrated on the dev set: a close runner-up, or a question the card covers
            // less than half of, is shown as alternatives rather than as the answer. A
            // question that names the card is clear when the card leads by far: a case
            // description may name a service in passing.
            let named_far_ahead = named.iter().any(|&(d, _)| d == doc) && runner_up < MAX_NAMED_RUNNER_UP * score;
            // One everyday word ("kiitos, tästä oli apua!") is no question about a card:
            // unless it names the card, a question matching it by one word only is clear
            // when that word is the card's own ("velkoja": at most two cards use it). And
            // a longer question that neither names the card nor speaks of a client or the
            // person in a case is general talk near the subject, not a case to answer.
            let clear = (named_far_ahead || (runner_up < MAX_RUNNER_UP * score && coverage >= MIN_COVERAGE))
                && (mentioned || self.more_than_one_everyday_word(&words, doc))
                && (mentioned || words.len() <= MAX_WORDS_WITHOUT_CLIENT || super::routing::about_a_client(query));
            (strength, clear)
        });
        let strong = strength >= MIN_STRENGTH;
        let hits = ranked
            .into_iter()
            .map(|(d, score)| Hit {
                id: self.ids[d as usize].clone(),
                score,
            })
            .collect();
        let in_domain = strong || super::routing::about_a_client(query);
        (SearchResult { confident: strong && clear, in_domain, hits }, strength)
    }

    /// Whether the question contains all words of `phrase`, close together.
    fn mentions(&self, words: &[QueryWord], phrase: u32) -> bool {
        self.mentions_by(words, phrase, |_| true)
    }

    /// Whether the question contains all words of `phrase` close together, each in a
    /// word that `counts`.
    fn mentions_by(&self, words: &[QueryWord], phrase: u32, counts: impl Fn(&QueryWord) -> bool) -> bool {
        let terms = self.phrases.get(phrase);
        let (mut first, mut last) = (usize::MAX, 0);
        for &term in terms {
            let found = words.iter().position(|w| {
                counts(w)
                    && w.terms
                        .iter()
                        .any(|qt| qt.term == term && qt.degree >= VARIANT_WEIGHT)
            });
            let Some(at) = found else {
                return false;
            };
            first = first.min(at);
            last = last.max(at);
        }
        !terms.is_empty() && last - first < terms.len() + 1
    }

    /// Cards whose short name (in some language) the question contains, each with
    /// its bonus: the asker named the service.
    fn named_cards(&self, words: &[QueryWord]) -> Vec<(u32, f32)> {
        let mut named: Vec<(u32, f32)> = Vec::new();
        for qt in words
            .iter()
            .flat_map(|w| &w.terms)
            .filter(|qt| qt.degree >= VARIANT_WEIGHT)
        {
            for &title in self.titles_with.get(qt.term) {
                let doc = self.card_phrases.partition_point(|&start| start <= title) as u32 - 1;
                if named.iter().all(|&(d, _)| d != doc) && self.mentions(words, title) {
                    let idf: f32 = self
                        .phrases
                        .get(title)
                        .iter()
                        .map(|&t| self.words.idf[t as usize])
                        .sum();
                    named.push((doc, NAMED_BONUS * idf));
                }
            }
        }
        named
    }

    /// The card a question asks about by name, when it names exactly one card (`named`
    /// holds each card once) and little else is asked ("what does X do?", "how do I
    /// reach X in Turku?"). "Kuntouttava työtoiminta vai sosiaalinen kuntoutus?"
    /// compares two and asks about neither; in a case description a name in passing
    /// decides nothing.
    fn named_subject(&self, words: &[QueryWord], named: &[(u32, f32)]) -> Option<u32> {
        let &[(doc, _)] = named else {
            return None;
        };
        let phrases = self.card_phrases[doc as usize]..self.card_phrases[doc as usize + 1];
        let in_name = |word: &&QueryWord| {
            word.terms.iter().any(|qt| {
                qt.degree >= VARIANT_WEIGHT
                    && phrases
                        .clone()
                        .any(|phrase| self.phrases.get(phrase).contains(&qt.term))
            })
        };
        let other_words = words.iter().filter(|w| !in_name(w));
        // "Risen työkykykoordinaattori": another card's name qualifies this one.
        let names_another = |word: &QueryWord| {
            word.terms.iter().any(|qt| qt.degree >= VARIANT_WEIGHT && self.one_word_names.get(qt.term).iter().any(|&d| d != doc))
        };
        if other_words.clone().any(names_another) {
            return None;
        }
        (other_words.count() <= MAX_WORDS_BESIDE_NAME).then_some(doc)
    }

    /// Whether card `doc` may rank first for `query`: it has no `leads_only_with`
    /// words in `lang`, or the question contains one of them.
    fn may_lead(&self, doc: u32, query: &str, lang: Lang) -> bool {
        let required = &self.leads_only_with[doc as usize][lang_slot(lang)];
        if required.is_empty() {
            return true;
        }
        let mut found = false;
        for_each_word_with_lowercase(query, |word, _| {
            found |= required.iter().any(|r| {
                if r.chars().count() <= 4 { word == r.as_ref() } else { word.starts_with(r.as_ref()) }
            });
        });
        found
    }

    /// Whether card `doc` matches the question by more than one everyday word: by two
    /// words or more, or by one that few cards use.
    fn more_than_one_everyday_word(&self, words: &[QueryWord], doc: u32) -> bool {
        let mut matched = words.iter().filter_map(|w| {
            w.terms.iter().filter(|qt| self.words.contains(qt.term, doc)).map(|qt| self.words.get(qt.term).len()).min()
        });
        match (matched.next(), matched.next()) {
            (Some(_), Some(_)) => true,
            (Some(cards_using), None) => cards_using <= MAX_CARDS_FOR_ONE_WORD,
            _ => false,
        }
    }

    /// Whether the question names card `doc` only as the client's present or a too
    /// heavy service ("ei jaksa edes KT:ta").
    fn named_as_present(&self, words: &[QueryWord], doc: u32) -> bool {
        let phrases = || {
            (self.card_phrases[doc as usize]..self.card_phrases[doc as usize + 1])
                .filter(|&phrase| !self.negative_phrases[phrase as usize])
        };
        phrases().any(|phrase| self.mentions_by(words, phrase, |w| w.present))
            && !phrases().any(|phrase| self.mentions_by(words, phrase, |w| !w.present))
    }

    /// Whether the question names card `doc` by a keyword of several words that varies
    /// its short name ("alueellinen työkykykoordinaattori", "regional work ability
    /// coordinator"): that is as good as its `leads_only_with` words.
    fn names_itself(&self, words: &[QueryWord], doc: u32) -> bool {
        let own = self.card_phrases[doc as usize]..self.card_phrases[doc as usize + 1];
        let in_own_title = |term: &u32| self.titles_with.get(*term).iter().any(|phrase| own.contains(phrase));
        own.clone().any(|phrase| {
            let terms = self.phrases.get(phrase);
            terms.len() >= 2 && terms.iter().any(in_own_title) && self.mentions(words, phrase)
        })
    }

    /// Whether the question contains one of card `doc`'s short names or keywords.
    fn mentions_card(&self, words: &[QueryWord], doc: u32) -> bool {
        let phrases = self.card_phrases[doc as usize]..self.card_phrases[doc as usize + 1];
        phrases
            .into_iter()
            .any(|phrase| self.mentions(words, phrase))
    }

    /// Share of the question's informativeness that card `doc` matches: a word
    /// counts fully when the card has it (or a synonym), partly through a variant,
    /// a compound part or most of its 4-grams.
    fn coverage(&self, words: &[QueryWord], doc: u32) -> f32 {
        let mut total = 0.0;
        let mut matched = 0.0;
        for word in words {
            total += word.informativeness;
            let by_terms = word
                .terms
                .iter()
                .filter(|qt| self.words.contains(qt.term, doc))
                .map(|qt| qt.degree)
                .fold(0.0, f32::max);
            let by_grams = if word.grams.is_empty() {
                0.0
            } else {
                let found = word
                    .grams
                    .iter()
                    .filter(|&&g| self.gram_postings.contains(g, doc))
                    .count();
                let share = found as f32 / word.grams.len() as f32;
                if share >= MIN_GRAM_SHARE {
                    share * VARIANT_WEIGHT
                } else {
                    0.0
                }
            };
            matched += by_terms.max(by_grams) * word.informativeness;
        }
        if total > 0.0 {
            matched / total
        } else {
            0.0
        }
    }

    /// The question's words, the asking sentences' first. In a case description ("The
    /// client … . Can we refer to X?") the sentences that ask say what is wanted; the
    /// others describe the client, and their words count for `CONTEXT_WEIGHT`.
    /// The question's words, and how many of them (from the start) are the asking
    /// sentences': all of them unless a case description asks in a sentence of its own.
    fn query_words(&self, query: &str, lang: Lang) -> (Vec<QueryWord>, usize) {
        let present = super::context::context_words(query);
        let sentences = sentences(query);
        // "…?", and also "…?!" or "(…?)".
        let asks = |s: &str| s.trim_end().trim_end_matches(['!', ')', '"', '\'', '»', '”']).ends_with('?');
        let has_context = sentences.iter().any(|s| !asks(s) && s.chars().any(char::is_alphanumeric));
        let mut words: Vec<QueryWord> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        if sentences.iter().any(|s| asks(s)) && has_context {
            for sentence in sentences.iter().filter(|s| asks(s)) {
                self.add_query_words(sentence, lang, 1.0, &present, &mut words, &mut seen);
            }
            // "Mitä nyt?" asks nothing of its own: then the case is the question.
            let asking = words.len();
            let context_weight = if asking >= MIN_ASKING_WORDS { CONTEXT_WEIGHT } else { 1.0 };
            for sentence in sentences.iter().filter(|s| !asks(s)) {
                self.add_query_words(sentence, lang, context_weight, &present, &mut words, &mut seen);
            }
            let asking = if asking >= MIN_ASKING_WORDS { asking } else { words.len() };
            (words, asking)
        } else {
            self.add_query_words(query, lang, 1.0, &present, &mut words, &mut seen);
            let all = words.len();
            (words, all)
        }
    }

    /// Whether `term` alone is a card's short name ("Asiakasvastaava", "Kuntoutustutkimus").
    fn is_one_word_title(&self, term: u32) -> bool {
        self.one_word_titles.contains(&term)
    }

    /// The synonyms of a word: by its stem, or by the word itself when it is a synonym's
    /// word with a short ending (up to `MAX_SYNONYM_ENDING` letters), since the stemmer may
    /// cut an inflected form apart from its base form ("amfetamiinia" -> "amfetamiin"
    /// but "amfetamiini" -> "amfetam").
    fn synonyms_of(&self, stem: &str, folded: &str, slot: usize) -> Option<&Vec<(u32, f32)>> {
        let table = &self.synonyms[slot];
        if let Some(found) = table.get(stem) {
            return Some(found);
        }
        let bounds: Vec<usize> = folded.char_indices().map(|(i, _)| i).chain([folded.len()]).collect();
        let chars = bounds.len() - 1;
        (0..=MAX_SYNONYM_ENDING.min(chars.saturating_sub(MIN_SYNONYM_CHARS)))
            .find_map(|cut| table.get(&folded[..bounds[chars - cut]]))
    }

    /// The Finnish term of a word a Swedish or English question does not know: services
    /// keep their Finnish names in other languages ("vad menas med saattaen vaihtaen?",
    /// "could a kokemusasiantuntija join?").
    fn finnish_name(&self, word: &str, lower: &str, slot: usize) -> Option<u32> {
        let fi = lang_slot(Lang::Fi);
        if slot == fi {
            return None;
        }
        let stem = self.analyzers[fi].term_of(word, lower)?.stem;
        self.terms.get(stem.as_str()).copied().filter(|&t| self.term_langs[t as usize] == 1 << fi)
    }

    /// Adds the words of `text` not yet `seen` to `words`, each resolved against the
    /// index (its term, variants, compound parts, base form, synonyms and 4-grams), with
    /// `weight` and whether it is `present` context.
    fn add_query_words(
        &self,
        text: &str,
        lang: Lang,
        weight: f32,
        present: &std::collections::HashSet<String>,
        words: &mut Vec<QueryWord>,
        seen: &mut Vec<String>,
    ) {
        let slot = lang_slot(lang);
        let analyzer = &self.analyzers[slot];
        for_each_word_with_lowercase(text, |word, lower| {
            let Some(WordTerm { stem, base }) = analyzer.term_of(word, lower) else {
                return;
            };
            if seen.contains(&stem) {
                return;
            }
            let mut terms = Vec::new();
            let known = self.terms.get(stem.as_str()).copied().or_else(|| self.finnish_name(word, lower, slot));
            if let Some(t) = known {
                terms.push(QueryTerm {
                    term: t,
                    weight: 1.0,
                    degree: 1.0,
                });
                terms.extend(self.related.get(t).iter().map(|&(term, weight)| QueryTerm {
                    term,
                    weight,
                    degree: weight,
                }));
                terms.extend(self.title_prefixes.get(t).iter().map(|&term| QueryTerm {
                    term,
                    weight: VARIANT_WEIGHT,
                    degree: VARIANT_WEIGHT,
                }));
            } else {
                let known = |s: &str| {
                    self.terms
                        .get(s)
                        .copied()
                        .filter(|&t| self.term_langs[t as usize] & (1 << slot) != 0)
                };
                // A known word a letter or two longer: the stemmer cut this form further
                // ("sairauspäivärahan" against the cards' "sairauspäivärahat").
                for &term in self.longer.get(stem.as_str()).into_iter().flatten() {
                    if self.term_langs[term as usize] & (1 << slot) != 0 {
                        terms.push(QueryTerm { term, weight: VARIANT_WEIGHT, degree: VARIANT_WEIGHT });
                    }
                }
                split_word(&stem, splits_compounds(slot), known, |term, weight, first| {
                    // A compound that starts with a card's one-word name names that card:
                    // "asiakasvastaavamalli", "kuntoutustutkimuspoliklinikalle".
                    let weight = if first && self.is_one_word_title(term) { weight.max(VARIANT_WEIGHT) } else { weight };
                    terms.push(QueryTerm {
                        term,
                        weight,
                        degree: weight,
                    });
                });
            }
            if let Some(&t) = base.as_deref().and_then(|base| self.terms.get(base)) {
                terms.push(QueryTerm {
                    term: t,
                    weight: BASE_FORM_WEIGHT,
                    degree: BASE_FORM_WEIGHT,
                });
            }
            if let Some(synonyms) = self.synonyms_of(&stem, word, slot) {
                terms.extend(synonyms.iter().map(|&(term, weight)| QueryTerm {
                    term,
                    weight,
                    degree: 1.0,
                }));
            }
            let mut grams = Vec::new();
            for_each_gram(&stem, |gram| grams.extend(self.grams.get(&gram).copied()));
            let informativeness = known.map_or(self.unknown_idf, |t| self.words.idf[t as usize]);
            words.push(QueryWord {
                terms,
                grams,
                informativeness,
                weight,
                present: present.contains(word),
            });
            seen.push(stem);
        });
    }

    /// Approximate heap memory held by the index, in bytes.
    pub fn heap_bytes(&self) -> usize {
        // A hash map entry costs its key and value plus about one control byte.
        let map_bytes = |capacity: usize, entry: usize| capacity * (entry + 1);
        let ids: usize = self.ids.iter().map(|s| s.capacity() + 24).sum();
        let term_keys: usize = self.terms.keys().map(|k| k.len()).sum();
        let synonyms: usize = self
            .synonyms
            .iter()
            .map(|m| {
                map_bytes(m.capacity(), 16 + 24)
                    + m.iter()
                        .map(|(k, v)| k.len() + v.capacity() * 8)
                        .sum::<usize>()
            })
            .sum();
        ids + map_bytes(self.terms.capacity(), 16 + 4)
            + term_keys
            + self.term_langs.capacity()
            + self.related.heap_bytes()
            + self.title_prefixes.heap_bytes()
            + self.one_word_titles.capacity() * 5
            + map_bytes(self.longer.capacity(), 16 + 24)
            + self.longer.iter().map(|(k, v)| k.len() + v.capacity() * 4).sum::<usize>()
            + self.words.heap_bytes()
            + map_bytes(self.grams.capacity(), 8 + 4)
            + self.gram_postings.heap_bytes()
            + self.phrases.heap_bytes()
            + self.card_phrases.capacity() * 4
            + self.titles_with.heap_bytes()
            + self.one_word_names.heap_bytes()
            + self.negative_phrases.capacity()
            + synonyms
    }
}

/// Tuning aid: per word of a question, what it adds to the best cards. Run with
/// `KAVERI_Q="…" KAVERI_LANG=fi cargo test --no-default-features --lib explain -- --ignored --nocapture`.
#[cfg(test)]
mod explain {
    use super::*;

    #[test]
    #[ignore]
    fn explain() {
        let index = Index::build(&Catalogue::shipped());
        let query = std::env::var("KAVERI_Q").unwrap_or_default();
        let lang = match std::env::var("KAVERI_LANG").as_deref() {
            Ok("sv") => Lang::Sv,
            Ok("en") => Lang::En,
            _ => Lang::Fi,
        };
        let result = index.search(&query, lang);
        println!("confident {} in_domain {} residual {:?}", result.confident, result.in_domain, super::super::routing::residual(&query));
        let (ranked, strength) = index.rank(&query, lang);
        println!("plain ranking strength {strength} confident {}", ranked.confident);
        let (words, _) = index.query_words(&query, lang);
        let analyzer = &index.analyzers[lang_slot(lang)];
        crate::catalogue::analysis::for_each_word_with_lowercase(&query, |w, l| {
            let stem = analyzer.term_of(w, l).map(|t| t.stem);
            let synonyms = stem.as_deref().and_then(|st| index.synonyms_of(st, w, lang_slot(lang))).map(|v| v.len());
            println!("  {w} -> {stem:?} synonyms {synonyms:?}");
        });
        let named = index.named_cards(&words);
        let name = |t: u32| index.terms.iter().find(|(_, &x)| x == t).map(|(k, _)| k.to_string()).unwrap_or_default();
        for word in &words {
            let terms: Vec<String> = word.terms.iter().map(|qt| format!("{}:{:.1}", name(qt.term), qt.weight)).collect();
            println!("  word info {:.2} terms {terms:?}", word.informativeness);
        }
        let extra = std::env::var("KAVERI_CARD").ok().map(|id| Hit { id, score: 0.0 });
        for hit in result.hits.iter().take(4).chain(extra.iter()) {
            let doc = index.ids.iter().position(|i| i == &hit.id).unwrap() as u32;
            println!("{} {:.2} coverage {:.2} named {:?}", hit.id, hit.score, index.coverage(&words, doc), named.iter().find(|n| n.0 == doc).map(|n| n.1));
            for word in &words {
                let by_terms = word.terms.iter().filter_map(|qt| {
                    index.words.get(qt.term).iter().find(|p| p.doc == doc).map(|p| (qt.weight * p.score, qt.term))
                }).fold((0.0f32, 0u32), |a, b| if b.0 > a.0 { b } else { a });
                let grams: f32 = word.grams.iter().filter_map(|&g| index.gram_postings.get(g).iter().find(|p| p.doc == doc).map(|p| GRAM_WEIGHT / word.grams.len() as f32 * p.score)).sum();
                let term_text = index.terms.iter().find(|(_, &t)| t == by_terms.1).map(|(k, _)| k.to_string()).unwrap_or_default();
                if by_terms.0 > 0.0 || grams > 0.0 {
                    println!("    {term_text:<28} words {:.2} grams {:.2} (info {:.2})", by_terms.0, grams, word.informativeness);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{CardText, Category};

    fn text(name: &str, summary: &str, keywords: &[&str], offers: Option<&str>) -> CardText {
        CardText {
            questions: Vec::new(),
            leads_only_with: Vec::new(),
            step_words: Vec::new(),
            name: name.into(),
            summary: summary.into(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            target_group: None,
            offers: offers.map(Into::into),
            access: None,
            coordinator: None,
        }
    }

    fn card(id: &str, fi: CardText, sv: CardText, en: CardText) -> Card {
        Card {
            id: id.into(),
            category: Category::Coordination,
            related: vec![],
            source: "test".into(),
            first_contact: false,
            next_step: None,
            fi,
            sv,
            en,
        }
    }

    /// Five small cards; each word of the tests appears where it should and nowhere else.
    fn catalogue() -> Catalogue {
        let cards = vec![
            card(
                "koordinaattori",
                text(
                    "Työkykykoordinaattori",
                    "Selvittää työttömän tilanteen.",
                    &["työkyky"],
                    None,
                ),
                text(
                    "Arbetsförmågekoordinator",
                    "Utreder situationen.",
                    &["arbetsförmåga"],
                    None,
                ),
                text(
                    "Work ability coordinator",
                    "Clarifies the situation.",
                    &["work ability"],
                    None,
                ),
            ),
            card(
                "typ",
                text(
                    "TYP",
                    "Monialainen yhteispalvelu pitkään työttömille.",
                    &["yhteispalvelu"],
                    None,
                ),
                text(
                    "TYP",
                    "Samservice för långtidsarbetslösa.",
                    &["samservice"],
                    None,
                ),
                text(
                    "TYP",
                    "Joint service for the long-term unemployed.",
                    &["joint service"],
                    None,
                ),
            ),
            card(
                "terveys",
                text(
                    "Työttömien terveystarkastus",
                    "Terveydenhoitaja tapaa työttömän.",
                    &["terveydenhoitaja"],
                    None,
                ),
                text(
                    "Hälsoundersökning",
                    "Hälsovårdaren träffar den arbetslösa.",
                    &["hälsovårdare"],
                    None,
                ),
                text(
                    "Health check",
                    "A nurse meets the unemployed person.",
                    &["nurse"],
                    None,
                ),
            ),
            card(
                "kuntoutus",
                text(
                    "Ammatillinen kuntoutus",
                    "Kuntoutus auttaa palaamaan töihin.",
                    &["kuntoutusraha"],
                    Some("Tarkastus ennen päätöstä."),
                ),
                text(
                    "Yrkesinriktad rehabilitering",
                    "Rehabilitering hjälper tillbaka.",
                    &["rehabiliteringspenning"],
                    None,
                ),
                text(
                    "Vocational rehabilitation",
                    "Rehabilitation helps back to work.",
                    &["rehabilitation allowance"],
                    None,
                ),
            ),
            card(
                "talous",
                text(
                    "Velkaneuvonta",
                    "Apua velkoihin ja toimeentulotukeen.",
                    &["velka", "toimeentulotuki"],
                    None,
                ),
                text("Skuldrådgivning", "Hjälp med skulder.", &["skulder"], None),
                text("Debt counselling", "Help with debts.", &["debt"], None),
            ),
        ];
        Catalogue { cards }
    }

    fn top(index: &Index, query: &str, lang: Lang) -> String {
        index
            .search(query, lang)
            .hits
            .first()
            .map(|h| h.id.clone())
            .unwrap_or_default()
    }

    #[test]
    fn inflected_forms_match() {
        let index = Index::build(&catalogue());
        assert_eq!(top(&index, "kuntoutuksesta", Lang::Fi), "kuntoutus");
        assert_eq!(top(&index, "kuntoutusrahaa", Lang::Fi), "kuntoutus");
        assert_eq!(top(&index, "terveydenhoitajalle", Lang::Fi), "terveys");
    }

    #[test]
    fn words_without_umlauts_match() {
        let index = Index::build(&catalogue());
        assert_eq!(
            top(&index, "tyottomien terveystarkastus", Lang::Fi),
            "terveys"
        );
        assert_eq!(top(&index, "halsoundersokning", Lang::Sv), "terveys");
    }

    #[test]
    fn abbreviations_with_endings_match() {
        let index = Index::build(&catalogue());
        assert_eq!(top(&index, "Mikä on TYP:n tehtävä?", Lang::Fi), "typ");
        assert_eq!(top(&index, "TYP:ssä", Lang::Fi), "typ");
    }

    #[test]
    fn compounds_match_their_parts() {
        let index = Index::build(&catalogue());
        // An unknown compound of the question splits into known words...
        assert_eq!(
            top(&index, "työkykykoordinaattoriverkosto", Lang::Fi),
            "koordinaattori"
        );
        // ...and a compound of a card into words known elsewhere: "terveystarkastus"
        // in a name holds "tarkastus", which another card has on its own.
        assert_eq!(top(&index, "tarkastukseen", Lang::Fi), "terveys");
    }

    #[test]
    fn gradation_and_typos_match_through_grams() {
        let index = Index::build(&catalogue());
        assert_eq!(top(&index, "toimeentulotuesta", Lang::Fi), "talous");
        assert_eq!(
            top(&index, "tyokykykordinaattori", Lang::Fi),
            "koordinaattori"
        );
    }

    #[test]
    fn each_language_uses_its_own_analysis() {
        let index = Index::build(&catalogue());
        assert_eq!(
            top(&index, "arbetsförmågekoordinatorn", Lang::Sv),
            "koordinaattori"
        );
        assert_eq!(top(&index, "skulderna", Lang::Sv), "talous");
        assert_eq!(top(&index, "coordinators", Lang::En), "koordinaattori");
        assert_eq!(top(&index, "debts", Lang::En), "talous");
    }

    #[test]
    fn core_routing_questions_lead_to_the_coordinator_in_every_language() {
        let index = Index::build(&Catalogue::shipped());
        for (question, lang) in [
            ("Mihin ohjaan asiakkaan, jonka työkyky on epäselvä?", Lang::Fi),
            ("Vart skickar jag en arbetslös klient vars arbetsförmåga är oklar?", Lang::Sv),
            ("Where do I refer an unemployed client whose work ability is unclear?", Lang::En),
        ] {
            let result = index.search(question, lang);
            assert_eq!(result.hits[0].id, "tyokykykoordinaattori", "{question}");
            assert!(result.confident, "{question}");
        }
    }

    #[test]
    fn a_question_through_a_name_is_about_that_card() {
        let index = Index::build(&Catalogue::shipped());
        let first = |q: &str, lang| index.search(q, lang).hits[0].id.clone();
        assert_eq!(first("Mitä työkykykoordinaattori oikeastaan tekee?", Lang::Fi), "tyokykykoordinaattori");
        // The employment services' coordinator leads only when the question says so.
        assert_eq!(
            first("Mitä TE-puolen työkykykoordinaattori oikeastaan tekee?", Lang::Fi),
            "te-tyokykykoordinaattori"
        );
        assert_eq!(first("Hur når jag arbetsförmågekoordinatorn på sysselsättningstjänsterna?", Lang::Sv), "te-tyokykykoordinaattori");
        assert_ne!(first("Kenelle osatyökykyisen työnhakijan asiassa kannattaa soittaa?", Lang::Fi), "te-tyokykykoordinaattori");
    }

    #[test]
    fn hits_are_best_first_and_positive() {
        let index = Index::build(&catalogue());
        let hits = index.search("työttömän kuntoutus", Lang::Fi).hits;
        assert!(hits.len() >= 2);
        assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(hits.iter().all(|h| h.score > 0.0));
        assert!(index.search("", Lang::Fi).hits.is_empty());
        assert!(index.search("ja on ei", Lang::Fi).hits.is_empty());
        let empty = Index::build(&Catalogue::default()).search("kuntoutus", Lang::Fi);
        assert!(empty.hits.is_empty() && !empty.confident);
    }

    #[test]
    fn confident_only_for_questions_the_catalogue_answers() {
        let index = Index::build(&Catalogue::shipped());
        let result = index.search("Mikä on Kykyviisari?", Lang::Fi);
        assert!(result.confident);
        assert_eq!(result.hits[0].id, "kykyviisari");
        // Intensifiers say nothing about the service: they must not dilute the match.
        let debts = index.search("Asiakkaalla on todella paljon velkoja.", Lang::Fi);
        assert!(debts.confident && debts.hits[0].id == "velkaneuvonta", "{:?}", debts.hits);
        // One everyday word a few cards use is no question about any of them.
        assert!(!index.search("Tästä oli apua.", Lang::Fi).confident);
        assert!(!index.search("Kiitos, tästä oli apua!", Lang::Fi).confident);
        assert!(
            !index
                .search("Mikä on paras pizzaresepti?", Lang::Fi)
                .confident
        );
        assert!(
            !index
                .search("How do I renew my passport?", Lang::En)
                .confident
        );
    }

    #[test]
    fn index_is_shareable_and_reports_its_size() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Index>();
        let small = Index::build(&catalogue());
        let shipped = Index::build(&Catalogue::shipped());
        assert!(small.heap_bytes() > 0);
        assert!(shipped.heap_bytes() > small.heap_bytes());
        assert_eq!(small.len(), 5);
        assert!(small.contains("typ") && !small.contains("nope"));
    }
}

