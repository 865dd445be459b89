//! Turns search results and cards into short answers in the asker's language, built
//! from the card's own text and the labels in prompts/. Each answer names its card.

use super::{Card, Catalogue, Category, Field, SearchResult};
use crate::lang::{fold, Lang, Message, Msg, Texts};

/// Which card field answers a question best, from cue words in the question. Most
/// questions are "where do I send this client", so how to get there is the default.
pub fn wanted_field(question: &str) -> Field {
    let q = fold(question);
    let has = |cues: &[&str]| cues.iter().any(|cue| q.contains(cue));
    if has(&["kenelle", "kohderyhm", "kuka voi saada", "for whom", "who is it for", "eligib", "for vem", "vem kan fa", "malgrupp"]) {
        Field::TargetGroup
    } else if has(&["mita sisalt", "mita tarjo", "sisaltaa", "what does", "what is offered", "vad erbjud", "vad innehall"]) {
        Field::Offers
    } else if has(&["kuka koordin", "yhteyshenkil", "who coordinates", "vem koordinerar"]) {
        Field::Coordinator
    } else {
        Field::Access
    }
}


fn label(field: Field) -> Msg {
    match field {
        Field::TargetGroup => Msg::LabelTargetGroup,
        Field::Offers => Msg::LabelOffers,
        Field::Coordinator => Msg::LabelCoordinator,
        _ => Msg::LabelAccess,
    }
}

/// Tracks whether any part of an answer had to fall back to Finnish.
struct Writer<'a> {
    card: &'a Card,
    lang: Lang,
    fell_back: bool,
}

impl Writer<'_> {
    fn field(&mut self, field: Field) -> &str {
        let (text, used) = self.card.field(self.lang, field);
        self.fell_back |= used != self.lang;
        text
    }
}

fn related_names(card: &Card, catalogue: &Catalogue, lang: Lang, limit: usize) -> String {
    card.related
        .iter()
        .filter_map(|id| catalogue.card(id))
        .take(limit)
        .map(|c| c.raw_text(lang).short_name().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The short answer: at most five lines, with its source and one or two related cards.
/// When the search is not confident, says so and lists the closest cards instead.
pub fn answer(catalogue: &Catalogue, result: &SearchResult, question: &str, lang: Lang, texts: &Texts) -> Message {
    let best = result.hits.first().and_then(|hit| catalogue.card(&hit.id));
    let Some(card) = best.filter(|_| result.confident) else {
        let mut lines = vec![texts.fill(lang, Msg::AnswerNotConfident, &[])];
        let guesses: Vec<String> = result
            .hits
            .iter()
            .take(3)
            .filter_map(|hit| catalogue.card(&hit.id))
            .map(|c| format!("{} (`{}`)", c.raw_text(lang).short_name(), c.id))
            .collect();
        if !guesses.is_empty() {
            lines.push(texts.fill(lang, Msg::AnswerGuesses, &[("cards", &guesses.join(", "))]));
        }
        return Message::from_markup(&lines.join("\n"));
    };
    let mut w = Writer { card, lang, fell_back: false };
    let mut lines = Vec::new();
    let name = w.field(Field::Name).to_string();
    let summary = w.field(Field::Summary).to_string();
    lines.push(format!("**{name}** – {summary}"));
    let wanted = wanted_field(question);
    let shown = if wanted == Field::Access { vec![Field::Access] } else { vec![wanted, Field::Access] };
    for field in shown {
        let text = w.field(field).to_string();
        lines.push(format!("**{}:** {text}", texts.fill(lang, label(field), &[])));
    }
    let mut source = texts.fill(lang, Msg::AnswerSource, &[("card", card.raw_text(lang).short_name()), ("id", &card.id)]);
    let related = related_names(card, catalogue, lang, 2);
    if !related.is_empty() {
        source.push_str(" · ");
        source.push_str(&texts.fill(lang, Msg::AnswerRelated, &[("cards", &related)]));
    }
    lines.push(source);
    if w.fell_back {
        lines.push(texts.fill(lang, Msg::AnswerPartlyFinnish, &[]));
    }
    Message::from_markup(&lines.join("\n"))
}

/// The whole card, every field labelled.
pub fn full_card(card: &Card, catalogue: &Catalogue, lang: Lang, texts: &Texts) -> Message {
    let mut w = Writer { card, lang, fell_back: false };
    let mut lines = vec![format!("**{}** (`{}`)", w.field(Field::Name), card.id), w.field(Field::Summary).to_string()];
    for field in [Field::TargetGroup, Field::Offers, Field::Access, Field::Coordinator] {
        let text = w.field(field).to_string();
        lines.push(format!("- **{}:** {text}", texts.fill(lang, label(field), &[])));
    }
    let related = related_names(card, catalogue, lang, usize::MAX);
    if !related.is_empty() {
        lines.push(format!("- **{}:** {related}", texts.fill(lang, Msg::LabelRelated, &[])));
    }
    lines.push(texts.fill(lang, Msg::AnswerSource, &[("card", card.raw_text(lang).short_name()), ("id", &card.id)]));
    if w.fell_back {
        lines.push(texts.fill(lang, Msg::AnswerPartlyFinnish, &[]));
    }
    Message::from_markup(&lines.join("\n"))
}

const CATEGORY_ORDER: [(Category, Msg); 8] = [
    (Category::Coordination, Msg::CategoryCoordination),
    (Category::Employment, Msg::CategoryEmployment),
    (Category::Rehabilitation, Msg::CategoryRehabilitation),
    (Category::Social, Msg::CategorySocial),
    (Category::Health, Msg::CategoryHealth),
    (Category::Benefits, Msg::CategoryBenefits),
    (Category::Tools, Msg::CategoryTools),
    (Category::ThirdSector, Msg::CategoryThirdSector),
];

/// Every card's short name, grouped by category.
pub fn list_by_category(catalogue: &Catalogue, lang: Lang, texts: &Texts) -> Message {
    let mut lines = vec![texts.fill(lang, Msg::ServicesHeader, &[])];
    for (category, title) in CATEGORY_ORDER {
        let names: Vec<&str> =
            catalogue.cards.iter().filter(|c| c.category == category).map(|c| c.raw_text(lang).short_name()).collect();
        if !names.is_empty() {
            lines.push(format!("- **{}:** {}", texts.fill(lang, title, &[]), names.join(", ")));
        }
    }
    Message::from_markup(&lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Index;

    fn setup() -> (Catalogue, Index, Texts) {
        let catalogue = Catalogue::shipped();
        let index = Index::build(&catalogue);
        (catalogue, index, Texts::embedded().unwrap())
    }

    #[test]
    fn confident_answer_is_short_and_cites_its_card() {
        let (c, i, t) = setup();
        let q = "Miten asiakas pääsee IPS-työhönvalmennukseen?";
        let m = answer(&c, &i.search(q, Lang::Fi), q, Lang::Fi, &t);
        assert!(m.plain.starts_with("IPS-työhönvalmennus"), "{}", m.plain);
        assert!(m.plain.contains("Näin pääsee:"), "{}", m.plain);
        assert!(m.plain.contains("Lähde: palvelukortti IPS-työhönvalmennus (ips-tyohonvalmennus)"), "{}", m.plain);
        assert!(m.plain.contains("Katso myös:"), "{}", m.plain);
        assert!(m.plain.lines().count() <= 5, "{}", m.plain);
    }

    #[test]
    fn the_line_shown_follows_what_was_asked() {
        let (c, i, t) = setup();
        let q = "Kenelle kuntouttava työtoiminta on tarkoitettu?";
        let m = answer(&c, &i.search(q, Lang::Fi), q, Lang::Fi, &t);
        assert!(m.plain.contains("Kenelle:"), "{}", m.plain);
        assert!(m.plain.contains("Näin pääsee:"), "{}", m.plain);
    }

    #[test]
    fn english_answer_names_the_english_card_and_notes_finnish_fallback() {
        let (c, i, t) = setup();
        let q = "What does IPS job coaching offer?";
        let m = answer(&c, &i.search(q, Lang::En), q, Lang::En, &t);
        assert!(m.plain.starts_with("IPS job coaching"), "{}", m.plain);
        assert!(m.plain.contains("Source: service card"), "{}", m.plain);
        // The English IPS card has no 'offers' text, so that line is Finnish and flagged.
        assert!(m.plain.contains("available in Finnish only"), "{}", m.plain);
    }

    #[test]
    fn out_of_domain_question_gets_an_honest_not_sure() {
        let (c, i, t) = setup();
        let q = "Milloin kirjasto on auki lauantaina?";
        let m = answer(&c, &i.search(q, Lang::Fi), q, Lang::Fi, &t);
        assert!(m.plain.starts_with("En löytänyt palvelukorttia"), "{}", m.plain);
        assert!(!m.plain.contains("Lähde:"), "{}", m.plain);
    }

    #[test]
    fn list_covers_every_card_once() {
        let (c, _, t) = setup();
        let m = list_by_category(&c, Lang::Sv, &t);
        for card in &c.cards {
            assert!(m.plain.contains(card.sv.short_name()), "{} missing", card.id);
        }
        assert!(m.plain.starts_with("Tjänstekort per ämne"));
    }

    #[test]
    fn full_card_shows_every_field_with_labels() {
        let (c, _, t) = setup();
        let card = c.card("typ").unwrap();
        let m = full_card(card, &c, Lang::Fi, &t);
        for label in ["Kenelle:", "Mitä tarjoaa:", "Näin pääsee:", "Koordinoi:", "Liittyvät kortit:"] {
            assert!(m.plain.contains(label), "{label} missing: {}", m.plain);
        }
    }
}
