//! Who should answer a consultation: the municipality and topic are read from the
//! question, then a topic rule, the municipality's coordinator area, or the county's
//! coordinators' room decides.

use crate::config::regions::{RegionFile, Regions};
use crate::lang::fold;

/// Words that mark a topic with its own coordinators (ids as in config/regions `[[topic]]`).
/// Matched at word starts on lower-cased text with ä/ö/å folded; not shown to users.
const TOPIC_CUES: &[(&str, &[&str])] = &[
    ("ips", &["ips"]),
    ("mielenterveys", &["mielenterv", "psykiatr", "masenn", "ahdistu", "psykisk", "mental health", "depress"]),
    ("paihde", &["paihde", "paihte", "alkohol", "huume", "riippuvuu", "missbruk", "substance", "addiction"]),
    ("nuoret", &["nuori", "nuoren", "nuorelle", "nuoria", "nuorten", "ungdom", "young person"]),
    ("kela", &["kela", "fpa"]),
    ("vammaisuus", &["vammai", "vammas", "kehitysvam", "funktionsned", "disabilit"]),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    pub county: Option<String>,
    pub municipality: Option<String>,
    pub topic: Option<String>,
    /// Named coordinators to notify; empty when only the county room can take it.
    pub coordinators: Vec<String>,
    /// The county's coordinators' room, where the ticket's thread goes.
    pub room: Option<String>,
}


/// Forms a Finnish place name takes inside inflected words: the name itself, the name
/// without its final vowel (Loimaa-lla, Salo-ssa), and the weak grade of its last
/// consonant (Turku -> Turu-ssa, Lieto -> Lied-ossa). Four letters at least, so short
/// stems do not match unrelated words.
fn name_stems(name: &str) -> Vec<String> {
    let name = fold(name);
    let mut stems = vec![name.clone()];
    let chars: Vec<char> = name.chars().collect();
    if chars.len() >= 5 && "aeiouy".contains(chars[chars.len() - 1]) {
        stems.push(chars[..chars.len() - 1].iter().collect());
    }
    const WEAKENING: &[(&str, &str)] = &[
        ("kk", "k"), ("pp", "p"), ("tt", "t"), ("nk", "ng"), ("mp", "mm"), ("nt", "nn"),
        ("lt", "ll"), ("rt", "rr"), ("rk", "r"), ("k", ""), ("p", "v"), ("t", "d"),
    ];
    if let Some(last_vowel) = name.char_indices().last().filter(|(_, c)| "aeiouy".contains(*c)) {
        let body = &name[..last_vowel.0];
        if let Some((strong, weak)) = WEAKENING.iter().find(|(strong, _)| body.ends_with(strong)) {
            let weak_body = format!("{}{weak}", &body[..body.len() - strong.len()]);
            stems.push(format!("{weak_body}{}", last_vowel.1));
            stems.push(weak_body);
        }
    }
    stems.retain(|s| s.chars().count() >= 4);
    stems.sort();
    stems.dedup();
    stems
}

fn words(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// The municipality a question names, with its county file.
pub fn find_municipality<'a>(regions: &'a Regions, text: &str) -> Option<(&'a RegionFile, String)> {
    let words = words(text);
    // Longer names first, so "Uusikaupunki" is not taken for a shorter name inside it.
    let mut candidates: Vec<(&RegionFile, &String, &String)> = Vec::new();
    for file in &regions.files {
        for municipality in &file.county.municipalities {
            candidates.push((file, municipality, municipality));
            if let Some(swedish) = file.county.swedish_names.get(municipality) {
                candidates.push((file, municipality, swedish));
            }
        }
    }
    candidates.sort_by_key(|(_, _, name)| std::cmp::Reverse(name.len()));
    for (file, municipality, name) in candidates {
        let name_words = words_of_name(name);
        let found = if name_words.len() > 1 {
            // "Koski Tl", "S:t Karins": all parts in order.
            fold(text).contains(&fold(name))
        } else {
            // The bare name always counts (Åbo); inflected forms need a long enough stem.
            let (bare, stems) = (fold(name), name_stems(name));
            words.iter().any(|w| {
                *w == bare || stems.iter().any(|s| w.strip_prefix(s.as_str()).is_some_and(is_place_ending))
            })
        };
        if found {
            return Some((file, municipality.clone()));
        }
    }
    None
}

/// Case endings and -lainen derivations a place name takes, so that "Salla" matches
/// "Sallassa" but not "sallitaanko", and "Kemi" not "kemiallinen".
fn is_place_ending(rest: &str) -> bool {
    const ENDINGS: &[&str] = &[
        "", "n", "a", "ssa", "sta", "lla", "lta", "lle", "ksi", "na", "an", "en", "in", "on", "un", "yn", "hin",
        "seen", "lainen", "laisen", "laista", "laiset", "laisia", "laiselle", "laisella", "laisten",
    ];
    let rest = rest.strip_prefix(['a', 'e', 'i', 'o', 'u', 'y']).filter(|r| ENDINGS.contains(r)).unwrap_or(rest);
    ENDINGS.contains(&rest)
}

fn words_of_name(name: &str) -> Vec<&str> {
    name.split_whitespace().collect()
}

/// The first topic a question is about, among those the regions define cues for.
pub fn find_topic(text: &str) -> Option<&'static str> {
    let folded = fold(text);
    let words = words(text);
    TOPIC_CUES.iter().find_map(|(topic, cues)| {
        let hit = cues.iter().any(|cue| {
            if cue.contains(' ') {
                folded.contains(cue)
            } else {
                words.iter().any(|w| w.starts_with(cue))
            }
        });
        hit.then_some(*topic)
    })
}

/// Decides who gets a consultation: a topic rule of the county first, then the
/// municipality's coordinator area, then the county's room alone.
pub fn route(regions: &Regions, text: &str) -> Routing {
    let topic = find_topic(text);
    let Some((file, municipality)) = find_municipality(regions, text) else {
        return Routing { county: None, municipality: None, topic: topic.map(str::to_string), coordinators: vec![], room: None };
    };
    let by_topic = topic.and_then(|t| file.topic.iter().find(|rule| rule.id == t)).map(|rule| rule.coordinators.clone());
    let coordinators = by_topic.unwrap_or_else(|| {
        file.area
            .iter()
            .find(|area| area.municipalities.iter().any(|m| fold(m) == fold(&municipality)))
            .map(|area| area.coordinators.clone())
            .unwrap_or_default()
    });
    Routing {
        county: Some(file.county.id.clone()),
        municipality: Some(municipality),
        topic: topic.map(str::to_string),
        coordinators,
        room: Some(file.county.coordinators_room.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn regions() -> Regions {
        Regions::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/regions")).unwrap()
    }

    #[test]
    fn municipality_is_found_in_inflected_and_derived_forms() {
        let r = regions();
        for (text, want) in [
            ("Loimaa, 45-vuotias asiakas", "Loimaa"),
            ("loimaalainen asiakas tarvitsee apua", "Loimaa"),
            ("Asiakas asuu Loimaalla", "Loimaa"),
            ("asiakas Turussa", "Turku"),
            ("muuttanut Turkuun", "Turku"),
            ("klienten bor i Åbo", "Turku"),
            ("Liedossa asuva", "Lieto"),
            ("Kaarinan asiakas", "Kaarina"),
            ("Tampereella asuva asiakas", "Tampere"),
        ] {
            assert_eq!(find_municipality(&r, text).map(|(_, m)| m).as_deref(), Some(want), "{text}");
        }
        for unrelated in ["Asiakkaalla on selkävaivoja", "sallitaanko kemiallinen altistus työssä?"] {
            assert_eq!(find_municipality(&r, unrelated).map(|(_, m)| m), None, "{unrelated}");
        }
    }

    #[test]
    fn area_coordinator_gets_a_municipality_question() {
        let route = route(&regions(), "Loimaalainen asiakas, onko työkyvyttömyyseläke mahdollinen?");
        assert_eq!(route.county.as_deref(), Some("varsinais-suomi"));
        assert_eq!(route.coordinators, vec!["@koordinaattori.loimaa:example.org".to_string()]);
        assert!(route.room.is_some());
    }

    #[test]
    fn topic_rule_wins_over_the_area() {
        let route = route(&regions(), "Loimaa: sopisiko IPS-työhönvalmennus psykoosia sairastavalle?");
        assert_eq!(route.topic.as_deref(), Some("ips"));
        assert_eq!(route.coordinators, vec!["@ips.tiiminvetaja.vs:example.org".to_string()]);
    }

    #[test]
    fn unknown_municipality_leaves_routing_open_for_a_follow_up_question() {
        let route = route(&regions(), "Mihin ohjaan pitkäaikaistyöttömän?");
        assert_eq!((route.county, route.municipality, route.room), (None, None, None));
        assert!(route.coordinators.is_empty());
    }

    #[test]
    fn topics_are_recognised_in_three_languages() {
        assert_eq!(find_topic("masennusta ja ahdistusta"), Some("mielenterveys"));
        assert_eq!(find_topic("problem med missbruk"), Some("paihde"));
        assert_eq!(find_topic("a young person with no job"), Some("nuoret"));
        assert_eq!(find_topic("Kelan kuntoutus"), Some("kela"));
        assert_eq!(find_topic("selkäkipu"), None);
    }
}
