//! Messages that are not questions about which service fits a client, whatever words they
//! share with the cards: thanks and greetings, tests of the bot, statistics, and the
//! asker's own matters ("my own sick leave"; holidays, opening hours, parking, IT, meeting
//! rooms and minutes).
//! "Saako kuntouttavan työtoiminnan ohjaaja lomarahaa?" names a card but asks about holiday pay;
//! such messages are never answered as if a card settled them. (Pay, days and "tomorrow"
//! are not such words: case descriptions use them, "saako asiakas palkkaa KT:ssa?".)

use crate::lang::fold;

/// Whole words (folded) of the asker's own work matters and of talk to the bot.
const OWN_MATTERS: &[&str] = &[
    // Finnish
    "aukioloaika", "aukioloajat", "aukioloajan", "aukioloajoista", "parkkipaikka", "parkkipaikan",
    "parkkipaikkaa", "pysakointi", "pysakoida", "palkkani", "lomaraha", "lomarahaa", "lomarahan",
    "vuosiloma", "vuosilomaa", "kesaloma", "kesalomaa", "muistio", "muistion", "muistiota",
    "poytakirja", "poytakirjan", "salasana", "salasanan", "salasanaa", "tulostin", "tulostimen",
    "tulostinta", "teams", "teamsiin", "teamsissa", "neuvotteluhuone", "neuvotteluhuoneen",
    "kokoushuone", "kokoushuoneen", "matkalasku", "matkalaskun", "matkalaskua", "botti", "bottia",
    "robotti", "testi", "testaan", "lounas", "lounaalle", "lounaaksi",
    // Swedish
    "oppettider", "oppet", "parkering", "parkeringen", "semester", "semestern", "protokoll",
    "protokollet", "losenord", "losenordet", "skrivare", "skrivaren", "motesrum", "motesrummet",
    "reserakning", "reserakningen", "bot", "boten", "robot", "lunch", "testar",
    // English
    "opening", "parking", "password", "printer", "bot", "robot", "lunch", "test", "testing",
];

/// Whole words (folded) of thanks and greetings: a short message made of them is talk.
const TALK: &[&str] = &[
    "kiitos", "kiitti", "kiitoksia", "moi", "hei", "terve", "huomenta", "hyvaa", "joulua", "viikonloppua",
    "tack", "hej", "god", "morgon", "thanks", "thank", "hello", "hi", "cheers", "morning",
];

/// Messages of at most this many words are talk when they hold a word of `TALK`.
const MAX_TALK_WORDS: usize = 6;

/// Word pairs (folded) by which the asker speaks of their own matters: "my own sick
/// leave", "min egen sjukdagpenning", "omaa sairauslomaani" (the second word ends in the
/// possessive "-ni", and is no client of theirs).
fn about_the_asker(words: &[&str]) -> bool {
    words.windows(2).any(|pair| match pair {
        ["my", "own"] | ["min", "egen"] | ["mitt", "eget"] | ["mina", "egna"] => true,
        [own, mine] => {
            (own.starts_with("oma") || *own == "minun")
                && mine.ends_with("ni")
                && !["asiak", "potila", "klient"].iter().any(|client| mine.starts_with(client))
        }
        _ => false,
    })
}

/// Words (folded) of statistics about the population rather than a client.
const STATISTICS: &[&str] = &[
    "tilasto", "tilastot", "tilastoja", "tilastoista", "tyottomyysaste", "tyottomyysasteen", "statistik",
    "statistiken", "arbetsloshetsgrad", "statistics",
];

/// Whether `question` is about the asker's own work matters, statistics, or is talk to
/// the bot.
pub(crate) fn is_offtopic(question: &str) -> bool {
    let folded = fold(question);
    let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let how_many_in_finland = words.iter().any(|w| ["montako", "monta", "many", "manga"].contains(w))
        && words.iter().any(|w| ["suomessa", "finland", "finlands"].contains(w));
    let rate = words.windows(2).any(|pair| pair == ["unemployment", "rate"]);
    // "Milloin on seuraava verkoston tapaaminen?": when the next meeting is.
    let has = |starts: &[&str]| words.iter().any(|w| starts.iter().any(|s| w.starts_with(s)));
    let next_meeting = has(&["milloin", "when", "nar"])
        && has(&["seuraava", "next", "nasta"])
        && words.iter().any(|w| ["palaveri", "kokous", "tapaami", "meeting", "mote"].iter().any(|m| w.contains(m)));
    words.iter().any(|w| OWN_MATTERS.contains(w) || STATISTICS.contains(w))
        || how_many_in_finland
        || rate
        || next_meeting
        || about_the_asker(&words)
        || (words.len() <= MAX_TALK_WORDS && words.iter().any(|w| TALK.contains(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_matters_and_talk_are_off_topic() {
        for message in [
            "Saako kuntouttavan työtoiminnan ohjaaja lomarahaa?",
            "Mikä on Ohjaamon aukioloaika jouluna?",
            "Testi, toimiiko botti?",
            "Kiitos paljon, tästä oli apua!",
            "Thanks, that helped a lot!",
            "Hi there, just testing if this works",
            "Where is the parking for the employment services office?",
            "Hur ansöker jag om semester?",
            "Hur ansöker jag om min egen sjukdagpenning från FPA?",
            "My own occupational health nurse wants me to do a work ability check – can I skip it?",
            "Miten haen omaa sairauslomaani?",
            "Montako työtöntä Suomessa on tällä hetkellä?",
            "Milloin on seuraava verkoston tapaaminen?",
            "When is the next network meeting?",
        ] {
            assert!(is_offtopic(message), "{message}");
        }
    }

    #[test]
    fn questions_about_services_are_not() {
        for message in [
            "Mihin ohjaan asiakkaan, jonka työkyky on epäselvä?",
            "Kiitos jo etukäteen! Asiakkaalla on paljon velkoja ja ulosotto uhkaa, mihin hänet ohjaan?",
            "Voiko työnantaja saada palkkatukea osatyökykyisen palkkaamiseen?",
            "Where do I refer an unemployed client whose work ability is unclear?",
            "Asiakas juo viikonloput ja maanantaina ei pääse sängystä. Missä päihdepuolella on vastaanotto?",
            "Minun asiakkaani on ollut pitkään työtön, mihin ohjaan hänet?",
            "Omaa asiakastani uhkaa ulosotto, mistä velkaneuvontaa?",
        ] {
            assert!(!is_offtopic(message), "{message}");
        }
    }
}
