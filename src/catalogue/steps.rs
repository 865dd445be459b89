//! Escalation questions: "we already went through this with the coordinator, but it is
//! still unclear: what next?". The seeds' path for an unclear case runs from the
//! work-ability coordinator to the local work-ability team and on to the special-expertise
//! team; a question that says one step was taken and did not resolve the case asks for
//! the next one (the card's `next_step`), whatever other words it shares with cards.

/// Word beginnings (folded), single or in sequence, saying that a step was taken.
const TAKEN: &[&[&str]] = &[
    // Finnish
    &["jo"], &["kayty"], &["kaytiin"], &["kavimme"], &["kavin"], &["konsultoin"], &["konsultoitu"],
    &["konsultoimme"], &["konsultoitiin"], &["kasitel"], &["kasitti"], &["kysyin"], &["kysytty"],
    &["puhuttu"], &["puhuin"],
    // Swedish
    &["redan"], &["diskuterat"], &["konsulterat"], &["tagit", "upp"], &["gatt", "igenom"], &["gick", "igenom"],
    &["behandlat"], &["konsultation", "med"],
    // English
    &["already"], &["consulted"], &["discussed"], &["met"], &["went", "through"], &["reviewed"], &["out", "of", "ideas"],
];

/// Word beginnings (folded), single or in sequence, saying that the case is still open.
const UNRESOLVED: &[&[&str]] = &[
    // Finnish
    &["vielakaan"], &["edelleen"], &["yha"], &["ei", "selvin"], &["ei", "ratk"], &["eika", "ratk"],
    &["ei", "auttanut"], &["ei", "edenny"], &["ei", "etene"], &["jumissa"], &["ei", "hajua"], &["ei", "paasty"],
    &["eika", "paasty"], &["tuloksetta"], &["ei", "tulosta"], &["ei", "riittanyt"], &["ei", "riita"],
    &["kukaan", "ei", "osaa"], &["ei", "osaa", "sanoa"],
    // Swedish
    &["fortfarande"], &["anda"], &["inte", "vidare"], &["ingen", "losning"], &["inte", "lost"], &["utan", "resultat"],
    &["lika", "rorig"], &["eskaler"], &["rackte", "inte"], &["racker", "inte"],
    // English
    &["still"], &["no", "solution"], &["not", "resolved"], &["unresolved"], &["couldn", "resolve"],
    &["could", "not", "resolve"], &["stuck"], &["no", "result"], &["no", "progress"], &["escalat"],
    &["wasn", "enough"], &["not", "enough"], &["out", "of", "ideas"],
];

/// Whether `word` is the cue word `cue`: a short cue ("jo", "met", "ei") as a whole word,
/// so that "jonka" is no "jo"; a longer one as the word's beginning ("käsitellyt").
fn is_cue(word: &str, cue: &str) -> bool {
    if cue.chars().count() <= SHORT_CUE { word == cue } else { word.starts_with(cue) }
}

/// "Edelleen" up to this many words after a verb of referring means "onward".
const ONWARD_WINDOW: usize = 3;

/// Cues of at most this many letters match whole words only.
const SHORT_CUE: usize = 3;

/// Whether `words` hold one of `cues`, each a run of consecutive cue words.
fn has_any(words: &[String], cues: &[&[&str]]) -> bool {
    cues.iter().filter(|cue| !cue.is_empty()).any(|cue| {
        words.windows(cue.len()).any(|run| run.iter().zip(cue.iter()).all(|(word, cue)| is_cue(word, cue)))
    })
}

/// Whether the words say that a step was taken.
pub(crate) fn taken(words: &[String]) -> bool {
    has_any(words, TAKEN)
}

/// Whether the words say that the case is still unresolved. "Edelleen" just after a verb
/// of referring is "onward" ("ohjasi hänet edelleen kuntoutustutkimukseen"), not "still".
pub(crate) fn unresolved(words: &[String]) -> bool {
    let onward = |at: usize| {
        words[at] == "edelleen"
            && (at.saturating_sub(ONWARD_WINDOW)..at).any(|i| ["ohja", "lahet"].iter().any(|verb| words[i].starts_with(verb)))
    };
    let words: Vec<String> = (0..words.len()).filter(|&at| !onward(at)).map(|at| words[at].clone()).collect();
    has_any(&words, UNRESOLVED)
}

/// Whether one of the question's words begins with one of `step_words` (folded):
/// "tiimissä" is the team, "erityisosaamistiimi" is not.
pub(crate) fn names_step(words: &[String], step_words: &[Box<str>]) -> bool {
    words.iter().any(|word| step_words.iter().any(|step| word.starts_with(step.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::folded_words as words;

    #[test]
    fn a_step_taken_without_result_is_recognised_in_three_languages() {
        for question in [
            "Työkykykoordinaattorin kanssa käytiin asiakas läpi, mutta vieläkään ei tiedetä mikä estää työllistymistä.",
            "Klienten har redan diskuterats med koordinatorn men det är fortfarande oklart.",
            "Already asked the coordinator but the case is still a mess.",
            "Työkykytiimi on käsitellyt asiakkaan jo kahdesti eikä ratkaisua löydy.",
            "Local team met twice, no solution.",
            "Arbetsförmågeteamet har gått igenom fallet utan resultat.",
        ] {
            let words = words(question);
            assert!(taken(&words) && unresolved(&words), "{question}");
        }
    }

    #[test]
    fn a_step_merely_mentioned_is_not_an_escalation() {
        for question in [
            "Mitä työkykykoordinaattori tekee?",
            "Onko asiakas jo työkykykoordinaattorin asiakas?",
            "Is the coordinator still working in Turku?",
            // "jonka" is no "jo", and "edelleen" here means onward.
            "Voiko työkykykoordinaattori, jonka asiakas tapasi, ohjata hänet edelleen kuntoutustutkimukseen?",
            "Koordinaattori on jo ohjannut asiakkaan edelleen kuntoutustutkimukseen, mitä siellä tehdään?",
        ] {
            let words = words(question);
            assert!(!(taken(&words) && unresolved(&words)), "{question}");
        }
    }

    #[test]
    fn a_step_is_named_by_the_beginning_of_a_word() {
        let team: Vec<Box<str>> = vec!["tiimi".into(), "tyokykytiimi".into()];
        assert!(names_step(&words("Liedon työkykytiimissä käsiteltiin"), &team));
        assert!(names_step(&words("Tiimi on käsitellyt"), &team));
        assert!(!names_step(&words("Erityisosaamistiimi on käsitellyt"), &team));
    }
}
