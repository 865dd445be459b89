//! Routing questions: "mihin ohjaan…", "vart skickar jag…", "where do I refer…". The
//! seeds' answer to such a question, when it names no narrower need, is the first
//! contact for unclear work ability (the card marked `first_contact`): the words around
//! the routing phrase ("an unemployed client whose work ability is unclear") describe
//! every client of the network, not a service. Only what is left once those are set
//! aside can point to a narrower card.

use crate::lang::fold;

/// Routing phrases, folded (lower case, no Nordic letters), in all three languages: the
/// question's language is not always the one it was detected as.
const ROUTING_PHRASES: &[&str] = &[
    // Finnish
    "mihin ohjaan", "minne ohjaan", "kenelle ohjaan", "mihin ohjata", "minne ohjata", "kenelle ohjata",
    "mihin ohjaisin", "minne ohjaisin", "kenelle ohjaisin", "mihin lahetan", "minne lahetan",
    "kenelle lahetan", "kenen puoleen", "kehen otan yhteytta", "keneen otan yhteytta",
    "kehen ottaa yhteytta", "keneen ottaa yhteytta", "kenelta kysyn", "keta konsultoin",
    "kenta konsultoin", "kuka konsultoi", "keta voin konsultoida", "mihin asiakas kuuluu", "kenelle konsultoin",
    "kuka auttaa", "kuka voisi auttaa", "kuka voi auttaa", "mista saa apua", "mista saisi apua",
    "mista apua", "kuka hoitaa", "kuka auttaisi", "kuka auttais", "kuka vois auttaa", "kenelle hanet",
    "mihin hanet", "minne hanet", "kenelta saisin", "kenelta saan", "kenelta voin kysya", "kenelle kuuluu",
    "kenelle tallainen kuuluu", "kenelle tallanen kuuluu", "kenelle tama kuuluu", "kuka ottaa kopin",
    "kuka ottaa koppia", "kuka ottais kopin", "kuka ottaisi kopin",
    // Swedish
    "vart skickar", "vart hanvisar", "vart ska jag skicka", "vart ska jag hanvisa", "vart kan jag hanvisa",
    "vem konsulterar", "vem ska jag konsultera", "vem kan jag konsultera", "vem ska jag kontakta",
    "vem kontaktar", "vem vander jag mig till", "vart vander jag mig", "vem kan hjalpa", "vem hjalper",
    "var far man hjalp", "vem kan jag fraga", "vem ska jag fraga", "vem tar hand om",
    // English
    "where do i refer", "where do i send", "where should i refer", "where should i send",
    "where can i refer", "where can i send", "who do i consult", "who should i consult", "who can i consult",
    "who do i contact", "who should i contact", "who do i ask", "who should i ask", "who do i turn to",
    "who can help", "who could help", "who handles", "who deals with", "who takes care of",
    "go-to person", "who s the go-to", "who is the go-to", "where can they get help", "where can he get help", "where can she get help",
];

/// Word beginnings (folded) that describe any client of the network: the unemployed
/// person, their unclear or reduced work ability, "a client", "someone". They say
/// nothing about which service fits.
const EVERY_CLIENT: &[&str] = &[
    // Finnish
    "asiak", "henkilo", "tyyp", "kaveri", "ihmi", "tyokyk", "tyokyv", "osatyokyk", "epasel", "hamar",
    "tyoton", "tyottom", "tyottomy", "toissa", "toihin", "toita", "tyossa", "tyoelama", "tilanne", "tilante",
    "vuosi", "duuni", "tyonhak", "tyollisty", "sairauks", "sairas", "kykene", "selvit", "diagno", "selkea",
    "selkee", "parja",
    // not knowing which service fits is the very question
    "palvelu", "sopi",
    // not knowing who is responsible is the very case for the first contact
    "vastuu", "vastaa", "vastaav",
    // health problems and not coping are what brings any client to the network
    "terveys", "terveyd", "jaksa", "uupu",
    // Swedish
    "klient", "person", "arbetsform", "nedsatt", "oklar", "arbetslos", "arbete", "arbetsliv", "jobba", "jobbet", "ansvar",
    "sjukdom", "halsa", "diagnos", "tjanst", "passa",
    // English
    "client", "customer", "person", "someone", "somebody", "work", "ability", "unclear", "reduced",
    "partial", "unemployed", "job", "situation", "responsib", "health", "illness", "sick", "jobless", "capacity", "lead", "charge", "obvious", "service", "fits", "suit",
];

/// Word beginnings (folded) that begin like a word of `EVERY_CLIENT` but name a
/// narrower need: incapacity for work ("työkyvyttömyyseläke") is the pension's, a
/// service needs assessment ("palvelutarpeen arviointi") social work's.
const NARROWER: &[&str] = &["tyokyvyttom", "palvelutarpe", "palvelutarve", "passagerar"];

/// Word beginnings (folded) that make a question one about a client, and so one for the
/// network even when no card fits it.
const CLIENT: &[&str] = &[
    "asiak", "potila", "klient", "patient", "client", "customer", "tyonhakij", "jobseeker", "arbetssokand",
    "osatyokyk", "tyoton", "tyottom", "arbetslos", "unemployed", "jobless",
];

/// Whole words (folded) by which a question speaks of the person in a case: "hän",
/// "nuori" (also what an age such as "25-vuotias" is read as), "a young man", "hon".
const PERSON: &[&str] = &[
    "han", "hanen", "hanet", "hanta", "hanelle", "hanella", "hanelta", "hen", "henkilo", "henkilon", "nuori",
    "nuoren", "nuorelle", "nuoret", "mies", "miehen", "nainen", "naisen", "aikuinen", "aikuisen", "tyyppi",
    "kaveri", "hon", "honom", "henne", "ung", "unga", "ungdom", "mannen", "kvinnan", "he", "she", "him",
    "her", "his", "young", "woman", "person", "adult",
];

/// Whether the question speaks of a client or of the person in a case ("asiakas",
/// "klienten", "a client", "hän", "a 28-year-old").
pub fn about_a_client(question: &str) -> bool {
    fold(question)
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| CLIENT.iter().any(|start| word.starts_with(start)) || PERSON.contains(&word))
}

/// For a routing question about a client, what is left of it once the routing phrase
/// and the words that describe every client are taken out; None for any other question.
pub fn residual(question: &str) -> Option<String> {
    let folded = fold(question);
    let mut rest = folded.clone();
    let mut found = false;
    for phrase in ROUTING_PHRASES {
        while let Some(at) = find_phrase(&rest, phrase) {
            rest.replace_range(at..at + phrase.len(), " ");
            found = true;
        }
    }
    if !found {
        return None;
    }
    let words: Vec<&str> = rest.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).collect();
    let describes_client = |word: &&str| {
        EVERY_CLIENT.iter().any(|generic| word.starts_with(generic))
            && !NARROWER.iter().any(|narrower| word.starts_with(narrower))
    };
    // "Who do I ask about my salary?" asks about no client: not a routing question.
    if !words.iter().any(describes_client) {
        return None;
    }
    let kept: Vec<&str> = words.into_iter().filter(|w| !describes_client(w)).collect();
    Some(kept.join(" "))
}

/// The phrase as whole words.
fn find_phrase(text: &str, phrase: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(offset) = text[from..].find(phrase) {
        let at = from + offset;
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return Some(at);
        }
        from = at + phrase.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::residual;

    #[test]
    fn routing_questions_keep_only_what_narrows_the_need() {
        assert_eq!(residual("Mihin ohjaan asiakkaan, jonka työkyky on epäselvä?").unwrap().trim(), "jonka on");
        assert_eq!(residual("Vart skickar jag en arbetslös klient vars arbetsförmåga är oklar?").unwrap(), "jag en vars ar");
        assert_eq!(
            residual("Where do I refer an unemployed client who drinks heavily?").unwrap(),
            "an who drinks heavily"
        );
    }

    #[test]
    fn other_questions_are_not_routing_questions() {
        assert_eq!(residual("Mitä IPS-työhönvalmennus tarkoittaa?"), None);
        assert_eq!(residual("ohjaamo nuorille"), None);
        assert_eq!(residual("who do I consultate"), None);
        // A routing phrase about no client at all.
        assert_eq!(residual("Who do I ask about my own salary?"), None);
    }
}
