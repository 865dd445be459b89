//! Messages that are not questions about which service fits a client, whatever words they
//! share with the cards: nothing but thanks or greetings, tests of the bot, statistics,
//! when the next meeting is, Kela's family, housing and student benefits, and the asker's
//! own matters ("my own sick leave"; holidays, opening hours, parking, IT, meeting rooms
//! and minutes). "Saako kuntouttavan työtoiminnan ohjaaja lomarahaa?" names a card but
//! asks about holiday pay; such messages are never answered as if a card settled them.
//! (Pay, days and "tomorrow" are not such words: case descriptions use them, "saako
//! asiakas palkkaa KT:ssa?".)

use crate::lang::detect::{STOPWORDS_EN, STOPWORDS_FI, STOPWORDS_SV};
use crate::lang::{folded_words, Lang};

/// Whole words (folded) of the asker's own work matters and of talk to the bot, per
/// language ("teams" is Microsoft Teams in a Finnish message, work teams in an English one).
const OWN_MATTERS_FI: &[&str] = &[
    "aukioloaika", "aukioloajat", "aukioloajan", "aukioloajoista", "parkkipaikka", "parkkipaikan",
    "parkkipaikkaa", "pysakointi", "pysakoida", "palkkani", "lomaraha", "lomarahaa", "lomarahan",
    "vuosiloma", "vuosilomaa", "kesaloma", "kesalomaa", "muistio", "muistion", "muistiota",
    "poytakirja", "poytakirjan", "salasana", "salasanan", "salasanaa", "tulostin", "tulostimen",
    "tulostinta", "teams", "teamsiin", "teamsissa", "neuvotteluhuone", "neuvotteluhuoneen",
    "kokoushuone", "kokoushuoneen", "matkalasku", "matkalaskun", "matkalaskua", "botti", "bottia",
    "robotti", "testi", "testaan", "lounas", "lounaalle", "lounaaksi",
];
const OWN_MATTERS_SV: &[&str] = &[
    "oppettider", "parkering", "parkeringen", "semester", "semestern", "protokoll", "protokollet",
    "losenord", "losenordet", "skrivare", "skrivaren", "motesrum", "motesrummet", "reserakning",
    "reserakningen", "bot", "boten", "robot", "lunch", "testar",
];
const OWN_MATTERS_EN: &[&str] = &["parking", "password", "printer", "bot", "robot", "lunch", "testing"];

/// Word pairs (folded) of the same, where one word alone means something else.
const OWN_PAIRS: &[[&str; 2]] =
    &[["opening", "hours"], ["unemployment", "rate"], ["teams", "link"], ["meeting", "link"], ["teams", "meeting"]];

/// Whole words (folded) of thanks and greetings: a message of nothing else is talk.
const TALK: &[&str] = &[
    "kiitos", "kiitti", "kiitoksia", "moi", "hei", "terve", "huomenta", "hyvaa", "joulua", "viikonloppua",
    "tack", "hej", "god", "morgon", "thanks", "thank", "hello", "hi", "cheers", "morning",
];

/// Words (folded) of statistics about the population rather than a client.
const STATISTICS: &[&str] = &[
    "tilasto", "tilastot", "tilastoja", "tilastoista", "tyottomyysaste", "tyottomyysasteen", "statistik",
    "statistiken", "arbetsloshetsgrad", "statistics",
];

/// Word beginnings (folded) of Kela's family, housing and student benefits: no card is
/// about them, so "Kela"/"FPA" in such a question does not make it one for the Kela
/// rehabilitation card.
const OTHER_BENEFITS: &[&str] = &[
    "vanhempainra", "aitiysra", "isyysra", "lapsilis", "asumistu", "opintotu", "opintoraha", "foraldrapenning",
    "foraldraledighet", "barnbidrag", "bostadsbidrag", "studiestod", "parental", "maternity", "paternity",
    "child benefit", "housing allowance", "student aid",
];

/// Word beginnings (folded) of a client, who is no matter of the asker's own.
const CLIENT: &[&str] = &["asiak", "potila", "klient", "client", "patient", "customer"];

/// Whether the asker speaks of their own matters: "my own sick leave", "min egen
/// sjukdagpenning", "mun oma B-lausunto", "omaa sairauslomaani" (a word with the
/// possessive "-ni" after "oma…" or "minun") – but not of their own client ("my own
/// client", "omaa asiakastani").
fn about_the_asker(words: &[String]) -> bool {
    let client = |word: &str| CLIENT.iter().any(|c| word.starts_with(c));
    (1..words.len()).any(|at| {
        let (own, mine) = (words[at - 1].as_str(), words[at].as_str());
        let next = words.get(at + 1).map_or("", String::as_str);
        match (own, mine) {
            ("my", "own") | ("min", "egen") | ("mitt", "eget") | ("mina", "egna") => !client(next),
            ("mun" | "minun", oma) if oma.starts_with("oma") => !client(next),
            _ => (own.starts_with("oma") || own == "minun") && mine.ends_with("ni") && !client(mine),
        }
    })
}

/// Whether the message is only thanks or greetings (and words that say nothing).
fn only_talk(words: &[String]) -> bool {
    let says_nothing = |w: &str| {
        TALK.contains(&w)
            || w.chars().count() <= 2
            || [STOPWORDS_FI, STOPWORDS_SV, STOPWORDS_EN].iter().any(|list| list.binary_search(&w).is_ok())
    };
    words.iter().any(|w| TALK.contains(&w.as_str())) && words.iter().all(|w| says_nothing(w))
}

/// Whether `question` (in `lang`) is about the asker's own work matters, statistics, when
/// the next meeting is, Kela's other benefits, or is talk to the bot.
pub(crate) fn is_offtopic(question: &str, lang: Lang) -> bool {
    let words = folded_words(question);
    let own_matters = match lang {
        Lang::Fi => OWN_MATTERS_FI,
        Lang::Sv => OWN_MATTERS_SV,
        Lang::En => OWN_MATTERS_EN,
    };
    let is = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    let pair = words.windows(2).any(|run| OWN_PAIRS.iter().any(|p| run[0] == p[0] && run[1] == p[1]));
    let how_many_in_finland = is(&["montako", "monta", "many", "manga"]) && is(&["suomessa", "finland", "finlands"]);
    // "Milloin on seuraava verkoston tapaaminen?": when the next meeting is.
    let next_meeting = is(&["milloin", "when", "nar"])
        && words.iter().any(|w| ["seuraava", "next", "nasta"].iter().any(|n| w.starts_with(n)))
        && words.iter().any(|w| ["palaveri", "kokous", "tapaami", "meeting", "mote"].iter().any(|m| w.contains(m)));
    let other_benefit = {
        let text = words.join(" ");
        OTHER_BENEFITS.iter().any(|b| if b.contains(' ') { text.contains(b) } else { words.iter().any(|w| w.starts_with(b)) })
    };
    is(own_matters)
        || is(STATISTICS)
        || other_benefit
        || pair
        || how_many_in_finland
        || next_meeting
        || about_the_asker(&words)
        || only_talk(&words)
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
            "Kiitos paljon!",
            "Thanks a lot!",
            "Hi there, just testing if this works",
            "Where is the parking for the employment services office?",
            "Hur ansöker jag om semester?",
            "Hur ansöker jag om min egen sjukdagpenning från FPA?",
            "My own occupational health nurse wants me to do a work ability check – can I skip it?",
            "Miten haen omaa sairauslomaani?",
            "Mun oma B-lausunto on vanhentunut, miten saan uuden omalta lääkäriltä?",
            "Montako työtöntä Suomessa on tällä hetkellä?",
            "Milloin on seuraava verkoston tapaaminen?",
            "When is the next network meeting?",
            "Hur ansöker man om föräldrapenning från FPA?",
            "Voiko lapsilisää hakea Kelasta takautuvasti?",
            "Can someone share the Teams link for the network meeting?",
        ] {
            assert!(is_offtopic(message, crate::lang::detect_lang(message).unwrap_or(Lang::Fi)), "{message}");
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
            "Mun oma asiakas tarvitsee B-lausunnon, mistä?",
            "Hei, mihin ohjaan velkaantuneen asiakkaan?",
            "My own client has debts, where can she get advice?",
            "What do the local work ability teams do?",
            "The client failed a drug test, where can he get treatment?",
            "Is there a job opening for a person with partial work ability?",
            "Klienten använder narkotika, vart hänvisar jag?",
        ] {
            assert!(!is_offtopic(message, crate::lang::detect_lang(message).unwrap_or(Lang::Fi)), "{message}");
        }
    }
}
