//! Services a question names as the client's present one, or as one that is too much
//! for them: "KT:ssa ollut asiakas olisi valmis palkkatyöhön", "ei jaksa edes KT:ta",
//! "arbetsverksamheten blev för tungt"; and the asker's own job ("olen sosiaaliohjaaja",
//! "I'm a nurse at the health centre"). Such a name describes the case; the answer is
//! another service, so the card it names must not win on its name.

use crate::lang::folded_words;
use std::collections::HashSet;

/// Words (folded) that, up to `WINDOW` words before a service's name, make it one the
/// client cannot cope with or does not want: the negative verb forms ("ei jaksa", "ei
/// pysty", "ei halua", "en tarvitse" – the positive ones are "jaksaa", "pystyy", "haluaa",
/// "tarvitsee"), "edes"/"ens"/"even", "liian", "slutat", "quit", "stopped going".
const COPING_BEFORE: &[&str] = &[
    "jaksa", "pysty", "kykene", "edes", "liian", "halua", "tarvitse", "ens", "orkar", "slutat", "even", "quit",
    "stopped",
];

/// The same up to `WINDOW` words after the name: "KT:kin (on liian raskas)", "eläkkeelle
/// hän ei halua", "kuntouttava työtoiminta ei onnistunut", "blev för tungt", "is too much".
const COPING_AFTER: &[&str] =
    &["liian", "liikaa", "kin", "raskas", "raskasta", "halua", "onnistunut", "onnistu", "tungt", "tung", "jobbigt", "too"];

/// Forms of "olla" that, near a name in the inessive ("KT:ssa ollut", "kuntouttavassa
/// työtoiminnassa oleva", "ei ole TYP:ssä"), make it the client's present or past
/// service, or one they are not in: either way not the one asked for.
const BEING: &[&str] = &["ollut", "ollu", "oleva", "olevan", "olleen", "ole"];

/// How many words before or after a name a cue may stand.
const WINDOW: usize = 3;

/// Words (folded) between "olen"/"I'm a" and the asker's job: "olen uusi sosiaaliohjaaja".
const BEFORE_A_JOB: &[&str] = &["uusi", "a", "an", "the", "en", "ett"];

/// The words of `question` (folded) that stand where a present or too heavy service
/// would be named, and nowhere else in the question: a service named once as the
/// client's present one and once as the one asked about is asked about.
pub(crate) fn context_words(question: &str) -> HashSet<String> {
    let tokens = folded_words(question);
    let near = |at: usize, before: &[&str], after: &[&str]| {
        (at.saturating_sub(WINDOW)..at).any(|i| before.contains(&tokens[i].as_str()))
            || (at + 1..tokens.len().min(at + 1 + WINDOW)).any(|i| after.contains(&tokens[i].as_str()))
    };
    // "kuntouttavassa", or "KT" followed by the ending of "KT:ssa".
    let inessive = |at: usize| {
        tokens[at].ends_with("ssa") || tokens.get(at + 1).is_some_and(|next| next == "ssa")
    };
    // The asker's own job, the word right after "olen", "jobbar som", "I'm (a)":
    // "olen uusi sosiaaliohjaaja", "I'm a nurse" – not "olen ohjaamassa asiakasta X:ään".
    let introduces_asker = |i: usize| match tokens[i].as_str() {
        "olen" | "oon" => true,
        "som" => i > 0 && matches!(tokens[i - 1].as_str(), "jobbar" | "arbetar"),
        "am" | "m" => i > 0 && tokens[i - 1] == "i",
        _ => false,
    };
    let the_askers_job = |at: usize| {
        let mut i = at;
        while i > 0 && BEFORE_A_JOB.contains(&tokens[i - 1].as_str()) && at - i < 2 {
            i -= 1;
        }
        i > 0 && introduces_asker(i - 1)
    };
    let in_context: Vec<bool> = (0..tokens.len())
        .map(|at| {
            near(at, COPING_BEFORE, COPING_AFTER) || (inessive(at) && near(at, BEING, BEING)) || the_askers_job(at)
        })
        .collect();
    let mut words: HashSet<String> = HashSet::new();
    for (at, token) in tokens.iter().enumerate() {
        if in_context[at] {
            words.insert(token.clone());
        }
    }
    for (at, token) in tokens.iter().enumerate() {
        if !in_context[at] {
            words.remove(token);
        }
    }
    words
}

/// Whether a card's name or keyword itself holds such a word ("ei töissä eikä
/// koulussa" describes the people a service is for): it never marks the card as present.
pub(crate) fn is_negative_phrase(phrase: &str) -> bool {
    let negative = ["ei", "eika", "inte", "not", "no"];
    folded_words(phrase).iter().any(|t| negative.contains(&t.as_str()) || COPING_BEFORE.contains(&t.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn present_and_too_heavy_services_are_found_in_three_languages() {
        assert!(context_words("Asiakas ei vielä jaksa kuntouttavaa työtoimintaa").contains("kuntouttavaa"));
        assert!(context_words("asiakas ollu KT:ssa pari vuotta").contains("kt"));
        assert!(context_words("Kaikki työhön liittyvä on liian iso askel, KT:kin.").contains("kt"));
        assert!(context_words("klienten har slutat gå till arbetsverksamheten").contains("arbetsverksamheten"));
        assert!(context_words("arbetsverksamheten blev för tungt").contains("arbetsverksamheten"));
        assert!(context_words("can't even cope with rehabilitative work activity").contains("rehabilitative"));
        assert!(context_words("Kuntouttavassa työtoiminnassa oleva asiakas").contains("tyotoiminnassa"));
        assert!(context_words("Oon uusi sosiaaliohjaaja enkä tunne palveluja").contains("sosiaaliohjaaja"));
        assert!(context_words("I'm a nurse at the health centre").contains("nurse"));
        assert!(context_words("Jobbar som socialhandledare i Närpes").contains("socialhandledare"));
    }

    #[test]
    fn a_service_asked_for_is_not_context() {
        assert!(!context_words("Miten asiakas pääsee kuntouttavaan työtoimintaan?").contains("kuntouttavaan"));
        assert!(!context_words("Could IPS help my client find work?").contains("ips"));
        // Not having seen a nurse asks for one; being unemployed is no service.
        let unseen = context_words("on ollut työttömänä kuusi vuotta eikä ole käynyt terveydenhoitajalla");
        assert!(!unseen.contains("terveydenhoitajalla") && !unseen.contains("tyottomana"), "{unseen:?}");
        assert!(is_negative_phrase("ei töissä eikä koulussa"));
        // Only the asker's job itself, right after "olen".
        assert!(!context_words("Olen ohjaamassa asiakasta kuntoutustutkimukseen").contains("kuntoutustutkimukseen"));
        assert!(!context_words("I'm asking about IPS for a client").contains("ips"));
        // Named as present and then asked about: asked about.
        let both = context_words("Asiakas ei jaksa KT:ta nyt, mutta voisiko KT sopia myöhemmin?");
        assert!(!both.contains("kt"), "{both:?}");
        assert!(!is_negative_phrase("kuntouttava työtoiminta"));
    }
}
