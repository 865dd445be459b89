//! Messages that are not questions about which service fits a client, whatever words they
//! share with the cards: thanks and greetings, tests of the bot, and the asker's own work
//! matters (holidays, opening hours, parking, IT, meeting rooms and minutes).
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
    "reserakning", "reserakningen", "bot", "boten", "robot", "lunch",
    // English
    "opening", "parking", "password", "printer", "bot", "robot", "lunch",
];

/// Whole words (folded) of thanks and greetings: a short message made of them is talk.
const TALK: &[&str] = &[
    "kiitos", "kiitti", "kiitoksia", "moi", "hei", "terve", "huomenta", "hyvaa", "joulua", "viikonloppua",
    "tack", "hej", "god", "morgon", "thanks", "thank", "hello", "hi", "cheers", "morning",
];

/// Messages of at most this many words are talk when they hold a word of `TALK`.
const MAX_TALK_WORDS: usize = 6;

/// Whether `question` is about the asker's own work matters or is talk to the bot.
pub(crate) fn is_offtopic(question: &str) -> bool {
    let folded = fold(question);
    let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.iter().any(|w| OWN_MATTERS.contains(w))
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
            "Where is the parking for the employment services office?",
            "Hur ansöker jag om semester?",
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
        ] {
            assert!(!is_offtopic(message), "{message}");
        }
    }
}
