//! The service card: one service of the work-ability support network, in three languages.

use crate::lang::Lang;
use serde::{Deserialize, Serialize};

/// Which part of the service network a card belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Coordination,
    Employment,
    Rehabilitation,
    Social,
    Health,
    Benefits,
    Tools,
    ThirdSector,
}

/// One service card as written in `config/catalogue/<id>.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Card {
    pub id: String,
    pub category: Category,
    #[serde(default)]
    pub related: Vec<String>,
    /// The source document the card was written from.
    pub source: String,
    /// The first contact when work ability is unclear: the answer to a routing question
    /// ("mihin ohjaan…") that names no narrower need. At most one card has it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_contact: bool,
    /// The card for a case this service has already handled without resolving it: the
    /// next step of the seeds' path (coordinator -> work-ability team -> special-expertise
    /// team). People name this service as a step taken by its `step_words`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
    pub fi: CardText,
    pub sv: CardText,
    pub en: CardText,
}

/// A card's text in one language. Finnish has every field; Swedish and English
/// may leave the optional ones out, and then the Finnish text stands in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardText {
    pub name: String,
    pub summary: String,
    pub keywords: Vec<String>,
    pub target_group: Option<String>,
    pub offers: Option<String>,
    pub access: Option<String>,
    pub coordinator: Option<String>,
    /// Typical questions this card answers, as professionals ask them: searched as a
    /// field of its own, never shown.
    #[serde(default)]
    pub questions: Vec<String>,
    /// Words one of which a question must contain for this card to rank first (a
    /// word of four letters or fewer exactly, a longer one as the start of a word):
    /// the employment services' coordinator leads only when the question speaks of
    /// TE or employment services, not for every "coordinator" question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leads_only_with: Vec<String>,
    /// Words by which people speak of this service as a step already taken ("we went
    /// through it with the coordinator"), matched as the beginning of a question's word:
    /// "koordinaattori" finds "koordinaattorin", "työkykykoordinaattori" finds
    /// "työkykykoordinaattorille".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub step_words: Vec<String>,
}

/// A text field of a card, for per-field look-up with fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    Summary,
    TargetGroup,
    Offers,
    Access,
    Coordinator,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Name,
        Field::Summary,
        Field::TargetGroup,
        Field::Offers,
        Field::Access,
        Field::Coordinator,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Summary => "summary",
            Field::TargetGroup => "target_group",
            Field::Offers => "offers",
            Field::Access => "access",
            Field::Coordinator => "coordinator",
        }
    }
}

impl CardText {
    /// The field's text, if present and not blank.
    pub fn get(&self, field: Field) -> Option<&str> {
        let text = match field {
            Field::Name => Some(self.name.as_str()),
            Field::Summary => Some(self.summary.as_str()),
            Field::TargetGroup => self.target_group.as_deref(),
            Field::Offers => self.offers.as_deref(),
            Field::Access => self.access.as_deref(),
            Field::Coordinator => self.coordinator.as_deref(),
        };
        text.filter(|t| !t.trim().is_empty())
    }

    /// The name without its parenthesised or dashed qualifier:
    /// "Työkykykoordinaattori (hyvinvointialue, sote-keskus)" -> "Työkykykoordinaattori",
    /// "TYP – työllistymistä edistävä monialainen yhteispalvelu" -> "TYP".
    pub fn short_name(&self) -> &str {
        let end = self.name.find(['(', '–', '—']).unwrap_or(self.name.len());
        self.name[..end].trim()
    }

    fn is_complete(&self) -> bool {
        Field::ALL.iter().all(|&f| self.get(f).is_some())
            && self.keywords.iter().any(|k| !k.trim().is_empty())
    }
}

impl Card {
    /// The card's text in `lang` exactly as written, possibly incomplete.
    pub fn raw_text(&self, lang: Lang) -> &CardText {
        match lang {
            Lang::Fi => &self.fi,
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }

    /// The text to answer from in `lang`: that language's text when it has every
    /// field, otherwise the (complete) Finnish text. The returned `Lang` says which.
    pub fn text(&self, lang: Lang) -> (&CardText, Lang) {
        let text = self.raw_text(lang);
        if text.is_complete() {
            (text, lang)
        } else {
            (&self.fi, Lang::Fi)
        }
    }

    /// One field in `lang`, falling back to Finnish when that language lacks it.
    /// The returned `Lang` says which language the text is in.
    pub fn field(&self, lang: Lang, field: Field) -> (&str, Lang) {
        match self.raw_text(lang).get(field) {
            Some(text) => (text, lang),
            None => (self.fi.get(field).unwrap_or(""), Lang::Fi),
        }
    }
}
